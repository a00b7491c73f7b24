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
import type { ExportFormat, InitialContent, Role, ShareDto, ShareLinkDto, SharedDocumentDto } from '../../protocol/api'
import { queryWords } from '../../protocol/search'
import { DEFAULT_TITLE } from '../../protocol/title'
import { signToken } from '../common/auth'
import { DocumentNotFound, InvalidRequest, QuotaExceeded, ShareNotFound } from '../common/errors'
import type { ImageSource } from '../content/docx'
import type { Fanout } from '../fanout/types'
import { isShareId, newDocumentId, newShareId } from '../model/ids'
import { newDocumentUpdate } from '../model/seed'
import { writeTitle } from '../model/title'
import type { ShareRecord, ShareStore } from '../storage/shares'
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
  /** Revocable view links (`/s/<shareId>`). */
  shares: ShareStore
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
  /**
   * Where a Word import's images go, and where a Word export finds them (the file store, once
   * there is one); without them imported images are dropped and exported ones become their alt text.
   */
  images?: DocumentImages | undefined
}

/**
 * Images of documents, as imports and exports need them. An imported file's images get their
 * URL before the document exists (its content links them), and are stored once it does.
 */
export interface DocumentImages {
  /** A URL for an image found in an imported file, and how to store it; null to drop it (not an image it takes). */
  prepare(bytes: Uint8Array, contentType: string): PreparedImage | null
  /** The bytes behind an image's `src`, for a Word export. */
  source: ImageSource
}

export interface PreparedImage {
  url: string
  /** Stores the image as a file of the new document. @throws {QuotaExceeded} */
  store(docId: string): Promise<void>
}

/** A file to import, as `POST /api/docs/import` received it. */
export interface ImportRequest {
  bytes: Uint8Array
  contentType: string | undefined
  filename: string | undefined
}

/** The `src` of every image node in ProseMirror JSON. */
export function imageSources(json: JSONContent): Set<string> {
  const sources = new Set<string>()
  const stack: JSONContent[] = [json]
  for (let node = stack.pop(); node !== undefined; node = stack.pop()) {
    if (node.type === 'image' && typeof node.attrs?.src === 'string') sources.add(node.attrs.src)
    stack.push(...(node.content ?? []))
  }
  return sources
}

/** How long a signed share token works when the caller does not say (docs/api.md). */
export const DEFAULT_SHARE_SECONDS = 7 * 24 * 3600

/** A share link can be asked for a document but answers without naming it. */
export interface ShareRequest {
  role: Role
  /** Seconds the link works; a token's default is a week, a revocable link's is until revoked. */
  expiresInSeconds?: number | undefined
  /** A revocable link by share id instead of a signed token (always so for view links on an open server). */
  revocable?: boolean | undefined
}

