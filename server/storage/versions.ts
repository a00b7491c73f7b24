/**
 * Versions of a document: full encoded states recorded now and then, each loading on its own
 * whatever happened to the log since. Adapters (`sqlite/versions.ts`, `postgres/versions.ts`)
 * share their database handle with the document store of the same database and must pass the
 * contract suite in `versionContract.ts`. What is recorded when, and what retention keeps, is
 * decided above (`documents/versions.ts`); the store only keeps the rows and two promises made
 * in the database: one automatic version per state, and a version's authors taken off the
 * pending list in the transaction that records it.
 */
import { InvalidCursor } from '../common/errors'

export const VERSION_KINDS = ['auto', 'named', 'restore', 'import'] as const
export type VersionKind = (typeof VERSION_KINDS)[number]

/** Who changed a document: from the token (`sub` set) or self-declared (`sub` null). */
export interface VersionAuthor {
  sub: string | null
  name: string | null
}

export interface VersionRecord {
  id: string
  docId: string
  createdAt: Date
  kind: VersionKind
  name: string | null
  authors: VersionAuthor[]
  /** Bytes of the stored state. */
  byteSize: number
}

export interface NewVersion {
  id: string
  docId: string
  kind: VersionKind
  name: string | null
  createdAt: Date
  /** The whole document as one Yjs update. */
  state: Uint8Array
  /** Identifies the state (state vector and delete set): equal states, equal keys. */
  stateKey: string
}

export interface VersionPage {
  items: VersionRecord[]
  nextCursor: string | null
}

/** What retention decides on. */
export interface VersionMoment {
  id: string
  kind: VersionKind
  createdAt: Date
}

export interface VersionStore {
  /**
   * Records a version. Its authors are everyone noted for the document up to `createdAt`, taken
   * off the pending list in the same transaction. An `auto` version of a state the document
   * already has an automatic version of is not recorded (null): however many processes try,
   * the database keeps one. Null too when the document is gone.
   */
  record(version: NewVersion): Promise<VersionRecord | null>
  /**
   * Records `version` and appends `update` to the document's log in one transaction: both
   * happen or neither (a restore and the version of the state before it). Null when the
   * document is gone.
   */
  recordWithUpdate(version: NewVersion, update: Uint8Array): Promise<VersionRecord | null>
  /** Newest first. @throws {InvalidCursor} */
  list(docId: string, query: { limit: number; cursor?: string | undefined }): Promise<VersionPage>
  get(docId: string, versionId: string): Promise<VersionRecord | null>
  /** The version's state (a Yjs update that loads on its own). */
  state(docId: string, versionId: string): Promise<Uint8Array | null>
  /** The newest version's state key, or null without versions. */
  latestStateKey(docId: string): Promise<string | null>
  /**
   * The authors noted up to `at` join the newest version when its state is `stateKey` (their
   * changes are in it), taken off the pending list in the same transaction: a process that finds
   * its moment already recorded by another still names its authors there. Null (nothing taken)
   * when the newest version has another state or there is none.
   */
  attachAuthors(docId: string, stateKey: string, at: Date): Promise<VersionRecord | null>
  /** Removes one version; false when there was none. */
  delete(docId: string, versionId: string): Promise<boolean>
  /**
   * Notes that `author` changed the document at `at` (kept until a version takes it). Noting
   * the same author again only moves the time.
   */
  noteAuthor(docId: string, author: VersionAuthor, at: Date): Promise<void>
  /** Every version, oldest first. */
  timeline(docId: string): Promise<VersionMoment[]>
  /**
   * Removes versions (retention); the authors of each go to the next newer version kept, so a
   * version still lists everyone since the version before it.
   */
  remove(docId: string, versionIds: readonly string[]): Promise<void>
  /**
   * Documents with authors pending since before `before`, at most `limit`: changed and without a
   * version since (a process that would have recorded it stopped).
   */
  documentsWithAuthorsBefore(before: Date, limit: number): Promise<string[]>
  /** Documents with versions other than named ones created before `before`, at most `limit`. */
  documentsWithVersionsBefore(before: Date, limit: number): Promise<string[]>
}

/** The key under which an author is pending: the subject when there is one, else the name. */
export function authorKey(author: VersionAuthor): string {
  return author.sub !== null ? `s:${author.sub}` : `n:${author.name ?? ''}`
}

/** Authors once each, in the order first met. */
export function uniqueAuthors(authors: Iterable<VersionAuthor>): VersionAuthor[] {
  const seen = new Map<string, VersionAuthor>()
  for (const author of authors) if (!seen.has(authorKey(author))) seen.set(authorKey(author), author)
  return [...seen.values()]
}

/**
 * For a removal: the new author lists of the versions kept, each taking the authors of the
 * removed versions just before it. `rows` are every version of the document, oldest first.
 */
export function authorsAfterRemoval(
  rows: readonly { id: string; authors: VersionAuthor[] }[],
  removed: ReadonlySet<string>,
): Map<string, VersionAuthor[]> {
  const changed = new Map<string, VersionAuthor[]>()
  let carried: VersionAuthor[] = []
  for (const row of rows) {
    if (removed.has(row.id)) {
      carried = carried.concat(row.authors)
      continue
    }
    if (carried.length > 0) {
      changed.set(row.id, uniqueAuthors([...carried, ...row.authors]))
      carried = []
    }
  }
  return changed
}

/** Cursor of the version list: the position (`seq`) of the last version of a page. */
export function encodeVersionCursor(seq: number): string {
  return Buffer.from(`v:${seq}`, 'utf8').toString('base64url')
}

/** @throws {InvalidCursor} */
export function decodeVersionCursor(cursor: string): number {
  const match = /^v:(\d{1,15})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'))
  if (match === null) throw new InvalidCursor()
  return Number(match[1])
}

export function parseAuthors(json: string): VersionAuthor[] {
  const parsed = JSON.parse(json) as VersionAuthor[]
  return parsed.map((author) => ({ sub: author.sub ?? null, name: author.name ?? null }))
}
