/**
 * The app's entry: reads who you are and which tokens you hold, renders the page for the
 * current address, keeps in-app links from reloading, and installs the service worker that
 * lets a document you opened before load again without a connection.
 */
import './styles.css'
import { AccessStore } from './access'
import { loadIdentity } from './identity'
import { browserStorage } from './memoryStorage'
import { documentPage, sharedPage } from './pages/document/controller'
import { listPage } from './pages/list'
import { trashPage } from './pages/trash'
import { NOT_FOUND, messagePage } from './pages/message'
import type { AppContext, Page } from './pages/page'
import { NAVIGATE_EVENT, matchRoute, navigate } from './router'

const root = document.getElementById('app')
if (root === null) throw new Error('index.html has no #app element')

const storage = browserStorage()
const app: AppContext = { storage, access: new AccessStore(storage), identity: loadIdentity(storage) }
let page: Page | null = null

function render(): void {
  page?.dispose()
  const url = new URL(location.href)
  const route = matchRoute(url.pathname)
  const clean = app.access.absorb(url, route.page === 'document' ? route.id : null)
  if (clean !== null) history.replaceState(history.state, '', `${clean.pathname}${clean.search}${clean.hash}`)
  window.scrollTo(0, 0)
  switch (route.page) {
    case 'list':
      page = listPage(root!, app)
      break
    case 'trash':
      page = trashPage(root!, app)
      break
    case 'document':
      page = documentPage(root!, app, route.id)
      break
    case 'shared':
      page = sharedPage(root!, app, route.shareId)
      break
    case 'missing':
      page = messagePage(root!, NOT_FOUND)
      break
  }
}

document.addEventListener('click', (event) => {
  if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey)
    return
  const link = (event.target as Element | null)?.closest('a[data-link]')
  if (!(link instanceof HTMLAnchorElement) || link.origin !== location.origin) return
  event.preventDefault()
  if (link.pathname + link.search !== location.pathname + location.search) navigate(link.pathname + link.search)
})
window.addEventListener('popstate', render)
window.addEventListener(NAVIGATE_EVENT, render)
render()

if (import.meta.env.PROD && 'serviceWorker' in navigator) {
  navigator.serviceWorker
    .register('/sw.js')
    .then(() => navigator.serviceWorker.ready)
    .then(() => {
      document.documentElement.dataset.offlineReady = 'true'
    })
    .catch((error: unknown) => console.warn('tandem: offline support unavailable', error))
}
