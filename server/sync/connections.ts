/**
 * The socket side of the sync endpoint: adapts each WebSocket to a {@link RoomSocket} and enforces
 * what the room cannot see — binary frames only, a message rate, a bound on what a slow reader
 * may have buffered, heartbeats, per-IP connection and room limits, and token expiry.
 *
 * Idle connections are most of a server's connections, so a connection keeps its state in a few
 * fields of one object: no logger, closure scope or timer outlives the moment it is needed.
 */
import type { Logger } from 'pino'
import type { Author } from '../../protocol/api'
import { CloseCode } from '../../protocol/closeCodes'
import type { Room, RoomSocket } from './room'
import type { RoomManager } from './roomManager'
import type { ServerWebSocket, WebSocketHandler } from './webSocket'
import type { Metrics } from '../common/metrics'
import { ServerBusy } from '../common/errors'

/** What admission (`http/upgrade.ts`) decided about a socket before it existed. */
export interface SocketTicket {
  docId: string
  ip: string
  /** False for a view-only token. */
  canWrite: boolean
  /** Who writes through the socket: the token's `sub` and `name`, or the name declared on an open server. */
  author: Author
  /** The share link the socket came through (`/ws/s/:shareId`), or null for `/ws/:docId`. */
  shareId: string | null
  /** When the token expires (ms since the epoch), or null; the socket is closed with 4401 then. */
  expiresAt: number | null
}

export interface ConnectionLimits {
  maxMessagesPerSecond: number
  maxBufferedBytes: number
  maxConnectionsPerIp: number
  maxRoomsPerIp: number
  heartbeatIntervalMs: number
  /** A socket that has not joined its document by then is closed. */
  handshakeTimeoutMs: number
  /** Bytes of messages a socket may send before its document finished loading (then 1013). */
  maxEarlyBytes: number
}

/** Messages received before the document finished loading, at most this many. */
const MAX_EARLY_MESSAGES = 256

/** Longest delay `setTimeout` accepts; later token expiries are re-armed when it fires. */
const MAX_TIMER_MS = 2 ** 31 - 1

let nextConnectionNumber = 0

class Connection implements RoomSocket, WebSocketHandler {
  readonly id: string
  readonly canWrite: boolean
  readonly shareId: string | null
  readonly ticket: SocketTicket
  /** Cleared by each heartbeat, set by each pong. */
  alive = true
  readonly #ws: ServerWebSocket
  readonly #hub: ConnectionHub
  #room: Room | null = null
  /** Frames that arrived before the room was ready; null once joined. */
  #early: Uint8Array[] | null = []
  #earlyBytes = 0
  #tokens: number
  #refilledAt = Date.now()
  #timer: NodeJS.Timeout | null = null
  #probes: Array<(alive: boolean) => void> | null = null
  /** Frames of a paced send still to go, and the size of the one handed to `ws` (not a backlog). */
  #paced: Uint8Array[] = []
  #pacedInFlight = 0

