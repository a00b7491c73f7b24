/**
 * The scale-out store: PostgreSQL, shared by every tandem process.
 *
 * Same shape as the SQLite store: per document a compacted snapshot plus an append-only log.
 * Appends are group committed (`../appendQueue.ts`): a batch is one transaction with one
 * multi-row insert, and the next batch starts once the previous one committed, so appends
 * resolve in call order. Every transaction that writes a document's log first locks the
 * document's row, in id order: appends, compaction and deletion of one document are serialised
 * across processes, and two processes can never deadlock on each other's batches.
 */
import type { PoolClient } from 'pg'
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
import { type PostgresDatabase, type PostgresDatabaseOptions, inTransaction, openPostgresDatabase } from './database'

export interface PostgresStoreOptions extends PostgresDatabaseOptions {
  /** Log length at which a document's log is merged into its snapshot. */
  compactThreshold: number
}

/** Rows per INSERT statement; keeps a large batch well below the 65 535 parameter limit. */
const INSERT_CHUNK = 1000

/** Documents one statement of the retention sweep purges, so that no transaction grows without bound. */
const PURGE_BATCH = 100

interface DocumentRow {
  id: string
  title: string
  created_at: string
  updated_at: string
}

const RECORD_COLUMNS = 'id, title, created_at, updated_at'

function toRecord(row: DocumentRow): DocumentRecord {
  return {
    id: row.id,
    title: row.title,
    createdAt: new Date(Number(row.created_at)),
    updatedAt: new Date(Number(row.updated_at)),
  }
}

function toTrashedRecord(row: DocumentRow & { deleted_at: string }): TrashedDocumentRecord {
  return { ...toRecord(row), deletedAt: new Date(Number(row.deleted_at)) }
}

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
}

export class PostgresDocumentStore implements DocumentStore {
  readonly #database: PostgresDatabase
  readonly #options: PostgresStoreOptions
  readonly #appends: AppendQueue
  readonly #compaction: CompactionScheduler
  #closing: Promise<void> | null = null

  private constructor(database: PostgresDatabase, options: PostgresStoreOptions) {
    this.#database = database
    this.#options = options
    this.#appends = new AppendQueue({ commit: (batch) => this.#commit(batch), minCommitIntervalMs: 0 })
    this.#compaction = new CompactionScheduler({ compact: (id) => this.compact(id), log: options.log })
  }

  /** Connects and migrates the schema; rejects when the database cannot be reached. */
  static async open(options: PostgresStoreOptions): Promise<PostgresDocumentStore> {
    return new PostgresDocumentStore(await openPostgresDatabase(options), options)
  }

  /** The pool, for the stores of other concerns (files, versions, search, shares, …) on the same database; this store ends it. */
  get database(): PostgresDatabase {
    return this.#database
  }

