/** {@link ShareStore} on the SQLite file the document store opened (it owns and closes the handle). */
import type Database from 'better-sqlite3'
import type { Role } from '../../../protocol/api'
import { DocumentNotFound } from '../../common/errors'
import type { ShareRecord, ShareStore } from '../shares'

interface ShareRow {
  id: string
  doc_id: string
  role: Role
  created_at: number
  expires_at: number | null
}

const COLUMNS = 'id, doc_id, role, created_at, expires_at'

function toRecord(row: ShareRow): ShareRecord {
  return {
    id: row.id,
    docId: row.doc_id,
    role: row.role,
    createdAt: new Date(row.created_at),
    expiresAt: row.expires_at === null ? null : new Date(row.expires_at),
  }
}

export class SqliteShareStore implements ShareStore {
  readonly #statements

  constructor(db: Database.Database) {
    this.#statements = {
      exists: db.prepare<[string], { n: number }>('SELECT 1 AS n FROM documents WHERE id = ?'),
      insert: db.prepare<[string, string, string, number, number | null]>(
        `INSERT INTO shares (${COLUMNS}) VALUES (?, ?, ?, ?, ?)`,
      ),
      get: db.prepare<[string], ShareRow>(`SELECT ${COLUMNS} FROM shares WHERE id = ?`),
      list: db.prepare<[string], ShareRow>(`SELECT ${COLUMNS} FROM shares WHERE doc_id = ? ORDER BY created_at, id`),
      delete: db.prepare<[string, string]>('DELETE FROM shares WHERE doc_id = ? AND id = ?'),
    }
  }

  async create(input: { id: string; docId: string; role: Role; expiresAt: Date | null }): Promise<ShareRecord> {
    // Checked rather than caught: a foreign key failure does not say which key failed.
    if (this.#statements.exists.get(input.docId) === undefined) throw new DocumentNotFound(input.docId)
    const createdAt = Date.now()
    const expiresAt = input.expiresAt?.getTime() ?? null
    this.#statements.insert.run(input.id, input.docId, input.role, createdAt, expiresAt)
    return toRecord({
      id: input.id,
      doc_id: input.docId,
      role: input.role,
      created_at: createdAt,
      expires_at: expiresAt,
    })
  }

  async get(id: string): Promise<ShareRecord | null> {
    const row = this.#statements.get.get(id)
    return row === undefined ? null : toRecord(row)
  }

  async list(docId: string): Promise<ShareRecord[]> {
    return this.#statements.list.all(docId).map(toRecord)
  }

  async delete(docId: string, id: string): Promise<boolean> {
    return this.#statements.delete.run(docId, id).changes > 0
  }
}
