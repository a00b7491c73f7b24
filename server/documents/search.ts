/**
 * Full-text search of documents, kept in step with them: a document is indexed when created
 * or renamed (at once), and after its content changes — the room manager tells of every update
 * it stored, and a document is indexed once it had no change for `delayMs`, or `maxDelayMs`
 * after its first change not yet indexed if it keeps changing, from the live room's state (or
 * from storage once the room is gone), so a burst of keystrokes costs one write and a document
 * edited all day one write every `maxDelayMs`; documents that come due together are indexed one per
 * event-loop turn. The index lives in the database, so it survives restarts; at start-up,
 * {@link DocumentSearch.catchUp} indexes documents missing from it or changed since (documents
 * from before search existed, or edits a crash kept from being indexed), in small batches.
 * Deleted documents leave the index with their row (foreign key) and explicitly.
 */
import type { Logger } from 'pino'
import * as Y from 'yjs'
import { makeSnippet } from '../../protocol/search'
import { bodyText } from '../model/plainText'
import { MAX_INDEXED_BODY_CHARS, type SearchEntry, type SearchIndex } from '../storage/search/types'
import type { DocumentRecord, DocumentStore } from '../storage/types'
import type { RoomManager } from '../sync/roomManager'

export interface DocumentSearchOptions {
  index: SearchIndex
  store: DocumentStore
  rooms: RoomManager
  /** A document is indexed once it has had no change for this long... */
  delayMs: number
  /**
   * ...or at the latest this long after its first change not yet indexed (a document edited
   * without pause is indexed every `maxDelayMs`, not after every `delayMs`). Default `delayMs`.
   */
  maxDelayMs?: number
  log: Logger
}

/** A search result: the document, and plain text around the first match. */
export interface SearchResult extends DocumentRecord {
  snippet: string
}

export interface SearchResultPage {
  items: SearchResult[]
  nextCursor: string | null
}

// Tuning of the start-up catch-up: documents per query for what is stale.
const CATCH_UP_BATCH = 100
/** Consecutive failures of one document's indexing before it waits for its next change. */
const MAX_RETRIES = 3

const nextTask = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

export class DocumentSearch {
  readonly #options: DocumentSearchOptions
  readonly #timers = new Map<string, NodeJS.Timeout>()
  /** Per document waiting for its timer: its first and its last change not yet indexed. */
  readonly #waiting = new Map<string, { first: number; last: number }>()
  /** Indexing in progress per document; a change meanwhile schedules another pass. */
  readonly #running = new Map<string, Promise<void>>()
  readonly #changedWhileRunning = new Set<string>()
  readonly #failures = new Map<string, number>()
  /**
   * Documents whose time came, indexed one per event-loop turn: SQLite works synchronously, and
   * documents changed together come due together (a busy server's hundreds of documents would
   * otherwise be indexed in one turn, holding every socket's updates back by a tenth of a second).
   */
  readonly #due = new Set<string>()
  #draining: Promise<void> | null = null
  #catchingUp: Promise<void> | null = null
  #closed = false

  constructor(options: DocumentSearchOptions) {
    this.#options = options
  }

  /**
   * @param words folded query words (`queryWords`), at least one
   * @throws {InvalidCursor}
   */
  async search(words: readonly string[], limit: number, cursor?: string): Promise<SearchResultPage> {
    const page = await this.#options.index.search({ words, limit, cursor })
    return {
      items: page.items.map(({ body, ...record }) => ({ ...record, snippet: makeSnippet(body, words) })),
      nextCursor: page.nextCursor,
    }
  }

  /**
   * A document's content changed: indexed once it had no change for `delayMs`, and within
   * `maxDelayMs` at the latest (and the time indexing takes). Never throws.
   */
  changed(id: string): void {
    if (this.#closed) return
    const now = performance.now()
    const waiting = this.#waiting.get(id)
    if (waiting !== undefined) {
      // The timer looks at this when it fires: no timer is reset per keystroke.
      waiting.last = now
      return
    }
    // Queued: its turn reads the state of then, this change included.
    if (this.#due.has(id)) return
    if (this.#running.has(id)) {
      this.#changedWhileRunning.add(id)
      return
    }
    this.#waiting.set(id, { first: now, last: now })
    this.#schedule(id, this.#options.delayMs)
  }

  #schedule(id: string, ms: number): void {
    const timer = setTimeout(() => this.#fired(id), ms)
    timer.unref()
    this.#timers.set(id, timer)
  }

  /** A document's timer fired: queued for indexing now, or later if it changed since and may still wait. */
  #fired(id: string): void {
    this.#timers.delete(id)
    const waiting = this.#waiting.get(id)
    if (waiting === undefined) return
    const { delayMs, maxDelayMs = delayMs } = this.#options
    const now = performance.now()
    const at = Math.min(waiting.last + delayMs, waiting.first + maxDelayMs)
    if (at > now + 1) {
      this.#schedule(id, at - now)
      return
    }
    this.#waiting.delete(id)
    this.#due.add(id)
    this.#draining ??= this.#drain()
  }

  async #drain(): Promise<void> {
    // A Set's iterator also visits what is added while it runs, and skips what is removed.
    for (const id of this.#due) {
      this.#due.delete(id)
      await this.#index(id)
      await nextTask()
    }
    this.#draining = null
  }

