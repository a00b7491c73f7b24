/**
 * Opens each document's {@link Room} once, however many clients ask for it at the same moment,
 * and unloads it a grace period after the last user left, once its state is safely stored.
 */
import * as Y from 'yjs'
import type { Logger } from 'pino'
import { CloseCode } from '../../protocol/closeCodes'
import { Room, type RoomOptions, type RoomSocket } from './room'
import type { Fanout, FanoutSubscription } from '../fanout/types'
import { isDocumentId } from '../model/ids'
import { readTitle, writeTitle } from '../model/title'
import { ServerBusy } from '../common/errors'
import type { DocumentStore } from '../storage/types'
import type { Author } from '../../protocol/api'

/**
 * Told of every change a room stores, with who made it (the version recorder). What `changed`
 * returns, when not null, is waited for before the append counts as stored: who changed a
 * document is then as durable as the change.
 */
export interface ChangeObserver {
  changed(docId: string, author: Author | null): Promise<void> | null
}

export interface RoomManagerOptions {
  store: DocumentStore
  /** Optional: versions are off without one. */
  changes?: ChangeObserver | undefined
  fanout: Fanout
  room: RoomOptions
  /** How long an empty room stays loaded, so that a reload or a quick reconnect is instant. */
  unloadGraceMs: number
  /**
   * Memory the open documents may take, estimated from their stored size (0: no budget). Opening
   * one beyond it first unloads the documents nobody uses, least recently used first, then
   * refuses ({@link ServerBusy}).
   */
  maxMemoryBytes: number
  log: Logger
  /** Told of every update stored through a room (search follows content this way); must not throw. */
  onStored?: ((docId: string) => void) | undefined
}

interface OpenRoom {
  room: Room
  subscription: FanoutSubscription
  /** REST requests using the room right now; it is not unloaded while they run. */
  holds: number
  unloadTimer: NodeJS.Timeout | null
  /** When it last had no socket and no request (for the memory budget's least-recently-used order). */
  idleSince: number
}

/**
 * A loaded document's memory as a multiple of its stored size: its Y.Doc, the state kept for
 * joiners and the room's bookkeeping (measured in docs/benchmarks.md, "Big documents, memory").
 */
export const ROOM_MEMORY_FACTOR = 12
/** What a room costs whatever its size: sockets' maps, awareness, timers. */
const ROOM_MEMORY_BASE = 64 * 1024
/** Revoked share links remembered for sockets still joining (a bound, not a setting). */
const REMEMBERED_REVOCATIONS = 1024

export class RoomManager {
  readonly #options: RoomManagerOptions
  readonly #open = new Map<string, OpenRoom>()
  readonly #loading = new Map<string, Promise<OpenRoom | null>>()
  /**
   * Share links revoked lately, newest last: a socket admitted through one just before the
   * revocation, but joining just after, is closed rather than let in. Bounded: the window
   * between admission and joining is short.
   */
  readonly #revoked = new Set<string>()
  #closing = false

  constructor(options: RoomManagerOptions) {
    this.#options = options
  }

  get roomCount(): number {
    return this.#open.size
  }

