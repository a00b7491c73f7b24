/**
 * The embedded default store: one SQLite file in WAL mode.
 *
 * Each document is a compacted snapshot plus an append-only log of updates. Appends made in the
 * same event-loop turn are committed together in one transaction (one fsync-free WAL write for
 * many rooms), then resolved in call order. When a document's log passes the compaction
 * threshold, the snapshot and the log are merged in one transaction, so a crash at any moment
 * leaves either the old rows or the new snapshot, never half of each.
 */
import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import Database from 'better-sqlite3'
import * as Y from 'yjs'
import { type ListPosition, decodeCursor, encodeCursor, likePattern } from './cursor'
import {
  type DocumentPage,
  type DocumentRecord,
  type DocumentStore,
  DocumentNotFoundError,
  type ListQuery,
  type StoredDocument,
} from './types'

export interface SqliteStoreOptions {
  /** File path, or `:memory:`. */
  path: string
  /** Log length at which a document's log is merged into its snapshot. */
  compactThreshold: number
  /**
   * `normal` survives a crash of the process (the durability promise); `full` also survives a
   * power loss, at the price of an fsync per commit.
   */
  synchronous: 'normal' | 'full'
}

const SCHEMA_VERSION = 1

const MIGRATIONS: Record<number, string> = {
  1: `
    CREATE TABLE documents (
      id TEXT PRIMARY KEY,
      title TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      updated_at INTEGER NOT NULL,
      snapshot BLOB,
      byte_size INTEGER NOT NULL DEFAULT 0,
      log_length INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX documents_recent ON documents (updated_at DESC, id DESC);
    CREATE TABLE updates (
      seq INTEGER PRIMARY KEY AUTOINCREMENT,
      doc_id TEXT NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
      data BLOB NOT NULL
    );
    CREATE INDEX updates_by_document ON updates (doc_id, seq);
  `,
}

interface DocumentRow {
  id: string
  title: string
  created_at: number
  updated_at: number
}

interface QueuedAppend {
  id: string
  update: Uint8Array
  resolve: () => void
  reject: (error: unknown) => void
}

function toRecord(row: DocumentRow): DocumentRecord {
  return { id: row.id, title: row.title, createdAt: new Date(row.created_at), updatedAt: new Date(row.updated_at) }
}

export class SqliteDocumentStore implements DocumentStore {
  readonly #db: Database.Database
  readonly #options: SqliteStoreOptions
  #queue: QueuedAppend[] = []
  #flushScheduled = false
  readonly #compactionDue = new Set<string>()
  #closed = false
  readonly #statements

