/**
 * One open document: its Y.Doc, its presence states and the sockets editing it.
 *
 * The room knows only small interfaces ({@link RoomSocket}, {@link RoomStorage},
 * {@link RoomFanout}), never `ws`, Hono or a database, so it can be tested with fakes.
 *
 * Rules of the room (cited by the tests as R1…R8):
 * - R1 Every incoming update is parsed and checked against the live document before Yjs sees
 *      it; a malformed or schema-violating update closes its sender and changes nothing.
 * - R2 An accepted update is applied, then stored; it is broadcast (to local sockets and other
 *      processes) only once stored, in the order received.
 * - R3 A joiner is sent only state that is already stored. State above {@link JOIN_PIECE_BYTES}
 *      goes in pieces (updates, then a last sync step 2), paced by the socket, so that joining a
 *      big document needs neither one huge frame nor a buffer limit meant for slow readers. The
 *      whole state is cut once per document version; a big document changed since by a few
 *      updates is sent as the pieces cut before and the stored updates since, not cut again.
 * - R4 Updates whose dependencies are missing are held per socket (capped) and applied once the
 *      dependencies arrive; they are dropped when the sender leaves. An update deleting clocks
 *      the document has not received (and does not carry itself) is never held: it would delete
 *      whatever that client writes next. Its sender is told to reconnect (1013) and resync.
 * - R5 New content under a client id introduced by another live socket is held while that
 *      socket is probed: if it is dead it is reaped and the content applied, if alive the
 *      relayed copy is dropped (the owner delivers its own).
 * - R6 A socket that may not write has content-bearing updates refused (close 4403); updates
 *      that change nothing are ignored so stock clients' sync replies do not trip it.
 * - R7 A socket speaks only for the awareness states it owns; its states are removed the
 *      moment it leaves, and the removal goes out with the next presence batch.
 * - R9 Presence is sent in batches, at most one per `presenceTickMs` (in rooms of
 *      `presenceFullTickSockets` sockets or more; proportionally less in smaller rooms, where a
 *      batch costs less): one message carrying the newest state of every client that changed
 *      since the last batch, encoded once for every recipient (and once for the other processes);
 *      a change after a quiet spell goes at once. A batch made by one socket alone is not sent
 *      back to it. Document updates never wait for a batch.
 * - R8 If storage fails, every socket is closed with a retryable code and the room is
 *      discarded: clients still hold their edits and resend them on reconnect. An exception
 *      while handling a message closes its sender with 1011, or fails the room when the
 *      document changed meanwhile; it never reaches the socket layer.
 */
import * as Y from 'yjs'
import type { Logger } from 'pino'
import { AwarenessError, type AwarenessLimits, RoomAwareness } from './awareness'
import { CloseCode } from '../../protocol/closeCodes'
import { decodeClientMessage, encodeAwareness, encodeSyncStep1, encodeSyncStep2, encodeUpdate } from './wire'
import { type SchemaRules, UpdateChecker } from '../model/updateCheck'
import { MalformedUpdateError, type ParsedUpdate, parseUpdate, sliceUpdate, splitUpdate } from '../model/updateFormat'
import { DocumentNotFound } from '../common/errors'
import type { SyncMetrics } from '../common/metrics'
import type { Author } from '../../protocol/api'

export interface RoomSocket {
  /** For logs. */
  readonly id: string
  /** False for view-only tokens. */
  readonly canWrite: boolean
  /** Who writes through this socket, as admitted (token, or the declared name); for versions. */
  readonly author?: Author | undefined
  /** The share link the socket came through (`/ws/s/:shareId`), if any; revoking it closes the socket. */
  readonly shareId?: string | null
  send(frame: Uint8Array): void
  /**
   * Sends frames in order, each once the one before has left for the network: a big document's
   * state goes out in pieces that never sit whole in the socket's buffer, and that are not taken
   * for a slow reader's backlog. Frames sent with `send` meanwhile may go between the pieces.
   */
  sendPaced(frames: readonly Uint8Array[]): void
  close(code: number, reason: string): void
  /** Drops the connection without a closing handshake, for peers that stopped answering. */
  terminate(): void
  /** Resolves true when the peer answers a ping within `timeoutMs`. */
  probe(timeoutMs: number): Promise<boolean>
}

