/**
 * The History panel: a document's versions, newest first, with when, who and what (its name or
 * how it came to be); "Save version…" for a named one; selecting a version shows it read-only
 * with what changed against the current document (or the version before it): inserted words
 * underlined, deleted ones struck through, in colours of their own, and said in words for screen
 * readers. "Restore this version" asks first; the restore reaches every open editor live, and the
 * state before is kept as a version, so it can be undone from here too.
 */
import { useEffect, useRef, useState } from 'preact/hooks'
import { MAX_VERSION_NAME_LENGTH, type VersionDto } from '../../protocol/api'
import { ApiError, call, callEmpty } from '../api'
import { type ContentNode, type DiffBlock, blocksOf, countChanges, diffBlocks } from '../history/diff'
import { exactTime, relativeTime } from '../time'
import type { VersionsClient } from '../versionsApi'
import { announce } from './announce'
import { confirmDialog } from './dialog'
import { nameDialog } from './nameDialog'
import { SidePanel } from './sidePanel'
import { toast } from './toast'

export interface HistoryPanelProps {
  docId: string
  api: VersionsClient
  canEdit: boolean
  /** Admins may delete named versions. */
  canDelete: boolean
  /** The document as the editor holds it now. */
  current(): ContentNode | null
  onClose(): void
}

type Compare = 'current' | 'previous'

const PAGE_SIZE = 30

function describeVersion(version: VersionDto): string {
  if (version.name !== null) return version.name
  switch (version.kind) {
    case 'restore':
      return 'Before a restore'
    case 'import':
      return 'Before an import'
    case 'named':
      return 'Saved version'
    default:
      return 'Automatic version'
  }
}

export function authorNames(version: VersionDto): string {
  if (version.authors.length === 0) return 'No changes by anyone recorded'
  return version.authors.map((author) => author.name ?? 'Anonymous').join(', ')
}

function words(count: number): string {
  return count === 1 ? '1 word' : `${count} words`
}

function message(error: unknown): string {
  if (error instanceof ApiError && error.unreachable) return 'You are offline: history needs a connection.'
  return error instanceof Error ? error.message : String(error)
}

function DiffView(props: { blocks: DiffBlock[] }) {
  return (
    <div class="diff" data-testid="history-diff">
      {props.blocks.map((block, index) => {
        const Tag = block.type === 'heading' ? (`h${Math.min(6, Math.max(3, (block.level ?? 1) + 2))}` as 'h3') : 'p'
        return (
          <Tag key={index} class={`diff-block diff-${block.kind}`}>
            {block.segments.length === 0 || block.segments.every((segment) => segment.text === '') ? (
              <span class="diff-empty">{'\u00a0'}</span>
            ) : (
              block.segments.map((segment, at) =>
                segment.kind === 'same' ? (
                  segment.text
                ) : segment.kind === 'inserted' ? (
                  <ins key={at} data-testid="diff-inserted">
                    <span class="visually-hidden">[added: </span>
                    {segment.text}
                    <span class="visually-hidden">]</span>
                  </ins>
                ) : (
                  <del key={at} data-testid="diff-deleted">
                    <span class="visually-hidden">[removed: </span>
                    {segment.text}
                    <span class="visually-hidden">]</span>
                  </del>
                ),
              )
            )}
          </Tag>
        )
      })}
    </div>
  )
}

