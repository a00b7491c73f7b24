/**
 * The scale-out store: PostgreSQL, shared by every tandem process.
 *
 * Same shape as the SQLite store: per document a compacted snapshot plus an append-only log.
 * Appends made in one event-loop turn are committed in one transaction (one multi-row insert),
 * and a batch only starts once the previous one committed, so appends resolve in call order.
 * Every transaction that writes a document's log first locks the document's row, in id order:
 * appends, compaction and deletion of one document are serialised across processes, and two
 * processes can never deadlock on each other's batches.
 */
import { type Pool, type PoolClient, Pool as PgPool } from 'pg'
import type { Logger } from 'pino'
import * as Y from 'yjs'
import { type ListPosition, decodeCursor, encodeCursor, likePattern } from '../cursor'
import {
  type DocumentPage,
  type DocumentRecord,
  type DocumentStore,
  DocumentNotFoundError,
  type ListQuery,
  type StoredDocument,
} from '../types'

export interface PostgresStoreOptions {
  /** `postgres://user:password@host:port/database` */
  connectionString: string
  /** Log length at which a document's log is merged into its snapshot. */
  compactThreshold: number
  log: Logger
}

/** Any constant works: advisory locks are per database, and this one only guards migrations. */
const MIGRATION_LOCK = 7_302_861_001

/** Connections one process keeps open at most (docs/operations.md sizes the server by it). */
const MAX_CONNECTIONS = 10

/**
 * Client-side limit for one statement, so that a database that stopped answering (a network
 * partition rather than a refused connection) still fails appends instead of hanging them.
 */
const QUERY_TIMEOUT_MS = 15_000

/** Rows per INSERT statement; keeps a large batch well below the 65 535 parameter limit. */
const INSERT_CHUNK = 1000

/**
 * Ordered schema versions. Applied inside one transaction each, recorded in
 * `schema_migrations`; never edit a released entry, append a new one.
 */
export const MIGRATIONS: readonly string[] = [
  `
    CREATE TABLE documents (
      id text COLLATE "C" PRIMARY KEY,
      title text NOT NULL,
      created_at bigint NOT NULL,
      updated_at bigint NOT NULL,
      snapshot bytea,
      byte_size bigint NOT NULL DEFAULT 0,
      log_length integer NOT NULL DEFAULT 0
    );
    COMMENT ON COLUMN documents.created_at IS 'milliseconds since the Unix epoch';
    COMMENT ON COLUMN documents.updated_at IS 'milliseconds since the Unix epoch';
    CREATE INDEX documents_recent ON documents (updated_at DESC, id DESC);
    CREATE TABLE updates (
      seq bigserial PRIMARY KEY,
      doc_id text COLLATE "C" NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
      data bytea NOT NULL
    );
    CREATE INDEX updates_by_document ON updates (doc_id, seq);
  `,
]

interface DocumentRow {
  id: string
  title: string
  created_at: string
  updated_at: string
}

interface QueuedAppend {
  id: string
  update: Uint8Array
  resolve: () => void
  reject: (error: unknown) => void
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

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
}

async function inTransaction<T>(pool: Pool, run: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect()
  // A checked-out client has no listener of the pool's: without this one, a connection the
  // server drops mid-transaction would be an uncaught 'error' event, and the process would die.
  let broken: Error | undefined
  const onError = (error: Error): void => {
    broken = error
  }
  client.on('error', onError)
  try {
    await client.query('BEGIN')
    const result = await run(client)
    await client.query('COMMIT')
    return result
  } catch (error) {
    await client.query('ROLLBACK').catch((rollbackError: unknown) => {
      broken ??= rollbackError instanceof Error ? rollbackError : new Error('rollback failed')
    })
    throw error
  } finally {
    client.off('error', onError)
    client.release(broken)
  }
}

/**
 * `pool.end()` resolves before its connections are closed; this resolves once they are, so
 * that a closed store really holds no connection (e.g. when its database is dropped next).
 */