/** The document's slice of a {@link DocumentStore}. */
export interface RoomStorage {
  /** `author`: who sent it (the socket's), null for the server's own writes without one. */
  append(update: Uint8Array, author: Author | null): Promise<void>
}

export interface ServerWriteOptions {
  /** Recorded as who made the change (a REST caller); none by default. */
  author?: Author | null
  /**
   * Stores the change instead of the room's storage (e.g. in one transaction with something
   * else). Everything the change depends on must be stored already (see {@link Room.settled}).
   */
  store?: (update: Uint8Array) => Promise<void>
}

/** How a room tells other server processes about what it accepted. */
export interface RoomFanout {
  publishUpdate(update: Uint8Array): void
  publishAwareness(update: Uint8Array): void
}

export interface RoomOptions {
  rules: SchemaRules
  awareness: AwarenessLimits
  /** Bytes of held-aside updates one socket may accumulate before it is told to reconnect. */
  maxPendingBytes: number
  /** How long an owner of a client id has to answer before it is presumed dead. */
  ownerProbeTimeoutMs: number
  /** Document size quota in bytes. */
  maxDocumentBytes: number
  /** R9: how long presence changes are gathered before they are sent; 0 sends each at once. */
  presenceTickMs: number
  /**
   * R9: rooms with this many sockets wait the whole tick between batches, smaller ones
   * proportionally less (default {@link PRESENCE_FULL_TICK_SOCKETS}).
   */
  presenceFullTickSockets?: number
  log: Logger
  metrics: SyncMetrics
}

export interface RoomInit {
  docId: string
  doc: Y.Doc
  byteSize: number
  storage: RoomStorage
  fanout: RoomFanout
  options: RoomOptions
  /** Called when the last socket left (the manager starts its unload timer). */
  onEmpty: (room: Room) => void
  /** Called once the room gave up (storage failed, or the document was deleted). */
  onFailed: (room: Room) => void
}

/** Size of the pieces a joiner's state is sent in (R3). */
export const JOIN_PIECE_BYTES = 1024 * 1024

/**
 * A big document's state is not cut again for a joiner while at most this many updates came
 * since the last cut: they follow the pieces as they were stored and broadcast.
 */
export const MAX_JOIN_UPDATES_AFTER_CUT = 64
/** …and while they hold at most as many bytes as the cut itself, or this many. */
const MAX_JOIN_BYTES_AFTER_CUT = 32 * JOIN_PIECE_BYTES

/** An empty update as a sync step 2: completes a join whose content went before it. */
const EMPTY_SYNC_STEP2 = encodeSyncStep2(Uint8Array.of(0, 0))

/** The whole state cut for joiners at one document version, and the updates broadcast since. */
interface JoinState {
  version: number
  /** The pieces as updates; a joiner of this version gets them with the last as a sync step 2. */
  pieces: Uint8Array[]
  last: Uint8Array
  bytes: number
  /** Update frames broadcast since the cut, in order; null once too many or not all known. */
  since: Uint8Array[] | null
  sinceBytes: number
}

/**
 * R9: a batch costs a send per socket, so the wait between batches grows with the room up to the
 * whole tick here: at 50 ms, a 250-person room sends at most 20 batches a second, a 5-person one
 * waits at most 1 ms (each caret almost at once) — the presence CPU of a busy room stays bounded
 * and small rooms do not pay a large room's latency.
 */
export const PRESENCE_FULL_TICK_SOCKETS = 250

/** Owner of the ids the server itself writes under (titles). Always alive. */
const SERVER = Symbol('server')
/** Origin of updates relayed by other server processes. */
const REMOTE = Symbol('remote')
type ClientOwner = RoomSocket | typeof SERVER

interface HeldUpdates {
  updates: Uint8Array[]
  bytes: number
}

