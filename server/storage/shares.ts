/**
 * View links that do not reveal their document (issue 15): each is an opaque, random share id
 * stored with the document it opens, so that the link can be resolved, listed and revoked. The
 * document's id never leaves the server through a link. Adapters (SQLite, PostgreSQL) share
 * their database handle with the document store and pass the contract suite in
 * `sharesContract.ts`; rows go with their document (`ON DELETE CASCADE`).
 */
import type { Role } from '../../protocol/api'

export interface ShareRecord {
  /** The opaque id in the link (`/s/<id>`). */
  id: string
  docId: string
  role: Role
  createdAt: Date
  /** After this instant the link no longer resolves; null: until revoked. */
  expiresAt: Date | null
}

export interface ShareStore {
  /** Rejects with `DocumentNotFound` when the document does not exist. */
  create(input: { id: string; docId: string; role: Role; expiresAt: Date | null }): Promise<ShareRecord>
  /** The share, or null when unknown (expiry is the caller's to check: it knows the time). */
  get(id: string): Promise<ShareRecord | null>
  /** A document's shares, oldest first. */
  list(docId: string): Promise<ShareRecord[]>
  /** Removes a share of this document; false when the document has no such share. */
  delete(docId: string, id: string): Promise<boolean>
}
