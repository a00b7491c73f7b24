/**
 * The `ws` side of the sync endpoint: adapts each WebSocket to a {@link RoomSocket} and enforces
 * what the room cannot see — binary frames only, a message rate, a bound on what a slow reader
 * may have buffered, heartbeats, per-IP connection and room limits, and token expiry.
 */
import type { Logger } from 'pino'
import type { WebSocket } from 'ws'
import { CloseCode } from './closeCodes'
import type { Room, RoomSocket } from './room'
import type { RoomManager } from './roomManager'
import type { UpgradeTicket } from './upgrade'
import { binaryFrame, rawSocketOf } from './wireFrame'
import { can } from '../auth'
import type { Metrics } from '../metrics'

export interface ConnectionLimits {
  maxMessagesPerSecond: number
  maxBufferedBytes: number
  maxConnectionsPerIp: number
  maxRoomsPerIp: number
  heartbeatIntervalMs: number
  /** A socket that has not joined its document by then is closed. */
  handshakeTimeoutMs: number
}

/** Messages received before the document finished loading, at most this many. */
const MAX_EARLY_MESSAGES = 256

let nextSocketNumber = 0

class WsRoomSocket implements RoomSocket {
  readonly id: string
  readonly canWrite: boolean
  alive = true
  readonly #ws: WebSocket
  readonly #maxBufferedBytes: number
  readonly #onSlowReader: () => void
  #probes: Array<(alive: boolean) => void> = []

  constructor(ws: WebSocket, ticket: UpgradeTicket, maxBufferedBytes: number, onSlowReader: () => void) {
    this.id = `${ticket.ip}#${++nextSocketNumber}`
    this.canWrite = can.edit(ticket.access, ticket.docId)
    this.#ws = ws
    this.#maxBufferedBytes = maxBufferedBytes
    this.#onSlowReader = onSlowReader
  }

  send(frame: Uint8Array): void {
    if (this.#ws.readyState !== this.#ws.OPEN) return
    if (this.#ws.bufferedAmount > this.#maxBufferedBytes) {
      this.#onSlowReader()
      this.#ws.terminate()
      return
    }
    rawSocketOf(this.#ws).write(binaryFrame(frame))
  }

  close(code: number, reason: string): void {
    this.#ws.close(code, reason)
  }

  terminate(): void {
    this.#ws.terminate()
  }

  probe(timeoutMs: number): Promise<boolean> {
    if (this.#ws.readyState !== this.#ws.OPEN) return Promise.resolve(false)
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#probes = this.#probes.filter((waiting) => waiting !== settle)
        resolve(false)
      }, timeoutMs)
      const settle = (alive: boolean): void => {
        clearTimeout(timer)
        resolve(alive)
      }
      this.#probes.push(settle)
      this.#ws.ping()
    })
  }

  pong(): void {
    this.alive = true
    const probes = this.#probes
    this.#probes = []
    for (const settle of probes) settle(true)
  }

  heartbeat(): void {
    if (!this.alive) {
      this.#ws.terminate()
      return
    }
    this.alive = false
    this.#ws.ping()
  }
}

interface IpUsage {
  connections: number
  rooms: Map<string, number>
}

export class ConnectionHub {
  readonly #rooms: RoomManager
  readonly #limits: ConnectionLimits
  readonly #log: Logger
  readonly #metrics: Metrics
  readonly #sockets = new Map<WebSocket, WsRoomSocket>()
  readonly #usage = new Map<string, IpUsage>()
  readonly #heartbeat: NodeJS.Timeout

