/**
 * The server side of RFC 6455, only as much as the sync endpoint needs: the opening handshake,
 * masked client frames (fragmented or not), ping/pong and the closing handshake. No extensions,
 * no subprotocols: stock y-websocket clients and browsers ask for neither.
 *
 * Why not `ws`: most of a sync server's connections are idle, and `ws` keeps per connection a
 * `WebSocket`, a `Sender` and a `Receiver` that is a whole `Writable` stream — ≈ 6 KiB resident
 * on top of Node's socket, as much again as the socket itself. Here a connection is one object
 * with a few fields, and its socket listeners are shared functions, not closures.
 */
import { isUtf8 } from 'node:buffer'
import { hash } from 'node:crypto'
import type { IncomingMessage } from 'node:http'
import type { Socket } from 'node:net'

/** What a {@link ServerWebSocket} reports to its owner; a plain interface, so no emitter per socket. */
export interface WebSocketHandler {
  onMessage(data: Buffer, isBinary: boolean): void
  onPong(): void
  /** Once, when the TCP connection is gone, however it ended. */
  onClose(): void
  /** The peer broke the protocol; the socket is already being closed with a 1002, 1007 or 1009. */
  onProtocolError(reason: string): void
}

/**
 * Pings are not answered while this much is queued for the peer: a peer that sends pings but does
 * not read would otherwise grow the queue of pongs by as much as it sends (`ws` answers them all).
 */
const MAX_QUEUED_FOR_PONG = 64 * 1024

/** A peer that does not answer our close frame within this time is disconnected (as `ws` does). */
const CLOSE_TIMEOUT_MS = 30_000

const HANDSHAKE_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11'
const CLIENT_KEY = /^[+/0-9A-Za-z]{22}==$/

const Opcode = { continuation: 0x0, text: 0x1, binary: 0x2, close: 0x8, ping: 0x9, pong: 0xa } as const

/** Close codes of RFC 6455 §7.4 */
const ProtocolClose = { protocolError: 1002, invalidPayload: 1007, messageTooBig: 1009 } as const

const State = { open: 1, closing: 2, closed: 3 } as const

const PING_FRAME = Buffer.from([0x80 | Opcode.ping, 0])
const EMPTY_CLOSE_FRAME = Buffer.from([0x80 | Opcode.close, 0])

const socketOwner = Symbol('tandem.webSocket')

interface OwnedSocket extends Socket {
  [socketOwner]?: ServerWebSocket
}

/** An unmasked control frame; the payload is at most 125 bytes by the callers' construction. */
function controlFrame(opcode: number, payload: Uint8Array): Buffer {
  const frame = Buffer.allocUnsafe(2 + payload.length)
  frame[0] = 0x80 | opcode
  frame[1] = payload.length
  frame.set(payload, 2)
  return frame
}

/** A close reason is at most 123 bytes; cut on a character boundary, or the peer sees broken UTF-8. */
function closeFrame(code: number, reason: string): Buffer {
  const encoded = Buffer.from(reason)
  let end = Math.min(encoded.length, 123)
  while (end < encoded.length && end > 0 && ((encoded[end] as number) & 0xc0) === 0x80) end--
  const reasonBytes = encoded.subarray(0, end)
  const payload = Buffer.allocUnsafe(2 + reasonBytes.length)
  payload.writeUInt16BE(code, 0)
  payload.set(reasonBytes, 2)
  return controlFrame(Opcode.close, payload)
}

/** Codes a peer may put in a close frame (RFC 6455 §7.4.1–2). */
function isSendableCloseCode(code: number): boolean {
  return (code >= 1000 && code <= 1014 && code !== 1004 && code !== 1005 && code !== 1006) || (code >= 3000 && code <= 4999)
}

function unmask(payload: Buffer, mask: Buffer): void {
  for (let index = 0; index < payload.length; index++) payload[index] = (payload[index] as number) ^ (mask[index & 3] as number)
}