export class Room {
  readonly docId: string
  readonly doc: Y.Doc
  readonly #storage: RoomStorage
  readonly #fanout: RoomFanout
  readonly #options: RoomOptions
  readonly #onEmpty: (room: Room) => void
  readonly #onFailed: (room: Room) => void
  readonly #checker: UpdateChecker
  /** For updates other processes checked and stored already: dependencies only. */
  readonly #remoteChecker: UpdateChecker
  readonly #awareness: RoomAwareness
  readonly #sockets = new Set<RoomSocket>()
  readonly #owners = new Map<number, ClientOwner>()
  /** R4: updates waiting for dependencies, per sender. */
  readonly #pending = new Map<RoomSocket, HeldUpdates>()
  /** R5: updates waiting for the probe of another socket that owns their client ids. */
  readonly #awaitingOwner = new Map<RoomSocket, Uint8Array[]>()
  readonly #probing = new Set<RoomSocket>()
  /** Updates from other processes whose dependencies have not arrived yet. */
  #remotePending: Uint8Array[] = []
  #retrying = false
  #retryRequested = false
  #byteSize: number
  #version = 0
  #fullState: JoinState | null = null
  readonly #remoteOwners = new Map<string, object>()
  #presenceTimer: ReturnType<typeof setTimeout> | null = null
  #lastPresenceAt = Number.NEGATIVE_INFINITY
  #lastAppend: Promise<void> = Promise.resolve()
  #appendsInFlight = 0
  #failed = false

  constructor(init: RoomInit) {
    this.docId = init.docId
    this.doc = init.doc
    this.#byteSize = init.byteSize
    this.#storage = init.storage
    this.#fanout = init.fanout
    this.#options = init.options
    this.#onEmpty = init.onEmpty
    this.#onFailed = init.onFailed
    this.#checker = new UpdateChecker(init.doc, init.options.rules)
    this.#remoteChecker = new UpdateChecker(init.doc, init.options.rules, { enforceSchema: false })
    this.#awareness = new RoomAwareness(init.options.awareness)
    this.#owners.set(init.doc.clientID, SERVER)
  }

  get socketCount(): number {
    return this.#sockets.size
  }

  /** Bytes counted against the document's quota: its stored updates and its files. */
  get byteSize(): number {
    return this.#byteSize
  }

  /** Counts bytes stored beside the document (a file) against its quota; negative gives them back. */
  countStoredBytes(bytes: number): void {
    this.#byteSize += bytes
  }

  /** Number of clients with a live presence state. */
  get presenceCount(): number {
    return this.#awareness.size
  }

  join(socket: RoomSocket): void {
    if (this.#failed) {
      socket.close(CloseCode.internalError, 'document unavailable')
      return
    }
    this.#sockets.add(socket)
    socket.send(encodeSyncStep1(Y.encodeStateVector(this.doc)))
    const presence = this.#awareness.encodeCurrent()
    if (presence !== null) socket.send(encodeAwareness(presence))
  }

