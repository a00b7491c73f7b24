/** Short notices ("Link copied", "Couldn't rename") in one polite live region. */
import { h } from '../dom'

let region: HTMLElement | null = null

export function toast(message: string, options: { kind?: 'info' | 'error'; timeoutMs?: number } = {}): void {
  const item = h('div', { class: `toast toast-${options.kind ?? 'info'}`, 'data-testid': 'toast' }, message)
  showToast(item, () => setTimeout(() => item.remove(), options.timeoutMs ?? 4000))
}

/** Puts `item` into the toasts' live region (made first if needed), then calls `shown`. */
export function showToast(item: HTMLElement, shown: () => void): void {
  const show = (live: HTMLElement): void => {
    live.append(item)
    shown()
  }
  if (region?.isConnected) {
    show(region)
    return
  }
  const live = h('div', { class: 'toasts', role: 'status', 'aria-live': 'polite', 'data-testid': 'toasts' })
  region = live
  document.body.append(live)
  // A live region is heard only once screen readers know it: the first notice waits a moment.
  setTimeout(() => show(live), FIRST_NOTICE_DELAY_MS)
}

const FIRST_NOTICE_DELAY_MS = 100
