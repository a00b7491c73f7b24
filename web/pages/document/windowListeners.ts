/**
 * What the editor page listens to on the window: leaving (warn while edits are unsaved; flush
 * the title; take presence away) and your identity changed in another tab.
 */
import { IDENTITY_KEY, type Identity, parseIdentity } from '../../identity'

export interface WindowHandlers {
  /** The page is being left; true asks the browser to confirm. */
  beforeUnload(): boolean
  pageHide(): void
  identityChanged(identity: Identity): void
}

export function listenToWindow(handlers: WindowHandlers): () => void {
  const onBeforeUnload = (event: BeforeUnloadEvent): void => {
    if (!handlers.beforeUnload()) return
    event.preventDefault()
    event.returnValue = ''
  }
  const onPageHide = (): void => handlers.pageHide()
  const onStorage = (event: StorageEvent): void => {
    if (event.key !== IDENTITY_KEY) return
    const next = parseIdentity(event.newValue)
    if (next !== null) handlers.identityChanged(next)
  }
  window.addEventListener('beforeunload', onBeforeUnload)
  window.addEventListener('pagehide', onPageHide)
  window.addEventListener('storage', onStorage)
  return () => {
    window.removeEventListener('beforeunload', onBeforeUnload)
    window.removeEventListener('pagehide', onPageHide)
    window.removeEventListener('storage', onStorage)
  }
}
