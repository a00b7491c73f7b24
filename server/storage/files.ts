/**
 * Files stored with their document (images, for now): what the rest of tandem needs from the
 * database for them. Adapters (`sqlite/files.ts`, `postgres/files.ts`) work on the database
 * handle of the document store and must pass the contract suite in `filesContract.ts`.
 *
 * A file belongs to one document and goes with it: the table's foreign key cascades, so purging
 * a document purges its files. Its bytes count in the document's size quota (the document
 * stores' `load` adds them to `byteSize`).
 */

export interface FileRecord {
  id: string
  docId: string
  /** The type the server sniffed from the bytes, never the one the client claimed. */
  contentType: string
  size: number
  createdAt: Date
}

export interface StoredFile extends FileRecord {
  data: Uint8Array
}

export interface FileStore {
  /**
   * Stores a file; resolves once it is committed (the durability promise of the documents).
   *
   * @throws {DocumentNotFound} when the document does not exist (any more)
   */
  put(input: { id: string; docId: string; contentType: string; data: Uint8Array }): Promise<FileRecord>
  /** The file with its bytes; null when there is none. */
  get(id: string): Promise<StoredFile | null>
  /** Bytes of all the document's files, for the size quota. */
  totalSize(docId: string): Promise<number>
}
