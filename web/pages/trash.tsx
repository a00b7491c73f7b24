/**
 * `/trash`: documents deleted from the list, most recently deleted first, each with Restore and
 * Delete forever (after a confirmation). Like the list, it refreshes itself while visible, so a
 * document restored or purged elsewhere leaves it; rows are keyed, so focus survives a refresh,
 * and when a row goes its neighbour (or the heading) takes focus. With tokens the trash is an
 * admin's: a token that cannot see it gets an explanation instead of a list.
 */
import { render } from 'preact'
import { useCallback, useEffect, useRef, useState } from 'preact/hooks'
import { clearDocument } from 'y-indexeddb'
import { ApiError, type TrashedDocument, call, callEmpty, createApi } from '../api'
import { deviceCopyName } from '../sync/deviceCopy'
import { exactTime, relativeTime } from '../time'
import { confirmDialog } from '../ui/dialog'
import { toast } from '../ui/toast'
import type { AppContext, Page } from './page'

const PAGE_SIZE = 50
/** A restore or purge elsewhere shows here within a few seconds. */
const REFRESH_MS = 3000

type Problem = { kind: 'denied'; text: string } | { kind: 'error'; text: string } | null

const NOT_ADMIN =
  'The trash is for administrators: your token does not allow seeing deleted documents. Ask the server’s administrator to restore a document, or for an admin token.'
const NO_TOKEN =
  'This server needs an administrator’s token to show the trash. Enter one on the list of documents, or open a link that carries one.'

export function trashPage(root: HTMLElement, app: AppContext): Page {
  root.replaceChildren()
  document.title = 'Trash · tandem'
  render(<TrashView app={app} />, root)
  return {
    dispose() {
      render(null, root)
    },
  }
}

function problemOf(error: unknown): Problem {
  if (error instanceof ApiError && error.status === 401) return { kind: 'denied', text: NO_TOKEN }
  if (error instanceof ApiError && error.status === 403) return { kind: 'denied', text: NOT_ADMIN }
  if (error instanceof ApiError && error.unreachable) {
    return { kind: 'error', text: 'You are offline. The trash will refresh when the connection returns.' }
  }
  return { kind: 'error', text: `Could not load the trash: ${error instanceof Error ? error.message : String(error)}` }
}

