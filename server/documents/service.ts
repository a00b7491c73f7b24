/**
 * What can happen to a document, in one place: the service keeps storage, the open rooms and
 * the other processes (fan-out) in step, so that routes only validate, authorize and shape
 * answers. A rename is stored and written into the live document; a deletion is stored, closes
 * this process's sockets and is told to the others; content goes in and out through the live
 * room, so REST and editors always agree. Deleting moves a document to the trash, from which it
 * is restored whole or purged (by hand, or by the retention sweep). Import and versions belong
 * here too.
 *
 * Callers check what a token allows (`http/`); the service throws typed errors
 * (`common/errors.ts`).
 */
import type { JSONContent } from '@tiptap/core'
import type { ContentFormat, InitialContent, Role, ShareDto } from '../../protocol/api'
import { queryWords } from '../../protocol/search'
import { DEFAULT_TITLE } from '../../protocol/title'
import { signToken } from '../common/auth'
import { DocumentNotFound, QuotaExceeded } from '../common/errors'
import type { Fanout } from '../fanout/types'
import { newDocumentId } from '../model/ids'
import { newDocumentUpdate } from '../model/seed'
import { writeTitle } from '../model/title'
import type {
  DocumentPage,
  DocumentRecord,
  DocumentStore,
  ListQuery,
  TrashPage,
  TrashQuery,
  TrashedDocumentRecord,
} from '../storage/types'
import type { RoomManager } from '../sync/roomManager'
import type { DocumentSearch, SearchResult } from './search'

/** What the service answers with, for its callers to name. */
export type { DocumentPage, DocumentRecord, TrashPage, TrashedDocumentRecord }

const DAY_MS = 24 * 3600 * 1000

/** A page of the list; with a search, each item has its snippet. */
export interface ListPage {
  items: Array<DocumentRecord | SearchResult>
  nextCursor: string | null
}

export interface DocumentServiceOptions {
  store: DocumentStore
  rooms: RoomManager
  fanout: Fanout
  /** The document size quota; initial content beyond it is refused. */
  maxDocumentBytes: number
  /** Base of share links. */
  publicUrl: string
  /** Signs share tokens; null on an open server, whose links carry no token. */
  authSecret: string | null
  /** Days a document stays in the trash before {@link DocumentService.purgeExpired} purges it. */
  trashRetentionDays: number
  /** Milliseconds since the epoch; tests pass a fake clock. */
  now?: () => number
  /** Full-text search; without it, `q` filters titles only. */
  search?: DocumentSearch | undefined
}

/** Tiptap and its DOM are loaded with the first content conversion, not at start-up. */
const converters = () => import('../content/convert')

export class DocumentService {
  readonly #options: DocumentServiceOptions
  readonly #now: () => number

  constructor(options: DocumentServiceOptions) {
    this.#options = options
    this.#now = options.now ?? Date.now
  }