  /** R7: the socket's presence goes with it, at once. */
  leave(socket: RoomSocket): void {
    if (!this.#sockets.delete(socket)) return
    this.#pending.delete(socket)
    this.#awaitingOwner.delete(socket)
    for (const [client, owner] of this.#owners) if (owner === socket) this.#owners.delete(client)
    if (this.#awareness.removeOwnedBy(socket) !== null) this.#presenceChanged()
    if (this.#sockets.size === 0) this.#onEmpty(this)
  }

  /**
   * Handles one message. Nothing thrown below escapes: a bug or a failing dependency costs the
   * sender its socket (1011), or, once the document changed during the message (it may no
   * longer match storage), the room (R8).
   */
  receive(socket: RoomSocket, frame: Uint8Array): void {
    if (this.#failed || !this.#sockets.has(socket)) return
    const version = this.#version
    try {
      this.#dispatch(socket, frame)
    } catch (error) {
      this.#options.metrics.messageRejected('internal')
      this.#options.log.error({ docId: this.docId, socket: socket.id, err: error }, 'handling a message failed')
      if (this.#version !== version) {
        this.#fail(CloseCode.internalError, 'document reloading')
        return
      }
      socket.close(CloseCode.internalError, 'internal error')
      this.leave(socket)
    }
  }

  #dispatch(socket: RoomSocket, frame: Uint8Array): void {
    const message = decodeClientMessage(frame)
    switch (message.kind) {
      case 'malformed':
        this.#refuse(socket, 'malformed', message.reason)
        return
      case 'syncStep1':
        this.#answerSyncStep1(socket, message.stateVector)
        return
      case 'syncStep2':
        this.#receiveUpdate(socket, message.update, null)
        return
      case 'update':
        this.#receiveUpdate(socket, message.update, frame)
        return
      case 'awareness':
        this.#receiveAwareness(socket, message.update)
        return
      case 'queryAwareness': {
        const presence = this.#awareness.encodeCurrent()
        if (presence !== null) socket.send(encodeAwareness(presence))
        return
      }
    }
  }

  /**
   * Applies an update another server process accepted and stored. That process enforced the
   * schema; here only its dependencies are checked, so that it still applies whole.
   */
  receiveRemoteUpdate(update: Uint8Array): void {
    if (this.#failed) return
    this.#guardRemote(() => this.#considerRemote(update))
  }

  /** What other processes send enters here; a throw fails this room only (R8), never the process. */
  #guardRemote(handle: () => void): void {
    try {
      handle()
    } catch (error) {
      this.#options.log.error({ docId: this.docId, err: error }, 'handling a message from another process failed')
      this.#fail(CloseCode.internalError, 'document reloading')
    }
  }

  #considerRemote(update: Uint8Array): void {
    let result
    try {
      result = this.#remoteChecker.check(parseUpdate(update))
    } catch (error) {
      this.#options.log.error({ docId: this.docId, err: error }, 'unreadable update from another process')
      return
    }
    if (result.verdict === 'reject' || result.verdict === 'unseenDelete') {
      this.#options.log.error({ docId: this.docId, reason: result.reason }, 'refused update from another process')
      return
    }
    if (result.verdict === 'missing') {
      this.#remotePending.push(update)
      return
    }
    if (!result.changes || this.#applyToDoc(update, REMOTE) === null) return
    this.#broadcastUpdate(encodeUpdate(update), null)
    this.#retryPending()
  }

  /** Another process opened the document late: it hears this room's own clients again. */
  publishPresence(): void {
    if (this.#failed) return
    const presence = this.#awareness.encodeOwnedBy(this.#sockets)
    if (presence !== null) this.#fanout.publishAwareness(presence)
  }

  receiveRemoteAwareness(update: Uint8Array, source: string): void {
    if (this.#failed) return
    let owner = this.#remoteOwners.get(source)
    if (owner === undefined) {
      owner = { source }
      this.#remoteOwners.set(source, owner)
    }
    this.#guardRemote(() => {
      this.#awareness.applyTrusted(owner, update)
      if (this.#awareness.hasChanges) this.#presenceChanged()
    })
  }

  /**
   * Catches up with stored state after messages from other processes may have been missed.
   * Stored updates are trusted; whatever they add is broadcast to this room's sockets.
   */
  absorbStored(updates: Uint8Array[]): void {
    if (this.#failed) return
    this.#guardRemote(() => this.#absorbStored(updates))
  }

  #absorbStored(updates: Uint8Array[]): void {
    const added: Uint8Array[] = []
    const capture = (update: Uint8Array): void => {
      added.push(update)
    }
    this.doc.on('update', capture)
    try {
      this.doc.transact(() => {
        for (const update of updates) Y.applyUpdate(this.doc, update, REMOTE)
      }, REMOTE)
    } finally {
      this.doc.off('update', capture)
    }
    if (added.length === 0) return
    this.#changed()
    for (const update of added) this.#broadcastUpdate(encodeUpdate(update), null)
    this.#retryPending()
  }

  /** The whole document as one update (for versions and exports: encoded on each call). */
  encodeState(): Uint8Array {
    return Y.encodeStateAsUpdate(this.doc)
  }

  /**
   * Resolves once nothing applied is waiting to be stored: a change made right after (in the
   * same microtask) depends on stored state only.
   */
  async settled(): Promise<void> {
    while (this.#appendsInFlight > 0) await this.#lastAppend.catch(() => undefined)
    if (this.#failed) throw new Error('room failed')
  }

  /** Writes as the server (e.g. a new title): stored and broadcast like any update. */
  async writeAsServer(change: (doc: Y.Doc) => void, options: ServerWriteOptions = {}): Promise<void> {
    if (this.#failed) throw new Error('room failed')
    const updates: Uint8Array[] = []
    const capture = (update: Uint8Array): void => {
      updates.push(update)
    }
    this.doc.on('update', capture)
    try {
      this.doc.transact(() => change(this.doc), SERVER)
    } finally {
      this.doc.off('update', capture)
    }
    this.#changed()
    if (updates.length === 0) return
    const update = updates.length === 1 ? (updates[0] as Uint8Array) : Y.mergeUpdates(updates)
    await this.#persistAndBroadcast(update, encodeUpdate(update), null, options)
  }

  /** Resolves once everything applied so far is stored. */
  flushed(): Promise<void> {
    return this.#lastAppend
  }

  /** Closes every socket (e.g. deletion, shutdown); the room accepts nothing afterwards. */
  closeAll(code: number, reason: string): void {
    // The other processes still hear which of this room's clients left.
    this.#sendPresence()
    this.#failed = true
    this.#awareness.dispose()
    for (const socket of [...this.#sockets]) socket.close(code, reason)
    this.#sockets.clear()
  }

  /** Closes the sockets that came through a share link (it was revoked); the others stay. */
  closeShare(shareId: string, code: number, reason: string): void {
    for (const socket of [...this.#sockets]) {
      if (socket.shareId !== shareId) continue
      socket.close(code, reason)
      this.leave(socket)
    }
  }

  #refuse(socket: RoomSocket, reason: string, detail: string, code: number = CloseCode.badMessage): void {
    this.#options.metrics.messageRejected(reason)
    this.#options.log.warn({ docId: this.docId, socket: socket.id, reason, detail }, 'message refused')
    socket.close(code, detail.slice(0, 120))
    this.leave(socket)
  }

  /** R3: the reply is computed now but sent only once what it contains is stored. */
  #answerSyncStep1(socket: RoomSocket, stateVector: Uint8Array): void {
    let reply: Uint8Array[]
    try {
      const clocks = Y.decodeStateVector(stateVector)
      reply = clocks.size === 0 ? this.#fullJoin() : joinFrames(Y.encodeStateAsUpdate(this.doc, stateVector))
    } catch {
      this.#refuse(socket, 'malformed', 'unreadable state vector')
      return
    }
    const send = (): void => {
      if (reply.length === 1) socket.send(reply[0] as Uint8Array)
      else socket.sendPaced(reply)
    }
    if (this.#appendsInFlight === 0) {
      send()
      return
    }
    this.#lastAppend.then(
      () => {
        if (this.#sockets.has(socket)) send()
      },
      () => undefined,
    )
  }

  /**
   * A joiner's whole state. Cutting the document once per version serves any number of
   * simultaneous joiners; a big document changed since by a few updates, all stored and
   * broadcast, is not cut again (for 20 MB, the cut takes a second of CPU and briefly some
   * 200 MB of memory): the joiner gets the pieces of the last cut, then those updates.
   */
  #fullJoin(): Uint8Array[] {
    const cut = this.#fullState
    if (cut !== null && cut.version !== this.#version && this.#canFollowCut(cut)) {
      return [...cut.pieces, ...(cut.since as Uint8Array[]), EMPTY_SYNC_STEP2]
    }
    if (cut === null || cut.version !== this.#version) {
      const pieces = splitUpdate(Y.encodeStateAsUpdate(this.doc), JOIN_PIECE_BYTES)
      const frames = pieces.map((piece) => encodeUpdate(piece))
      this.#fullState = {
        version: this.#version,
        pieces: frames,
        last: encodeSyncStep2(pieces.at(-1) as Uint8Array),
        bytes: frames.reduce((sum, frame) => sum + frame.length, 0),
        // Changes not stored yet are in this cut already: what is broadcast next is not all new.
        since: this.#appendsInFlight === 0 ? [] : null,
        sinceBytes: 0,
      }
    }
    const current = this.#fullState as JoinState
    return [...current.pieces.slice(0, -1), current.last]
  }

  /** Whether the updates since `cut` are all stored, all kept, and worth not cutting again for. */
  #canFollowCut(cut: JoinState): boolean {
    return (
      cut.since !== null &&
      this.#appendsInFlight === 0 &&
      // One update in `since` per change since the cut: no change went out otherwise.
      cut.version + cut.since.length === this.#version &&
      // A small document is cut again (cheap), so that its joiner gets one frame.
      cut.bytes + cut.sinceBytes > JOIN_PIECE_BYTES
    )
  }

  /** A stored change goes to the room's sockets, and after the last cut for joiners. */
  #broadcastUpdate(frame: Uint8Array, except: RoomSocket | null): void {
    const cut = this.#fullState
    if (cut?.since != null) {
      const tooMuch =
        cut.since.length >= MAX_JOIN_UPDATES_AFTER_CUT ||
        cut.sinceBytes + frame.length > Math.max(cut.bytes, MAX_JOIN_BYTES_AFTER_CUT)
      if (tooMuch) cut.since = null
      else {
        // A frame may be a view into a larger buffer read from a socket: keep only its bytes.
        cut.since.push(frame.byteLength === frame.buffer.byteLength ? frame : new Uint8Array(frame))
        cut.sinceBytes += frame.length
      }
    }
    this.#broadcast(frame, except)
  }

  #receiveUpdate(socket: RoomSocket, update: Uint8Array, frame: Uint8Array | null): void {
    let parsed: ParsedUpdate
    try {
      parsed = parseUpdate(update)
    } catch (error) {
      this.#refuse(socket, 'malformed', error instanceof MalformedUpdateError ? error.message : 'unreadable update')
      return
    }
    this.#consider(socket, update, parsed, frame)
  }

  /** R1, R4, R5, R6: decides what happens to a parsed update from a socket. */
  #consider(socket: RoomSocket, update: Uint8Array, parsed: ParsedUpdate, frame: Uint8Array | null): void {
    const result = this.#checker.check(parsed)
    if (result.verdict === 'reject') {
      this.#refuse(socket, 'schema', result.reason)
      return
    }
    if (result.verdict === 'unseenDelete') {
      this.#refuse(socket, 'unseen_delete', result.reason, CloseCode.tryAgainLater)
      return
    }
    if (result.verdict === 'missing') {
      if (!socket.canWrite) {
        this.#refuse(socket, 'forbidden', 'read-only access', CloseCode.forbidden)
        return
      }
      this.#holdPending(socket, update)
      return
    }
    if (!result.changes) return
    if (!socket.canWrite) {
      this.#refuse(socket, 'forbidden', 'read-only access', CloseCode.forbidden)
      return
    }
    const foreign = result.newContentClients.filter((client) => {
      const owner = this.#owners.get(client)
      return owner !== undefined && owner !== socket
    })
    if (foreign.length > 0) {
      this.#holdForOwners(socket, update, parsed, foreign)
      return
    }
    if (this.#byteSize + update.length > this.#options.maxDocumentBytes) {
      this.#refuse(socket, 'quota', 'document size quota reached', CloseCode.documentTooLarge)
      return
    }
    for (const client of result.newContentClients) this.#owners.set(client, socket)
    if (this.#applyToDoc(update, socket) === null) return
    this.#options.metrics.updateAccepted()
    void this.#persistAndBroadcast(update, frame ?? encodeUpdate(update), socket)
    this.#retryPending()
  }

  /**
   * Applies a checked update. Yjs should never throw or leave anything pending here; if it does
   * anyway, the live document can no longer be trusted and the room gives up (R8).
   */
  #applyToDoc(update: Uint8Array, origin: unknown): true | null {
    try {
      Y.applyUpdate(this.doc, update, origin)
    } catch (error) {
      this.#options.log.error({ docId: this.docId, err: error }, 'checked update failed to apply')
      this.#fail(CloseCode.internalError, 'document reloading')
      return null
    }
    if (this.doc.store.pendingStructs !== null || this.doc.store.pendingDs !== null) {
      this.#options.log.error({ docId: this.docId }, 'checked update left pending structs')
      this.#fail(CloseCode.internalError, 'document reloading')
      return null
    }
    this.#changed()
    return true
  }

  #changed(): void {
    this.#version++
  }

  /** R2: stored first, then broadcast in order. */
  #persistAndBroadcast(
    update: Uint8Array,
    frame: Uint8Array,
    sender: RoomSocket | null,
    server: ServerWriteOptions = {},
  ): Promise<void> {
    this.#byteSize += update.length
    this.#appendsInFlight++
    const started = performance.now()
    const stored =
      server.store !== undefined
        ? server.store(update)
        : this.#storage.append(update, sender === null ? (server.author ?? null) : (sender.author ?? null))
    this.#lastAppend = stored.then(
      () => {
        this.#appendsInFlight--
        this.#options.metrics.persisted((performance.now() - started) / 1000)
        if (this.#failed) return
        this.#broadcastUpdate(frame, sender)
        this.#fanout.publishUpdate(update)
      },
      (error: unknown) => {
        this.#appendsInFlight--
        if (this.#failed) return
        if (error instanceof DocumentNotFound) {
          this.#fail(CloseCode.notFound, 'document deleted')
          return
        }
        this.#options.log.error({ docId: this.docId, err: error }, 'storing an update failed')
        this.#fail(CloseCode.internalError, 'storage unavailable')
      },
    )
    return stored
  }

  #broadcast(frame: Uint8Array, except: RoomSocket | null): void {
    let sent = 0
    for (const socket of this.#sockets) {
      if (socket === except) continue
      socket.send(frame)
      sent++
    }
    this.#options.metrics.framesSent(sent)
  }

  #holdPending(socket: RoomSocket, update: Uint8Array): void {
    const held = this.#pending.get(socket) ?? { updates: [], bytes: 0 }
    held.updates.push(update)
    held.bytes += update.length
    this.#pending.set(socket, held)
    if (held.bytes > this.#options.maxPendingBytes) {
      this.#refuse(socket, 'pending', 'too many updates with missing dependencies', CloseCode.tryAgainLater)
    }
  }