function trackConnections(pool: Pool): () => Promise<void> {
  let open = 0
  let allClosed: (() => void) | null = null
  pool.on('connect', () => {
    open++
  })
  pool.on('remove', () => {
    open--
    if (open === 0) allClosed?.()
  })
  return () => (open === 0 ? Promise.resolve() : new Promise((resolve) => (allClosed = resolve)))
}

/** Brings the database to the newest schema; safe when several processes start at once. */
async function migrate(pool: Pool): Promise<void> {
  await inTransaction(pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK])
    await client.query(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())',
    )
    const { rows } = await client.query<{ version: number | null }>(
      'SELECT max(version) AS version FROM schema_migrations',
    )
    const current = rows[0]?.version ?? 0
    if (current > MIGRATIONS.length) {
      throw new Error(`database schema ${current} is newer than this tandem (${MIGRATIONS.length})`)
    }
    for (let version = current + 1; version <= MIGRATIONS.length; version++) {
      await client.query(MIGRATIONS[version - 1] as string)
      await client.query('INSERT INTO schema_migrations (version) VALUES ($1)', [version])
    }
  })
}

export class PostgresDocumentStore implements DocumentStore {
  readonly #pool: Pool
  readonly #disconnected: () => Promise<void>
  readonly #options: PostgresStoreOptions
  #queue: QueuedAppend[] = []
  /** The running flush loop; appends queued meanwhile go into its next batch. */
  #flushing: Promise<void> | null = null
  readonly #compactionDue = new Set<string>()
  #compacting: Promise<void> | null = null
  #closed = false

  private constructor(pool: Pool, disconnected: () => Promise<void>, options: PostgresStoreOptions) {
    this.#pool = pool
    this.#disconnected = disconnected
    this.#options = options
  }

  /** Connects and migrates the schema; rejects when the database cannot be reached. */
  static async open(options: PostgresStoreOptions): Promise<PostgresDocumentStore> {
    const pool = new PgPool({
      connectionString: options.connectionString,
      max: MAX_CONNECTIONS,
      connectionTimeoutMillis: 5000,
      query_timeout: QUERY_TIMEOUT_MS,
      keepAlive: true,
      application_name: 'tandem',
    })
    // A pooled connection the server dropped while idle is discarded by the pool; the next
    // statement that needs one reconnects or fails on its own, so this is only worth a note.
    pool.on('error', (error) => options.log.warn({ err: error }, 'idle PostgreSQL connection lost'))
    const disconnected = trackConnections(pool)
    try {
      await migrate(pool)
    } catch (error) {
      await pool.end()
      await disconnected()
      throw error
    }
    return new PostgresDocumentStore(pool, disconnected, options)
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
   * timestamps; false, and nothing changed, when the id is taken.
   */
  async importDocument(input: DocumentRecord & { snapshot: Uint8Array }): Promise<boolean> {
    const result = await this.#pool.query(
      `INSERT INTO documents (id, title, created_at, updated_at, snapshot, byte_size) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (id) DO NOTHING`,
      [
        input.id,
        input.title,
        input.createdAt.getTime(),
        input.updatedAt.getTime(),
        asBuffer(input.snapshot),
        input.snapshot.length,
      ],
    )
    return result.rowCount === 1
  }

  async get(id: string): Promise<DocumentRecord | null> {
    const { rows } = await this.#pool.query<DocumentRow>(`SELECT ${RECORD_COLUMNS} FROM documents WHERE id = $1`, [id])
    return rows[0] === undefined ? null : toRecord(rows[0])
  }

