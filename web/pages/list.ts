/**
 * `/`: the documents, most recently edited first, with search, create, rename and delete.
 * The list refreshes itself while visible, so renames and edits made elsewhere show up
 * without a reload; rows are updated in place so keyboard focus survives a refresh.
 */
import { clearDocument } from 'y-indexeddb'
import { ApiError, type DocumentSummary, call, callEmpty, createApi } from '../api'
import { h } from '../dom'
import { documentPath, navigate } from '../router'
import { deviceCopyName } from '../sync/deviceCopy'
import { confirmDialog } from '../ui/dialog'
import { DocRow, type DocRowActions } from '../ui/docRow'
import { ListImporter } from '../ui/importFiles'
import { toast } from '../ui/toast'
import { MAX_TITLE_LENGTH } from '../ui/title'
import type { AppContext, Page } from './page'

const PAGE_SIZE = 50
/** A rename elsewhere shows here within about a second; the query is one indexed read. */
const REFRESH_MS = 1000

export function listPage(root: HTMLElement, app: AppContext): Page {
  let api = createApi(app.access.generalToken())
  let query = ''
  let items: DocumentSummary[] = []
  let nextCursor: string | null = null
  let loaded = false
  let busy = 0
  let disposed = false
  let generation = 0
  const rows = new Map<string, DocRow>()

  const search = h('input', {
    type: 'search',
    class: 'search',
    placeholder: 'Search by title',
    'aria-label': 'Search documents by title',
    'data-testid': 'search',
    maxlength: MAX_TITLE_LENGTH,
  })
  const create = h(
    'button',
    { type: 'button', class: 'button button-primary', 'data-testid': 'new-doc' },
    '+ New document',
  )
  const list = h('ul', { class: 'doc-list', 'aria-label': 'Documents', 'data-testid': 'doc-list' })
  const notice = h('div', { class: 'list-notice' })
  const more = h('button', { type: 'button', class: 'button', 'data-testid': 'load-more', hidden: true }, 'Show more')
  // Import: a button, and files dropped anywhere on the page (ui/importFiles.tsx).
  const importer = new ListImporter({ api: () => api, onImported: () => void refresh() })
  root.replaceChildren(
    h(
      'div',
      { class: 'list-page' },
      h(
        'header',
        { class: 'topbar' },
        h(
          'a',
          { class: 'brand', href: '/', 'data-link': true, 'aria-label': 'tandem: all documents' },
          h('span', { class: 'brand-mark', 'aria-hidden': 'true' }),
          h('span', { class: 'brand-name' }, 'tandem'),
        ),
        h('div', { class: 'topbar-spacer' }),
        importer.button,
        importer.input,
        create,
      ),
      h(
        'main',
        { class: 'list-main', id: 'main' },
        h('div', { class: 'list-head' }, h('h1', {}, 'Documents'), search),
        importer.panel,
        list,
        notice,
        more,
      ),
      h('div', { class: 'drop-hint', 'aria-hidden': 'true' }, h('p', {}, 'Drop files to import them as documents')),
    ),
  )
  const stopDrops = importer.acceptDrops(root.firstElementChild as HTMLElement)
  document.title = 'Documents · tandem'

  const showNotice = (content: Node | null): void => {
    notice.replaceChildren(...(content === null ? [] : [content]))
  }

  const tokenForm = (message: string): HTMLElement => {
    const input = h('input', {
      type: 'password',
      class: 'search',
      'aria-label': 'Access token',
      'data-testid': 'token-input',
      autocomplete: 'off',
    })
    const form = h(
      'form',
      { class: 'message', 'data-testid': 'access-denied' },
      h('h2', {}, 'This server needs an access token'),
      h('p', {}, message),
      h(
        'div',
        { class: 'share-row' },
        input,
        h('button', { type: 'submit', class: 'button button-primary' }, 'Use token'),
      ),
    )
    form.addEventListener('submit', (event) => {
      event.preventDefault()
      if (input.value.trim() === '') return
      app.access.setGeneralToken(input.value)
      api = createApi(app.access.generalToken())
      void refresh()
    })
    return form
  }

  const rowActions: DocRowActions = {
    rename: async (row, title) => {
      try {
        const renamed = await call(api.api.docs[':id'].$patch({ param: { id: row.summary.id }, json: { title } }))
        items = items.map((item) => (item.id === renamed.id ? renamed : item))
        row.update(renamed)
        void refresh()
      } catch (error) {
        toast(`Could not rename: ${error instanceof Error ? error.message : String(error)}`, { kind: 'error' })
        throw error
      }
    },
    remove: (row) => void deleteDocument(row),
  }

  const rowFor = (summary: DocumentSummary): DocRow => {
    const existing = rows.get(summary.id)
    if (existing !== undefined) {
      existing.update(summary)
      return existing
    }
    const row = new DocRow(summary, rowActions)
    rows.set(summary.id, row)
    return row
  }

  const render = (): void => {
    const wanted = new Set(items.map((item) => item.id))
    for (const [id, row] of rows) {
      if (!wanted.has(id)) {
        row.element.remove()
        rows.delete(id)
      }
    }
    items.forEach((item, index) => {
      const row = rowFor(item)
      const at = list.children[index]
      if (at !== row.element) list.insertBefore(row.element, at ?? null)
    })
    more.hidden = nextCursor === null
    if (!loaded) return
    if (items.length > 0) showNotice(null)
    else if (query !== '')
      showNotice(h('p', { class: 'empty', 'data-testid': 'no-results' }, `No documents match “${query}”.`))
    else
      showNotice(
        h(
          'div',
          { class: 'empty', 'data-testid': 'empty-state' },
          h('h2', {}, 'No documents yet'),
          h('p', {}, 'Create a document and share its link: everyone with the link edits it together, live.'),
          h(
            'button',
            {
              type: 'button',
              class: 'button button-primary',
              'data-testid': 'empty-new-doc',
              on: { click: () => void createDocument() },
            },
            'Create your first document',
          ),
        ),
      )
  }

  const failed = (error: unknown): void => {
    if (error instanceof ApiError && (error.status === 401 || error.status === 403)) {
      items = []
      nextCursor = null
      loaded = false
      render()
      showNotice(
        tokenForm(
          error.status === 401
            ? 'Open a share link you were sent, or paste a token from the server’s administrator.'
            : 'Your token does not allow listing documents. Open a share link instead, or paste another token.',
        ),
      )
      return
    }
    const text =
      error instanceof ApiError && error.unreachable
        ? 'You are offline. The list will refresh when the connection returns; documents you opened before still open.'
        : `Could not load documents: ${error instanceof Error ? error.message : String(error)}`
    showNotice(h('p', { class: 'list-error', role: 'alert', 'data-testid': 'list-error' }, text))
  }

  /** Reloads what is shown (up to 100 rows), newest first. */
  const refresh = async (): Promise<void> => {
    const mine = ++generation
    busy++
    try {
      const limit = Math.min(100, Math.max(PAGE_SIZE, items.length))
      const page = await call(
        api.api.docs.$get({ query: { limit: String(limit), ...(query === '' ? {} : { q: query }) } }),
      )
      if (mine !== generation || disposed) return
      items = page.items
      nextCursor = page.nextCursor
      loaded = true
      render()
    } catch (error) {
      if (mine === generation && !disposed) failed(error)
    } finally {
      busy--
    }
  }

  const loadMore = async (): Promise<void> => {
    if (nextCursor === null) return
    const mine = ++generation
    more.disabled = true
    try {
      const page = await call(
        api.api.docs.$get({
          query: { limit: String(PAGE_SIZE), cursor: nextCursor, ...(query === '' ? {} : { q: query }) },
        }),
      )
      if (mine !== generation || disposed) return
      const known = new Set(items.map((item) => item.id))
      items = [...items, ...page.items.filter((item) => !known.has(item.id))]
      nextCursor = page.nextCursor
      render()
    } catch (error) {
      failed(error)
    } finally {
      more.disabled = false
    }
  }

  const createDocument = async (): Promise<void> => {
    create.disabled = true
    try {
      const created = await call(api.api.docs.$post({ json: {} }))
      navigate(documentPath(created.id), { state: { created: true } })
    } catch (error) {
      toast(
        error instanceof ApiError && error.unreachable
          ? 'You are offline: new documents can be created once the connection returns.'
          : `Could not create a document: ${error instanceof Error ? error.message : String(error)}`,
        { kind: 'error' },
      )
    } finally {
      create.disabled = false
    }
  }

  const deleteDocument = async (row: DocRow): Promise<void> => {
    const name = row.summary.title
    const confirmed = await confirmDialog({
      title: `Delete “${name}”?`,
      message: 'The document is deleted for everyone, including people who have it open. This cannot be undone.',
      confirmLabel: 'Delete',
      danger: true,
      testId: 'delete-confirm',
    })
    if (!confirmed) return
    try {
      await callEmpty(api.api.docs[':id'].$delete({ param: { id: row.summary.id } }))
      void clearDocument(deviceCopyName(row.summary.id))
      items = items.filter((item) => item.id !== row.summary.id)
      render()
      toast(`Deleted “${name}”`)
      void refresh()
    } catch (error) {
      toast(`Could not delete: ${error instanceof Error ? error.message : String(error)}`, { kind: 'error' })
    }
  }

  let searchTimer: ReturnType<typeof setTimeout> | null = null
  search.addEventListener('input', () => {
    if (searchTimer !== null) clearTimeout(searchTimer)
    searchTimer = setTimeout(() => {
      query = search.value.trim()
      items = []
      nextCursor = null
      loaded = false
      render()
      void refresh()
    }, 150)
  })
  create.addEventListener('click', () => void createDocument())
  more.addEventListener('click', () => void loadMore())

  const canRefresh = (): boolean =>
    document.visibilityState === 'visible' &&
    busy === 0 &&
    document.querySelector('dialog[open]') === null &&
    ![...rows.values()].some((row) => row.renaming)
  const timer = setInterval(() => {
    if (canRefresh()) void refresh()
  }, REFRESH_MS)
  const onVisible = (): void => {
    if (canRefresh()) void refresh()
  }
  document.addEventListener('visibilitychange', onVisible)
  window.addEventListener('focus', onVisible)
  window.addEventListener('online', onVisible)

  void refresh()

  return {
    dispose() {
      disposed = true
      clearInterval(timer)
      stopDrops()
      importer.dispose()
      if (searchTimer !== null) clearTimeout(searchTimer)
      document.removeEventListener('visibilitychange', onVisible)
      window.removeEventListener('focus', onVisible)
      window.removeEventListener('online', onVisible)
    },
  }
}
