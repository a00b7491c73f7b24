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

/** A document in the trash: still stored whole, seen only by the trash's own methods. */
export interface TrashedDocumentRecord extends DocumentRecord {
  deletedAt: Date
}

export interface TrashQuery {
  limit: number
  /** Opaque value from a previous page's `nextCursor`. */
  cursor?: string | undefined
}

export interface TrashPage {
  items: TrashedDocumentRecord[]
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
  /** Null for a document that does not exist or is in the trash; so are `list`, `rename` and `load`. */
  get(id: string): Promise<DocumentRecord | null>
  /** Most recently updated first; never a document in the trash. */
  list(query: ListQuery): Promise<DocumentPage>
  rename(id: string, title: string): Promise<DocumentRecord | null>
  /**
   * Moves the document to the trash, marked `deletedAt`, in one statement: from then on it is
   * found only by the trash's methods, and appends to it reject. Its content, log and whatever
   * other tables hold for it stay. False when there is no such document outside the trash.
   */
  trash(id: string, deletedAt: Date): Promise<boolean>
  /** Takes a document out of the trash as it was; null when it is not in the trash. */
  restore(id: string): Promise<DocumentRecord | null>
  /**
   * Deletes a document in the trash for good; its log and every row referring to it go with it
   * (foreign keys `ON DELETE CASCADE`). False when it is not in the trash.
   */
  purge(id: string): Promise<boolean>
  /** The trash, most recently deleted first. */
  listTrash(query: TrashQuery): Promise<TrashPage>
  /**
   * Purges every document deleted before `cutoff`, in batches; the number purged. Idempotent, so
   * several processes may sweep one database at once.
   */
  purgeOlderThan(cutoff: Date): Promise<number>
  load(id: string): Promise<StoredDocument | null>
  /**
   * Durably appends an update and moves `updatedAt`. Resolves only once committed, and calls
   * resolve in call order, so a caller may broadcast in its `then` and keep order. Rejects with
   * `DocumentNotFound` (`common/errors.ts`) when the document is gone or in the trash.
   */
  appendUpdate(id: string, update: Uint8Array): Promise<void>
  /** Throws when the database cannot be reached; for health checks. */
  ping(): Promise<void>
  close(): Promise<void>
}