  /**
   * Gives every held update another chance; called after the document changed. Re-entrant
   * calls (an applied retry changes the document again) only ask for one more pass.
   */
  #retryPending(): void {
    if (this.#pending.size === 0 && this.#remotePending.length === 0) return
    if (this.#retrying) {
      this.#retryRequested = true
      return
    }
    this.#retrying = true
    try {
      do {
        this.#retryRequested = false
        const remote = this.#remotePending
        this.#remotePending = []
        for (const update of remote) this.#considerRemote(update)
        for (const [socket, held] of [...this.#pending]) {
          if (this.#pending.get(socket) !== held) continue
          this.#pending.delete(socket)
          for (const update of held.updates) {
            if (!this.#sockets.has(socket) || this.#failed) break
            this.#receiveUpdate(socket, update, null)
          }
        }
      } while (this.#retryRequested && !this.#failed)
    } finally {
      this.#retrying = false
    }
  }

  /** R5: splits off the sections written under ids other live sockets own, and probes them. */
  #holdForOwners(socket: RoomSocket, update: Uint8Array, parsed: ParsedUpdate, foreign: number[]): void {
    const isForeign = (section: { client: number }): boolean => foreign.includes(section.client)
    const relayed = sliceUpdate(update, parsed, isForeign, false)
    const own = sliceUpdate(update, parsed, (section) => !isForeign(section), true)
    const waiting = this.#awaitingOwner.get(socket) ?? []
    waiting.push(relayed)
    this.#awaitingOwner.set(socket, waiting)
    for (const client of foreign) {
      const owner = this.#owners.get(client)
      if (owner !== undefined && owner !== SERVER) this.#probeOwner(owner)
    }
    if (this.#probing.size === 0) this.#releaseAwaitingOwner()
    this.#receiveUpdate(socket, own, null)
  }

  #probeOwner(owner: RoomSocket): void {
    if (this.#probing.has(owner)) return
    this.#probing.add(owner)
    owner.probe(this.#options.ownerProbeTimeoutMs).then(
      (alive) => this.#probeSettled(owner, alive),
      () => this.#probeSettled(owner, false),
    )
  }

  #probeSettled(owner: RoomSocket, alive: boolean): void {
    this.#probing.delete(owner)
    if (!alive && this.#sockets.has(owner)) {
      this.#options.log.info({ docId: this.docId, socket: owner.id }, 'reaped unresponsive socket')
      this.leave(owner)
      owner.terminate()
    }
    if (this.#probing.size === 0) this.#releaseAwaitingOwner()
  }

  /**
   * Once no probe is outstanding, relayed sections are checked again: those whose owner was
   * reaped now apply; those whose owner is alive are dropped (the owner sends its own).
   */
  #releaseAwaitingOwner(): void {
    for (const [socket, updates] of [...this.#awaitingOwner]) {
      this.#awaitingOwner.delete(socket)
      for (const update of updates) {
        if (!this.#sockets.has(socket) || this.#failed) break
        const parsed = parseUpdate(update)
        const stillForeign = parsed.sections.some((section) => {
          const owner = this.#owners.get(section.client)
          return (
            owner !== undefined && owner !== socket && section.endClock > Y.getState(this.doc.store, section.client)
          )
        })
        if (!stillForeign) this.#consider(socket, update, parsed, null)
      }
    }
  }

  #receiveAwareness(socket: RoomSocket, update: Uint8Array): void {
    let change
    try {
      change = this.#awareness.apply(socket, update)
    } catch (error) {
      if (!(error instanceof AwarenessError)) throw error
      this.#refuse(socket, 'awareness', error.message, error.limit ? CloseCode.policyViolation : CloseCode.badMessage)
      return
    }
    if (change.update === null) return
    this.#presenceChanged()
  }

  /** R9: sends a batch now if the last one is old enough, else once it is; unless one is due already. */
  #presenceChanged(): void {
    if (this.#presenceTimer !== null) return
    const fullAt = this.#options.presenceFullTickSockets ?? PRESENCE_FULL_TICK_SOCKETS
    const interval = this.#options.presenceTickMs * Math.min(1, this.#sockets.size / fullAt)
    const wait = this.#lastPresenceAt + interval - Date.now()
    if (wait <= 0) {
      this.#sendPresence()
      return
    }
    this.#presenceTimer = setTimeout(() => {
      this.#presenceTimer = null
      this.#guardRemote(() => this.#sendPresence())
    }, wait)
  }

  #sendPresence(): void {
    if (this.#presenceTimer !== null) clearTimeout(this.#presenceTimer)
    this.#presenceTimer = null
    if (this.#failed) return
    const { all, here, onlyFrom } = this.#awareness.takeChanges()
    // A batch made by one socket alone is not sent back to it: in small rooms most batches are
    // one caret move, and the echo was a fifth of the presence frames of a five-person document.
    const except = onlyFrom !== null && this.#sockets.has(onlyFrom as RoomSocket) ? (onlyFrom as RoomSocket) : null
    if (all !== null) this.#broadcast(encodeAwareness(all), except)
    if (here !== null) this.#fanout.publishAwareness(here)
    // From the end of the batch: writing one to 1,500 sockets takes tens of milliseconds, and the
    // wait is what leaves the process (and the readers) time for everything else.
    this.#lastPresenceAt = Date.now()
  }

  #fail(code: number, reason: string): void {
    if (this.#failed) return
    this.closeAll(code, reason)
    this.#onFailed(this)
  }
}

/** R3: a joiner's state as frames: pieces as updates, the last as the sync step 2 that completes the join. */
function joinFrames(update: Uint8Array): Uint8Array[] {
  const pieces = splitUpdate(update, JOIN_PIECE_BYTES)
  return pieces.map((piece, index) => (index === pieces.length - 1 ? encodeSyncStep2(piece) : encodeUpdate(piece)))
}
