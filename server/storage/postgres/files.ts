/**
 * Files in PostgreSQL, as `bytea` in the `files` table (migration `0101_files`), through the
 * document store's pool: one insert is one committed statement.
 */
import type { Pool } from 'pg'
import { DocumentNotFound } from '../../common/errors'
import type { FileRecord, FileStore, StoredFile } from '../files'

interface FileRow {
  id: string
  doc_id: string
  content_type: string
  size: number
  created_at: string
  data: Buffer
}

/** PostgreSQL's code for a foreign key violation: the document is gone. */
const FOREIGN_KEY_VIOLATION = '23503'

export class PostgresFileStore implements FileStore {
  readonly #pool: Pool

  constructor(pool: Pool) {
    this.#pool = pool
  }

  async put(input: { id: string; docId: string; contentType: string; data: Uint8Array }): Promise<FileRecord> {
    const now = Date.now()
    const data = Buffer.isBuffer(input.data)
      ? input.data
      : Buffer.from(input.data.buffer, input.data.byteOffset, input.data.byteLength)
    try {
      await this.#pool.query(
        'INSERT INTO files (id, doc_id, content_type, size, created_at, data) VALUES ($1, $2, $3, $4, $5, $6)',
        [input.id, input.docId, input.contentType, data.length, now, data],
      )
    } catch (error) {
      if ((error as { code?: unknown }).code === FOREIGN_KEY_VIOLATION) {
        throw new DocumentNotFound(input.docId)
      }
      throw error
    }
    return {
      id: input.id,
      docId: input.docId,
      contentType: input.contentType,
      size: data.length,
      createdAt: new Date(now),
    }
  }

  async get(id: string): Promise<StoredFile | null> {
    const { rows } = await this.#pool.query<FileRow>(
      // A file of a document in the trash is not served (the document is deleted for everyone).
      `SELECT f.id, f.doc_id, f.content_type, f.size, f.created_at, f.data
           FROM files f JOIN documents d ON d.id = f.doc_id
          WHERE f.id = $1 AND d.deleted_at IS NULL`,
      [id],
    )
    const row = rows[0]
    if (row === undefined) return null
    return {
      id: row.id,
      docId: row.doc_id,
      contentType: row.content_type,
      size: Number(row.size),
      createdAt: new Date(Number(row.created_at)),
      data: row.data,
    }
  }

  async totalSize(docId: string): Promise<number> {
    const { rows } = await this.#pool.query<{ total: string }>(
      'SELECT COALESCE(SUM(size), 0) AS total FROM files WHERE doc_id = $1',
      [docId],
    )
    return Number(rows[0]?.total ?? 0)
  }
}
