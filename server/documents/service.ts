/**
 * What can happen to a document, in one place: the service keeps storage, the open rooms and
 * the other processes (fan-out) in step, so that routes only validate, authorize and shape
 * answers. A rename is stored and written into the live document; a deletion is stored, closes
 * this process's sockets and is told to the others; content goes in and out through the live
 * room, so REST and editors always agree. Restore, trash, import and versions belong here too.
 *
 * Callers check what a token allows (`http/`); the service throws typed errors
 * (`common/errors.ts`).
 */
import type { JSONContent } from '@tiptap/core'
import type { ContentFormat, InitialContent, Role, ShareDto, ShareLinkDto, SharedDocumentDto } from '../../protocol/api'
import { DEFAULT_TITLE } from '../../protocol/title'
import { signToken } from '../common/auth'
import { DocumentNotFound, InvalidRequest, QuotaExceeded, ShareNotFound } from '../common/errors'
import type { Fanout } from '../fanout/types'
import { isShareId, newDocumentId, newShareId } from '../model/ids'
import { newDocumentUpdate } from '../model/seed'
import { writeTitle } from '../model/title'
import type { ShareRecord, ShareStore } from '../storage/shares'
import type { DocumentPage, DocumentRecord, DocumentStore, ListQuery } from '../storage/types'
import type { RoomManager } from '../sync/roomManager'

/** What the service answers with, for its callers to name. */
export type { DocumentPage, DocumentRecord }

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

export class DocumentService {
  readonly #options: DocumentServiceOptions

  constructor(options: DocumentServiceOptions) {
    this.#options = options
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
    return this.#options.store.create({ id: newDocumentId(), title, initialUpdate })
  }

  /** @throws {DocumentNotFound} */
  async get(id: string): Promise<DocumentRecord> {
    const record = await this.#options.store.get(id)
    if (record === null) throw new DocumentNotFound(id)
    return record
  }

  /** @throws {InvalidCursor} */
  list(query: ListQuery): Promise<DocumentPage> {
    return this.#options.store.list(query)
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
    return record
  }

  /**
   * Removes the document; its sockets here and in every other process are closed with 4404.
   *
   * @throws {DocumentNotFound}
   */
  async delete(id: string): Promise<void> {
    if (!(await this.#options.store.delete(id))) throw new DocumentNotFound(id)
    await this.#options.rooms.documentDeleted(id)
    await this.#options.fanout.publishDeleted(id)
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
    if (revocable) {
      if (role !== 'view') throw new InvalidRequest('only view links can be revocable')
      const expiresAt = expiresInSeconds === undefined ? null : new Date(Date.now() + expiresInSeconds * 1000)
      const share = await this.#options.shares.create({ id: newShareId(), docId: id, role, expiresAt })
      const link = this.#linkDto(share)
      return { url: link.url, role, token: null, expiresAt: link.expiresAt, id: share.id }
    }
    await this.get(id)
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