function onSocketData(this: OwnedSocket, chunk: Buffer): void {
  this[socketOwner]?.receive(chunk)
}

/** With `allowHalfOpen` (as an HTTP server's sockets have) a peer's FIN must be answered. */
function onSocketEnd(this: OwnedSocket): void {
  this[socketOwner]?.ended()
  this.end()
}

/**
 * The one `error` listener a socket needs, shared by every socket (a closure per socket would keep
 * what it closes over alive as long as the socket). Without one, a broken connection would throw.
 */
export function destroyOnError(this: Socket): void {
  this.destroy()
}

function onSocketClose(this: OwnedSocket): void {
  this[socketOwner]?.closed()
}

function destroyLater(socket: Socket): NodeJS.Timeout {
  const timer = setTimeout(() => socket.destroy(), CLOSE_TIMEOUT_MS)
  timer.unref()
  return timer
}

/**
 * One accepted connection. It reports to a {@link WebSocketHandler} instead of emitting events
 * and keeps no closures, so that an idle connection costs this object and Node's socket.
 */
export class ServerWebSocket {
  readonly #socket: OwnedSocket
  readonly #maxPayload: number
  #handler: WebSocketHandler | null = null
  #state: number = State.open
  /** Received bytes not yet parsed into a whole frame. */
  #chunks: Buffer[]
  #buffered: number
  /** The frames of a fragmented message so far; null between messages. */
  #fragments: Buffer[] | null = null
  #fragmentsLength = 0
  #fragmentsBinary = false
  /** Set once the peer closed or broke the protocol: nothing more it sends is read. */
  #stopped = false
  #closeTimer: NodeJS.Timeout | null = null

  /** `head` holds what the HTTP parser read past the upgrade request. */
  constructor(socket: Socket, head: Buffer, maxPayload: number) {
    this.#socket = socket
    this.#maxPayload = maxPayload
    this.#chunks = head.length > 0 ? [head] : []
    this.#buffered = head.length
  }

  get open(): boolean {
    return this.#state === State.open
  }

  /** Bytes handed to the socket that the kernel has not taken yet: how far a reader lags. */
  get bufferedAmount(): number {
    return this.#socket.writableLength
  }

