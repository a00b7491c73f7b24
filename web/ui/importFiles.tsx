/**
 * Importing files on the list page: an Import button (a file picker for Markdown, HTML, text
 * and Word files, several at once) and files dropped anywhere on the page. Each file becomes a
 * document of its own, imported one after the other; a panel shows every file's progress and,
 * for a file that failed, why; screen readers hear when a batch starts and how it ended.
 *
 * The list page is still plain DOM (`pages/list.ts`); this is a Preact island it places.
 */
import { render } from 'preact'
import { IMPORT_MEDIA_TYPES, importMediaTypeOf } from '../../protocol/api'
import { ApiError, type ApiClient, type DocumentSummary, call } from '../api'
import { h } from '../dom'
import { documentPath } from '../router'
import { announce } from './announce'

/** The picker's filter: what the server imports. */
export const IMPORT_ACCEPT = '.md,.markdown,.html,.htm,.txt,.docx'

export type ImportState = 'waiting' | 'importing' | 'done' | 'failed'

export interface ImportJob {
  id: number
  name: string
  state: ImportState
  /** Why it failed. */
  error?: string
  /** The new document, once imported. */
  doc?: DocumentSummary
}

/** The media type to send a file as: from its extension first (browsers often type `.md` as nothing), else its own. */
export function mediaTypeOf(file: { name: string; type: string }): string | null {
  const byName = importMediaTypeOf(file.name)
  if (byName !== null) return byName
  const own = file.type.split(';')[0]?.trim().toLowerCase() ?? ''
  return own in IMPORT_MEDIA_TYPES ? own : null
}

/** Why an import failed, in words for the person who chose the file. */
export function describeImportError(error: unknown): string {
  if (!(error instanceof ApiError)) return error instanceof Error ? error.message : String(error)
  if (error.unreachable) return 'the server cannot be reached'
  switch (error.code) {
    case 'payload_too_large':
      return 'the file is too large'
    case 'unsupported_media_type':
      return 'tandem imports Markdown, HTML, plain text and Word (.docx) files only'
    case 'invalid_content':
      return `the file could not be read (${error.message})`
    case 'unauthorized':
    case 'forbidden':
      return 'your access does not allow creating documents'
    default:
      return error.message
  }
}

