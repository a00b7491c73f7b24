/**
 * Versions in PostgreSQL, on the document store's pool (`documents.ts`). Recording a version
 * locks the document's row first, as every writer of a document's log does, so that a version
 * and the authors it takes off the pending list are one step, and a restore's version and its
 * update commit together.
 */
import type { PoolClient } from 'pg'
import {
  type NewVersion,
  type VersionAuthor,
  type VersionKind,
  type VersionMoment,
  type VersionPage,
  type VersionRecord,
  type VersionStore,
  authorKey,
  authorsAfterRemoval,
  decodeVersionCursor,
  encodeVersionCursor,
  uniqueAuthors,
} from '../versions'
import { type PostgresDatabase, inTransaction } from './database'

interface VersionRow {
  seq: string
  id: string
  doc_id: string
  created_at: string
  kind: VersionKind
  name: string | null
  authors: VersionAuthor[]
  size: number
}

const COLUMNS = 'seq, id, doc_id, created_at, kind, name, authors, octet_length(state) AS size'

function toRecord(row: VersionRow): VersionRecord {
  return {
    id: row.id,
    docId: row.doc_id,
    createdAt: new Date(Number(row.created_at)),
    kind: row.kind,
    name: row.name,
    authors: row.authors.map((author) => ({ sub: author.sub ?? null, name: author.name ?? null })),
    byteSize: row.size,
  }
}

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
}

/** Inside a transaction: locks the document's row, as every writer of its log does; false when it is gone. */
async function lockDocument(client: PoolClient, docId: string): Promise<boolean> {
  const locked = await client.query('SELECT id FROM documents WHERE id = $1 FOR UPDATE', [docId])
  return locked.rowCount !== 0
}

async function setAuthors(client: PoolClient, versionId: string, authors: VersionAuthor[]): Promise<void> {
  await client.query('UPDATE versions SET authors = $1::jsonb WHERE id = $2', [JSON.stringify(authors), versionId])
}

export class PostgresVersionStore implements VersionStore {
  readonly #database: PostgresDatabase

  constructor(database: PostgresDatabase) {
    this.#database = database
  }