  constructor(ws: ServerWebSocket, ticket: SocketTicket, hub: ConnectionHub) {
    this.id = `${ticket.ip}#${++nextConnectionNumber}`
    this.canWrite = ticket.canWrite
    this.shareId = ticket.shareId
    this.ticket = ticket
    this.#ws = ws
    this.#hub = hub
    this.#tokens = hub.limits.maxMessagesPerSecond
    this.#timer = setTimeout(() => {
      if (this.#room === null) ws.close(CloseCode.tryAgainLater, 'document did not load in time')
    }, hub.limits.handshakeTimeoutMs)
  }

  /** From the ticket: no field of its own per connection. */
  get author(): Author {
    return this.ticket.author
  }

  /** Called by the hub once the room is loaded (or the document turned out not to exist). */
  joined(room: Room | null): void {
    if (room === null) {
      this.#ws.close(CloseCode.notFound, 'document not found')
      return
    }
    if (!this.#ws.open) {
      room.leave(this)
      return
    }
    this.#room = room
    const early = this.#early ?? []
    this.#early = null
    this.#armExpiry()
    for (const frame of early) this.#deliver(room, frame)
  }

  sendPaced(frames: readonly Uint8Array[]): void {
    this.#paced.push(...frames)
    if (this.#pacedInFlight === 0) this.#sendNextPaced()
  }

  #sendNextPaced(): void {
    const frame = this.#paced.shift()
    if (frame === undefined || !this.#ws.open) {
      this.#paced = []
      this.#pacedInFlight = 0
      return
    }
    this.#pacedInFlight = frame.length
    this.#ws.send(frame, () => {
      this.#pacedInFlight = 0
      this.#sendNextPaced()
    })
  }

  send(frame: Uint8Array): void {
    if (!this.#ws.open) return
    if (this.#ws.bufferedAmount - this.#pacedInFlight > this.#hub.limits.maxBufferedBytes) {
      this.#hub.slowReader(this)
      this.#ws.terminate()
      return
    }
    this.#ws.send(frame)
  }

  close(code: number, reason: string): void {
    this.#ws.close(code, reason)
  }

  terminate(): void {
    this.#ws.terminate()
  }

  probe(timeoutMs: number): Promise<boolean> {
    if (!this.#ws.open) return Promise.resolve(false)
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#probes = this.#probes?.filter((waiting) => waiting !== settle) ?? null
        resolve(false)
      }, timeoutMs)
      const settle = (alive: boolean): void => {
        clearTimeout(timer)
        resolve(alive)
      }
      this.#probes ??= []
      this.#probes.push(settle)
      this.#ws.ping()
    })
  }

  heartbeat(): void {
    if (!this.alive) {
      this.#ws.terminate()
      return
    }
    this.alive = false
    this.#ws.ping()
  }

  onMessage(frame: Buffer, isBinary: boolean): void {
    if (!isBinary) {
      this.#hub.rejected('text_frame')
      this.#ws.close(CloseCode.badMessage, 'binary frames only')
      return
    }
    if (!this.#withinRate()) {
      this.#hub.rejected('rate')
      this.#ws.close(CloseCode.policyViolation, 'message rate limit exceeded')
      return
    }
    if (this.#room !== null) {
      this.#deliver(this.#room, frame)
      return
    }
    this.#earlyBytes += frame.length
    if (
      this.#early !== null &&
      this.#early.length < MAX_EARLY_MESSAGES &&
      this.#earlyBytes <= this.#hub.limits.maxEarlyBytes
    ) {
      this.#early.push(frame)
      return
    }
    this.#early = null
    this.#ws.close(CloseCode.tryAgainLater, 'document still loading')
  }

  /** The room catches what its handling throws; this is the last guard before the socket layer. */
  #deliver(room: Room, frame: Uint8Array): void {
    try {
      room.receive(this, frame)
    } catch (error) {
      this.#hub.failed(this, error)
      this.#ws.close(CloseCode.internalError, 'internal error')
    }
  }

  /** A token bucket holding one second's worth of messages. */
  #withinRate(): boolean {
    const now = Date.now()
    const rate = this.#hub.limits.maxMessagesPerSecond
    this.#tokens = Math.min(rate, this.#tokens + ((now - this.#refilledAt) / 1000) * rate)
    this.#refilledAt = now
    if (this.#tokens < 1) return false
    this.#tokens -= 1
    return true
  }

  /** Once joined, the only timer a connection may need is its token's expiry. */
  #armExpiry(): void {
    if (this.#timer !== null) clearTimeout(this.#timer)
    this.#timer = null
    const expiresAt = this.ticket.expiresAt
    if (expiresAt === null) return
    const remaining = expiresAt - Date.now()
    this.#timer = setTimeout(
      () => (remaining > MAX_TIMER_MS ? this.#armExpiry() : this.#ws.close(CloseCode.unauthorized, 'token expired')),
      Math.max(0, Math.min(remaining, MAX_TIMER_MS)),
    )
  }

  /**
   * Pings count against the message rate: `ws` answers each one, so a peer that pings fast but
   * reads would otherwise have the server write pong after pong (while reading it is never cut
   * by `ws`'s bound on unwritten pongs). Beyond the rate it is closed and no longer read.
   */
  onPing(): void {
    if (!this.#ws.open || this.#withinRate()) return
    this.#hub.rejected('rate')
    this.#ws.closeAndStopReading(CloseCode.policyViolation, 'message rate limit exceeded')
  }

  onPong(): void {
    this.alive = true
    const probes = this.#probes
    this.#probes = null
    for (const settle of probes ?? []) settle(true)
  }

  onProtocolError(reason: string): void {
    this.#hub.rejected('bad_frame')
    this.#hub.log.debug({ socket: this.id, reason }, 'WebSocket protocol error')
  }

  onClose(): void {
    if (this.#timer !== null) clearTimeout(this.#timer)
    this.#hub.forget(this)
    this.#room?.leave(this)
  }
}

interface IpUsage {
  connections: number
  rooms: Map<string, number>
}

export class ConnectionHub {
  readonly limits: ConnectionLimits
  readonly log: Logger
  readonly #rooms: RoomManager
  readonly #metrics: Metrics
  readonly #connections = new Set<Connection>()
  readonly #usage = new Map<string, IpUsage>()
  readonly #heartbeat: NodeJS.Timeout

  constructor(rooms: RoomManager, limits: ConnectionLimits, log: Logger, metrics: Metrics) {
    this.#rooms = rooms
    this.limits = limits
    this.log = log
    this.#metrics = metrics
    this.#heartbeat = setInterval(() => {
      for (const connection of this.#connections) connection.heartbeat()
    }, limits.heartbeatIntervalMs)
    this.#heartbeat.unref()
  }

  get count(): number {
    return this.#connections.size
  }

  /** Per-IP limits, checked before the upgrade; a reason when this connection is refused. */
  admit(ip: string, docId: string): string | null {
    const usage = this.#usage.get(ip)
    if (usage === undefined) return null
    if (usage.connections >= this.limits.maxConnectionsPerIp) {
      this.#metrics.connectionRefused('connections_per_ip')
      return 'too many connections from this address'
    }
    if (!usage.rooms.has(docId) && usage.rooms.size >= this.limits.maxRoomsPerIp) {
      this.#metrics.connectionRefused('rooms_per_ip')
      return 'too many documents open from this address'
    }
    return null
  }

  accept(ws: ServerWebSocket, ticket: SocketTicket): void {
    const connection = new Connection(ws, ticket, this)
    this.#connections.add(connection)
    this.#track(ticket, +1)
    // Only now: a socket that is already gone reports its close from inside `start`.
    ws.start(connection)
    this.#rooms.join(ticket.docId, connection).then(
      (room) => connection.joined(room),
      (error: unknown) => {
        if (error instanceof ServerBusy) {
          this.log.warn({ socket: connection.id, docId: ticket.docId }, 'refused a document over the memory budget')
          connection.close(CloseCode.tryAgainLater, 'server busy: memory budget')
          return
        }
        this.log.error({ socket: connection.id, docId: ticket.docId, err: error }, 'could not open the document')
        connection.close(CloseCode.internalError, 'storage unavailable')
      },
    )
  }

  /** For shutdown: every socket is told to come back (1012) once rooms are stored. */
  closeAll(code: number, reason: string): void {
    for (const connection of this.#connections) connection.close(code, reason)
  }

  stop(): void {
    clearInterval(this.#heartbeat)
  }

  rejected(reason: string): void {
    this.#metrics.messageRejected(reason)
  }

  failed(connection: Connection, error: unknown): void {
    this.#metrics.messageRejected('internal')
    this.log.error({ socket: connection.id, docId: connection.ticket.docId, err: error }, 'handling a message failed')
  }

  slowReader(connection: Connection): void {
    this.#metrics.messageRejected('slow_reader')
    this.log.warn({ socket: connection.id, docId: connection.ticket.docId }, 'terminated a socket that stopped reading')
  }

  forget(connection: Connection): void {
    if (this.#connections.delete(connection)) this.#track(connection.ticket, -1)
  }

  #track(ticket: SocketTicket, delta: 1 | -1): void {
    const usage = this.#usage.get(ticket.ip) ?? { connections: 0, rooms: new Map<string, number>() }
    usage.connections += delta
    const inRoom = (usage.rooms.get(ticket.docId) ?? 0) + delta
    if (inRoom > 0) usage.rooms.set(ticket.docId, inRoom)
    else usage.rooms.delete(ticket.docId)
    if (usage.connections > 0) this.#usage.set(ticket.ip, usage)
    else this.#usage.delete(ticket.ip)
  }
}
