/**
 * The sync endpoint's WebSocket transport: the `ws` package, configured here once, and a small
 * adapter that reports each socket's events to its owner through a plain interface.
 *
 * `ws` does the protocol: the opening handshake (400 for anything but `Upgrade: websocket` with a
 * valid key and version), masking, fragmentation, control frames, UTF-8 (1007 at once), the
 * closing handshake, the payload limit (1009 from a frame's header), bounds on fragments and
 * buffered chunks per message (1008), and the pong-queue bound (a peer that pings without reading
 * is terminated once `maxPendingAutoPongs` pongs wait to be written). What it leaves to its user —
 * admission before the upgrade, binary frames only, a message rate that counts pings, the
 * slow-reader cut-off — is in `http/upgrade.ts` and `connections.ts`.
 */
import type { IncomingMessage } from 'node:http'
import type { Duplex } from 'node:stream'
import { WebSocket, WebSocketServer } from 'ws'

/** What a {@link ServerWebSocket} reports to its owner. */
export interface WebSocketHandler {
  onMessage(data: Buffer, isBinary: boolean): void
  /** The peer sent a ping; `ws` has already answered it (within its pong-queue bound). */
  onPing(): void
  onPong(): void
  /** Once, when the connection is gone, however it ended. */
  onClose(): void
  /** The peer broke the protocol; `ws` is already closing the socket with 1002, 1007, 1008 or 1009. */
  onProtocolError(reason: string): void
}

export interface WebSocketOptions {
  maxPayloadBytes: number
  /** permessage-deflate, for clients that offer it; off by default (see the README). */
  perMessageDeflate: boolean
}

/**
 * Fragments of one message. Stock clients send a message as one frame (browsers as a few at most);
 * `ws`'s default (16,384) would let empty continuation frames cost that many parse steps first.
 */
const MAX_FRAGMENTS = 1024

/**
 * Reads buffered while a frame is incomplete: one per TCP read, however small. `ws`'s default
 * (262,144) lets a peer that sends a frame a byte at a time hold that many small buffers; at
 * ≥ 256 bytes per read on average a message of `maxPayloadBytes` still fits.
 */
function maxBufferedChunks(maxPayloadBytes: number): number {
  return Math.min(256 * 1024, Math.max(1024, Math.ceil(maxPayloadBytes / 256)))
}

/** A close reason is at most 123 bytes (RFC 6455 §5.5); `ws` throws beyond, so cut it on a character boundary. */
export function closeReason(reason: string): string {
  const encoded = Buffer.from(reason)
  if (encoded.length <= 123) return reason
  let end = 123
  while (end > 0 && ((encoded[end] as number) & 0xc0) === 0x80) end--
  return encoded.subarray(0, end).toString()
}

/** `ws`'s socket with a slot for its owner, so that the listeners below are shared functions, not closures per socket. */
class OwnedWebSocket extends WebSocket {
  owner: ServerWebSocket | null = null
}

/** The listeners get `ws`'s socket as `this`; it is always ours, created through the `WebSocket` option. */
const handlerOf = (ws: WebSocket): WebSocketHandler | null | undefined => (ws as OwnedWebSocket).owner?.handler

function onMessage(this: WebSocket, data: Buffer, isBinary: boolean): void {
  handlerOf(this)?.onMessage(data, isBinary)
}

function onPing(this: WebSocket): void {
  handlerOf(this)?.onPing()
}

function onPong(this: WebSocket): void {
  handlerOf(this)?.onPong()
}

function onClose(this: WebSocket): void {
  const ws = this as OwnedWebSocket
  const owner = ws.owner
  ws.owner = null
  owner?.closed()
}

/** `ws` emits its receiver's protocol errors (codes `WS_ERR_…`) and write errors; a socket without a listener would throw. */
function onError(this: WebSocket, error: Error & { code?: string }): void {
  if (error.code?.startsWith('WS_ERR_') === true) handlerOf(this)?.onProtocolError(error.message)
}

/** One accepted connection: `ws`'s socket, and the handler it reports to. */
export class ServerWebSocket {
  readonly #ws: OwnedWebSocket
  /** @internal Read by the shared listeners. */
  handler: WebSocketHandler | null = null
  #closed = false

  constructor(ws: OwnedWebSocket) {
    this.#ws = ws
    ws.owner = this
    ws.on('error', onError)
    ws.on('close', onClose)
  }

  get open(): boolean {
    return this.#ws.readyState === WebSocket.OPEN
  }

  /** Bytes not yet handed to the kernel: how far a reader lags. */
  get bufferedAmount(): number {
    return this.#ws.bufferedAmount
  }

  /** Starts reporting to `handler`; a socket already gone reports its close at once. */
  start(handler: WebSocketHandler): void {
    this.handler = handler
    const ws = this.#ws
    ws.on('message', onMessage)
    ws.on('ping', onPing)
    ws.on('pong', onPong)
    if (this.#closed) handler.onClose()
  }

  /**
   * Sends one binary message; the payload is shared, `ws` adds a header per recipient and copies
   * nothing. `onSent` is called once it has been handed to the kernel (or with an error).
   */
  send(payload: Uint8Array, onSent?: (error?: Error) => void): void {
    if (this.open) this.#ws.send(payload, { binary: true }, onSent)
    else onSent?.(new Error('socket closed'))
  }

  ping(): void {
    if (this.open) this.#ws.ping()
  }

  /** Starts the closing handshake; `ws` cuts the socket if the peer does not answer within 30 s. */
  close(code: number, reason: string): void {
    if (this.open) this.#ws.close(code, closeReason(reason))
  }

  /**
   * Closes, and stops reading what the peer sends: for a peer that floods, whose frames would
   * otherwise be parsed until it answers the close frame or the close timeout cuts it.
   */
  closeAndStopReading(code: number, reason: string): void {
    this.close(code, reason)
    this.#ws.pause()
  }

  terminate(): void {
    this.#ws.terminate()
  }

  /** @internal Called once by the shared close listener. */
  closed(): void {
    if (this.#closed) return
    this.#closed = true
    this.handler?.onClose()
  }
}

export interface SyncWebSocketServer {
  /** Completes the handshake of an admitted upgrade request (or refuses it, see below). */
  upgrade(incoming: IncomingMessage, socket: Duplex, head: Buffer, onSocket: (ws: ServerWebSocket) => void): void
}

/**
 * The `ws` server, in "no server" mode: the upgrade handler decides first, then hands the socket
 * over. A request that is not a handshake `ws` speaks (not a GET, an `Upgrade` other than
 * `websocket`, a bad key or version) goes to `onRefused` with the reason, which must answer it
 * (400) and destroy the socket.
 */
export function createWebSocketServer(
  options: WebSocketOptions,
  onRefused: (socket: Duplex, incoming: IncomingMessage, reason: string) => void,
): SyncWebSocketServer {
  const server = new WebSocketServer({
    noServer: true,
    clientTracking: false,
    perMessageDeflate: options.perMessageDeflate
      ? { threshold: 1024, serverNoContextTakeover: true, clientNoContextTakeover: true }
      : false,
    maxPayload: options.maxPayloadBytes,
    maxFragments: MAX_FRAGMENTS,
    maxBufferedChunks: maxBufferedChunks(options.maxPayloadBytes),
    WebSocket: OwnedWebSocket,
  })
  server.on('wsClientError', (error, socket, incoming) => onRefused(socket, incoming, error.message))
  return {
    upgrade(incoming, socket, head, onSocket) {
      server.handleUpgrade(incoming, socket, head, (ws) => onSocket(new ServerWebSocket(ws as OwnedWebSocket)))
    },
  }
}
