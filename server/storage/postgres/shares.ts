/** {@link ShareStore} on the pool the document store opened (it owns and ends the pool). */
import type { Role } from '../../../protocol/api'
import { DocumentNotFound } from '../../common/errors'
import type { ShareRecord, ShareStore } from '../shares'
import type { PostgresDatabase } from './database'

interface ShareRow {
  id: string
  doc_id: string
  role: Role
  created_at: string
  expires_at: string | null
}

const COLUMNS = 'id, doc_id, role, created_at, expires_at'

/** PostgreSQL's code for a foreign key violation. */
const FOREIGN_KEY_VIOLATION = '23503'

function toRecord(row: ShareRow): ShareRecord {
  return {
    id: row.id,
    docId: row.doc_id,
    role: row.role,
    createdAt: new Date(Number(row.created_at)),
    expiresAt: row.expires_at === null ? null : new Date(Number(row.expires_at)),
  }
}

export class PostgresShareStore implements ShareStore {
  readonly #database: PostgresDatabase

  constructor(database: PostgresDatabase) {
    this.#database = database
  }

  async create(input: { id: string; docId: string; role: Role; expiresAt: Date | null }): Promise<ShareRecord> {
    try {
      const { rows } = await this.#database.pool.query<ShareRow>(
        `INSERT INTO shares (${COLUMNS}) VALUES ($1, $2, $3, $4, $5) RETURNING ${COLUMNS}`,
        [input.id, input.docId, input.role, Date.now(), input.expiresAt?.getTime() ?? null],
      )
      return toRecord(rows[0] as ShareRow)
    } catch (error) {
      // The only foreign key of the table is the document's.
      if ((error as { code?: unknown }).code === FOREIGN_KEY_VIOLATION) throw new DocumentNotFound(input.docId)
      throw error
    }
  }

  async get(id: string): Promise<ShareRecord | null> {
    const { rows } = await this.#database.pool.query<ShareRow>(`SELECT ${COLUMNS} FROM shares WHERE id = $1`, [id])
    return rows[0] === undefined ? null : toRecord(rows[0])
  }

  async list(docId: string): Promise<ShareRecord[]> {
    const { rows } = await this.#database.pool.query<ShareRow>(
      `SELECT ${COLUMNS} FROM shares WHERE doc_id = $1 ORDER BY created_at, id`,
      [docId],
    )
    return rows.map(toRecord)
  }

  async delete(docId: string, id: string): Promise<boolean> {
    const result = await this.#database.pool.query('DELETE FROM shares WHERE doc_id = $1 AND id = $2', [docId, id])
    return (result.rowCount ?? 0) > 0
  }
}
