/**
 * Versions in the SQLite file the document store opened (`documents.ts`), on its handle.
 * Statements are synchronous, so each method is one transaction of its own.
 */
import type Database from 'better-sqlite3'
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
  parseAuthors,
  uniqueAuthors,
} from '../versions'

interface VersionRow {
  seq: number
  id: string
  doc_id: string
  created_at: number
  kind: VersionKind
  name: string | null
  authors: string
  size: number
}

const COLUMNS = 'seq, id, doc_id, created_at, kind, name, authors, length(state) AS size'

function toRecord(row: VersionRow): VersionRecord {
  return {
    id: row.id,
    docId: row.doc_id,
    createdAt: new Date(row.created_at),
    kind: row.kind,
    name: row.name,
    authors: parseAuthors(row.authors),
    byteSize: row.size,
  }
}

function isConstraint(error: unknown, code: string): boolean {
  return error instanceof Error && (error as { code?: string }).code === code
}

export class SqliteVersionStore implements VersionStore {
  readonly #db: Database.Database
  readonly #statements

  constructor(db: Database.Database) {
    this.#db = db
    this.#statements = {
      hasAuto: db.prepare<[string, string], { found: number }>(
        "SELECT 1 AS found FROM versions WHERE doc_id = ? AND state_key = ? AND kind = 'auto'",
      ),
      takeAuthors: db.prepare<[string, number], { sub: string | null; name: string | null }>(
        'DELETE FROM version_authors WHERE doc_id = ? AND last_seen_at <= ? RETURNING sub, name, first_seen_at',
      ),
      insert: db.prepare<[string, string, number, string, string | null, string, string, Uint8Array], VersionRow>(
        `INSERT INTO versions (id, doc_id, created_at, kind, name, authors, state_key, state)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING ${COLUMNS}`,
      ),
      appendLog: db.prepare<[string, Uint8Array]>('INSERT INTO updates (doc_id, data, entries) VALUES (?, ?, 1)'),
      touch: db.prepare<[number, string]>('UPDATE documents SET updated_at = MAX(updated_at, ?) WHERE id = ?'),
      page: db.prepare<[string, number, number], VersionRow>(
        `SELECT ${COLUMNS} FROM versions WHERE doc_id = ? AND seq < ? ORDER BY seq DESC LIMIT ?`,
      ),
      get: db.prepare<[string, string], VersionRow>(`SELECT ${COLUMNS} FROM versions WHERE doc_id = ? AND id = ?`),
      state: db.prepare<[string, string], { state: Buffer }>('SELECT state FROM versions WHERE doc_id = ? AND id = ?'),
      latestKey: db.prepare<[string], { state_key: string }>(
        'SELECT state_key FROM versions WHERE doc_id = ? ORDER BY seq DESC LIMIT 1',
      ),
      latest: db.prepare<[string], VersionRow & { state_key: string }>(
        `SELECT ${COLUMNS}, state_key FROM versions WHERE doc_id = ? ORDER BY seq DESC LIMIT 1`,
      ),
      delete: db.prepare<[string, string]>('DELETE FROM versions WHERE doc_id = ? AND id = ?'),
      noteAuthor: db.prepare<[{ doc: string; key: string; sub: string | null; name: string | null; at: number }]>(
        `INSERT INTO version_authors (doc_id, author_key, sub, name, first_seen_at, last_seen_at)
         SELECT @doc, @key, @sub, @name, @at, @at WHERE EXISTS (SELECT 1 FROM documents WHERE id = @doc)
         ON CONFLICT (doc_id, author_key) DO UPDATE SET
           name = excluded.name, last_seen_at = MAX(last_seen_at, excluded.last_seen_at)`,
      ),
      timeline: db.prepare<[string], { id: string; kind: VersionKind; created_at: number; authors: string }>(
        'SELECT id, kind, created_at, authors FROM versions WHERE doc_id = ? ORDER BY seq',
      ),
      setAuthors: db.prepare<[string, string]>('UPDATE versions SET authors = ? WHERE id = ?'),
      deleteById: db.prepare<[string]>('DELETE FROM versions WHERE id = ?'),
      pending: db.prepare<[number, number], { doc_id: string }>(
        'SELECT DISTINCT doc_id FROM version_authors WHERE last_seen_at < ? LIMIT ?',
      ),
      old: db.prepare<[number, number], { doc_id: string }>(
        "SELECT DISTINCT doc_id FROM versions WHERE kind <> 'named' AND created_at < ? LIMIT ?",
      ),
    }
  }

  async record(version: NewVersion): Promise<VersionRecord | null> {
    return this.#db.transaction(() => this.#insert(version))()
  }

  async recordWithUpdate(version: NewVersion, update: Uint8Array): Promise<VersionRecord | null> {
    return this.#db.transaction(() => {
      const record = this.#insert(version)
      if (record === null) return null
      this.#statements.appendLog.run(version.docId, update)
      this.#statements.touch.run(version.createdAt.getTime(), version.docId)
      return record
    })()
  }

  /** Inside a transaction. */
  #insert(version: NewVersion): VersionRecord | null {
    if (version.kind === 'auto' && this.#statements.hasAuto.get(version.docId, version.stateKey) !== undefined) {
      return null
    }
    const at = version.createdAt.getTime()
    const authors = this.#takeAuthors(version.docId, at)
    try {
      const row = this.#statements.insert.get(
        version.id,
        version.docId,
        at,
        version.kind,
        version.name,
        JSON.stringify(authors),
        version.stateKey,
        version.state,
      )
      return row === undefined ? null : toRecord(row)
    } catch (error) {
      if (isConstraint(error, 'SQLITE_CONSTRAINT_FOREIGNKEY')) return null
      throw error
    }
  }

  /** Inside a transaction: the authors pending up to `at`, in the order first seen. */
  #takeAuthors(docId: string, at: number): VersionAuthor[] {
    const pending = this.#statements.takeAuthors.all(docId, at) as Array<VersionAuthor & { first_seen_at: number }>
    pending.sort((a, b) => a.first_seen_at - b.first_seen_at)
    return pending.map(({ sub, name }) => ({ sub, name }))
  }

  async attachAuthors(docId: string, stateKey: string, at: Date): Promise<VersionRecord | null> {
    return this.#db.transaction(() => {
      const row = this.#statements.latest.get(docId)
      if (row === undefined || row.state_key !== stateKey) return null
      const authors = uniqueAuthors([...parseAuthors(row.authors), ...this.#takeAuthors(docId, at.getTime())])
      const json = JSON.stringify(authors)
      if (json !== row.authors) this.#statements.setAuthors.run(json, row.id)
      return toRecord({ ...row, authors: json })
    })()
  }

  async list(docId: string, query: { limit: number; cursor?: string | undefined }): Promise<VersionPage> {
    const before = query.cursor === undefined ? Number.MAX_SAFE_INTEGER : decodeVersionCursor(query.cursor)
    const rows = this.#statements.page.all(docId, before, query.limit + 1)
    const last = rows.length > query.limit ? rows[query.limit - 1] : undefined
    return {
      items: rows.slice(0, query.limit).map(toRecord),
      nextCursor: last === undefined ? null : encodeVersionCursor(last.seq),
    }
  }

  async get(docId: string, versionId: string): Promise<VersionRecord | null> {
    const row = this.#statements.get.get(docId, versionId)
    return row === undefined ? null : toRecord(row)
  }

  async state(docId: string, versionId: string): Promise<Uint8Array | null> {
    return this.#statements.state.get(docId, versionId)?.state ?? null
  }

  async latestStateKey(docId: string): Promise<string | null> {
    return this.#statements.latestKey.get(docId)?.state_key ?? null
  }

  async delete(docId: string, versionId: string): Promise<boolean> {
    return this.#db.transaction(() => {
      const rows = this.#statements.timeline.all(docId)
      if (!rows.some((row) => row.id === versionId)) return false
      this.#removeRows(rows, new Set([versionId]))
      return true
    })()
  }

  async noteAuthor(docId: string, author: VersionAuthor, at: Date): Promise<void> {
    this.#statements.noteAuthor.run({
      doc: docId,
      key: authorKey(author),
      sub: author.sub,
      name: author.name,
      at: at.getTime(),
    })
  }

  async timeline(docId: string): Promise<VersionMoment[]> {
    return this.#statements.timeline
      .all(docId)
      .map((row) => ({ id: row.id, kind: row.kind, createdAt: new Date(row.created_at) }))
  }

  async remove(docId: string, versionIds: readonly string[]): Promise<void> {
    if (versionIds.length === 0) return
    this.#db.transaction(() => this.#removeRows(this.#statements.timeline.all(docId), new Set(versionIds)))()
  }

  /** Inside a transaction. */
  #removeRows(rows: readonly { id: string; authors: string }[], removed: ReadonlySet<string>): void {
    const parsed = rows.map((row) => ({ id: row.id, authors: parseAuthors(row.authors) }))
    for (const [id, authors] of authorsAfterRemoval(parsed, removed)) {
      this.#statements.setAuthors.run(JSON.stringify(authors), id)
    }
    for (const row of rows) if (removed.has(row.id)) this.#statements.deleteById.run(row.id)
  }

  async documentsWithAuthorsBefore(before: Date, limit: number): Promise<string[]> {
    return this.#statements.pending.all(before.getTime(), limit).map((row) => row.doc_id)
  }

  async documentsWithVersionsBefore(before: Date, limit: number): Promise<string[]> {
    return this.#statements.old.all(before.getTime(), limit).map((row) => row.doc_id)
  }
}