  /** Starts reading; frames are reported to `handler` from here on. */
  start(handler: WebSocketHandler): void {
    const socket = this.#socket
    this.#handler = handler
    socket[socketOwner] = this
    socket.setTimeout(0)
    socket.setNoDelay(true)
    if (!socket.listeners('error').includes(destroyOnError)) socket.on('error', destroyOnError)
    socket.on('end', onSocketEnd)
    socket.on('close', onSocketClose)
    socket.on('data', onSocketData)
    if (socket.destroyed) this.closed()
    else if (this.#buffered > 0) this.#parse()
  }

  /** Writes a complete server frame (see `binaryFrame`), built once for all its recipients. */
  sendFrame(frame: Buffer): void {
    if (this.#state === State.open) this.#socket.write(frame)
  }

  ping(): void {
    if (this.#state === State.open) this.#socket.write(PING_FRAME)
  }

  /** Starts the closing handshake; the socket is cut if the peer does not answer in time. */
  close(code: number, reason: string): void {
    if (this.#state === State.open) this.#startClosing(closeFrame(code, reason))
  }

  terminate(): void {
    this.#state = State.closing
    this.#socket.destroy()
  }

  /** @internal Called by the socket's shared data listener. */
  receive(chunk: Buffer): void {
    if (this.#stopped) return
    this.#chunks.push(chunk)
    this.#buffered += chunk.length
    this.#parse()
  }

  /** @internal Called when the peer hung up without a close frame: nothing more can be sent. */
  ended(): void {
    if (this.#state === State.open) this.#state = State.closing
  }

  /** @internal Called by the socket's shared close listener. */
  closed(): void {
    if (this.#state === State.closed) return
    this.#state = State.closed
    if (this.#closeTimer !== null) clearTimeout(this.#closeTimer)
    this.#closeTimer = null
    this.#chunks = []
    this.#fragments = null
    this.#handler?.onClose()
  }

  #parse(): void {
    while (!this.#stopped && this.#state !== State.closed && this.#buffered >= 2) {
      const first = this.#byteAt(0)
      const second = this.#byteAt(1)
      const final = (first & 0x80) !== 0
      const opcode = first & 0x0f
      const shortLength = second & 0x7f
      if ((first & 0x70) !== 0) return this.#fail(ProtocolClose.protocolError, 'reserved bits set')
      if ((second & 0x80) === 0) return this.#fail(ProtocolClose.protocolError, 'client frames must be masked')
      if (opcode >= Opcode.close) {
        if (opcode > Opcode.pong) return this.#fail(ProtocolClose.protocolError, `unknown opcode ${opcode}`)
        if (!final) return this.#fail(ProtocolClose.protocolError, 'fragmented control frame')
        if (shortLength > 125) return this.#fail(ProtocolClose.protocolError, 'control frame too long')
      } else {
        if (opcode > Opcode.binary) return this.#fail(ProtocolClose.protocolError, `unknown opcode ${opcode}`)
        if (opcode === Opcode.continuation && this.#fragments === null) return this.#fail(ProtocolClose.protocolError, 'continuation without a message')
        if (opcode !== Opcode.continuation && this.#fragments !== null) return this.#fail(ProtocolClose.protocolError, 'new message inside a fragmented one')
      }
      const lengthBytes = shortLength === 126 ? 2 : shortLength === 127 ? 8 : 0
      const headerLength = 2 + lengthBytes + 4
      if (this.#buffered < headerLength) return
      let length = shortLength
      if (lengthBytes === 2) {
        length = this.#uint(2, 2)
      } else if (lengthBytes === 8) {
        if (this.#uint(2, 4) !== 0) return this.#fail(ProtocolClose.messageTooBig, 'message too big')
        length = this.#uint(6, 4)
      }
      if (opcode < Opcode.close && this.#fragmentsLength + length > this.#maxPayload) {
        return this.#fail(ProtocolClose.messageTooBig, 'message too big')
      }
      if (this.#buffered < headerLength + length) return
      const header = this.#take(headerLength)
      const payload = this.#take(length)
      unmask(payload, header.subarray(headerLength - 4))
      this.#frame(opcode, final, payload)
    }
  }

  #frame(opcode: number, final: boolean, payload: Buffer): void {
    switch (opcode) {
      case Opcode.close:
        return this.#peerClosed(payload)
      case Opcode.ping:
        if (this.#state === State.open && this.#socket.writableLength <= MAX_QUEUED_FOR_PONG) {
          this.#socket.write(controlFrame(Opcode.pong, payload))
        }
        return
      case Opcode.pong:
        if (this.#state === State.open) this.#handler?.onPong()
        return
    }
    if (opcode !== Opcode.continuation) {
      if (final) return this.#message(payload, opcode === Opcode.binary)
      this.#fragments = [payload]
      this.#fragmentsLength = payload.length
      this.#fragmentsBinary = opcode === Opcode.binary
      return
    }
    const fragments = this.#fragments as Buffer[]
    fragments.push(payload)
    this.#fragmentsLength += payload.length
    if (!final) return
    const message = Buffer.concat(fragments, this.#fragmentsLength)
    this.#fragments = null
    this.#fragmentsLength = 0
    this.#message(message, this.#fragmentsBinary)
  }

  #message(data: Buffer, isBinary: boolean): void {
    if (this.#state === State.open) this.#handler?.onMessage(data, isBinary)
  }

  #peerClosed(payload: Buffer): void {
    if (payload.length === 1) return this.#fail(ProtocolClose.protocolError, 'close frame with a one-byte payload')
    if (payload.length >= 2) {
      const code = payload.readUInt16BE(0)
      if (!isSendableCloseCode(code)) return this.#fail(ProtocolClose.protocolError, `invalid close code ${code}`)
      if (!isUtf8(payload.subarray(2))) return this.#fail(ProtocolClose.invalidPayload, 'close reason is not UTF-8')
    }
    this.#stopped = true
    if (this.#state === State.open) {
      this.#startClosing(payload.length >= 2 ? controlFrame(Opcode.close, payload.subarray(0, 2)) : EMPTY_CLOSE_FRAME)
    }
    this.#socket.end()
  }

  /** "Fail the WebSocket connection" (RFC 6455 §7.1.7): say why, stop reading, hang up. */
  #fail(code: number, reason: string): void {
    this.#stopped = true
    this.#chunks = []
    this.#buffered = 0
    this.#handler?.onProtocolError(reason)
    if (this.#state === State.open) this.#startClosing(closeFrame(code, reason))
    this.#socket.end()
  }

  /** Sends our close frame; the socket is cut if the peer does not end it in time. */
  #startClosing(frame: Buffer): void {
    this.#state = State.closing
    this.#socket.write(frame)
    this.#closeTimer = destroyLater(this.#socket)
  }

  /** A big-endian unsigned integer of `bytes` (≤ 4) bytes at `offset` of the received bytes. */
  #uint(offset: number, bytes: number): number {
    let value = 0
    for (let index = 0; index < bytes; index++) value = value * 256 + this.#byteAt(offset + index)
    return value
  }

  #byteAt(offset: number): number {
    let remaining = offset
    for (const chunk of this.#chunks) {
      if (remaining < chunk.length) return chunk[remaining] as number
      remaining -= chunk.length
    }
    throw new RangeError('read past the received bytes')
  }

  /** The next `length` received bytes, as one buffer (copied only when they span chunks). */
  #take(length: number): Buffer {
    this.#buffered -= length
    const first = this.#chunks[0]
    if (first === undefined || length === 0) return Buffer.alloc(0)
    if (first.length > length) {
      this.#chunks[0] = first.subarray(length)
      return first.subarray(0, length)
    }
    if (first.length === length) {
      this.#chunks.shift()
      return first
    }
    const taken = Buffer.allocUnsafe(length)
    let filled = 0
    while (filled < length) {
      const chunk = this.#chunks[0] as Buffer
      const needed = length - filled
      if (chunk.length > needed) {
        chunk.copy(taken, filled, 0, needed)
        this.#chunks[0] = chunk.subarray(needed)
        filled = length
      } else {
        chunk.copy(taken, filled)
        this.#chunks.shift()
        filled += chunk.length
      }
    }
    return taken
  }
}

export type HandshakeResult = { socket: ServerWebSocket } | { problem: string }

/**
 * Completes the opening handshake (RFC 6455 §4.2) on a socket an HTTP server handed over, or says
 * why the request is not a WebSocket handshake this server speaks (the caller answers 400).
 */
export function acceptWebSocket(incoming: IncomingMessage, socket: Socket, head: Buffer, maxPayload: number): HandshakeResult {
  const key = incoming.headers['sec-websocket-key']
  const version = incoming.headers['sec-websocket-version']
  if (incoming.method !== 'GET') return { problem: 'a WebSocket handshake is a GET request' }
  if (typeof key !== 'string' || !CLIENT_KEY.test(key.trim())) return { problem: 'missing or invalid Sec-WebSocket-Key header' }
  if (version !== '13' && version !== '8') return { problem: 'unsupported Sec-WebSocket-Version (13 is)' }
  // One-shot: a Hash object per handshake left a few hundred bytes of native memory per connection.
  const accept = hash('sha1', key.trim() + HANDSHAKE_GUID, 'base64')
  socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`)
  return { socket: new ServerWebSocket(socket, head, maxPayload) }
}