  /**
   * @throws {InvalidContent} content the schema cannot represent
   * @throws {QuotaExceeded} content over the document size quota
   */
  async create(input: { title?: string | undefined; content?: InitialContent | undefined }): Promise<DocumentRecord> {
    const title = input.title ?? DEFAULT_TITLE
    const body = input.content === undefined ? undefined : await (await converters()).contentToDoc(input.content)
    const initialUpdate = newDocumentUpdate(title, body)
    if (initialUpdate.length > this.#options.maxDocumentBytes) throw new QuotaExceeded(this.#options.maxDocumentBytes)
    const record = await this.#options.store.create({ id: newDocumentId(), title, initialUpdate })
    await this.#options.search?.refresh(record.id)
    return record
  }

  /** @throws {DocumentNotFound} */
  async get(id: string): Promise<DocumentRecord> {
    const record = await this.#options.store.get(id)
    if (record === null) throw new DocumentNotFound(id)
    return record
  }

  /**
   * Most recently updated first; with a `q` that has words (letters or digits), the documents
   * whose title and body hold every word, ranked, each with a snippet. A `q` without words
   * filters nothing.
   *
   * @throws {InvalidCursor}
   */
  list(query: ListQuery): Promise<ListPage> {
    const { search, store } = this.#options
    if (search === undefined) return store.list(query)
    const words = queryWords(query.q ?? '')
    if (words.length === 0) return store.list({ limit: query.limit, cursor: query.cursor })
    return search.search(words, query.limit, query.cursor)
  }

  /**
   * Stores the new title, then writes it into the document, where every open editor sees it
   * (an ordinary update: stored, broadcast and published to the other processes).
   *
   * @throws {DocumentNotFound}
   */
  async rename(id: string, title: string): Promise<DocumentRecord> {
    const record = await this.#options.store.rename(id, title)
    if (record === null) throw new DocumentNotFound(id)
    await this.#options.rooms.withRoom(id, (room) => room.writeAsServer((doc) => writeTitle(doc, title)))
    await this.#options.search?.refresh(id)
    return record
  }

  /**
   * Moves the document to the trash: from then on it is deleted for everyone (not found, not
   * listed, its sockets here and in every other process closed with 4404, its room unloaded),
   * but kept whole, content, history and files, until restored or purged. What this process's
   * room accepted is stored first, so that a restore brings back everything editors saw.
   *
   * @throws {DocumentNotFound} no such document, or already in the trash
   */
  async trash(id: string): Promise<void> {
    await this.#options.rooms
      .loaded(id)
      ?.flushed()
      .catch(() => undefined)
    if (!(await this.#options.store.trash(id, new Date(this.#now())))) throw new DocumentNotFound(id)
    await this.#options.search?.removed(id)
    await this.#options.rooms.documentDeleted(id)
    await this.#options.fanout.publishDeleted(id)
  }

  /** The trash, most recently deleted first. @throws {InvalidCursor} */
  listTrash(query: TrashQuery): Promise<TrashPage> {
    return this.#options.store.listTrash(query)
  }

  /**
   * Takes a document out of the trash as it was: its content, history and files were never
   * touched. Editors that had it open find it again on their next check (nothing is loaded
   * until someone opens it).
   *
   * @throws {DocumentNotFound} not in the trash
   */
  async restoreFromTrash(id: string): Promise<DocumentRecord> {
    const record = await this.#options.store.restore(id)
    if (record === null) throw new DocumentNotFound(id)
    await this.#options.search?.refresh(id)
    return record
  }

  /**
   * Deletes a document in the trash for good, with everything stored for it.
   *
   * @throws {DocumentNotFound} not in the trash
   */
  async purge(id: string): Promise<void> {
    if (!(await this.#options.store.purge(id))) throw new DocumentNotFound(id)
  }

  /** Purges what has been in the trash longer than the retention; the number purged. */
  purgeExpired(): Promise<number> {
    const cutoff = this.#now() - this.#options.trashRetentionDays * DAY_MS
    return this.#options.store.purgeOlderThan(new Date(cutoff))
  }

  /**
   * The document as the live room holds it, in a REST format.
   *
   * @throws {DocumentNotFound}
   * @throws {ContentUnrenderable} a document nested too deeply to render
   */
  async exportContent(id: string, format: ContentFormat): Promise<string | JSONContent> {
    const state = await this.#options.rooms.withRoom(id, (room) => room.encodeState())
    if (state === null) throw new DocumentNotFound(id)
    return (await converters()).exportContent(state, format)
  }

  /**
   * A link to the document. With a secret it carries a token for `role` that expires; on an
   * open server a view link only asks the web app to open the document read-only.
   *
   * @throws {DocumentNotFound}
   */
  async share(id: string, role: Role, expiresInSeconds: number): Promise<ShareDto> {
    await this.get(id)
    const { authSecret, publicUrl } = this.#options
    const url = new URL(`/d/${id}`, publicUrl)
    if (authSecret === null) {
      if (role === 'view') url.searchParams.set('role', 'view')
      return { url: url.toString(), role, token: null, expiresAt: null }
    }
    const token = await signToken({ doc: id, role, expiresInSeconds }, authSecret)
    url.searchParams.set('token', token)
    const expiresAt = new Date(Date.now() + expiresInSeconds * 1000).toISOString()
    return { url: url.toString(), role, token, expiresAt }
  }
}