  /** Estimated memory of the open documents, for the budget (`MAX_MEMORY_BYTES`). */
  get estimatedMemoryBytes(): number {
    let bytes = 0
    for (const { room } of this.#open.values()) bytes += roomMemory(room.byteSize)
    return bytes
  }

  get socketCount(): number {
    let count = 0
    for (const { room } of this.#open.values()) count += room.socketCount
    return count
  }

  /** Joins a socket to its document; null when the document does not exist. */
  async join(docId: string, socket: RoomSocket): Promise<Room | null> {
    const open = await this.#get(docId)
    if (open === null) return null
    if (socket.shareId != null && this.#revoked.has(socket.shareId)) {
      socket.close(CloseCode.shareRevoked, 'share link revoked')
      return null
    }
    this.#cancelUnload(open)
    open.room.join(socket)
    return open.room
  }

  /**
   * Runs `use` with the document's room loaded and kept loaded meanwhile; null when the document
   * does not exist.
   */
  async withRoom<T>(docId: string, use: (room: Room) => T | Promise<T>): Promise<T | null> {
    const open = await this.#get(docId)
    if (open === null) return null
    open.holds++
    this.#cancelUnload(open)
    try {
      return await use(open.room)
    } finally {
      open.holds--
      this.#scheduleUnloadIfUnused(open)
    }
  }

  /** The room if the document is loaded in this process. */
  loaded(docId: string): Room | null {
    return this.#open.get(docId)?.room ?? null
  }

  /** Closes every socket on a deleted document and forgets it. */
  async documentDeleted(docId: string): Promise<void> {
    const open = this.#open.get(docId) ?? (await this.#loading.get(docId)) ?? null
    if (open === null) return
    open.room.closeAll(CloseCode.notFound, 'document deleted')
    await this.#remove(docId, open)
  }

  /** Closes this process's sockets on a share link that was revoked (other processes hear it by fan-out). */
  shareRevoked(docId: string, shareId: string): void {
    this.#rememberRevoked(shareId)
    const open = this.#open.get(docId)
    if (open !== undefined) this.#closeShare(open.room, shareId)
  }

  #closeShare(room: Room, shareId: string): void {
    this.#rememberRevoked(shareId)
    room.closeShare(shareId, CloseCode.shareRevoked, 'share link revoked')
  }

  #rememberRevoked(shareId: string): void {
    this.#revoked.delete(shareId)
    this.#revoked.add(shareId)
    if (this.#revoked.size > REMEMBERED_REVOCATIONS) this.#revoked.delete(this.#revoked.values().next().value as string)
  }

  /** For shutdown: waits until every room's state is stored, then closes every socket. */
  async closeAll(code: number, reason: string): Promise<void> {
    this.#closing = true
    await Promise.allSettled([...this.#loading.values()])
    await Promise.all(
      [...this.#open].map(async ([docId, open]) => {
        await open.room.flushed().catch(() => undefined)
        open.room.closeAll(code, reason)
        await this.#remove(docId, open)
      }),
    )
  }

  /** Ids are minted by the server: anything else is a document that cannot exist, and is not looked up. */
  #get(docId: string): Promise<OpenRoom | null> {
    if (!isDocumentId(docId)) return Promise.resolve(null)
    const open = this.#open.get(docId)
    if (open !== undefined) return Promise.resolve(open)
    if (this.#closing) return Promise.resolve(null)
    let loading = this.#loading.get(docId)
    if (loading === undefined) {
      loading = this.#load(docId).finally(() => this.#loading.delete(docId))
      this.#loading.set(docId, loading)
    }
    return loading
  }

  /**
   * Subscribes to other processes before reading storage, buffering what they send meanwhile:
   * anything published before the subscription was stored before the read.
   */
  async #load(docId: string): Promise<OpenRoom | null> {
    const { store, fanout, room: roomOptions, log } = this.#options
    const early: Array<(room: Room) => void> = []
    let target: OpenRoom | null = null
    const deliver = (act: (room: Room) => void): void => {
      if (target === null) early.push(act)
      else act(target.room)
    }
    const subscription = await fanout.subscribe(docId, {
      update: (update) => deliver((room) => room.receiveRemoteUpdate(update)),
      awareness: (update, source) => deliver((room) => room.receiveRemoteAwareness(update, source)),
      deleted: () => void this.documentDeleted(docId),
      resync: () => deliver((room) => void this.#resync(docId, room)),
      presenceRequested: () => deliver((room) => room.publishPresence()),
      shareRevoked: (shareId) => deliver((room) => this.#closeShare(room, shareId)),
    })
    subscription.requestPresence()
    let stored, record
    try {
      ;[stored, record] = await Promise.all([store.load(docId), store.get(docId)])
    } catch (error) {
      await subscription.unsubscribe()
      throw error
    }
    if (stored === null || record === null) {
      await subscription.unsubscribe()
      return null
    }
    try {
      await this.#makeRoomFor(roomMemory(stored.byteSize))
    } catch (error) {
      await subscription.unsubscribe()
      throw error
    }
    const doc = new Y.Doc()
    doc.transact(() => {
      for (const update of stored.updates) Y.applyUpdate(doc, update)
    })
    while (doc.store.clients.has(doc.clientID)) doc.clientID = Math.floor(Math.random() * 0xffff_ffff)
    const room = new Room({
      docId,
      doc,
      byteSize: stored.byteSize,
      storage: { append: this.#appender(docId) },
      fanout: subscription,
      options: roomOptions,
      onEmpty: () => this.#scheduleUnloadIfUnused(open),
      onFailed: () => void this.#remove(docId, open),
    })
    const open: OpenRoom = { room, subscription, holds: 0, unloadTimer: null, idleSince: Date.now() }
    this.#open.set(docId, open)
    target = open
    for (const act of early) act(room)
    // The store's title is the truth: a rename whose write into the document was lost (a crash in
    // between) reaches the document here.
    if (readTitle(doc) !== record.title) {
      await room
        .writeAsServer((d) => writeTitle(d, record.title))
        .catch((error: unknown) => {
          log.warn({ docId, err: error }, 'could not store the title in the document')
        })
    }
    this.#scheduleUnloadIfUnused(open)
    return open
  }

  /**
   * A room's appends: stored, and the change reported to the observer. Resolved in call order
   * (the room broadcasts in that order) even when one waits for the observer and the next not.
   */
  #appender(docId: string): (update: Uint8Array, author: Author | null) => Promise<void> {
    const { store, changes, onStored } = this.#options
    const append = (update: Uint8Array): Promise<void> => {
      const stored = store.appendUpdate(docId, update)
      return onStored === undefined ? stored : stored.then(() => onStored(docId))
    }
    if (changes === undefined) return append
    let previous: Promise<unknown> = Promise.resolve()
    return (update, author) => {
      const stored = append(update)
      const noted = changes.changed(docId, author)
      const done = noted === null ? stored : Promise.all([stored, noted]).then(() => undefined)
      const ordered = previous.then(() => done)
      previous = ordered.catch(() => undefined)
      return ordered
    }
  }

  async #resync(docId: string, room: Room): Promise<void> {
    const stored = await this.#options.store.load(docId)
    if (stored === null) await this.documentDeleted(docId)
    else room.absorbStored(stored.updates)
  }

  /** Unloads idle documents, least recently used first, until `bytes` more fit in the budget. */
  async #makeRoomFor(bytes: number): Promise<void> {
    const budget = this.#options.maxMemoryBytes
    if (budget <= 0) return
    let used = this.estimatedMemoryBytes
    if (used + bytes <= budget) return
    const idle = [...this.#open]
      .filter(([, open]) => open.room.socketCount === 0 && open.holds === 0)
      .sort(([, a], [, b]) => a.idleSince - b.idleSince)
    for (const [docId, open] of idle) {
      if (used + bytes <= budget) break
      used -= roomMemory(open.room.byteSize)
      await open.room.flushed().catch(() => undefined)
      if (open.room.socketCount > 0 || open.holds > 0) continue
      this.#options.log.info({ docId }, 'unloaded an idle document for the memory budget')
      await this.#remove(docId, open)
    }
    if (this.estimatedMemoryBytes + bytes > budget) throw new ServerBusy()
  }

  #cancelUnload(open: OpenRoom): void {
    if (open.unloadTimer !== null) clearTimeout(open.unloadTimer)
    open.unloadTimer = null
  }

  #scheduleUnloadIfUnused(open: OpenRoom): void {
    if (open.room.socketCount > 0 || open.holds > 0 || open.unloadTimer !== null) return
    open.idleSince = Date.now()
    open.unloadTimer = setTimeout(() => {
      open.unloadTimer = null
      void this.#unloadIfStillUnused(open)
    }, this.#options.unloadGraceMs)
    open.unloadTimer.unref()
  }

  /** The room stays findable until its last update is stored, so a new load cannot miss it. */
  async #unloadIfStillUnused(open: OpenRoom): Promise<void> {
    await open.room.flushed().catch(() => undefined)
    if (open.room.socketCount > 0 || open.holds > 0 || open.unloadTimer !== null) return
    await this.#remove(open.room.docId, open)
  }

  async #remove(docId: string, open: OpenRoom): Promise<void> {
    this.#cancelUnload(open)
    if (this.#open.get(docId) !== open) return
    this.#open.delete(docId)
    await open.subscription.unsubscribe().catch(() => undefined)
    open.room.doc.destroy()
  }
}

function roomMemory(storedBytes: number): number {
  return storedBytes * ROOM_MEMORY_FACTOR + ROOM_MEMORY_BASE
}