/** Tiptap and its DOM are loaded with the first content conversion, not at start-up. */
const converters = () => import('../content/convert')
/** mammoth and docx, with the first import or Word export. */
const importer = () => import('../content/import')
const docx = () => import('../content/docx')

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

  /**
   * A new document from a file: Markdown, HTML, plain text or Word. Its title is the file's
   * first heading, else the file name without its extension. Counts against the quota as
   * {@link create} does.
   *
   * @throws {UnsupportedMediaType} a type that cannot be imported
   * @throws {InvalidContent} a broken file
   * @throws {QuotaExceeded}
   */
  async import(file: ImportRequest): Promise<DocumentRecord> {
    const { images } = this.#options
    const prepared: PreparedImage[] = []
    const { title, content } = await (await importer()).convertImport({
      ...file,
      storeImage:
        images === undefined
          ? null
          : async (bytes, contentType) => {
              const image = images.prepare(bytes, contentType)
              if (image !== null) prepared.push(image)
              return image?.url ?? null
            },
    })
    const record = await this.create({ title, content: { format: 'json', body: content } })
    // Only the images the content kept (the schema may have no place for one) become files.
    const linked = imageSources(content)
    try {
      for (const image of prepared) if (linked.has(image.url)) await image.store(record.id)
    } catch (error) {
      // Nothing half-imported stays behind: the document goes, and its files with it.
      await this.trash(record.id)
        .then(() => this.purge(record.id))
        .catch(() => {})
      throw error
    }
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
  async exportContent(id: string, format: ExportFormat): Promise<string | JSONContent | Uint8Array> {
    const state = await this.#options.rooms.withRoom(id, (room) => room.encodeState())
    if (state === null) throw new DocumentNotFound(id)
    if (format !== 'docx') return (await converters()).exportContent(state, format)
    // Word: from the same JSON the JSON export answers (links already under the policy).
    const [json, record] = await Promise.all([(await converters()).exportContent(state, 'json'), this.get(id)])
    return (await docx()).jsonToDocx(json as JSONContent, {
      title: record.title,
      images: this.#options.images?.source ?? null,
    })
  }

  /**
   * A link to the document. A view link is opaque (`/s/<shareId>`, stored, revocable) on an open
   * server, where the document's id is the key to edit it, and with a secret when asked for
   * (`revocable`); otherwise, with a secret, it carries a token for `role` that expires, and on
   * an open server an edit link is the document's own address.
   *
   * @throws {DocumentNotFound}
   * @throws {InvalidRequest} a revocable link for more than viewing
   */
  async share(id: string, request: ShareRequest): Promise<ShareDto> {
    const { authSecret, publicUrl } = this.#options
    const { role, expiresInSeconds } = request
    const revocable = request.revocable === true || (authSecret === null && role === 'view')
    // A document in the trash (or gone) gets no new link.
    await this.get(id)
    if (revocable) {
      if (role !== 'view') throw new InvalidRequest('only view links can be revocable')
      const expiresAt = expiresInSeconds === undefined ? null : new Date(Date.now() + expiresInSeconds * 1000)
      const share = await this.#options.shares.create({ id: newShareId(), docId: id, role, expiresAt })
      const link = this.#linkDto(share)
      return { url: link.url, role, token: null, expiresAt: link.expiresAt, id: share.id }
    }
    const url = new URL(`/d/${id}`, publicUrl)
    if (authSecret === null) return { url: url.toString(), role, token: null, expiresAt: null, id: null }
    const seconds = expiresInSeconds ?? DEFAULT_SHARE_SECONDS
    const token = await signToken({ doc: id, role, expiresInSeconds: seconds }, authSecret)
    url.searchParams.set('token', token)
    const expiresAt = new Date(Date.now() + seconds * 1000).toISOString()
    return { url: url.toString(), role, token, expiresAt, id: null }
  }

  /**
   * The document's revocable links, oldest first (expired ones included until revoked).
   *
   * @throws {DocumentNotFound}
   */
  async listShares(id: string): Promise<ShareLinkDto[]> {
    await this.get(id)
    return (await this.#options.shares.list(id)).map((share) => this.#linkDto(share))
  }

  /**
   * Revokes a link: it stops resolving, and the sockets opened through it, in this process and
   * every other, are closed with 4410.
   *
   * @throws {DocumentNotFound}
   * @throws {ShareNotFound} the document has no such link
   */
  async revokeShare(id: string, shareId: string): Promise<void> {
    await this.get(id)
    if (!isShareId(shareId) || !(await this.#options.shares.delete(id, shareId))) throw new ShareNotFound()
    this.#options.rooms.shareRevoked(id, shareId)
    await this.#options.fanout.publishShareRevoked(id, shareId)
  }

  /**
   * The document a share link opens, for the server's own use (the socket's admission); null
   * when the link is unknown, revoked or expired.
   */
  async resolveShare(shareId: string, now = Date.now()): Promise<ShareRecord | null> {
    if (!isShareId(shareId)) return null
    const share = await this.#options.shares.get(shareId)
    if (share === null || (share.expiresAt !== null && share.expiresAt.getTime() <= now)) return null
    // A document in the trash is not found through its links either (they work again if it is restored).
    if ((await this.#options.store.get(share.docId)) === null) return null
    return share
  }

  /**
   * What a share link's page is told: the title and what it may do, never the document's id.
   *
   * @throws {ShareNotFound}
   */
  async sharedDocument(shareId: string): Promise<SharedDocumentDto> {
    const share = await this.resolveShare(shareId)
    const record = share === null ? null : await this.#options.store.get(share.docId)
    if (share === null || record === null) throw new ShareNotFound()
    return { title: record.title, role: share.role, expiresAt: share.expiresAt?.toISOString() ?? null }
  }

  #linkDto(share: ShareRecord): ShareLinkDto {
    return {
      id: share.id,
      role: share.role,
      createdAt: share.createdAt.toISOString(),
      expiresAt: share.expiresAt?.toISOString() ?? null,
      url: new URL(`/s/${share.id}`, this.#options.publicUrl).toString(),
    }
  }
}