export function TrashView(props: { app: AppContext }) {
  const { app } = props
  const allowed = app.access.canManageTrash()
  const api = useRef(createApi(app.access.generalToken())).current
  const [items, setItems] = useState<TrashedDocument[]>([])
  const [nextCursor, setNextCursor] = useState<string | null>(null)
  const [loaded, setLoaded] = useState(false)
  const [problem, setProblem] = useState<Problem>(allowed ? null : { kind: 'denied', text: NOT_ADMIN })
  const [working, setWorking] = useState<ReadonlySet<string>>(new Set())
  const heading = useRef<HTMLHeadingElement>(null)
  const list = useRef<HTMLUListElement>(null)
  const shown = useRef(0)
  shown.current = items.length
  const busy = useRef(0)
  const generation = useRef(0)
  /** Where focus goes once a row is gone: the id of the row after it, or the heading. */
  const focusAfter = useRef<string | null | undefined>(undefined)

  const refresh = useCallback(async (): Promise<void> => {
    const mine = ++generation.current
    busy.current++
    try {
      const limit = Math.min(100, Math.max(PAGE_SIZE, shown.current))
      const page = await call(api.api.trash.$get({ query: { limit: String(limit) } }))
      if (mine !== generation.current) return
      setItems(page.items)
      setNextCursor(page.nextCursor)
      setLoaded(true)
      setProblem(null)
    } catch (error) {
      if (mine === generation.current) setProblem(problemOf(error))
    } finally {
      busy.current--
    }
  }, [api])

  useEffect(() => {
    if (!allowed) return
    void refresh()
    const canRefresh = (): boolean =>
      document.visibilityState === 'visible' && busy.current === 0 && document.querySelector('dialog[open]') === null
    const timer = setInterval(() => {
      if (canRefresh()) void refresh()
    }, REFRESH_MS)
    const onVisible = (): void => {
      if (canRefresh()) void refresh()
    }
    document.addEventListener('visibilitychange', onVisible)
    window.addEventListener('online', onVisible)
    return () => {
      generation.current++
      clearInterval(timer)
      document.removeEventListener('visibilitychange', onVisible)
      window.removeEventListener('online', onVisible)
    }
  }, [allowed, refresh])

  // After a row left: focus its neighbour's first button, else the heading.
  useEffect(() => {
    const target = focusAfter.current
    if (target === undefined) return
    focusAfter.current = undefined
    const row = target === null ? null : list.current?.querySelector<HTMLElement>(`[data-doc-id="${target}"] button`)
    ;(row ?? heading.current)?.focus()
  })

  const removeRow = (id: string): void => {
    const index = items.findIndex((item) => item.id === id)
    const neighbour = items[index + 1] ?? items[index - 1]
    focusAfter.current = neighbour?.id ?? null
    setItems((current) => current.filter((item) => item.id !== id))
  }

  const withWork = async (id: string, work: () => Promise<void>): Promise<void> => {
    setWorking((current) => new Set(current).add(id))
    generation.current++ // an answer of a refresh started before this change is stale
    try {
      await work()
    } finally {
      setWorking((current) => {
        const next = new Set(current)
        next.delete(id)
        return next
      })
    }
  }

  const restore = (item: TrashedDocument): Promise<void> =>
    withWork(item.id, async () => {
      try {
        await call(api.api.trash[':id'].restore.$post({ param: { id: item.id } }))
        removeRow(item.id)
        toast(`Restored “${item.title}”`)
      } catch (error) {
        if (error instanceof ApiError && error.status === 404) removeRow(item.id)
        toast(`Could not restore: ${error instanceof Error ? error.message : String(error)}`, { kind: 'error' })
      }
    })

  const purge = async (item: TrashedDocument): Promise<void> => {
    const confirmed = await confirmDialog({
      title: `Delete “${item.title}” forever?`,
      message: 'The document, its history and its files are deleted for good. This cannot be undone.',
      confirmLabel: 'Delete forever',
      danger: true,
      testId: 'purge-confirm',
    })
    if (!confirmed) return
    await withWork(item.id, async () => {
      try {
        await callEmpty(api.api.trash[':id'].$delete({ param: { id: item.id } }))
        void clearDocument(deviceCopyName(item.id))
        removeRow(item.id)
        toast(`Deleted “${item.title}” forever`)
      } catch (error) {
        if (error instanceof ApiError && error.status === 404) removeRow(item.id)
        toast(`Could not delete: ${error instanceof Error ? error.message : String(error)}`, { kind: 'error' })
      }
    })
  }

  const loadMore = async (): Promise<void> => {
    if (nextCursor === null) return
    // Drops the answer of a refresh in flight, and holds off new ones, which would show one page only.
    const mine = ++generation.current
    busy.current++
    try {
      const page = await call(api.api.trash.$get({ query: { limit: String(PAGE_SIZE), cursor: nextCursor } }))
      if (mine !== generation.current) return
      setItems((current) => {
        const known = new Set(current.map((item) => item.id))
        return [...current, ...page.items.filter((item) => !known.has(item.id))]
      })
      setNextCursor(page.nextCursor)
    } catch (error) {
      setProblem(problemOf(error))
    } finally {
      busy.current--
    }
  }

  return (
    <div class="list-page">
      <header class="topbar">
        <a class="brand" href="/" data-link aria-label="tandem: all documents">
          <span class="brand-mark" aria-hidden="true" />
          <span class="brand-name">tandem</span>
        </a>
        <div class="topbar-spacer" />
        <a class="button button-quiet topbar-link" href="/" data-link data-testid="all-documents">
          All documents
        </a>
      </header>
      <main class="list-main" id="main" tabIndex={-1}>
        <div class="list-head">
          <h1 ref={heading} tabIndex={-1}>
            Trash
          </h1>
        </div>
        {problem?.kind === 'denied' ? (
          <div class="message" data-testid="trash-denied">
            <h2>The trash is not available</h2>
            <p>{problem.text}</p>
          </div>
        ) : (
          <>
            <p class="trash-intro">
              Deleted documents stay here, closed to everyone, until they are restored or deleted forever. After a while
              the server deletes them for good by itself.
            </p>
            <ul class="doc-list" aria-label="Deleted documents" data-testid="trash-list" ref={list}>
              {items.map((item) => (
                <TrashRow
                  key={item.id}
                  item={item}
                  working={working.has(item.id)}
                  onRestore={() => void restore(item)}
                  onPurge={() => void purge(item)}
                />
              ))}
            </ul>
            {problem?.kind === 'error' && (
              <p class="list-error" role="alert" data-testid="trash-error">
                {problem.text}
              </p>
            )}
            {loaded && items.length === 0 && problem === null && (
              <div class="list-notice">
                <div class="empty" data-testid="trash-empty">
                  <h2>The trash is empty</h2>
                  <p>Documents you delete appear here, and can be restored.</p>
                </div>
              </div>
            )}
            {nextCursor !== null && (
              <button type="button" class="button load-more" data-testid="trash-load-more" onClick={loadMore}>
                Show more
              </button>
            )}
          </>
        )}
      </main>
    </div>
  )
}

function TrashRow(props: { item: TrashedDocument; working: boolean; onRestore(): void; onPurge(): void }) {
  const { item } = props
  const deleted = new Date(item.deletedAt)
  return (
    <li class="doc-row" data-testid="trash-row" data-doc-id={item.id}>
      <div class="trash-row-main">
        <span class="doc-row-title" data-testid="trash-row-title">
          {item.title}
        </span>
        <span class="trash-row-deleted" title={exactTime(deleted)}>
          deleted {relativeTime(deleted)}
        </span>
      </div>
      <div class="doc-row-actions">
        <button
          type="button"
          class="button button-quiet"
          data-testid="trash-restore"
          aria-label={`Restore “${item.title}”`}
          disabled={props.working}
          onClick={props.onRestore}
        >
          Restore
        </button>
        <button
          type="button"
          class="button button-quiet button-danger-text"
          data-testid="trash-purge"
          aria-label={`Delete forever “${item.title}”`}
          disabled={props.working}
          onClick={props.onPurge}
        >
          Delete forever
        </button>
      </div>
    </li>
  )
}