  get #pool() {
    return this.#database.pool
  }

  record(version: NewVersion): Promise<VersionRecord | null> {
    return inTransaction(this.#pool, (client) => this.#insert(client, version))
  }

  recordWithUpdate(version: NewVersion, update: Uint8Array): Promise<VersionRecord | null> {
    return inTransaction(this.#pool, async (client) => {
      const record = await this.#insert(client, version)
      if (record === null) return null
      await client.query(
        `UPDATE documents SET updated_at = GREATEST(updated_at, $1), byte_size = byte_size + $2,
                log_length = log_length + 1 WHERE id = $3`,
        [version.createdAt.getTime(), update.length, version.docId],
      )
      await client.query('INSERT INTO updates (doc_id, data) VALUES ($1, $2)', [version.docId, asBuffer(update)])
      return record
    })
  }

  /** Inside a transaction: the document's row is locked, then the version inserted unless taken. */
  async #insert(client: PoolClient, version: NewVersion): Promise<VersionRecord | null> {
    if (!(await lockDocument(client, version.docId))) return null
    const at = version.createdAt.getTime()
    const inserted = await client.query<VersionRow>(
      `INSERT INTO versions (id, doc_id, created_at, kind, name, authors, state_key, state)
       VALUES ($1, $2, $3, $4, $5, '[]'::jsonb, $6, $7)
       ON CONFLICT (doc_id, state_key) WHERE kind = 'auto' DO NOTHING
       RETURNING ${COLUMNS}`,
      [version.id, version.docId, at, version.kind, version.name, version.stateKey, asBuffer(version.state)],
    )
    const row = inserted.rows[0]
    if (row === undefined) return null
    const authors = await this.#takeAuthors(client, version.docId, at)
    await setAuthors(client, row.id, authors)
    return toRecord({ ...row, authors })
  }

  /** Inside a transaction: the authors pending up to `at`, in the order first seen. */
  async #takeAuthors(client: PoolClient, docId: string, at: number): Promise<VersionAuthor[]> {
    const taken = await client.query<{ sub: string | null; name: string | null; first_seen_at: string }>(
      'DELETE FROM version_authors WHERE doc_id = $1 AND last_seen_at <= $2 RETURNING sub, name, first_seen_at',
      [docId, at],
    )
    return taken.rows
      .sort((a, b) => Number(a.first_seen_at) - Number(b.first_seen_at))
      .map(({ sub, name }) => ({ sub, name }))
  }

  attachAuthors(docId: string, stateKey: string, at: Date): Promise<VersionRecord | null> {
    return inTransaction(this.#pool, async (client) => {
      await lockDocument(client, docId)
      const { rows } = await client.query<VersionRow & { state_key: string }>(
        `SELECT ${COLUMNS}, state_key FROM versions WHERE doc_id = $1 ORDER BY seq DESC LIMIT 1`,
        [docId],
      )
      const row = rows[0]
      if (row === undefined || row.state_key !== stateKey) return null
      const taken = await this.#takeAuthors(client, docId, at.getTime())
      if (taken.length === 0) return toRecord(row)
      const authors = uniqueAuthors([...row.authors, ...taken])
      await setAuthors(client, row.id, authors)
      return toRecord({ ...row, authors })
    })
  }

  async list(docId: string, query: { limit: number; cursor?: string | undefined }): Promise<VersionPage> {
    const before = query.cursor === undefined ? Number.MAX_SAFE_INTEGER : decodeVersionCursor(query.cursor)
    const { rows } = await this.#pool.query<VersionRow>(
      `SELECT ${COLUMNS} FROM versions WHERE doc_id = $1 AND seq < $2 ORDER BY seq DESC LIMIT $3`,
      [docId, before, query.limit + 1],
    )
    const last = rows.length > query.limit ? rows[query.limit - 1] : undefined
    return {
      items: rows.slice(0, query.limit).map(toRecord),
      nextCursor: last === undefined ? null : encodeVersionCursor(Number(last.seq)),
    }
  }

  async get(docId: string, versionId: string): Promise<VersionRecord | null> {
    const { rows } = await this.#pool.query<VersionRow>(
      `SELECT ${COLUMNS} FROM versions WHERE doc_id = $1 AND id = $2`,
      [docId, versionId],
    )
    return rows[0] === undefined ? null : toRecord(rows[0])
  }

  async state(docId: string, versionId: string): Promise<Uint8Array | null> {
    const { rows } = await this.#pool.query<{ state: Buffer }>(
      'SELECT state FROM versions WHERE doc_id = $1 AND id = $2',
      [docId, versionId],
    )
    return rows[0]?.state ?? null
  }

  async latestStateKey(docId: string): Promise<string | null> {
    const { rows } = await this.#pool.query<{ state_key: string }>(
      'SELECT state_key FROM versions WHERE doc_id = $1 ORDER BY seq DESC LIMIT 1',
      [docId],
    )
    return rows[0]?.state_key ?? null
  }

  async delete(docId: string, versionId: string): Promise<boolean> {
    return inTransaction(this.#pool, async (client) => {
      const rows = await this.#lockedTimeline(client, docId)
      if (!rows.some((row) => row.id === versionId)) return false
      await this.#removeRows(client, rows, new Set([versionId]))
      return true
    })
  }

  async noteAuthor(docId: string, author: VersionAuthor, at: Date): Promise<void> {
    const time = at.getTime()
    await this.#pool.query(
      `INSERT INTO version_authors (doc_id, author_key, sub, name, first_seen_at, last_seen_at)
       SELECT $1, $2, $3, $4, $5, $5 WHERE EXISTS (SELECT 1 FROM documents WHERE id = $1)
       ON CONFLICT (doc_id, author_key) DO UPDATE SET
         name = excluded.name, last_seen_at = GREATEST(version_authors.last_seen_at, excluded.last_seen_at)`,
      [docId, authorKey(author), author.sub, author.name, time],
    )
  }

  async timeline(docId: string): Promise<VersionMoment[]> {
    const { rows } = await this.#pool.query<{ id: string; kind: VersionKind; created_at: string }>(
      'SELECT id, kind, created_at FROM versions WHERE doc_id = $1 ORDER BY seq',
      [docId],
    )
    return rows.map((row) => ({ id: row.id, kind: row.kind, createdAt: new Date(Number(row.created_at)) }))
  }

  async remove(docId: string, versionIds: readonly string[]): Promise<void> {
    if (versionIds.length === 0) return
    await inTransaction(this.#pool, async (client) => {
      await this.#removeRows(client, await this.#lockedTimeline(client, docId), new Set(versionIds))
    })
  }

  /** The document's versions, oldest first, with its row locked against concurrent recording. */
  async #lockedTimeline(client: PoolClient, docId: string): Promise<{ id: string; authors: VersionAuthor[] }[]> {
    await lockDocument(client, docId)
    const { rows } = await client.query<{ id: string; authors: VersionAuthor[] }>(
      'SELECT id, authors FROM versions WHERE doc_id = $1 ORDER BY seq',
      [docId],
    )
    return rows
  }

  async #removeRows(
    client: PoolClient,
    rows: readonly { id: string; authors: VersionAuthor[] }[],
    removed: ReadonlySet<string>,
  ): Promise<void> {
    for (const [id, authors] of authorsAfterRemoval(rows, removed)) {
      await setAuthors(client, id, authors)
    }
    const ids = rows.filter((row) => removed.has(row.id)).map((row) => row.id)
    await client.query('DELETE FROM versions WHERE id = ANY($1::text[])', [ids])
  }

  async documentsWithAuthorsBefore(before: Date, limit: number): Promise<string[]> {
    const { rows } = await this.#pool.query<{ doc_id: string }>(
      'SELECT DISTINCT doc_id FROM version_authors WHERE last_seen_at < $1 LIMIT $2',
      [before.getTime(), limit],
    )
    return rows.map((row) => row.doc_id)
  }

  async documentsWithVersionsBefore(before: Date, limit: number): Promise<string[]> {
    const { rows } = await this.#pool.query<{ doc_id: string }>(
      "SELECT DISTINCT doc_id FROM versions WHERE kind <> 'named' AND created_at < $1 LIMIT $2",
      [before.getTime(), limit],
    )
    return rows.map((row) => row.doc_id)
  }
}
