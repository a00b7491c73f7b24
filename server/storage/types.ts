/**
 * What the rest of tandem needs from a database. Adapters (SQLite, PostgreSQL) implement it and
 * must pass the shared contract suite in `contract.ts`.
 */
export interface DocumentRecord {
  id: string
  title: string
  createdAt: Date
  updatedAt: Date
}

export interface ListQuery {
  limit: number
  /** Opaque value from a previous page's `nextCursor`. */
  cursor?: string | undefined
  /** Case-insensitive substring of the title. */
  q?: string | undefined
}

export interface DocumentPage {
  items: DocumentRecord[]
  nextCursor: string | null
}

export interface StoredDocument {
  /** Snapshot first, then the log in append order; applying them all rebuilds the document. */
  updates: Uint8Array[]
  /** Bytes the document occupies in storage, for the size quota. */
  byteSize: number
}

export interface DocumentStore {
  create(input: { id: string; title: string; initialUpdate: Uint8Array }): Promise<DocumentRecord>
  get(id: string): Promise<DocumentRecord | null>
  /** Most recently updated first. */
  list(query: ListQuery): Promise<DocumentPage>
  rename(id: string, title: string): Promise<DocumentRecord | null>
  /** Removes the document and its content; false when there was none. */
  delete(id: string): Promise<boolean>
  load(id: string): Promise<StoredDocument | null>
  /**
   * Durably appends an update and moves `updatedAt`. Resolves only once committed, and calls
   * resolve in call order, so a caller may broadcast in its `then` and keep order. Rejects with
   * `DocumentNotFound` (`common/errors.ts`) when the document is gone.
   */
  appendUpdate(id: string, update: Uint8Array): Promise<void>
  /** Throws when the database cannot be reached; for health checks. */
  ping(): Promise<void>
  close(): Promise<void>
}