  constructor(rooms: RoomManager, limits: ConnectionLimits, log: Logger, metrics: Metrics) {
    this.#rooms = rooms
    this.#limits = limits
    this.#log = log
    this.#metrics = metrics
    this.#heartbeat = setInterval(() => {
      for (const socket of this.#sockets.values()) socket.heartbeat()
    }, limits.heartbeatIntervalMs)
    this.#heartbeat.unref()
  }

  get count(): number {
    return this.#sockets.size
  }

  /** Per-IP limits, checked before the upgrade; a reason when this connection is refused. */
  admit(ip: string, docId: string): string | null {
    const usage = this.#usage.get(ip)
    if (usage === undefined) return null
    if (usage.connections >= this.#limits.maxConnectionsPerIp) {
      this.#metrics.connectionRefused('connections_per_ip')
      return 'too many connections from this address'
    }
    if (!usage.rooms.has(docId) && usage.rooms.size >= this.#limits.maxRoomsPerIp) {
      this.#metrics.connectionRefused('rooms_per_ip')
      return 'too many documents open from this address'
    }
    return null
  }

  accept(ws: WebSocket, ticket: UpgradeTicket): void {
    const socket = new WsRoomSocket(ws, ticket, this.#limits.maxBufferedBytes, () => {
      this.#metrics.messageRejected('slow_reader')
      this.#log.warn({ socket: socket.id, docId: ticket.docId }, 'terminated a socket that stopped reading')
    })
    this.#sockets.set(ws, socket)
    this.#track(ticket, +1)
    const log = this.#log.child({ socket: socket.id, docId: ticket.docId })

    let room: Room | null = null
    const early: Uint8Array[] = []
    const budget = { tokens: this.#limits.maxMessagesPerSecond, refilledAt: Date.now() }
    const timers: NodeJS.Timeout[] = []

    ws.on('error', (error) => log.debug({ err: error }, 'socket error'))
    ws.on('pong', () => socket.pong())
    ws.on('message', (data, isBinary) => {
      if (!isBinary) {
        this.#metrics.messageRejected('text_frame')
        ws.close(CloseCode.badMessage, 'binary frames only')
        return
      }
      if (!this.#withinRate(budget)) {
        this.#metrics.messageRejected('rate')
        ws.close(CloseCode.policyViolation, 'message rate limit exceeded')
        return
      }
      const frame = data as Buffer
      if (room !== null) room.receive(socket, frame)
      else if (early.length < MAX_EARLY_MESSAGES) early.push(frame)
      else ws.close(CloseCode.tryAgainLater, 'document still loading')
    })
    ws.on('close', () => {
      for (const timer of timers) clearTimeout(timer)
      this.#sockets.delete(ws)
      this.#track(ticket, -1)
      room?.leave(socket)
    })

    timers.push(
      setTimeout(() => {
        if (room === null) ws.close(CloseCode.tryAgainLater, 'document did not load in time')
      }, this.#limits.handshakeTimeoutMs),
    )
    if (ticket.access.exp !== null) {
      const remaining = ticket.access.exp * 1000 - Date.now()
      timers.push(setTimeout(() => ws.close(CloseCode.unauthorized, 'token expired'), Math.max(0, Math.min(remaining, 2 ** 31 - 1))))
    }

    this.#rooms
      .join(ticket.docId, socket)
      .then((joinedRoom) => {
        if (joinedRoom === null) {
          ws.close(CloseCode.notFound, 'document not found')
          return
        }
        if (ws.readyState !== ws.OPEN) {
          joinedRoom.leave(socket)
          return
        }
        room = joinedRoom
        for (const frame of early.splice(0)) joinedRoom.receive(socket, frame)
      })
      .catch((error: unknown) => {
        log.error({ err: error }, 'could not open the document')
        ws.close(CloseCode.internalError, 'storage unavailable')
      })
  }

  /** For shutdown: every socket is told to come back (1012) once rooms are stored. */
  closeAll(code: number, reason: string): void {
    for (const ws of this.#sockets.keys()) ws.close(code, reason)
  }

  stop(): void {
    clearInterval(this.#heartbeat)
  }

  #withinRate(budget: { tokens: number; refilledAt: number }): boolean {
    const now = Date.now()
    const rate = this.#limits.maxMessagesPerSecond
    budget.tokens = Math.min(rate, budget.tokens + ((now - budget.refilledAt) / 1000) * rate)
    budget.refilledAt = now
    if (budget.tokens < 1) return false
    budget.tokens -= 1
    return true
  }

  #track(ticket: UpgradeTicket, delta: 1 | -1): void {
    const usage = this.#usage.get(ticket.ip) ?? { connections: 0, rooms: new Map<string, number>() }
    usage.connections += delta
    const inRoom = (usage.rooms.get(ticket.docId) ?? 0) + delta
    if (inRoom > 0) usage.rooms.set(ticket.docId, inRoom)
    else usage.rooms.delete(ticket.docId)
    if (usage.connections > 0) this.#usage.set(ticket.ip, usage)
    else this.#usage.delete(ticket.ip)
  }
}
