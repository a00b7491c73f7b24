/**
 * Full-text search over documents' titles and bodies, as a concern of its own beside the
 * `DocumentStore`: adapters (`../sqlite/search.ts`, `../postgres/search.ts`) share their store's
 * database and pass the contract suite in `contract.ts`. Words are folded and split in
 * JavaScript (`protocol/search.ts`) before they reach either database, so both match alike.
 */
import type { DocumentRecord } from '../types'

/** What is indexed of a document: its title and its body as plain text. */
export interface SearchEntry {
  id: string
  title: string
  body: string
}

export interface SearchQuery {
  /** Folded query words (`queryWords`), at least one; the last also matches as a prefix. */
  words: readonly string[]
  limit: number
  /** Opaque value from a previous page's `nextCursor` of the same search. */
  cursor?: string | undefined
}

export interface SearchHit extends DocumentRecord {
  /** The start of the indexed body ({@link SNIPPET_SCAN_CHARS} at most), to cut a snippet from. */
  body: string
}

export interface SearchPage {
  items: SearchHit[]
  nextCursor: string | null
}

/** Characters of a body read back with a hit: the first match is looked for this far. */
export const SNIPPET_SCAN_CHARS = 100_000

/**
 * Characters of a body that are indexed. A bound on index size (PostgreSQL's `tsvector` holds
 * at most 1 MB), far beyond documents people write by hand.
 */
export const MAX_INDEXED_BODY_CHARS = 250_000

export interface SearchIndex {
  /**
   * Writes a document's entry, replacing any older one. `readAt` is when the text was read from
   * the document: an entry read earlier never replaces a later one. False when the document no
   * longer exists (nothing is written).
   */
  upsert(entry: SearchEntry, readAt: number): Promise<boolean>
  remove(id: string): Promise<void>
  /**
   * Documents matching every word, ranked: those whose title has every word first, then by
   * relevance, then by id.
   *
   * @throws {InvalidCursor}
   */
  search(query: SearchQuery): Promise<SearchPage>
  /**
   * Ids after `afterId` (in id order) of documents with no entry, or one read before the
   * document last changed: what a start-up catch-up indexes.
   */
  stale(afterId: string, limit: number): Promise<string[]>
}