export function HistoryPanel(props: HistoryPanelProps) {
  const { api, docId } = props
  const [versions, setVersions] = useState<VersionDto[]>([])
  const [nextCursor, setNextCursor] = useState<string | null>(null)
  const [loading, setLoading] = useState(true)
  const [error, setError] = useState<string | null>(null)
  const [selected, setSelected] = useState<string | null>(null)
  const [compare, setCompare] = useState<Compare>('current')
  const [preview, setPreview] = useState<{ id: string; compare: Compare; blocks: DiffBlock[] } | null>(null)
  const [previewError, setPreviewError] = useState<string | null>(null)
  /** A save or restore under way. Buttons say so with aria-disabled: a disabled button would drop focus. */
  const [busy, setBusy] = useState(false)
  const contents = useRef(new Map<string, ContentNode>())
  const alive = useRef(true)
  useEffect(
    () => () => {
      alive.current = false
    },
    [],
  )

  const load = async (cursor: string | null = null): Promise<VersionDto[]> => {
    setLoading(true)
    try {
      const page = await call(
        api.api.docs[':id'].versions.$get({
          param: { id: docId },
          query: { limit: String(PAGE_SIZE), ...(cursor === null ? {} : { cursor }) },
        }),
      )
      if (!alive.current) return []
      setVersions((old) => (cursor === null ? page.items : [...old, ...page.items]))
      setNextCursor(page.nextCursor)
      setError(null)
      return page.items
    } catch (failure) {
      if (alive.current) setError(message(failure))
      return []
    } finally {
      if (alive.current) setLoading(false)
    }
  }

  useEffect(() => {
    void load()
  }, [docId])

  const content = async (id: string): Promise<ContentNode> => {
    const known = contents.current.get(id)
    if (known !== undefined) return known
    const json = (await call(
      api.api.docs[':id'].versions[':versionId'].content.$get({
        param: { id: docId, versionId: id },
        query: { format: 'json' },
      }) as Promise<Response & { ok: boolean; json(): Promise<unknown> }>,
    )) as ContentNode
    contents.current.set(id, json)
    return json
  }

  const selectedIndex = versions.findIndex((version) => version.id === selected)
  const selectedVersion = selectedIndex === -1 ? null : (versions[selectedIndex] ?? null)
  const previous = selectedIndex === -1 ? null : (versions[selectedIndex + 1] ?? null)

  // The comparison is worked out whenever the selection or what it is compared with changes.
  useEffect(() => {
    if (selected === null) return
    let cancelled = false
    setPreviewError(null)
    void (async () => {
      try {
        const shown = blocksOf(await content(selected))
        let base: ContentNode | null
        if (compare === 'current') base = props.current()
        else base = previous === null ? { type: 'doc', content: [] } : await content(previous.id)
        if (!cancelled) setPreview({ id: selected, compare, blocks: diffBlocks(blocksOf(base), shown) })
      } catch (failure) {
        if (!cancelled) setPreviewError(message(failure))
      }
    })()
    return () => {
      cancelled = true
    }
  }, [selected, compare, previous?.id])

  const save = async (): Promise<void> => {
    const name = await nameDialog({
      title: 'Save version',
      label: 'Name',
      hint: 'Named versions are kept until someone deletes them.',
      confirmLabel: 'Save',
      maxLength: MAX_VERSION_NAME_LENGTH,
      testId: 'save-version-dialog',
    })
    if (name === null) return
    setBusy(true)
    try {
      const saved = await call(api.api.docs[':id'].versions.$post({ param: { id: docId }, json: { name } }))
      announce(`Version “${saved.name}” saved`)
      await load()
    } catch (failure) {
      toast(`Could not save the version: ${message(failure)}`, { kind: 'error' })
    } finally {
      if (alive.current) setBusy(false)
    }
  }

  const restore = async (version: VersionDto): Promise<void> => {
    const confirmed = await confirmDialog({
      title: 'Restore this version?',
      message: `The document will read as it did ${relativeTime(new Date(version.createdAt))} (${exactTime(new Date(version.createdAt))}). Everyone editing sees the change at once. The current state is kept in History, so you can undo this by restoring it.`,
      confirmLabel: 'Restore',
      testId: 'confirm-restore',
    })
    if (!confirmed) return
    setBusy(true)
    try {
      await call(
        api.api.docs[':id'].versions[':versionId'].restore.$post({ param: { id: docId, versionId: version.id } }),
      )
      announce('Version restored')
      toast('Version restored. The state before it is kept in History.')
      await load()
      if (alive.current) setCompare('current')
    } catch (failure) {
      toast(`Could not restore: ${message(failure)}`, { kind: 'error' })
    } finally {
      if (alive.current) setBusy(false)
    }
  }

  const remove = async (version: VersionDto): Promise<void> => {
    const confirmed = await confirmDialog({
      title: 'Delete this named version?',
      message: `“${version.name ?? ''}” is removed from History for everyone. The document itself does not change.`,
      confirmLabel: 'Delete',
      danger: true,
      testId: 'confirm-delete-version',
    })
    if (!confirmed) return
    try {
      await callEmpty(
        api.api.docs[':id'].versions[':versionId'].$delete({ param: { id: docId, versionId: version.id } }),
      )
      announce('Version deleted')
      setSelected(null)
      setPreview(null)
      await load()
    } catch (failure) {
      toast(`Could not delete the version: ${message(failure)}`, { kind: 'error' })
    }
  }

  const shownPreview = preview !== null && preview.id === selected && preview.compare === compare ? preview : null
  const changes = shownPreview === null ? null : countChanges(shownPreview.blocks)

  return (
    <SidePanel title="History" testId="history" onClose={props.onClose}>
      {props.canEdit && (
        <button
          type="button"
          class="button button-primary history-save"
          aria-haspopup="dialog"
          data-testid="save-version"
          aria-disabled={busy}
          onClick={() => {
            if (!busy) void save()
          }}
        >
          Save version…
        </button>
      )}
      {error !== null && (
        <p class="history-error" role="alert" data-testid="history-error">
          {error}{' '}
          <button type="button" class="button button-quiet" onClick={() => void load()}>
            Try again
          </button>
        </p>
      )}
      {!loading && error === null && versions.length === 0 && (
        <p class="history-empty" data-testid="history-empty">
          No versions yet. The server keeps one once the document has been quiet for a few minutes
          {props.canEdit ? ', or save one now.' : '.'}
        </p>
      )}
      <ol class="history-list" aria-label="Versions, newest first" aria-busy={loading} data-testid="history-list">
        {versions.map((version) => {
          const at = new Date(version.createdAt)
          const isSelected = version.id === selected
          return (
            <li key={version.id}>
              <button
                type="button"
                class="history-item"
                aria-pressed={isSelected}
                data-testid="history-item"
                data-kind={version.kind}
                onClick={() => setSelected(isSelected ? null : version.id)}
              >
                <span class="history-item-title">{describeVersion(version)}</span>
                <span class="history-item-meta">
                  <time dateTime={version.createdAt} title={exactTime(at)}>
                    {relativeTime(at)}
                  </time>
                  <span class="visually-hidden">, </span>
                  <span class="history-authors"> · {authorNames(version)}</span>
                </span>
              </button>
            </li>
          )
        })}
      </ol>
      {nextCursor !== null && (
        <button type="button" class="button history-more" disabled={loading} onClick={() => void load(nextCursor)}>
          Show older versions
        </button>
      )}
      {selectedVersion !== null && (
        <section class="history-preview" aria-labelledby="history-preview-title" data-testid="history-preview">
          <h3 id="history-preview-title" class="history-preview-title">
            {describeVersion(selectedVersion)}, {exactTime(new Date(selectedVersion.createdAt))}
          </h3>
          <fieldset class="history-compare">
            <legend>Compare with</legend>
            <label>
              <input
                type="radio"
                name="history-compare"
                value="current"
                checked={compare === 'current'}
                onChange={() => setCompare('current')}
              />{' '}
              The current document
            </label>
            <label>
              <input
                type="radio"
                name="history-compare"
                value="previous"
                checked={compare === 'previous'}
                onChange={() => setCompare('previous')}
              />{' '}
              The version before
            </label>
          </fieldset>
          <p class="history-legend" data-testid="history-summary">
            {changes === null
              ? previewError === null
                ? 'Comparing…'
                : previewError
              : changes.inserted === 0 && changes.deleted === 0
                ? compare === 'current'
                  ? 'Same text as the current document.'
                  : 'Same text as the version before.'
                : compare === 'current'
                  ? `${words(changes.inserted)} here not in the current document (underlined); ${words(changes.deleted)} of the current document not here (struck through).`
                  : `${words(changes.inserted)} added in this version (underlined), ${words(changes.deleted)} removed (struck through).`}
          </p>
          {shownPreview !== null && <DiffView blocks={shownPreview.blocks} />}
          <div class="history-actions">
            {props.canEdit && (
              <button
                type="button"
                class="button button-primary"
                aria-haspopup="dialog"
                data-testid="restore-version"
                aria-disabled={busy}
                onClick={() => {
                  if (!busy) void restore(selectedVersion)
                }}
              >
                Restore this version
              </button>
            )}
            {props.canDelete && selectedVersion.kind === 'named' && (
              <button
                type="button"
                class="button button-danger-text"
                aria-haspopup="dialog"
                data-testid="delete-version"
                onClick={() => void remove(selectedVersion)}
              >
                Delete version
              </button>
            )}
          </div>
        </section>
      )}
    </SidePanel>
  )
}
