/**
 * Files in SQLite, as BLOBs in the `files` table (migration `0101_files`) of the document
 * store's own file, through its handle: one insert is one committed transaction, with the
 * document store's durability setting.
 */
import Database from 'better-sqlite3'
import { DocumentNotFound } from '../../common/errors'
import type { FileRecord, FileStore, StoredFile } from '../files'

interface FileRow {
  id: string
  doc_id: string
  content_type: string
  size: number
  created_at: number
  data: Buffer
}

export class SqliteFileStore implements FileStore {
  readonly #statements

  constructor(db: Database.Database) {
    this.#statements = {
      insert: db.prepare<[string, string, string, number, number, Uint8Array]>(
        'INSERT INTO files (id, doc_id, content_type, size, created_at, data) VALUES (?, ?, ?, ?, ?, ?)',
      ),
      get: db.prepare<[string], FileRow>(
        // A file of a document in the trash is not served (the document is deleted for everyone).
        `SELECT f.id, f.doc_id, f.content_type, f.size, f.created_at, f.data
           FROM files f JOIN documents d ON d.id = f.doc_id
          WHERE f.id = ? AND d.deleted_at IS NULL`,
      ),
      totalSize: db.prepare<[string], { total: number }>(
        'SELECT COALESCE(SUM(size), 0) AS total FROM files WHERE doc_id = ?',
      ),
    }
  }

  async put(input: { id: string; docId: string; contentType: string; data: Uint8Array }): Promise<FileRecord> {
    const now = Date.now()
    try {
      this.#statements.insert.run(input.id, input.docId, input.contentType, input.data.length, now, input.data)
    } catch (error) {
      if (error instanceof Database.SqliteError && error.code === 'SQLITE_CONSTRAINT_FOREIGNKEY') {
        throw new DocumentNotFound(input.docId)
      }
      throw error
    }
    return {
      id: input.id,
      docId: input.docId,
      contentType: input.contentType,
      size: input.data.length,
      createdAt: new Date(now),
    }
  }

  async get(id: string): Promise<StoredFile | null> {
    const row = this.#statements.get.get(id)
    if (row === undefined) return null
    return {
      id: row.id,
      docId: row.doc_id,
      contentType: row.content_type,
      size: row.size,
      createdAt: new Date(row.created_at),
      data: row.data,
    }
  }

  async totalSize(docId: string): Promise<number> {
    return this.#statements.totalSize.get(docId)?.total ?? 0
  }
}