  #cancel(id: string): void {
    const timer = this.#timers.get(id)
    if (timer !== undefined) clearTimeout(timer)
    this.#timers.delete(id)
    this.#waiting.delete(id)
    this.#due.delete(id)
  }

  /**
   * Indexes a document now (created, renamed, imported, restored). A failure is logged and
   * retried as a change: the document itself is already safe.
   */
  async refresh(id: string): Promise<void> {
    this.#cancel(id)
    await this.#index(id)
  }

  /** A document was deleted: out of the index now. */
  async removed(id: string): Promise<void> {
    this.#cancel(id)
    this.#failures.delete(id)
    await this.#running.get(id)
    await this.#options.index.remove(id)
  }

  /** Indexes, in batches, every document missing from the index or changed since; once at start-up. */
  catchUp(): Promise<void> {
    this.#catchingUp ??= (async () => {
      let after = ''
      let indexed = 0
      while (!this.#closed) {
        const ids = await this.#options.index.stale(after, CATCH_UP_BATCH)
        for (const id of ids) {
          if (this.#closed) break
          await this.#index(id)
          indexed++
          // SQLite works synchronously: let requests through between documents.
          await nextTask()
        }
        const last = ids.at(-1)
        if (last === undefined || ids.length < CATCH_UP_BATCH) break
        after = last
      }
      if (indexed > 0) this.#options.log.info({ documents: indexed }, 'search index caught up')
    })().catch((error: unknown) => {
      this.#options.log.warn({ err: error }, 'search index catch-up failed; it runs again at the next start')
    })
    return this.#catchingUp
  }

  /** Indexes what is waiting, stops the catch-up; before the store closes. */
  async close(): Promise<void> {
    this.#closed = true
    const waiting = [...this.#waiting.keys(), ...this.#due]
    for (const timer of this.#timers.values()) clearTimeout(timer)
    this.#timers.clear()
    this.#waiting.clear()
    this.#due.clear()
    await Promise.all(waiting.map((id) => this.#index(id)))
    await this.#draining
    await Promise.all([...this.#running.values()])
    await this.#catchingUp
  }

  /** One indexing pass at a time per document; a change during it schedules the next. */
  #index(id: string): Promise<void> {
    const running = this.#running.get(id)
    if (running !== undefined) {
      this.#changedWhileRunning.add(id)
      return running
    }
    const pass = this.#indexOnce(id).finally(() => {
      this.#running.delete(id)
      if (this.#changedWhileRunning.delete(id)) this.changed(id)
    })
    this.#running.set(id, pass)
    return pass
  }

  async #indexOnce(id: string): Promise<void> {
    try {
      const read = await this.#read(id)
      if (read === null) {
        await this.#options.index.remove(id)
      } else {
        await this.#options.index.upsert(read.entry, read.readAt)
      }
      this.#failures.delete(id)
    } catch (error) {
      const failures = (this.#failures.get(id) ?? 0) + 1
      this.#options.log.warn({ docId: id, err: error, failures }, 'could not index a document for search')
      if (failures < MAX_RETRIES) {
        this.#failures.set(id, failures)
        this.#changedWhileRunning.add(id)
      } else {
        this.#failures.delete(id)
      }
    }
  }

  /** The title from the store (the truth for lists), the body from the live room or else storage. */
  async #read(id: string): Promise<{ entry: SearchEntry; readAt: number } | null> {
    const { store, rooms } = this.#options
    const readAt = Date.now()
    const record = await store.get(id)
    if (record === null) return null
    const room = rooms.loaded(id)
    if (room !== null) {
      return { entry: { id, title: record.title, body: bodyText(room.doc, MAX_INDEXED_BODY_CHARS) }, readAt }
    }
    const stored = await store.load(id)
    if (stored === null) return null
    const doc = new Y.Doc()
    try {
      doc.transact(() => {
        for (const update of stored.updates) Y.applyUpdate(doc, update)
      })
      return { entry: { id, title: record.title, body: bodyText(doc, MAX_INDEXED_BODY_CHARS) }, readAt }
    } finally {
      doc.destroy()
    }
  }
}
