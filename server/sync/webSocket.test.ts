import { randomBytes } from 'node:crypto'
import { type IncomingMessage, type Server, createServer } from 'node:http'
import { type AddressInfo, type Socket, connect } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { waitFor } from '../test/waitFor'
import { type ServerWebSocket, type WebSocketHandler, acceptWebSocket } from './webSocket'
import { binaryFrame } from './wireFrame'

class Recorder implements WebSocketHandler {
  readonly messages: Array<{ data: Buffer; isBinary: boolean }> = []
  readonly problems: string[] = []
  pongs = 0
  closes = 0
  onMessage(data: Buffer, isBinary: boolean): void {
    this.messages.push({ data: Buffer.from(data), isBinary })
  }
  onPong(): void {
    this.pongs++
  }
  onClose(): void {
    this.closes++
  }
  onProtocolError(reason: string): void {
    this.problems.push(reason)
  }
}

interface Accepted {
  ws: ServerWebSocket
  handler: Recorder
}

const cleanup: Array<() => void> = []
afterEach(() => {
  for (const undo of cleanup.splice(0)) undo()
})

async function startServer(maxPayload = 1 << 20): Promise<{ port: number; accepted: Accepted[]; next(): Promise<Accepted> }> {
  const server: Server = createServer()
  const accepted: Accepted[] = []
  server.on('upgrade', (incoming: IncomingMessage, socket: Socket, head: Buffer) => {
    socket.on('error', () => socket.destroy())
    const result = acceptWebSocket(incoming, socket, head, maxPayload)
    if ('problem' in result) {
      socket.destroy()
      return
    }
    const handler = new Recorder()
    result.socket.start(handler)
    accepted.push({ ws: result.socket, handler })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  cleanup.push(() => {
    server.closeAllConnections()
    server.close()
  })
  const port = (server.address() as AddressInfo).port
  let taken = 0
  return {
    port,
    accepted,
    next: async () => waitFor(() => accepted[taken] && (accepted[taken++] as Accepted), { what: 'an accepted socket' }),
  }
}

function stockClient(port: number): Promise<WebSocket> {
  const client = new WebSocket(`ws://127.0.0.1:${port}/`)
  cleanup.push(() => client.terminate())
  return new Promise((resolve, reject) => {
    client.once('open', () => resolve(client))
    client.once('error', reject)
  })
}

/** A client frame as the RFC requires it (masked), or deliberately not. */
function clientFrame(opcode: number, payload: Uint8Array, options: { final?: boolean; masked?: boolean; rsv?: number } = {}): Buffer {
  const { final = true, masked = true, rsv = 0 } = options
  const length = payload.length
  const lengthBytes = length < 126 ? 0 : length < 65_536 ? 2 : 8
  const header = Buffer.alloc(2 + lengthBytes + (masked ? 4 : 0))
  header[0] = (final ? 0x80 : 0) | rsv | opcode
  header[1] = (masked ? 0x80 : 0) | (lengthBytes === 0 ? length : lengthBytes === 2 ? 126 : 127)
  if (lengthBytes === 2) header.writeUInt16BE(length, 2)
  if (lengthBytes === 8) header.writeBigUInt64BE(BigInt(length), 2)
  const body = Buffer.from(payload)
  if (masked) {
    const mask = randomBytes(4)
    mask.copy(header, 2 + lengthBytes)
    for (let index = 0; index < body.length; index++) body[index] = (body[index] as number) ^ (mask[index & 3] as number)
  }
  return Buffer.concat([header, body])
}

interface ServerFrame {
  opcode: number
  payload: Buffer
}

function parseServerFrames(bytes: Buffer): ServerFrame[] {
  const frames: ServerFrame[] = []
  let offset = 0
  while (offset + 2 <= bytes.length) {
    const opcode = (bytes[offset] as number) & 0x0f
    let length = (bytes[offset + 1] as number) & 0x7f
    let start = offset + 2
    if (length === 126) {
      length = bytes.readUInt16BE(start)
      start += 2
    } else if (length === 127) {
      length = Number(bytes.readBigUInt64BE(start))
      start += 8
    }
    if (start + length > bytes.length) break
    frames.push({ opcode, payload: bytes.subarray(start, start + length) })
    offset = start + length
  }
  return frames
}

/** A client speaking raw bytes after a real handshake, to send what a stock client never would. */
async function rawClient(port: number): Promise<{ socket: Socket; frames(): ServerFrame[]; ended: Promise<void> }> {
  const socket = connect(port, '127.0.0.1')
  cleanup.push(() => socket.destroy())
  socket.on('error', () => undefined)
  let received = Buffer.alloc(0)
  socket.on('data', (chunk: Buffer) => {
    received = Buffer.concat([received, chunk])
  })
  const ended = new Promise<void>((resolve) => socket.once('close', () => resolve()))
  socket.write(
    'GET / HTTP/1.1\r\nHost: test\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
      'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
  )
  await waitFor(() => received.includes('\r\n\r\n'), { what: 'the handshake response' })
  const headerEnd = received.indexOf('\r\n\r\n') + 4
  expect(received.subarray(0, headerEnd).toString()).toContain('Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=')
  return { socket, frames: () => parseServerFrames(received.subarray(headerEnd)), ended }
}

function closeCodeOf(frames: ServerFrame[]): number | undefined {
  return frames.find((frame) => frame.opcode === 0x8)?.payload.readUInt16BE(0)
}

describe('ServerWebSocket with a stock client', () => {
  it('carries binary and text messages of every length class both ways', async () => {
    const server = await startServer()
    const client = await stockClient(server.port)
    const { ws, handler } = await server.next()
    const received: Buffer[] = []
    client.on('message', (data) => received.push(data as Buffer))
    const payloads = [0, 1, 125, 126, 65_535, 65_536, 200_000].map((length) => Uint8Array.from({ length }, (_, i) => (i * 31 + length) % 256))
    for (const payload of payloads) {
      client.send(payload)
      ws.sendFrame(binaryFrame(payload))
    }
    client.send('text')
    await waitFor(() => handler.messages.length === payloads.length + 1 && received.length === payloads.length, { what: 'every message' })
    payloads.forEach((payload, index) => {
      expect(handler.messages[index]).toEqual({ data: Buffer.from(payload), isBinary: true })
      expect(Buffer.compare(received[index] as Buffer, Buffer.from(payload))).toBe(0)
    })
    expect(handler.messages.at(-1)).toEqual({ data: Buffer.from('text'), isBinary: false })
  })

  it('answers pings with the same payload and reports pongs to its pings', async () => {
    const server = await startServer()
    const client = await stockClient(server.port)
    const { ws, handler } = await server.next()
    const pong = new Promise<Buffer>((resolve) => client.once('pong', resolve))
    client.ping(Buffer.from('are you there'))
    expect((await pong).toString()).toBe('are you there')
    ws.ping()
    await waitFor(() => handler.pongs === 1, { what: 'the pong' })
  })

  it('closes with the code and reason it is given, and reports the close once', async () => {
    const server = await startServer()
    const client = await stockClient(server.port)
    const { ws, handler } = await server.next()
    const closed = new Promise<[number, string]>((resolve) => client.once('close', (code, reason) => resolve([code, reason.toString()])))
    ws.close(4404, 'document not found')
    ws.close(1000, 'ignored: already closing')
    expect(await closed).toEqual([4404, 'document not found'])
    await waitFor(() => handler.closes === 1, { what: 'the close' })
    expect(ws.open).toBe(false)
  })

  it('cuts a long close reason to 123 bytes on a character boundary', async () => {
    const server = await startServer()
    const client = await stockClient(server.port)
    const { ws } = await server.next()
    const closed = new Promise<[number, string]>((resolve) => client.once('close', (code, reason) => resolve([code, reason.toString()])))
    ws.close(4400, 'é'.repeat(100))
    expect(await closed).toEqual([4400, 'é'.repeat(61)])
  })

  it('echoes a client’s close code and stops delivering', async () => {
    const server = await startServer()
    const client = await stockClient(server.port)
    const { ws, handler } = await server.next()
    const closed = new Promise<number>((resolve) => client.once('close', (code) => resolve(code)))
    client.close(4000, 'bye')
    expect(await closed).toBe(4000)
    await waitFor(() => handler.closes === 1, { what: 'the close' })
    ws.sendFrame(binaryFrame(new Uint8Array([1])))
    ws.ping()
    expect(handler.problems).toEqual([])
  })

  it('reports the close when the connection is cut', async () => {
    const server = await startServer()
    const client = await stockClient(server.port)
    const { ws, handler } = await server.next()
    const closed = new Promise<number>((resolve) => client.once('close', (code) => resolve(code)))
    ws.terminate()
    expect(await closed).toBe(1006)
    await waitFor(() => handler.closes === 1, { what: 'the close' })
    client.terminate()
    const other = await stockClient(server.port)
    const second = await server.next()
    other.terminate()
    await waitFor(() => second.handler.closes === 1, { what: 'the close of a client that vanished' })
  })
})

describe('ServerWebSocket framing', () => {
  it('reassembles a fragmented message and answers a ping sent between its fragments', async () => {
    const server = await startServer()
    const client = await rawClient(server.port)
    const { handler } = await server.next()
    client.socket.write(
      Buffer.concat([
        clientFrame(0x2, Buffer.from('hel'), { final: false }),
        clientFrame(0x9, Buffer.from('p')),
        clientFrame(0x0, Buffer.from('lo '), { final: false }),
        clientFrame(0x0, Buffer.from('world')),
      ]),
    )
    await waitFor(() => handler.messages.length === 1, { what: 'the message' })
    expect(handler.messages[0]).toEqual({ data: Buffer.from('hello world'), isBinary: true })
    await waitFor(() => client.frames().some((frame) => frame.opcode === 0xa && frame.payload.toString() === 'p'), { what: 'the pong' })
  })

  it('answers a hang-up without a close frame, stops sending and reports the close', async () => {
    const server = await startServer()
    const client = await rawClient(server.port)
    const { ws, handler } = await server.next()
    client.socket.end()
    await client.ended
    await waitFor(() => handler.closes === 1, { what: 'the close' })
    expect(ws.open).toBe(false)
    expect(client.frames()).toEqual([])
  })

  it('does not queue pongs without bound for a peer that pings but does not read', async () => {
    const server = await startServer()
    const client = await rawClient(server.port)
    const { ws } = await server.next()
    client.socket.pause()
    const ping = clientFrame(0x9, Buffer.alloc(125, 1))
    const burst = Buffer.concat(Array.from({ length: 1000 }, () => ping))
    let sent = 0
    while (sent < 32 * 1024 * 1024) {
      if (!client.socket.write(burst)) await new Promise((resolve) => client.socket.once('drain', resolve))
      sent += burst.length
    }
    await waitFor(() => ws.bufferedAmount > 0, { what: 'the kernel buffers to fill' })
    expect(ws.bufferedAmount).toBeLessThan(128 * 1024)
  })

  it('reports the close of a socket that was gone before reading started, once', () => {
    const { handler } = detached(1000, { destroyed: true })
    expect(handler.closes).toBe(1)
  })

  it('parses the same messages however the bytes are split across reads', () => {
    const messages = Array.from({ length: 18 }, (_, index) => randomBytes([0, 5, 125, 126, 300, 66_000][index % 6] as number))
    const stream = Buffer.concat(
      messages.flatMap((message, index) =>
        index % 3 === 0 && message.length > 2
          ? [clientFrame(0x2, message.subarray(0, 2), { final: false }), clientFrame(0x0, message.subarray(2))]
          : [clientFrame(0x2, message)],
      ),
    )
    for (const maxChunk of [1, 2, 3, 7, 64, 1000, stream.length]) {
      const { ws, handler } = detached(1 << 20)
      for (let offset = 0; offset < stream.length; ) {
        const size = Math.max(1, Math.floor(Math.random() * maxChunk) + 1)
        ws.receive(Buffer.from(stream.subarray(offset, offset + size)))
        offset += size
      }
      expect(handler.problems).toEqual([])
      expect(handler.messages.map((message) => message.data.toString('hex'))).toEqual(messages.map((message) => message.toString('hex')))
    }
  })

  it('survives random bytes: each input is parsed or refused, never thrown on', () => {
    for (let round = 0; round < 2000; round++) {
      const { ws, handler } = detached(4096)
      const frame = round % 2 === 0 ? randomBytes(1 + (round % 300)) : mutate(clientFrame(round % 3, randomBytes(round % 200)))
      expect(() => ws.receive(frame)).not.toThrow()
      expect(handler.problems.length).toBeLessThanOrEqual(1)
    }
  })

  const refusals: Array<[string, Buffer, number]> = [
    ['an unmasked frame', clientFrame(0x2, Buffer.from('x'), { masked: false }), 1002],
    ['reserved bits', clientFrame(0x2, Buffer.from('x'), { rsv: 0x40 }), 1002],
    ['an unknown opcode', clientFrame(0x3, Buffer.from('x')), 1002],
    ['an unknown control opcode', clientFrame(0xb, Buffer.from('x')), 1002],
    ['a fragmented control frame', clientFrame(0x9, Buffer.from('x'), { final: false }), 1002],
    ['a control frame over 125 bytes', clientFrame(0x9, Buffer.alloc(126)), 1002],
    ['a continuation with no message', clientFrame(0x0, Buffer.from('x')), 1002],
    ['a new message inside a fragmented one', Buffer.concat([clientFrame(0x2, Buffer.from('a'), { final: false }), clientFrame(0x2, Buffer.from('b'))]), 1002],
    ['a frame over the payload limit, refused from its header alone', clientFrame(0x2, Buffer.alloc(2000)).subarray(0, 8), 1009],
    ['fragments that add up to more than the limit', Buffer.concat([clientFrame(0x2, Buffer.alloc(600), { final: false }), clientFrame(0x0, Buffer.alloc(600))]), 1009],
    ['a 64-bit length beyond 4 GiB', Buffer.from([0x82, 0xff, 0, 0, 0, 1, 0, 0, 0, 0, 1, 2, 3, 4]), 1009],
    ['a close frame with a one-byte payload', clientFrame(0x8, Buffer.from([3])), 1002],
    ['a close frame with a reserved code', clientFrame(0x8, Buffer.from([0x03, 0xed])), 1002],
    ['a close reason that is not UTF-8', clientFrame(0x8, Buffer.from([0x03, 0xe8, 0xff, 0xfe])), 1007],
  ]
  it.each(refusals)('refuses %s with a close frame and hangs up', async (_what, bytes, code) => {
    const server = await startServer(1000)
    const client = await rawClient(server.port)
    const { handler } = await server.next()
    client.socket.write(bytes)
    await waitFor(() => closeCodeOf(client.frames()) === code, { what: `close code ${code}` })
    expect(handler.problems).toHaveLength(1)
    expect(handler.messages).toEqual([])
    client.socket.end()
    await client.ended
    await waitFor(() => handler.closes === 1, { what: 'the close' })
  })
})

describe('acceptWebSocket', () => {
  const request = (method: string, headers: Record<string, string>) => ({ method, headers }) as unknown as IncomingMessage
  const socket = { write: () => true } as unknown as Socket
  const key = { 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==', 'sec-websocket-version': '13' }

  it('says what is wrong with a request that is not a handshake it speaks', () => {
    expect(acceptWebSocket(request('POST', key), socket, Buffer.alloc(0), 10)).toEqual({ problem: 'a WebSocket handshake is a GET request' })
    expect(acceptWebSocket(request('GET', { ...key, 'sec-websocket-key': 'short' }), socket, Buffer.alloc(0), 10)).toHaveProperty('problem')
    expect(acceptWebSocket(request('GET', { 'sec-websocket-version': '13' }), socket, Buffer.alloc(0), 10)).toHaveProperty('problem')
    expect(acceptWebSocket(request('GET', { ...key, 'sec-websocket-version': '12' }), socket, Buffer.alloc(0), 10)).toHaveProperty('problem')
    expect(acceptWebSocket(request('GET', key), socket, Buffer.alloc(0), 10)).toHaveProperty('socket')
  })
})

/** A socket object that accepts every call, for feeding bytes straight into the parser. */
function detached(maxPayload: number, { destroyed = false } = {}): { ws: ServerWebSocket; handler: Recorder } {
  const stub = { write: () => true, end: () => undefined, destroy: () => undefined, on: () => stub, listeners: () => [], setTimeout: () => stub, setNoDelay: () => stub, writableLength: 0, destroyed }
  const result = acceptWebSocket(
    { method: 'GET', headers: { 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==', 'sec-websocket-version': '13' } } as unknown as IncomingMessage,
    stub as unknown as Socket,
    Buffer.alloc(0),
    maxPayload,
  )
  if (!('socket' in result)) throw new Error(result.problem)
  const handler = new Recorder()
  result.socket.start(handler)
  return { ws: result.socket, handler }
}

function mutate(bytes: Buffer): Buffer {
  const copy = Buffer.from(bytes)
  for (let flips = 0; flips < 3; flips++) {
    const index = Math.floor(Math.random() * copy.length)
    copy[index] = Math.floor(Math.random() * 256)
  }
  return copy
}
