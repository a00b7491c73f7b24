/**
 * The embedded default store, on one SQLite file (`database.ts`): per document a snapshot and an
 * append-only log. Appends are group committed (`../appendQueue.ts`) into the `journal`, a table
 * without a secondary index, which is moved into the log in batches as one row per document;
 * loading reads snapshot, log, then journal. A compaction merges snapshot and log in one
 * transaction, so a crash leaves either the old rows or the new snapshot. docs/architecture.md
 * ("Storage") describes the design, docs/benchmarks.md what each part of it bought.
 */
import Database from 'better-sqlite3'
import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'
import type { Logger } from 'pino'
import * as Y from 'yjs'
import { AppendQueue, type CommitResult, type PendingAppend } from '../appendQueue'
import { CompactionScheduler } from '../compaction'
import {
  type ListPosition,
  decodeCursor,
  decodeTrashCursor,
  encodeCursor,
  encodeTrashCursor,
  likePattern,
} from '../cursor'
import { LruMap } from '../lru'
import type {
  DocumentPage,
  DocumentRecord,
  DocumentStore,
  ListQuery,
  StoredDocument,
  TrashPage,
  TrashQuery,
  TrashedDocumentRecord,
} from '../types'
import { type SqliteDatabaseOptions, openSqliteDatabase } from './database'

export interface SqliteStoreOptions extends SqliteDatabaseOptions {
  /** Log length at which a document's log is merged into its snapshot. */
  compactThreshold: number
  /** For the store's own background work (compaction, timestamps), which has no caller to tell. */
  log: Logger
  /** Documents whose counts are kept in memory; {@link REMEMBERED_DOCUMENTS} unless a test needs few. */
  rememberedDocuments?: number
}

// Tuning, not limits: measured on the write path (docs/benchmarks.md), not settings an operator needs.

/** Commits come at most this often under load; an idle store commits at once. */
const MIN_COMMIT_INTERVAL_MS = 2

/** `updated_at` lags content by at most this much, so that an append writes one row, not two. */
const UPDATED_AT_INTERVAL_MS = 1000

/**
 * The journal is moved into the log once it holds this many rows, or this long after its first
 * row, whichever comes first. Loading a document scans the whole journal, so it is kept short.
 */
const JOURNAL_SETTLE_ROWS = 1000
const JOURNAL_SETTLE_MS = 1000

/**
 * Documents whose log length and last `updated_at` write are remembered. A bound on memory, not
 * a limit anyone meets: a document forgotten is counted again from the database on its next
 * append, and has its `updated_at` written at once.
 */
export const REMEMBERED_DOCUMENTS = 10_000

/** Documents one statement of the retention sweep purges: each cascade blocks the process while it runs. */
const PURGE_BATCH = 100

interface DocumentRow {
  id: string
  title: string
  created_at: number
  updated_at: number
}

/**
 * The log's foreign key finds a deleted document as part of the insert, which is cheaper than a
 * lookup of its own; the failed statement is undone alone, the transaction goes on.
 */
function isMissingDocument(error: unknown): boolean {
  return error instanceof Database.SqliteError && error.code === 'SQLITE_CONSTRAINT_FOREIGNKEY'
}

/** A log row holds one update, or several (`entries`) written as a lib0 list of byte arrays. */
interface LogRow {
  seq: number
  data: Buffer
  entries: number
}

function encodeUpdateList(updates: Uint8Array[]): Uint8Array {
  const encoder = encoding.createEncoder()
  for (const update of updates) encoding.writeVarUint8Array(encoder, update)
  return encoding.toUint8Array(encoder)
}

function readLogRow(row: LogRow, into: Uint8Array[]): void {
  if (row.entries === 1) {
    into.push(row.data)
    return
  }
  const decoder = decoding.createDecoder(row.data)
  for (let index = 0; index < row.entries; index++) into.push(decoding.readVarUint8Array(decoder))
}

function toRecord(row: DocumentRow): DocumentRecord {
  return { id: row.id, title: row.title, createdAt: new Date(row.created_at), updatedAt: new Date(row.updated_at) }
}

