/**
 * `/`: the documents, most recently edited first, with search, create, rename and delete.
 * The list refreshes itself while visible, so renames and edits made elsewhere show up
 * without a reload; rows are updated in place so keyboard focus survives a refresh.
 * Search looks through titles and text (`GET /api/docs?q=`): results come ranked, each with
 * the text around its first match, matched words emphasised, and how many matched is announced.
 */
import { clearDocument } from 'y-indexeddb'
import { queryWords } from '../../protocol/search'
import { ApiError, type DocumentSummary, call, callEmpty, createApi } from '../api'
import { h } from '../dom'
import { TRASH_PATH, documentPath, navigate } from '../router'
import { deviceCopyName } from '../sync/deviceCopy'
import { announce } from '../ui/announce'
import { confirmDialog } from '../ui/dialog'
import { DocRow, type DocRowActions } from '../ui/docRow'
import { ListImporter } from '../ui/importFiles'
import { toast } from '../ui/toast'
import { actionToast } from '../ui/undoToast'
import { MAX_TITLE_LENGTH } from '../ui/title'
import type { AppContext, Page } from './page'

const PAGE_SIZE = 50
/** A rename elsewhere shows here within about a second; the query is one indexed read. */
const REFRESH_MS = 1000
/** Typing pauses this long before the search runs: one request per word, not per key. */
const SEARCH_DEBOUNCE_MS = 250
/** While searching, the list refreshes every this many {@link REFRESH_MS}. */
const SEARCH_REFRESH_TICKS = 3

/** What a screen reader hears once a search's first page arrived. */
function resultsMessage(query: string, count: number, more: boolean): string {
  if (count === 0) return `No documents match “${query}”.`
  if (more) return `More than ${count} documents match “${query}”.`
  return count === 1 ? `1 document matches “${query}”.` : `${count} documents match “${query}”.`
}

export function listPage(root: HTMLElement, app: AppContext): Page {
  let api = createApi(app.access.generalToken())
  let query = ''
  /** The query's folded words, emphasised in the rows. */
  let words: readonly string[] = []
  /** Set when the query changed: the next page that arrives is announced. */
  let announcePending = false
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
    placeholder: 'Search documents',
    'aria-label': 'Search documents by title and text',
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
        // With tokens, only an admin of every document sees the trash (pages/trash.tsx explains).
        app.access.canManageTrash() &&
          h(
            'a',
            {
              class: 'button button-quiet topbar-link',
              href: TRASH_PATH,
              'data-link': true,
              'data-testid': 'trash-link',
            },
            'Trash',
          ),
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
      existing.update(summary, words)
      return existing
    }
    const row = new DocRow(summary, rowActions)
    row.update(summary, words)
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
      if (announcePending) {
        announcePending = false
        if (query !== '') announce(resultsMessage(query, items.length, nextCursor !== null))
      }
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
      message:
        'The document is deleted for everyone, including people who have it open. It goes to the Trash, where it can be restored.',
      confirmLabel: 'Delete',
      danger: true,
      testId: 'delete-confirm',
    })
    if (!confirmed) return
    const id = row.summary.id
    try {
      await callEmpty(api.api.docs[':id'].$delete({ param: { id } }))
      void clearDocument(deviceCopyName(id))
      const focusLost = row.element.contains(document.activeElement) || document.activeElement === document.body
      items = items.filter((item) => item.id !== id)
      render()
      if (app.access.canManageTrash(id)) {
        // The row and its button are gone: focus goes to Undo, the likeliest next step.
        actionToast(`Moved “${name}” to the trash`, {
          action: { label: 'Undo', run: () => void undoDelete(id, name) },
          focus: focusLost,
        })
      } else {
        toast(`Moved “${name}” to the trash. An administrator can restore it.`)
      }
      void refresh()
    } catch (error) {
      toast(`Could not delete: ${error instanceof Error ? error.message : String(error)}`, { kind: 'error' })
    }
  }

  const undoDelete = async (id: string, name: string): Promise<void> => {
    try {
      await call(api.api.trash[':id'].restore.$post({ param: { id } }))
      toast(`Restored “${name}”`)
      await refresh()
      // Back where it was: focus on the restored document's link.
      rows.get(id)?.element.querySelector<HTMLElement>('a')?.focus()
    } catch (error) {
      toast(`Could not restore: ${error instanceof Error ? error.message : String(error)}`, { kind: 'error' })
    }
  }

  let searchTimer: ReturnType<typeof setTimeout> | null = null
  search.addEventListener('input', () => {
    if (searchTimer !== null) clearTimeout(searchTimer)
    searchTimer = setTimeout(() => {
      const next = search.value.trim()
      if (next === query) return
      query = next
      words = queryWords(query)
      announcePending = true
      items = []
      nextCursor = null
      loaded = false
      render()
      void refresh()
    }, SEARCH_DEBOUNCE_MS)
  })
  create.addEventListener('click', () => void createDocument())
  more.addEventListener('click', () => void loadMore())

  const canRefresh = (): boolean =>
    document.visibilityState === 'visible' &&
    busy === 0 &&
    document.querySelector('dialog[open]') === null &&
    ![...rows.values()].some((row) => row.renaming)
  let ticks = 0
  const timer = setInterval(() => {
    // Search results follow edits less eagerly: a search costs more than the plain list.
    ticks++
    if (query !== '' && ticks % SEARCH_REFRESH_TICKS !== 0) return
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