  async list(query: ListQuery): Promise<DocumentPage> {
    const after: ListPosition | null = query.cursor === undefined ? null : decodeCursor(query.cursor)
    const conditions: string[] = []
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
    const where = conditions.length === 0 ? '' : `WHERE ${conditions.join(' AND ')}`
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
      `UPDATE documents SET title = $1, updated_at = GREATEST(updated_at, $2) WHERE id = $3 RETURNING ${RECORD_COLUMNS}`,
      [title, Date.now(), id],
    )
    return rows[0] === undefined ? null : toRecord(rows[0])
  }

  async delete(id: string): Promise<boolean> {
    const result = await this.#pool.query('DELETE FROM documents WHERE id = $1', [id])
    return (result.rowCount ?? 0) > 0
  }

  /** One statement, hence one consistent view: a compaction committing meanwhile cannot tear it. */
  async load(id: string): Promise<StoredDocument | null> {
    const { rows } = await this.#pool.query<{ part: number; data: Buffer | null; byte_size: string | null }>(
      `SELECT 0 AS part, 0::bigint AS seq, snapshot AS data, byte_size FROM documents WHERE id = $1
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
    if (this.#closed) return Promise.reject(new Error('store closed'))
    return new Promise((resolve, reject) => {
      this.#queue.push({ id, update, resolve, reject })
      this.#flushing ??= new Promise<void>((turnEnded) => setImmediate(turnEnded)).then(() => this.#flushLoop())
    })
  }

  async #flushLoop(): Promise<void> {
    while (this.#queue.length > 0) {
      const batch = this.#queue
      this.#queue = []
      await this.#commit(batch)
    }
    this.#flushing = null
  }

  /** Commits one batch and settles its appends in call order; never throws. */
  async #commit(batch: QueuedAppend[]): Promise<void> {
    const totals = new Map<string, { bytes: number; count: number }>()
    for (const item of batch) {
      const total = totals.get(item.id) ?? { bytes: 0, count: 0 }
      total.bytes += item.update.length
      total.count++
      totals.set(item.id, total)
    }
    const ids = [...totals.keys()].sort()
    let present: Map<string, number>
    try {
      present = await inTransaction(this.#pool, async (client) => {
        await client.query('SELECT id FROM documents WHERE id = ANY($1::text[]) ORDER BY id FOR UPDATE', [ids])
        const { rows } = await client.query<{ id: string; log_length: number }>(
          `UPDATE documents AS d
              SET updated_at = GREATEST(d.updated_at, $1),
                  byte_size = d.byte_size + t.bytes,
                  log_length = d.log_length + t.count
             FROM unnest($2::text[], $3::bigint[], $4::integer[]) AS t (id, bytes, count)
            WHERE d.id = t.id
        RETURNING d.id, d.log_length`,
          [Date.now(), ids, ids.map((id) => totals.get(id)?.bytes ?? 0), ids.map((id) => totals.get(id)?.count ?? 0)],
        )
        const lengths = new Map(rows.map((row) => [row.id, row.log_length]))
        const stored = batch.filter((item) => lengths.has(item.id))
        for (let start = 0; start < stored.length; start += INSERT_CHUNK) {
          const chunk = stored.slice(start, start + INSERT_CHUNK)
          const params: (string | Buffer)[] = []
          const values = chunk.map((item) => {
            params.push(item.id, asBuffer(item.update))
            return `($${params.length - 1}, $${params.length})`
          })
          await client.query(`INSERT INTO updates (doc_id, data) VALUES ${values.join(', ')}`, params)
        }
        return lengths
      })
    } catch (error) {
      for (const item of batch) item.reject(error)
      return
    }
    for (const item of batch) {
      if (present.has(item.id)) item.resolve()
      else item.reject(new DocumentNotFoundError(item.id))
    }
    for (const [id, length] of present) if (length > this.#options.compactThreshold) this.#compactionDue.add(id)
    if (this.#compactionDue.size > 0) this.#compacting ??= this.#compactDue()
  }

  async #compactDue(): Promise<void> {
    for (const id of this.#compactionDue) {
      this.#compactionDue.delete(id)
      if (this.#closed) break
      try {
        await this.compact(id)
      } catch (error) {
        this.#options.log.warn({ docId: id, err: error }, 'compaction failed; the log is kept and retried later')
      }
    }
    this.#compacting = null
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
  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    await this.#flushing
    await this.#compacting
    await this.#pool.end()
    await this.#disconnected()
  }
}