const STATE_TEXT: Record<ImportState, string> = {
  waiting: 'Waiting',
  importing: 'Importing…',
  done: 'Imported',
  failed: 'Failed',
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`
}

export function headingOf(jobs: ImportJob[]): string {
  const finished = jobs.filter((job) => job.state === 'done' || job.state === 'failed').length
  const failed = jobs.filter((job) => job.state === 'failed').length
  if (finished < jobs.length) return `Importing ${finished + 1} of ${plural(jobs.length, 'file')}…`
  if (failed === 0) return `Imported ${plural(jobs.length, 'file')}`
  return `Imported ${jobs.length - failed} of ${plural(jobs.length, 'file')}; ${failed} failed`
}

interface PanelProps {
  jobs: ImportJob[]
  onDismiss(): void
}

export function ImportPanel({ jobs, onDismiss }: PanelProps) {
  if (jobs.length === 0) return null
  const finished = jobs.filter((job) => job.state === 'done' || job.state === 'failed').length
  const running = finished < jobs.length
  return (
    <section class="import-panel" aria-labelledby="import-heading" data-testid="import-panel">
      <div class="import-head">
        <h2 id="import-heading" data-testid="import-heading">
          {headingOf(jobs)}
        </h2>
        {!running && (
          <button type="button" class="button button-quiet" data-testid="import-dismiss" onClick={onDismiss}>
            Dismiss
          </button>
        )}
      </div>
      <progress
        class="import-progress"
        max={jobs.length}
        value={finished}
        aria-label="Files imported"
        aria-valuetext={`${finished} of ${plural(jobs.length, 'file')}`}
        data-testid="import-progress"
      />
      <ul class="import-files">
        {jobs.map((job) => (
          <li key={job.id} class="import-file" data-state={job.state} data-testid="import-file">
            <span class="import-name">{job.name}</span>
            {job.state === 'done' && job.doc !== undefined ? (
              <a class="import-state" href={documentPath(job.doc.id)} data-link>
                Imported as “{job.doc.title}” — open
              </a>
            ) : (
              <span class={job.state === 'failed' ? 'import-state import-error' : 'import-state'}>
                {job.state === 'failed' ? `Failed: ${job.error ?? 'unknown error'}` : STATE_TEXT[job.state]}
              </span>
            )}
          </li>
        ))}
      </ul>
    </section>
  )
}

export interface ImporterOptions {
  /** The client to send with (the list page replaces it when the token changes). */
  api(): ApiClient
  /** A document was created from a file: the list shows it. */
  onImported(doc: DocumentSummary): void
}

/** The Import button, its hidden file input, the progress panel and the drop target, for the list page. */
export class ListImporter {
  readonly button: HTMLButtonElement
  readonly input: HTMLInputElement
  readonly panel: HTMLElement
  readonly #options: ImporterOptions
  #jobs: ImportJob[] = []
  #nextId = 1
  #running = false
  #disposed = false

  constructor(options: ImporterOptions) {
    this.#options = options
    this.input = h('input', {
      type: 'file',
      multiple: true,
      accept: IMPORT_ACCEPT,
      hidden: true,
      'data-testid': 'import-input',
      tabindex: -1,
      'aria-hidden': 'true',
    })
    this.button = h(
      'button',
      {
        type: 'button',
        class: 'button',
        'data-testid': 'import-button',
        title: 'Import Markdown, HTML, text or Word files as new documents',
      },
      'Import…',
    )
    this.panel = h('div', { class: 'import-slot' })
    this.button.addEventListener('click', () => this.input.click())
    this.input.addEventListener('change', () => {
      const files = Array.from(this.input.files ?? [])
      this.input.value = ''
      if (files.length > 0) void this.importFiles(files)
    })
    this.#render()
  }

  /**
   * Makes `target` take dropped files: while files are dragged over it, it gets `is-dropping`
   * (the page shows where to drop). Returns the cleanup.
   */
  acceptDrops(target: HTMLElement): () => void {
    let depth = 0
    // Browsers say "Files" in `types` while dragging (the files themselves are readable on drop only).
    const carriesFiles = (event: DragEvent): boolean => {
      const transfer = event.dataTransfer
      return transfer != null && (Array.from(transfer.types).includes('Files') || transfer.files.length > 0)
    }
    const setDropping = (on: boolean): void => {
      target.classList.toggle('is-dropping', on)
    }
    const onEnter = (event: DragEvent): void => {
      if (!carriesFiles(event)) return
      event.preventDefault()
      depth++
      setDropping(true)
    }
    const onOver = (event: DragEvent): void => {
      if (!carriesFiles(event)) return
      event.preventDefault()
      if (event.dataTransfer != null) event.dataTransfer.dropEffect = 'copy'
    }
    const onLeave = (event: DragEvent): void => {
      if (!carriesFiles(event)) return
      depth = Math.max(0, depth - 1)
      if (depth === 0) setDropping(false)
    }
    const onDrop = (event: DragEvent): void => {
      if (!carriesFiles(event)) return
      event.preventDefault()
      depth = 0
      setDropping(false)
      const files = Array.from(event.dataTransfer?.files ?? [])
      if (files.length > 0) void this.importFiles(files)
    }
    target.addEventListener('dragenter', onEnter)
    target.addEventListener('dragover', onOver)
    target.addEventListener('dragleave', onLeave)
    target.addEventListener('drop', onDrop)
    return () => {
      target.removeEventListener('dragenter', onEnter)
      target.removeEventListener('dragover', onOver)
      target.removeEventListener('dragleave', onLeave)
      target.removeEventListener('drop', onDrop)
    }
  }

  get jobs(): readonly ImportJob[] {
    return this.#jobs
  }

  /** Queues the files, one document each; resolves once every queued file is done or failed. */
  async importFiles(files: File[]): Promise<void> {
    const added = files.map((file) => ({
      job: { id: this.#nextId++, name: file.name, state: 'waiting' as const },
      file,
    }))
    // A finished batch still shown is replaced by the new one.
    if (!this.#running) this.#jobs = []
    this.#jobs = [...this.#jobs, ...added.map((entry) => entry.job)]
    this.#queue.push(...added)
    announce(`Importing ${plural(files.length, 'file')}`)
    this.#render()
    if (this.#running) return
    this.#running = true
    try {
      for (let next = this.#queue.shift(); next !== undefined && !this.#disposed; next = this.#queue.shift()) {
        await this.#importOne(next.job.id, next.file)
      }
    } finally {
      this.#running = false
    }
    if (this.#disposed) return
    const failed = this.#jobs.filter((job) => job.state === 'failed')
    announce([headingOf(this.#jobs), ...failed.map((job) => `${job.name}: ${job.error ?? 'failed'}`)].join('. '))
  }

  readonly #queue: Array<{ job: ImportJob; file: File }> = []

  async #importOne(id: number, file: File): Promise<void> {
    const type = mediaTypeOf(file)
    if (type === null) {
      this.#update(id, { state: 'failed', error: describeImportError(new ApiError(415, 'unsupported_media_type', '')) })
      return
    }
    this.#update(id, { state: 'importing' })
    try {
      const doc = await call(
        this.#options
          .api()
          .api.docs.import.$post(
            { query: { filename: file.name } },
            { headers: { 'Content-Type': type }, init: { body: file } },
          ),
      )
      this.#update(id, { state: 'done', doc })
      if (!this.#disposed) this.#options.onImported(doc)
    } catch (error) {
      this.#update(id, { state: 'failed', error: describeImportError(error) })
    }
  }

  #update(id: number, change: Partial<ImportJob>): void {
    this.#jobs = this.#jobs.map((job) => (job.id === id ? { ...job, ...change } : job))
    this.#render()
  }

  #render(): void {
    if (this.#disposed) return
    render(
      <ImportPanel
        jobs={this.#jobs}
        onDismiss={() => {
          this.#jobs = []
          this.#render()
          this.button.focus()
        }}
      />,
      this.panel,
    )
  }

  dispose(): void {
    this.#disposed = true
    this.#queue.length = 0
    render(null, this.panel)
  }
}