  constructor(options: SqliteStoreOptions) {
    this.#options = options
    if (options.path !== ':memory:') mkdirSync(dirname(options.path), { recursive: true })
    this.#db = new Database(options.path)
    this.#db.pragma('journal_mode = WAL')
    this.#db.pragma(`synchronous = ${options.synchronous === 'full' ? 'FULL' : 'NORMAL'}`)
    this.#db.pragma('foreign_keys = ON')
    this.#db.pragma('busy_timeout = 5000')
    this.#migrate()
    const db = this.#db
    this.#statements = {
      insert: db.prepare(
        'INSERT INTO documents (id, title, created_at, updated_at, snapshot, byte_size) VALUES (?, ?, ?, ?, ?, ?)',
      ),
      get: db.prepare<[string], DocumentRow>('SELECT id, title, created_at, updated_at FROM documents WHERE id = ?'),
      rename: db.prepare<[string, number, string], DocumentRow>(
        'UPDATE documents SET title = ?, updated_at = ? WHERE id = ? RETURNING id, title, created_at, updated_at',
      ),
      delete: db.prepare('DELETE FROM documents WHERE id = ?'),
      snapshot: db.prepare<[string], { snapshot: Buffer | null; byte_size: number }>(
        'SELECT snapshot, byte_size FROM documents WHERE id = ?',
      ),
      log: db.prepare<[string], { seq: number; data: Buffer }>(
        'SELECT seq, data FROM updates WHERE doc_id = ? ORDER BY seq',
      ),
      touch: db.prepare<[number, number, string], { log_length: number }>(
        'UPDATE documents SET updated_at = MAX(updated_at, ?), byte_size = byte_size + ?, log_length = log_length + 1 WHERE id = ? RETURNING log_length',
      ),
      append: db.prepare('INSERT INTO updates (doc_id, data) VALUES (?, ?)'),
      replaceSnapshot: db.prepare(
        'UPDATE documents SET snapshot = ?, byte_size = ?, log_length = log_length - ? WHERE id = ?',
      ),
      trimLog: db.prepare('DELETE FROM updates WHERE doc_id = ? AND seq <= ?'),
    }
  }

  #migrate(): void {
    const current = this.#db.pragma('user_version', { simple: true }) as number
    if (current > SCHEMA_VERSION) {
      throw new Error(`database schema ${current} is newer than this tandem (${SCHEMA_VERSION})`)
    }
    for (let version = current + 1; version <= SCHEMA_VERSION; version++) {
      this.#db.transaction(() => {
        this.#db.exec(MIGRATIONS[version] as string)
        this.#db.pragma(`user_version = ${version}`)
      })()
    }
  }

  async create(input: { id: string; title: string; initialUpdate: Uint8Array }): Promise<DocumentRecord> {
    const now = Date.now()
    this.#statements.insert.run(input.id, input.title, now, now, input.initialUpdate, input.initialUpdate.length)
    return { id: input.id, title: input.title, createdAt: new Date(now), updatedAt: new Date(now) }
  }

  async get(id: string): Promise<DocumentRecord | null> {
    const row = this.#statements.get.get(id)
    return row === undefined ? null : toRecord(row)
  }

  async list(query: ListQuery): Promise<DocumentPage> {
    const after: ListPosition | null = query.cursor === undefined ? null : decodeCursor(query.cursor)
    const conditions: string[] = []
    const params: (string | number)[] = []
    if (query.q !== undefined && query.q !== '') {
      conditions.push("title LIKE ? ESCAPE '\\'")
      params.push(likePattern(query.q))
    }
    if (after !== null) {
      conditions.push('(updated_at < ? OR (updated_at = ? AND id < ?))')
      params.push(after.updatedAt, after.updatedAt, after.id)
    }
    const where = conditions.length === 0 ? '' : `WHERE ${conditions.join(' AND ')}`
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

  async delete(id: string): Promise<boolean> {
    return this.#statements.delete.run(id).changes > 0
  }

  async load(id: string): Promise<StoredDocument | null> {
    return this.#db.transaction((): StoredDocument | null => {
      const document = this.#statements.snapshot.get(id)
      if (document === undefined) return null
      const updates: Uint8Array[] = document.snapshot === null ? [] : [document.snapshot]
      for (const row of this.#statements.log.all(id)) updates.push(row.data)
      return { updates, byteSize: document.byte_size }
    })()
  }

  appendUpdate(id: string, update: Uint8Array): Promise<void> {
    if (this.#closed) return Promise.reject(new Error('store closed'))
    return new Promise((resolve, reject) => {
      this.#queue.push({ id, update, resolve, reject })
      if (!this.#flushScheduled) {
        this.#flushScheduled = true
        setImmediate(() => this.#flush())
      }
    })
  }

  /** Commits every append queued during the last turn in one transaction. */
  #flush(): void {
    this.#flushScheduled = false
    const batch = this.#queue
    this.#queue = []
    if (batch.length === 0) return
    const missing = new Set<QueuedAppend>()
    try {
      this.#db.transaction(() => {
        const now = Date.now()
        for (const item of batch) {
          const touched = this.#statements.touch.get(now, item.update.length, item.id)
          if (touched === undefined) {
            missing.add(item)
            continue
          }
          this.#statements.append.run(item.id, item.update)
          if (touched.log_length > this.#options.compactThreshold) this.#compactionDue.add(item.id)
        }
      })()
    } catch (error) {
      for (const item of batch) item.reject(error)
      return
    }
    for (const item of batch) {
      if (missing.has(item)) item.reject(new DocumentNotFoundError(item.id))
      else item.resolve()
    }
    if (this.#compactionDue.size > 0) setImmediate(() => this.#compactDue())
  }

  #compactDue(): void {
    for (const id of this.#compactionDue) {
      this.#compactionDue.delete(id)
      if (!this.#closed) this.compact(id)
    }
  }

  /** Merges a document's log into its snapshot in one transaction. */
  compact(id: string): void {
    this.#db.transaction(() => {
      const document = this.#statements.snapshot.get(id)
      if (document === undefined) return
      const log = this.#statements.log.all(id)
      const last = log.at(-1)
      if (last === undefined) return
      const parts: Uint8Array[] = document.snapshot === null ? [] : [document.snapshot]
      for (const row of log) parts.push(row.data)
      const snapshot = Y.mergeUpdates(parts)
      this.#statements.replaceSnapshot.run(snapshot, snapshot.length, log.length, id)
      this.#statements.trimLog.run(id, last.seq)
    })()
  }

  /** Runs SQLite's own consistency check; for tests and operators. */
  integrityCheck(): string {
    return this.#db.pragma('integrity_check', { simple: true }) as string
  }

  async ping(): Promise<void> {
    this.#db.prepare('SELECT 1').get()
  }

  async close(): Promise<void> {
    if (this.#closed) return
    this.#flush()
    this.#closed = true
    this.#db.close()
  }
}