  get #pool() {
    return this.#database.pool
  }

  async create(input: { id: string; title: string; initialUpdate: Uint8Array }): Promise<DocumentRecord> {
    const now = Date.now()
    await this.#pool.query(
      'INSERT INTO documents (id, title, created_at, updated_at, snapshot, byte_size) VALUES ($1, $2, $3, $3, $4, $5)',
      [input.id, input.title, now, asBuffer(input.initialUpdate), input.initialUpdate.length],
    )
    return { id: input.id, title: input.title, createdAt: new Date(now), updatedAt: new Date(now) }
  }

  /**
   * Adds a document that already has a history elsewhere (a migration), keeping its id and
   * timestamps, and its place in the trash if it was there; false, and nothing changed, when the
   * id is taken.
   */
  async importDocument(
    input: DocumentRecord & { snapshot: Uint8Array; deletedAt?: Date | undefined },
  ): Promise<boolean> {
    const result = await this.#pool.query(
      `INSERT INTO documents (id, title, created_at, updated_at, snapshot, byte_size, deleted_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (id) DO NOTHING`,
      [
        input.id,
        input.title,
        input.createdAt.getTime(),
        input.updatedAt.getTime(),
        asBuffer(input.snapshot),
        input.snapshot.length,
        input.deletedAt?.getTime() ?? null,
      ],
    )
    return result.rowCount === 1
  }

  async get(id: string): Promise<DocumentRecord | null> {
    const { rows } = await this.#pool.query<DocumentRow>(
      `SELECT ${RECORD_COLUMNS} FROM documents WHERE id = $1 AND deleted_at IS NULL`,
      [id],
    )
    return rows[0] === undefined ? null : toRecord(rows[0])
  }

  async list(query: ListQuery): Promise<DocumentPage> {
    const after: ListPosition | null = query.cursor === undefined ? null : decodeCursor(query.cursor)
    const conditions: string[] = ['deleted_at IS NULL']
    const params: (string | number)[] = []
    if (query.q !== undefined && query.q !== '') {
      params.push(likePattern(query.q))
      conditions.push(`title ILIKE $${params.length} ESCAPE '\\'`)
    }
    if (after !== null) {
      params.push(after.updatedAt, after.id)
      conditions.push(`(updated_at, id) < ($${params.length - 1}, $${params.length})`)
    }
    params.push(query.limit + 1)
    const where = `WHERE ${conditions.join(' AND ')}`
    const { rows } = await this.#pool.query<DocumentRow>(
      `SELECT ${RECORD_COLUMNS} FROM documents ${where} ORDER BY updated_at DESC, id DESC LIMIT $${params.length}`,
      params,
    )
    const items = rows.slice(0, query.limit).map(toRecord)
    const last = rows.length > query.limit ? rows[query.limit - 1] : undefined
    return {
      items,
      nextCursor: last === undefined ? null : encodeCursor({ updatedAt: Number(last.updated_at), id: last.id }),
    }
  }

  async rename(id: string, title: string): Promise<DocumentRecord | null> {
    const { rows } = await this.#pool.query<DocumentRow>(
      `UPDATE documents SET title = $1, updated_at = GREATEST(updated_at, $2)
        WHERE id = $3 AND deleted_at IS NULL RETURNING ${RECORD_COLUMNS}`,
      [title, Date.now(), id],
    )
    return rows[0] === undefined ? null : toRecord(rows[0])
  }

  /** Takes the row lock, so it waits for a batch of appends in flight, and later ones find it trashed. */
  async trash(id: string, deletedAt: Date): Promise<boolean> {
    const result = await this.#pool.query('UPDATE documents SET deleted_at = $1 WHERE id = $2 AND deleted_at IS NULL', [
      deletedAt.getTime(),
      id,
    ])
    return (result.rowCount ?? 0) > 0
  }

  async restore(id: string): Promise<DocumentRecord | null> {
    const { rows } = await this.#pool.query<DocumentRow>(
      `UPDATE documents SET deleted_at = NULL WHERE id = $1 AND deleted_at IS NOT NULL RETURNING ${RECORD_COLUMNS}`,
      [id],
    )
    return rows[0] === undefined ? null : toRecord(rows[0])
  }

  async purge(id: string): Promise<boolean> {
    const result = await this.#pool.query('DELETE FROM documents WHERE id = $1 AND deleted_at IS NOT NULL', [id])
    return (result.rowCount ?? 0) > 0
  }

  async listTrash(query: TrashQuery): Promise<TrashPage> {
    const after = query.cursor === undefined ? null : decodeTrashCursor(query.cursor)
    const params: (string | number)[] = []
    let where = 'deleted_at IS NOT NULL'
    if (after !== null) {
      params.push(after.deletedAt, after.id)
      where += ' AND (deleted_at, id) < ($1, $2)'
    }
    params.push(query.limit + 1)
    const { rows } = await this.#pool.query<DocumentRow & { deleted_at: string }>(
      `SELECT ${RECORD_COLUMNS}, deleted_at FROM documents WHERE ${where}
       ORDER BY deleted_at DESC, id DESC LIMIT $${params.length}`,
      params,
    )
    const items = rows.slice(0, query.limit).map(toTrashedRecord)
    const last = rows.length > query.limit ? rows[query.limit - 1] : undefined
    return {
      items,
      nextCursor: last === undefined ? null : encodeTrashCursor({ deletedAt: Number(last.deleted_at), id: last.id }),
    }
  }

  /**
   * Batches that skip rows another process is purging right now (`SKIP LOCKED`), so that
   * processes sweeping together neither wait for nor fail on each other.
   */
  async purgeOlderThan(cutoff: Date): Promise<number> {
    let purged = 0
    for (;;) {
      const result = await this.#pool.query(
        `DELETE FROM documents WHERE id IN (
           SELECT id FROM documents WHERE deleted_at IS NOT NULL AND deleted_at < $1
           ORDER BY deleted_at LIMIT $2 FOR UPDATE SKIP LOCKED)`,
        [cutoff.getTime(), PURGE_BATCH],
      )
      const count = result.rowCount ?? 0
      purged += count
      if (count < PURGE_BATCH) return purged
    }
  }

  /**
   * One statement, hence one consistent view: a compaction committing meanwhile cannot tear it.
   * `byteSize` counts the document's files too (its quota covers them).
   */
  async load(id: string): Promise<StoredDocument | null> {
    const { rows } = await this.#pool.query<{ part: number; data: Buffer | null; byte_size: string | null }>(
      `SELECT 0 AS part, 0::bigint AS seq, snapshot AS data,
              byte_size + (SELECT COALESCE(SUM(size), 0) FROM files WHERE doc_id = $1) AS byte_size
         FROM documents WHERE id = $1 AND deleted_at IS NULL
       UNION ALL
       SELECT 1, seq, data, NULL FROM updates WHERE doc_id = $1
       ORDER BY part, seq`,
      [id],
    )
    const document = rows[0]
    if (document === undefined || document.part !== 0) return null
    const updates: Uint8Array[] = []
    for (const row of rows) if (row.data !== null) updates.push(row.data)
    return { updates, byteSize: Number(document.byte_size) }
  }

  appendUpdate(id: string, update: Uint8Array): Promise<void> {
    return this.#appends.append(id, update)
  }

  /** One batch, one transaction: lock the documents' rows, bump their counters, insert the log rows. */
  async #commit(batch: readonly PendingAppend[]): Promise<CommitResult> {
    const totals = new Map<string, { bytes: number; count: number }>()
    for (const item of batch) {
      const total = totals.get(item.id) ?? { bytes: 0, count: 0 }
      total.bytes += item.update.length
      total.count++
      totals.set(item.id, total)
    }
    const ids = [...totals.keys()].sort()
    const lengths = await inTransaction(this.#pool, async (client) => {
      await client.query('SELECT id FROM documents WHERE id = ANY($1::text[]) ORDER BY id FOR UPDATE', [ids])
      const { rows } = await client.query<{ id: string; log_length: number }>(
        `UPDATE documents AS d
            SET updated_at = GREATEST(d.updated_at, $1),
                byte_size = d.byte_size + t.bytes,
                log_length = d.log_length + t.count
           FROM unnest($2::text[], $3::bigint[], $4::integer[]) AS t (id, bytes, count)
          WHERE d.id = t.id AND d.deleted_at IS NULL
      RETURNING d.id, d.log_length`,
        [Date.now(), ids, ids.map((id) => totals.get(id)?.bytes ?? 0), ids.map((id) => totals.get(id)?.count ?? 0)],
      )
      const lengths = new Map(rows.map((row) => [row.id, row.log_length]))
      await insertLogRows(
        client,
        batch.filter((item) => lengths.has(item.id)),
      )
      return lengths
    })
    for (const [id, length] of lengths) if (length > this.#options.compactThreshold) this.#compaction.due(id)
    return { missing: new Set(ids.filter((id) => !lengths.has(id))) }
  }

  /**
   * Merges a document's log into its snapshot in one transaction, holding the document's row
   * lock, so appends from any process wait and a concurrent compaction finds the log merged.
   */
  async compact(id: string): Promise<void> {
    await inTransaction(this.#pool, async (client) => {
      const document = await client.query<{ snapshot: Buffer | null }>(
        'SELECT snapshot FROM documents WHERE id = $1 FOR UPDATE',
        [id],
      )
      const row = document.rows[0]
      if (row === undefined) return
      const log = await client.query<{ seq: string; data: Buffer }>(
        'SELECT seq, data FROM updates WHERE doc_id = $1 ORDER BY seq',
        [id],
      )
      const last = log.rows.at(-1)
      if (last === undefined) return
      const parts: Uint8Array[] = row.snapshot === null ? [] : [row.snapshot]
      for (const entry of log.rows) parts.push(entry.data)
      const snapshot = Y.mergeUpdates(parts)
      await client.query(
        'UPDATE documents SET snapshot = $1, byte_size = $2, log_length = log_length - $3 WHERE id = $4',
        [asBuffer(snapshot), snapshot.length, log.rows.length, id],
      )
      await client.query('DELETE FROM updates WHERE doc_id = $1 AND seq <= $2', [id, last.seq])
    })
  }

  async ping(): Promise<void> {
    await this.#pool.query('SELECT 1')
  }

  /** Commits what is queued, lets a running compaction finish, then disconnects. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      await this.#appends.close()
      await this.#compaction.close()
      await this.#database.close()
    })()
    return this.#closing
  }
}

async function insertLogRows(client: PoolClient, appends: readonly PendingAppend[]): Promise<void> {
  for (let start = 0; start < appends.length; start += INSERT_CHUNK) {
    const chunk = appends.slice(start, start + INSERT_CHUNK)
    const params: (string | Buffer)[] = []
    const values = chunk.map((item) => {
      params.push(item.id, asBuffer(item.update))
      return `($${params.length - 1}, $${params.length})`
    })
    await client.query(`INSERT INTO updates (doc_id, data) VALUES ${values.join(', ')}`, params)
  }
}