function toTrashedRecord(row: DocumentRow & { deleted_at: number }): TrashedDocumentRecord {
  return { ...toRecord(row), deletedAt: new Date(row.deleted_at) }
}

export class SqliteDocumentStore implements DocumentStore {
  readonly #db: Database.Database
  readonly #options: SqliteStoreOptions
  readonly #appends: AppendQueue
  readonly #compaction: CompactionScheduler
  /** Log rows per document, counted when first appended to (again once forgotten). */
  readonly #logLengths: LruMap<string, number>
  /** When each document's `updated_at` was last written. */
  readonly #updatedAtWritten: LruMap<string, number>
  /** Content changes whose `updated_at` is not written yet; emptied within a second. */
  readonly #updatedAtPending = new Map<string, number>()
  #updatedAtTimer: NodeJS.Timeout | null = null
  /** Journal rows this store added since it last settled the journal. */
  #journalRows = 0
  #settleTimer: NodeJS.Timeout | null = null
  #settleSoon = false
  #closing: Promise<void> | null = null
  #closed = false
  readonly #statements

  constructor(options: SqliteStoreOptions) {
    this.#options = options
    this.#logLengths = new LruMap(options.rememberedDocuments ?? REMEMBERED_DOCUMENTS)
    this.#updatedAtWritten = new LruMap(options.rememberedDocuments ?? REMEMBERED_DOCUMENTS)
    this.#db = openSqliteDatabase(options)
    this.#appends = new AppendQueue({
      commit: (batch) => this.#commit(batch),
      minCommitIntervalMs: MIN_COMMIT_INTERVAL_MS,
    })
    this.#compaction = new CompactionScheduler({ compact: (id) => this.compact(id), log: options.log })
    const db = this.#db
    this.#statements = {
      insert: db.prepare('INSERT INTO documents (id, title, created_at, updated_at, snapshot) VALUES (?, ?, ?, ?, ?)'),
      get: db.prepare<[string], DocumentRow>(
        'SELECT id, title, created_at, updated_at FROM documents WHERE id = ? AND deleted_at IS NULL',
      ),
      rename: db.prepare<[string, number, string], DocumentRow>(
        'UPDATE documents SET title = ?, updated_at = ? WHERE id = ? AND deleted_at IS NULL RETURNING id, title, created_at, updated_at',
      ),
      trash: db.prepare<[number, string]>('UPDATE documents SET deleted_at = ? WHERE id = ? AND deleted_at IS NULL'),
      restore: db.prepare<[string], DocumentRow>(
        'UPDATE documents SET deleted_at = NULL WHERE id = ? AND deleted_at IS NOT NULL RETURNING id, title, created_at, updated_at',
      ),
      purge: db.prepare<[string]>('DELETE FROM documents WHERE id = ? AND deleted_at IS NOT NULL'),
      purgeOlderThan: db.prepare<[number, number], { id: string }>(
        `DELETE FROM documents WHERE id IN
           (SELECT id FROM documents WHERE deleted_at IS NOT NULL AND deleted_at < ? ORDER BY deleted_at LIMIT ?)
         RETURNING id`,
      ),
      snapshot: db.prepare<[string], { snapshot: Buffer | null }>(
        'SELECT snapshot FROM documents WHERE id = ? AND deleted_at IS NULL',
      ),
      /** Compaction merges the log of a document in the trash too: its content is kept whole. */
      anySnapshot: db.prepare<[string], { snapshot: Buffer | null }>('SELECT snapshot FROM documents WHERE id = ?'),
      logLength: db.prepare<[{ id: string }], { length: number }>(
        'SELECT (SELECT COALESCE(SUM(entries), 0) FROM updates WHERE doc_id = @id) + (SELECT COUNT(*) FROM journal WHERE doc_id = @id) AS length',
      ),
      log: db.prepare<[string], LogRow>('SELECT seq, data, entries FROM updates WHERE doc_id = ? ORDER BY seq'),
      journal: db.prepare<[string], { data: Buffer }>('SELECT data FROM journal WHERE doc_id = ? ORDER BY seq'),
      wholeJournal: db.prepare<[], { doc_id: string; data: Buffer }>('SELECT doc_id, data FROM journal ORDER BY seq'),
      appendLog: db.prepare<[string, Uint8Array, number]>(
        'INSERT INTO updates (doc_id, data, entries) VALUES (?, ?, ?)',
      ),
      clearJournal: db.prepare('DELETE FROM journal'),
      touch: db.prepare('UPDATE documents SET updated_at = MAX(updated_at, ?) WHERE id = ?'),
      // A document in the trash takes no appends (no row inserted); a missing one fails the foreign key.
      append: db.prepare<[string, Uint8Array, string]>(
        'INSERT INTO journal (doc_id, data) SELECT ?, ? WHERE (SELECT deleted_at FROM documents WHERE id = ?) IS NULL',
      ),
      replaceSnapshot: db.prepare('UPDATE documents SET snapshot = ? WHERE id = ?'),
      trimLog: db.prepare('DELETE FROM updates WHERE doc_id = ? AND seq <= ?'),
      filesSize: db.prepare<[string], { total: number }>(
        'SELECT COALESCE(SUM(size), 0) AS total FROM files WHERE doc_id = ?',
      ),
    }
  }

  /** The open file, for the stores of other concerns (files, versions, search, …) on the same database. */
  get database(): Database.Database {
    return this.#db
  }

  async create(input: { id: string; title: string; initialUpdate: Uint8Array }): Promise<DocumentRecord> {
    const now = Date.now()
    this.#statements.insert.run(input.id, input.title, now, now, input.initialUpdate)
    return { id: input.id, title: input.title, createdAt: new Date(now), updatedAt: new Date(now) }
  }

  async get(id: string): Promise<DocumentRecord | null> {
    const row = this.#statements.get.get(id)
    return row === undefined ? null : toRecord(row)
  }

  async list(query: ListQuery): Promise<DocumentPage> {
    const after: ListPosition | null = query.cursor === undefined ? null : decodeCursor(query.cursor)
    const conditions: string[] = ['deleted_at IS NULL']
    const params: (string | number)[] = []
    if (query.q !== undefined && query.q !== '') {
      conditions.push("title LIKE ? ESCAPE '\\'")
      params.push(likePattern(query.q))
    }
    if (after !== null) {
      conditions.push('(updated_at < ? OR (updated_at = ? AND id < ?))')
      params.push(after.updatedAt, after.updatedAt, after.id)
    }
    const where = `WHERE ${conditions.join(' AND ')}`
    const rows = this.#db
      .prepare<(string | number)[], DocumentRow>(
        `SELECT id, title, created_at, updated_at FROM documents ${where} ORDER BY updated_at DESC, id DESC LIMIT ?`,
      )
      .all(...params, query.limit + 1)
    const items = rows.slice(0, query.limit).map(toRecord)
    const last = rows.length > query.limit ? rows[query.limit - 1] : undefined
    return { items, nextCursor: last === undefined ? null : encodeCursor({ updatedAt: last.updated_at, id: last.id }) }
  }

  async rename(id: string, title: string): Promise<DocumentRecord | null> {
    const row = this.#statements.rename.get(title, Date.now(), id)
    return row === undefined ? null : toRecord(row)
  }

  async trash(id: string, deletedAt: Date): Promise<boolean> {
    return this.#statements.trash.run(deletedAt.getTime(), id).changes > 0
  }

  async restore(id: string): Promise<DocumentRecord | null> {
    const row = this.#statements.restore.get(id)
    return row === undefined ? null : toRecord(row)
  }

  async purge(id: string): Promise<boolean> {
    const purged = this.#statements.purge.run(id).changes > 0
    if (purged) this.#forget(id)
    return purged
  }

  async listTrash(query: TrashQuery): Promise<TrashPage> {
    const after = query.cursor === undefined ? null : decodeTrashCursor(query.cursor)
    const params: (string | number)[] = []
    let where = 'deleted_at IS NOT NULL'
    if (after !== null) {
      where += ' AND (deleted_at < ? OR (deleted_at = ? AND id < ?))'
      params.push(after.deletedAt, after.deletedAt, after.id)
    }
    const rows = this.#db
      .prepare<(string | number)[], DocumentRow & { deleted_at: number }>(
        `SELECT id, title, created_at, updated_at, deleted_at FROM documents WHERE ${where}
         ORDER BY deleted_at DESC, id DESC LIMIT ?`,
      )
      .all(...params, query.limit + 1)
    const items = rows.slice(0, query.limit).map(toTrashedRecord)
    const last = rows.length > query.limit ? rows[query.limit - 1] : undefined
    return {
      items,
      nextCursor: last === undefined ? null : encodeTrashCursor({ deletedAt: last.deleted_at, id: last.id }),
    }
  }

  async purgeOlderThan(cutoff: Date): Promise<number> {
    let purged = 0
    for (;;) {
      const ids = this.#statements.purgeOlderThan.all(cutoff.getTime(), PURGE_BATCH)
      for (const { id } of ids) this.#forget(id)
      purged += ids.length
      if (ids.length < PURGE_BATCH || this.#closed) return purged
      // Let sockets and requests in between batches: the driver is synchronous.
      await new Promise((next) => setImmediate(next))
    }
  }

  /** Drops what is remembered of a document that is gone. */
  #forget(id: string): void {
    this.#logLengths.delete(id)
    this.#updatedAtPending.delete(id)
    this.#updatedAtWritten.delete(id)
  }

  async load(id: string): Promise<StoredDocument | null> {
    return this.#load(id, this.#statements.snapshot)
  }

  /** Like `load`, also for a document in the trash: for tools that copy everything (`npm run migrate`). */
  async loadIncludingTrash(id: string): Promise<StoredDocument | null> {
    return this.#load(id, this.#statements.anySnapshot)
  }

  #load(
    id: string,
    snapshot: Database.Statement<[string], { snapshot: Buffer | null }>,
  ): Promise<StoredDocument | null> {
    return Promise.resolve(
      this.#db.transaction((): StoredDocument | null => {
        const document = snapshot.get(id)
        if (document === undefined) return null
        const updates: Uint8Array[] = document.snapshot === null ? [] : [document.snapshot]
        for (const row of this.#statements.log.all(id)) readLogRow(row, updates)
        for (const row of this.#statements.journal.all(id)) updates.push(row.data)
        // The document's files count in its quota too.
        const files = this.#statements.filesSize.get(id)?.total ?? 0
        return { updates, byteSize: updates.reduce((sum, update) => sum + update.length, files) }
      })(),
    )
  }

  appendUpdate(id: string, update: Uint8Array): Promise<void> {
    return this.#appends.append(id, update)
  }

  /** Writes a batch into the journal in one transaction; counts it towards compaction. */
  #commit(batch: readonly PendingAppend[]): CommitResult {
    const missing = new Set<string>()
    const changed = new Set<string>()
    this.#db.transaction(() => {
      for (const item of batch) {
        if (missing.has(item.id)) continue
        if (this.#logLengths.get(item.id) === undefined) {
          this.#logLengths.set(item.id, this.#statements.logLength.get({ id: item.id })?.length ?? 0)
        }
        try {
          if (this.#statements.append.run(item.id, item.update, item.id).changes === 0) {
            missing.add(item.id)
            continue
          }
        } catch (error) {
          if (!isMissingDocument(error)) throw error
          missing.add(item.id)
          continue
        }
        changed.add(item.id)
        this.#journalRows++
      }
      this.#noteContentChanges(changed)
    })()
    for (const item of batch) {
      if (missing.has(item.id)) continue
      const length = (this.#logLengths.get(item.id) ?? 0) + 1
      this.#logLengths.set(item.id, length)
      if (length > this.#options.compactThreshold) this.#compaction.due(item.id)
    }
    this.#scheduleSettle()
    return { missing }
  }

  /** After the broadcasts of the batch just committed, which a settle must not delay. */
  #scheduleSettle(): void {
    if (this.#journalRows >= JOURNAL_SETTLE_ROWS && !this.#settleSoon) {
      this.#settleSoon = true
      setImmediate(() => this.#settle())
    } else if (this.#journalRows > 0 && this.#settleTimer === null) {
      this.#settleTimer = setTimeout(() => this.#settle(), JOURNAL_SETTLE_MS)
      this.#settleTimer.unref()
    }
  }

  /** Moves the whole journal into the log, in order, in one transaction. */
  #settle(): void {
    if (this.#settleTimer !== null) clearTimeout(this.#settleTimer)
    this.#settleTimer = null
    this.#settleSoon = false
    if (this.#closed) return
    try {
      this.#db.transaction(() => this.#settleJournal())()
    } catch (error) {
      this.#options.log.warn(
        { err: error },
        'could not move the journal into the log; it stays readable and is retried',
      )
      // Retry on the timer: a count past the row threshold would retry after every commit.
      this.#journalRows = 1
      this.#scheduleSettle()
    }
  }

  /** Inside a transaction. Another store on the same file may have settled the rows already. */
  #settleJournal(): void {
    this.#journalRows = 0
    const byDocument = new Map<string, Buffer[]>()
    for (const row of this.#statements.wholeJournal.iterate()) {
      const updates = byDocument.get(row.doc_id)
      if (updates === undefined) byDocument.set(row.doc_id, [row.data])
      else updates.push(row.data)
    }
    if (byDocument.size === 0) return
    for (const [id, updates] of byDocument) {
      this.#statements.appendLog.run(
        id,
        updates.length === 1 ? (updates[0] as Buffer) : encodeUpdateList(updates),
        updates.length,
      )
    }
    this.#statements.clearJournal.run()
  }

  /** Writes `updated_at` now for documents not written lately; the others follow on a timer. */
  #noteContentChanges(ids: Iterable<string>): void {
    const now = Date.now()
    for (const id of ids) {
      if (now - (this.#updatedAtWritten.get(id) ?? Number.NEGATIVE_INFINITY) >= UPDATED_AT_INTERVAL_MS) {
        this.#statements.touch.run(now, id)
        this.#updatedAtWritten.set(id, now)
        this.#updatedAtPending.delete(id)
      } else {
        this.#updatedAtPending.set(id, now)
      }
    }
    if (this.#updatedAtPending.size > 0 && this.#updatedAtTimer === null) {
      this.#updatedAtTimer = setTimeout(() => {
        this.#updatedAtTimer = null
        this.#writePendingUpdatedAt()
      }, UPDATED_AT_INTERVAL_MS)
      this.#updatedAtTimer.unref()
    }
  }

  #writePendingUpdatedAt(): void {
    if (this.#closed || this.#updatedAtPending.size === 0) return
    const pending = [...this.#updatedAtPending]
    this.#updatedAtPending.clear()
    try {
      this.#db.transaction(() => {
        for (const [id, at] of pending) this.#statements.touch.run(at, id)
      })()
    } catch (error) {
      for (const [id, at] of pending) this.#updatedAtPending.set(id, at)
      this.#options.log.warn({ err: error }, 'could not write updated_at; retried with the next change')
      return
    }
    for (const [id, at] of pending) this.#updatedAtWritten.set(id, at)
  }

  /** Merges a document's log into its snapshot in one transaction. */
  compact(id: string): void {
    this.#db.transaction(() => {
      const document = this.#statements.anySnapshot.get(id)
      if (document === undefined) return
      this.#settleJournal()
      const log = this.#statements.log.all(id)
      const last = log.at(-1)
      if (last === undefined) return
      const parts: Uint8Array[] = document.snapshot === null ? [] : [document.snapshot]
      for (const row of log) readLogRow(row, parts)
      this.#statements.replaceSnapshot.run(Y.mergeUpdates(parts), id)
      this.#statements.trimLog.run(id, last.seq)
      this.#logLengths.set(id, 0)
    })()
  }

  async ping(): Promise<void> {
    this.#db.prepare('SELECT 1').get()
  }

  /** Commits what is queued, lets a running compaction finish, moves the journal, then closes the file. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      await this.#appends.close()
      await this.#compaction.close()
      this.#writePendingUpdatedAt()
      this.#settle()
      if (this.#updatedAtTimer !== null) clearTimeout(this.#updatedAtTimer)
      this.#closed = true
      this.#db.close()
    })()
    return this.#closing
  }
}
