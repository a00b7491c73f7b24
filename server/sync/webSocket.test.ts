/**
 * WebSocket conformance, in raw bytes against tandem's real upgrade path (a real server on port 0):
 * the framing cases of RFC 6455 by category, each asserting the close code the peer receives; the
 * attacks of issue 11, each of which tandem's former home-made socket layer failed; and a seeded
 * fuzzer, whose title names its seed (FUZZ_SEED replays a run, `server/test/random.ts`).
 */
import { type Socket, connect } from 'node:net'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import * as Y from 'yjs'
import { type TestServer, startTestServer } from '../test/server'
import { fuzzSeed, seededRandom } from '../test/random'
import { waitFor } from '../test/waitFor'
import { CloseCode } from '../../protocol/closeCodes'
import { encodeSyncStep1, encodeUpdate } from './wire'
import { closeReason } from './webSocket'
import { DOCUMENT_FIELD } from '../../protocol/fields'

const MAX_PAYLOAD = 128 * 1024
const KEY = 'dGhlIHNhbXBsZSBub25jZQ=='

setFlagsFromString('--expose-gc')
const collectGarbage = runInNewContext('gc') as () => void

let server: TestServer
let docId: string
let port: number
const open: Array<Socket | WebSocket> = []

beforeAll(async () => {
  server = await startTestServer({
    MAX_PAYLOAD_BYTES: String(MAX_PAYLOAD),
    MAX_CONNECTIONS_PER_IP: '1000',
    MAX_ROOMS_PER_IP: '1000',
  })
  port = Number(new URL(server.url).port)
  docId = await server.createDocument({ content: { format: 'text', body: 'conformance' } })
})
afterAll(() => server.dispose())
afterEach(() => {
  for (const socket of open.splice(0)) socket instanceof WebSocket ? socket.terminate() : socket.destroy()
})

// ---------------------------------------------------------------------------------------------
// Frames, byte by byte

const Op = { continuation: 0x0, text: 0x1, binary: 0x2, close: 0x8, ping: 0x9, pong: 0xa } as const

interface FrameOptions {
  final?: boolean
  masked?: boolean
  /** Reserved bits, as they sit in the first byte (0x40, 0x20, 0x10). */
  rsv?: number
  /** The length to announce instead of the payload's. */
  length?: number
  mask?: [number, number, number, number]
}

/** A client frame as RFC 6455 §5.2 lays it out (masked unless told otherwise). */
function frame(opcode: number, payload: Uint8Array = new Uint8Array(0), options: FrameOptions = {}): Buffer {
  const { final = true, masked = true, rsv = 0, length = payload.length, mask = [0x12, 0x34, 0x56, 0x78] } = options
  const lengthBytes = length < 126 ? 0 : length < 65_536 ? 2 : 8
  const header = Buffer.alloc(2 + lengthBytes + (masked ? 4 : 0))
  header[0] = (final ? 0x80 : 0) | rsv | opcode
  header[1] = (masked ? 0x80 : 0) | (lengthBytes === 0 ? length : lengthBytes === 2 ? 126 : 127)
  if (lengthBytes === 2) header.writeUInt16BE(length, 2)
  if (lengthBytes === 8) header.writeBigUInt64BE(BigInt(length), 2)
  const body = Buffer.from(payload)
  if (masked) {
    header.set(mask, 2 + lengthBytes)
    for (let index = 0; index < body.length; index++)
      body[index] = (body[index] as number) ^ (mask[index & 3] as number)
  }
  return Buffer.concat([header, body])
}

const closePayload = (code: number, reason: Uint8Array | string = ''): Buffer => {
  const reasonBytes = typeof reason === 'string' ? Buffer.from(reason) : Buffer.from(reason)
  const payload = Buffer.alloc(2 + reasonBytes.length)
  payload.writeUInt16BE(code, 0)
  reasonBytes.copy(payload, 2)
  return payload
}

interface ServerFrame {
  final: boolean
  opcode: number
  payload: Buffer
}

/** Parses unmasked server frames; stops at an incomplete one. */
function parseFrames(bytes: Buffer): ServerFrame[] {
  const frames: ServerFrame[] = []
  let offset = 0
  while (offset + 2 <= bytes.length) {
    const first = bytes[offset] as number
    let length = (bytes[offset + 1] as number) & 0x7f
    let start = offset + 2
    if (length === 126) {
      if (start + 2 > bytes.length) break
      length = bytes.readUInt16BE(start)
      start += 2
    } else if (length === 127) {
      if (start + 8 > bytes.length) break
      length = Number(bytes.readBigUInt64BE(start))
      start += 8
    }
    if (start + length > bytes.length) break
    frames.push({ final: (first & 0x80) !== 0, opcode: first & 0x0f, payload: bytes.subarray(start, start + length) })
    offset = start + length
  }
  return frames
}

// ---------------------------------------------------------------------------------------------
// A peer speaking raw bytes over a real TCP connection

interface Exchange {
  socket: Socket
  /** Everything the server sent. */
  received(): Buffer
  /** The TCP connection is gone (closed by either side, or reset). */
  closed: Promise<void>
  isClosed(): boolean
}

function tcp(options: { allowHalfOpen?: boolean } = {}): Exchange {
  const socket = connect({ port, host: '127.0.0.1', allowHalfOpen: options.allowHalfOpen ?? false })
  socket.setNoDelay(true)
  open.push(socket)
  socket.on('error', () => undefined)
  const chunks: Buffer[] = []
  socket.on('data', (chunk: Buffer) => chunks.push(chunk))
  let isClosed = false
  const closed = new Promise<void>((resolve) =>
    socket.once('close', () => {
      isClosed = true
      resolve()
    }),
  )
  return {
    socket,
    received: () => (chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks)),
    closed,
    isClosed: () => isClosed,
  }
}

function upgradeRequest(path: string, headers: Record<string, string> = {}): string {
  const all: Record<string, string> = {
    Host: `127.0.0.1:${port}`,
    Upgrade: 'websocket',
    Connection: 'Upgrade',
    'Sec-WebSocket-Key': KEY,
    'Sec-WebSocket-Version': '13',
    ...headers,
  }
  const lines = Object.entries(all).map(([name, value]) => `${name}: ${value}`)
  return `GET ${path} HTTP/1.1\r\n${lines.join('\r\n')}\r\n\r\n`
}

interface Peer extends Exchange {
  /** Server frames after the handshake response. */
  frames(): ServerFrame[]
  /** The server's close frame, once it sent one. */
  close(): { code: number | null; reason: string } | null
  send(...frames: Buffer[]): void
}

/** Completes a handshake to `/ws/:docId`; with `joined`, waits for the server's sync step 1 too. */
async function peer({ joined = true }: { joined?: boolean } = {}): Promise<Peer> {
  const exchange = tcp()
  exchange.socket.write(upgradeRequest(`/ws/${docId}`))
  const headerEnd = await waitFor(
    () => {
      const end = exchange.received().indexOf('\r\n\r\n')
      return end >= 0 ? end + 4 : 0
    },
    { what: 'the handshake response' },
  )
  expect(exchange.received().subarray(0, headerEnd).toString()).toMatch(
    /^HTTP\/1\.1 101 [\s\S]*Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK\+xOo=/,
  )
  const frames = (): ServerFrame[] => parseFrames(exchange.received().subarray(headerEnd))
  const result: Peer = {
    ...exchange,
    frames,
    close() {
      const found = frames().find((candidate) => candidate.opcode === Op.close)
      if (found === undefined) return null
      return found.payload.length >= 2
        ? { code: found.payload.readUInt16BE(0), reason: found.payload.subarray(2).toString() }
        : { code: null, reason: '' }
    },
    send: (...outgoing) => {
      exchange.socket.write(Buffer.concat(outgoing))
    },
  }
  if (joined)
    await waitFor(() => frames().some((f) => f.opcode === Op.binary && f.payload[0] === 0 && f.payload[1] === 0), {
      what: 'sync step 1 from the server',
    })
  return result
}

async function expectClosedWith(p: Peer, code: number | null): Promise<void> {
  await waitFor(() => p.close() !== null, {
    what: `a close frame (${code}); got ${p.frames().length} frames, opcodes ${p
      .frames()
      .slice(0, 8)
      .map((f) => f.opcode)
      .join(',')}…`,
    timeout: 5000,
  })
  expect(p.close()?.code).toBe(code)
}

/** The peer is still served: a ping sent now is answered, and nothing closed it before. */
async function expectServed(p: Peer, tag = 'still there'): Promise<void> {
  p.send(frame(Op.ping, Buffer.from(tag)))
  await waitFor(
    () => p.frames().some((f) => f.opcode === Op.pong && f.payload.toString() === tag) || p.close() !== null,
    { what: 'the pong' },
  )
  expect(p.close()).toBeNull()
}

// ---------------------------------------------------------------------------------------------
// Valid y-websocket messages of an exact length

/** A sync update message: `paragraphs` new paragraphs, the first with `textLength` characters. */
function updateMessage(textLength: number, { paragraphs = 1, clientID = randomClientId() } = {}): Uint8Array {
  const doc = new Y.Doc()
  doc.clientID = clientID
  const updates: Uint8Array[] = []
  doc.on('update', (update: Uint8Array) => updates.push(update))
  doc.transact(() => {
    for (let index = 0; index < paragraphs; index++) {
      const paragraph = new Y.XmlElement('paragraph')
      paragraph.insert(0, [new Y.XmlText(index === 0 ? 'u'.repeat(textLength) : 'v')])
      doc.getXmlFragment(DOCUMENT_FIELD).push([paragraph])
    }
  })
  return encodeUpdate(updates[0] as Uint8Array)
}

/** Five varint bytes (≥ 2^28), so that a message's length does not depend on the random id. */
const randomClientId = (): number => 2 ** 28 + Math.floor(Math.random() * (2 ** 32 - 2 ** 28))

/**
 * A sync update message of exactly `length` bytes. A text's length prefix skips a length where it
 * grows by a byte; a second paragraph shifts where. (The message's own length prefix skips one
 * too: 131 bytes is out of reach.)
 */
function updateMessageOfLength(length: number): Uint8Array {
  const clientID = randomClientId()
  for (const paragraphs of [1, 2]) {
    let guess = Math.max(1, length - 60)
    for (let step = 0; step < 3; step++)
      guess = Math.max(1, guess + length - updateMessage(guess, { paragraphs, clientID }).length)
    for (let textLength = Math.max(1, guess - 3); textLength <= guess + 3; textLength++) {
      const message = updateMessage(textLength, { paragraphs, clientID })
      if (message.length === length) return message
    }
  }
  throw new Error(`no update message of ${length} bytes`)
}

/** Waits until `listener` received a broadcast of exactly `message`. */
async function expectBroadcast(listener: Peer, message: Uint8Array): Promise<void> {
  const wanted = Buffer.from(message)
  await waitFor(() => listener.frames().some((f) => f.opcode === Op.binary && f.payload.equals(wanted)), {
    what: `a broadcast of ${message.length} bytes`,
  })
}

// ---------------------------------------------------------------------------------------------

describe('framing: lengths', () => {
  it.each([125, 126, 65_535, 65_536])(
    'carries a %i-byte message both ways (7-, 16- and 64-bit lengths)',
    async (length) => {
      const [sender, listener] = await Promise.all([peer(), peer()])
      const message = updateMessageOfLength(length)
      sender.send(frame(Op.binary, message))
      await expectBroadcast(listener, message)
      await expectServed(sender)
    },
  )

  it('hands an empty binary message to the room, which refuses it as malformed (4400)', async () => {
    const p = await peer()
    p.send(frame(Op.binary))
    await expectClosedWith(p, CloseCode.badMessage)
  })

  it('refuses a message over MAX_PAYLOAD_BYTES with 1009 from its header alone', async () => {
    const p = await peer()
    p.send(frame(Op.binary, new Uint8Array(0), { length: MAX_PAYLOAD + 1 }))
    await expectClosedWith(p, 1009)
  })

  it('refuses fragments that add up to more than MAX_PAYLOAD_BYTES with 1009', async () => {
    const p = await peer()
    p.send(
      frame(Op.binary, new Uint8Array(MAX_PAYLOAD - 10), { final: false }),
      frame(Op.continuation, new Uint8Array(0), { length: 11 }),
    )
    await expectClosedWith(p, 1009)
  })

  it('refuses a 64-bit length beyond 2^53 with 1009', async () => {
    const p = await peer()
    p.send(Buffer.from([0x82, 0xff, 0x7f, 0xff, 0xff, 0xff, 0, 0, 0, 0, 1, 2, 3, 4]))
    await expectClosedWith(p, 1009)
  })
})

describe('framing: fragmentation with interleaved control frames', () => {
  it('reassembles a message split in three, answering a ping between the fragments', async () => {
    const [sender, listener] = await Promise.all([peer(), peer()])
    const message = updateMessage(300)
    sender.send(
      frame(Op.binary, message.subarray(0, 100), { final: false }),
      frame(Op.ping, Buffer.from('between')),
      frame(Op.continuation, message.subarray(100, 100), { final: false }),
      frame(Op.continuation, message.subarray(100, 200), { final: false }),
      frame(Op.pong, Buffer.from('unsolicited')),
      frame(Op.continuation, message.subarray(200)),
    )
    await expectBroadcast(listener, message)
    await waitFor(() => sender.frames().some((f) => f.opcode === Op.pong && f.payload.toString() === 'between'), {
      what: 'the pong',
    })
    expect(sender.close()).toBeNull()
  })

  it.each([
    ['a continuation frame with no message to continue', [frame(Op.continuation, Buffer.from('x'))]],
    [
      'a new binary message inside a fragmented one',
      [frame(Op.binary, Buffer.from('a'), { final: false }), frame(Op.binary, Buffer.from('b'))],
    ],
    [
      'a text message inside a fragmented binary one',
      [frame(Op.binary, Buffer.from('a'), { final: false }), frame(Op.text, Buffer.from('b'))],
    ],
  ])('refuses %s with 1002', async (_what, frames) => {
    const p = await peer()
    p.send(...frames)
    await expectClosedWith(p, 1002)
  })
})

describe('framing: reserved bits and opcodes', () => {
  it.each([
    ['RSV1 without a negotiated extension', 0x40],
    ['RSV2', 0x20],
    ['RSV3', 0x10],
  ])('refuses %s with 1002', async (_what, rsv) => {
    const p = await peer()
    p.send(frame(Op.binary, Buffer.from([3]), { rsv }))
    await expectClosedWith(p, 1002)
  })

  it.each([0x3, 0x4, 0x5, 0x6, 0x7, 0xb, 0xc, 0xd, 0xe, 0xf])(
    'refuses reserved opcode %i with 1002',
    async (opcode) => {
      const p = await peer()
      p.send(frame(opcode, Buffer.from('x')))
      await expectClosedWith(p, 1002)
    },
  )
})

describe('framing: control frame limits', () => {
  it('answers a ping of 125 bytes with the same payload', async () => {
    const p = await peer()
    const payload = Buffer.alloc(125, 7)
    p.send(frame(Op.ping, payload))
    await waitFor(() => p.frames().some((f) => f.opcode === Op.pong && f.payload.equals(payload)), { what: 'the pong' })
  })

  it.each([
    ['a ping of 126 bytes', frame(Op.ping, Buffer.alloc(126))],
    ['a pong of 126 bytes', frame(Op.pong, Buffer.alloc(126))],
    ['a close frame of 126 bytes', frame(Op.close, closePayload(1000, 'r'.repeat(124)))],
    ['a fragmented ping', frame(Op.ping, Buffer.from('x'), { final: false })],
    ['a fragmented close frame', frame(Op.close, closePayload(1000), { final: false })],
    ['a close frame with a one-byte payload', frame(Op.close, Buffer.from([3]))],
  ])('refuses %s with 1002', async (_what, bytes) => {
    const p = await peer()
    p.send(bytes)
    await expectClosedWith(p, 1002)
  })
})

describe('framing: close codes and reasons', () => {
  it.each([1000, 1001, 1003, 1007, 1008, 1011, 3000, 4000, 4999])(
    'echoes a close with code %i and closes the connection',
    async (code) => {
      const p = await peer()
      p.send(frame(Op.close, closePayload(code, 'bye')))
      await expectClosedWith(p, code)
      await p.closed
    },
  )

  it('answers an empty close frame with an empty one', async () => {
    const p = await peer()
    p.send(frame(Op.close))
    await expectClosedWith(p, null)
  })

  it.each([0, 999, 1004, 1005, 1006, 1015, 1016, 2000, 2999, 5000, 65_535])(
    'refuses close code %i with 1002',
    async (code) => {
      const p = await peer()
      p.send(frame(Op.close, closePayload(code)))
      await expectClosedWith(p, 1002)
    },
  )

  it('refuses a close reason that is not UTF-8 with 1007', async () => {
    const p = await peer()
    p.send(frame(Op.close, closePayload(1000, Uint8Array.of(0xff, 0xfe))))
    await expectClosedWith(p, 1007)
  })

  it('accepts a UTF-8 close reason of the longest length (123 bytes)', async () => {
    const p = await peer()
    p.send(frame(Op.close, closePayload(4000, `${'é'.repeat(61)}x`)))
    await expectClosedWith(p, 4000)
  })
})

describe('framing: UTF-8 in text frames', () => {
  it('refuses a valid text message as the protocol says: binary frames only (4400)', async () => {
    const p = await peer()
    p.send(frame(Op.text, Buffer.from('héllo')))
    await expectClosedWith(p, CloseCode.badMessage)
    expect(p.close()?.reason).toBe('binary frames only')
  })

  it('reassembles a character split across fragments before judging it (4400, not 1007)', async () => {
    const p = await peer()
    const bytes = Buffer.from('aé€b')
    p.send(
      frame(Op.text, bytes.subarray(0, 2), { final: false }),
      frame(Op.continuation, bytes.subarray(2, 4), { final: false }),
      frame(Op.continuation, bytes.subarray(4)),
    )
    await expectClosedWith(p, CloseCode.badMessage)
  })

  it.each([
    ['an invalid byte', [0x68, 0xff, 0x69]],
    ['an overlong encoding', [0xc0, 0x80]],
    ['a UTF-16 surrogate', [0xed, 0xa0, 0x80]],
    ['a code point above U+10FFFF', [0xf4, 0x90, 0x80, 0x80]],
    ['a truncated sequence', [0x61, 0xe2, 0x82]],
  ])('refuses a text message with %s with 1007 at once', async (_what, bytes) => {
    const p = await peer()
    p.send(frame(Op.text, Uint8Array.from(bytes)))
    await expectClosedWith(p, 1007)
  })

  it('refuses invalid UTF-8 in a fragmented text message with 1007', async () => {
    const p = await peer()
    p.send(frame(Op.text, Buffer.from('ok'), { final: false }), frame(Op.continuation, Uint8Array.of(0xff)))
    await expectClosedWith(p, 1007)
  })
})

describe('framing: masking', () => {
  it('refuses an unmasked client frame with 1002', async () => {
    const p = await peer()
    p.send(frame(Op.binary, Buffer.from([3]), { masked: false }))
    await expectClosedWith(p, 1002)
  })

  it('refuses an unmasked ping with 1002', async () => {
    const p = await peer()
    p.send(frame(Op.ping, Buffer.from('x'), { masked: false }))
    await expectClosedWith(p, 1002)
  })

  it('accepts an all-zero masking key', async () => {
    const [sender, listener] = await Promise.all([peer(), peer()])
    const message = updateMessage(200)
    sender.send(frame(Op.binary, message, { mask: [0, 0, 0, 0] }))
    await expectBroadcast(listener, message)
  })
})

// ---------------------------------------------------------------------------------------------

describe('attacks', () => {
  it('closes a flood of zero-length continuation frames with 1008 without growing memory', async () => {
    const p = await peer()
    const count = 100_000
    const empty = frame(Op.continuation, new Uint8Array(0), { final: false })
    const start = frame(Op.binary, Buffer.from([0]), { final: false })
    const flood = Buffer.alloc(start.length + count * empty.length)
    start.copy(flood)
    for (let index = 0; index < count; index++) empty.copy(flood, start.length + index * empty.length)
    collectGarbage()
    const before = process.memoryUsage().heapUsed
    p.send(flood)
    await expectClosedWith(p, 1008)
    collectGarbage()
    const grown = process.memoryUsage().heapUsed - before
    // The former layer kept every fragment: ≈ 160 bytes each, 16 MiB for this flood.
    expect(grown).toBeLessThan(4 * 1024 * 1024)
    await expectServedByOthers()
  })

  it('closes with 1008 a peer that sends a frame a byte at a time, before it holds thousands of small reads', async () => {
    const p = await peer()
    const announced = frame(Op.binary, new Uint8Array(0), { length: MAX_PAYLOAD - 1 })
    p.send(announced)
    let sent = 0
    while (p.close() === null && !p.isClosed() && sent < MAX_PAYLOAD / 2) {
      p.socket.write(Buffer.of(sent & 0xff))
      sent++
      await new Promise((resolve) => setImmediate(resolve))
    }
    await expectClosedWith(p, 1008)
    // 1,024 reads at most here (MAX_PAYLOAD_BYTES / 256, at least 1,024).
    expect(sent).toBeLessThan(MAX_PAYLOAD / 4)
  })

  it('drops a socket that floods pings in bursts; another client’s round trip stays fast', async () => {
    const witness = await stockClient()
    const flooder = await peer()
    const burst = Buffer.concat(Array.from({ length: 5000 }, () => frame(Op.ping)))
    // 400,000 pings at most (2.4 MB): the former layer answered every one.
    for (let sent = 0; sent < 80 && !flooder.isClosed() && flooder.close() === null; sent++) {
      flooder.socket.write(burst)
      await new Promise((resolve) => setImmediate(resolve))
    }
    await waitFor(() => flooder.isClosed() || flooder.close() !== null, { what: 'the flooder to be dropped' })
    expect(await roundTrip(witness)).toBeLessThan(250)
  })

  it('closes a socket that paces its pings past the message rate with 1008', async () => {
    const witness = await stockClient()
    const flooder = await peer()
    const small = Buffer.concat(Array.from({ length: 20 }, () => frame(Op.ping)))
    const started = Date.now()
    const rounds: number[] = []
    while (flooder.close() === null && !flooder.isClosed() && Date.now() - started < 5000) {
      flooder.socket.write(small)
      await new Promise((resolve) => setImmediate(resolve))
      if (rounds.length < 5) rounds.push(await roundTrip(witness))
    }
    await expectClosedWith(flooder, CloseCode.policyViolation)
    expect(Math.max(...rounds)).toBeLessThan(250)
  })

  it('answers an upgrade to anything but websocket (h2c) with 400, even with a valid key', async () => {
    for (const upgrade of ['h2c', 'websocket2', 'h2c, websocket']) {
      const exchange = tcp()
      exchange.socket.write(
        upgradeRequest(`/ws/${docId}`, {
          Upgrade: upgrade,
          Connection: 'Upgrade, HTTP2-Settings',
          'HTTP2-Settings': 'AAMAAABkAARAAAAAAAIAAAAA',
        }),
      )
      await waitFor(() => exchange.isClosed(), {
        what: `the server to answer Upgrade: ${upgrade} and hang up`,
        timeout: 3000,
      })
      expect(exchange.received().toString()).toMatch(/^HTTP\/1\.1 400 /)
    }
  })

  it('destroys the socket of a refused upgrade once the answer is written, even if the peer keeps its side open', async () => {
    const refused: Array<[number, string, Record<string, string>]> = [
      [404, '/nowhere', {}],
      [403, `/ws/${docId}`, { Origin: 'https://evil.example.test' }],
      [400, `/ws/${docId}`, { 'Sec-WebSocket-Version': '99' }],
    ]
    for (const [status, path, headers] of refused) {
      const exchange = tcp({ allowHalfOpen: true })
      exchange.socket.write(upgradeRequest(path, headers))
      await new Promise((resolve) => exchange.socket.once('end', resolve))
      expect(exchange.received().toString()).toMatch(new RegExp(`^HTTP/1\\.1 ${status} `))
      // Half-open on our side: a server that only ended its side would keep reading; one that
      // destroyed the socket answers these bytes with a reset.
      const poke = setInterval(() => exchange.socket.write('still here'), 20)
      try {
        await waitFor(() => exchange.isClosed(), {
          what: `the server to drop the refused (${status}) connection`,
          timeout: 3000,
        })
      } finally {
        clearInterval(poke)
      }
    }
  })
})

// ---------------------------------------------------------------------------------------------

describe('fuzzing', () => {
  const seed = fuzzSeed(0x7a4d3e)

  it(`survives random and bit-flipped frames and keeps serving (seed ${seed})`, async () => {
    const { int } = seededRandom(seed)
    const bytes = (length: number): Buffer => Buffer.from(Array.from({ length }, () => int(256)))
    const templates = (): Buffer[] => [
      frame(Op.binary, updateMessage(int(200), { clientID: 2 ** 28 + int(2 ** 32 - 2 ** 28) })),
      frame(Op.binary, encodeSyncStep1(new Uint8Array([0]))),
      frame(Op.binary, bytes(int(300)), { final: int(2) === 0 }),
      frame(Op.continuation, bytes(int(50)), { final: int(2) === 0 }),
      frame(Op.text, bytes(int(40))),
      frame(Op.ping, bytes(int(126))),
      frame(Op.pong, bytes(int(20))),
      frame(Op.close, closePayload(int(5000), bytes(int(10)))),
    ]
    const mutate = (input: Buffer): Buffer => {
      const copy = Buffer.from(input)
      const flips = 1 + int(4)
      for (let flip = 0; flip < flips && copy.length > 0; flip++) {
        const index = int(Math.min(copy.length, 16)) < 12 ? int(Math.min(copy.length, 14)) : int(copy.length)
        copy[index] = int(3) === 0 ? int(256) : (copy[index] as number) ^ (1 << int(8))
      }
      return copy
    }
    const round = async (): Promise<void> => {
      const p = await peer({ joined: false })
      const pieces: Buffer[] = []
      const count = 1 + int(4)
      for (let piece = 0; piece < count; piece++) {
        const kind = int(3)
        const template = templates()[int(8)] as Buffer
        pieces.push(kind === 0 ? bytes(1 + int(200)) : kind === 1 ? mutate(template) : template)
      }
      p.send(...pieces)
      p.socket.end()
      await waitFor(() => p.isClosed(), { what: 'the fuzzed socket to close' })
    }
    for (let batch = 0; batch < 15; batch++) await Promise.all(Array.from({ length: 10 }, round))
    await expectServedByOthers()
  })
})

// ---------------------------------------------------------------------------------------------

describe('permessage-deflate', () => {
  it('is not negotiated by default, even when the client offers it', async () => {
    const ws = await stockClient({ perMessageDeflate: true })
    expect(ws.extensions).toBe('')
  })

  it('is negotiated with WS_PER_MESSAGE_DEFLATE=true, and compressed messages sync', async () => {
    const deflating = await startTestServer({ WS_PER_MESSAGE_DEFLATE: 'true' })
    try {
      const id = await deflating.createDocument()
      const connectTo = async (): Promise<WebSocket> => {
        const ws = new WebSocket(`${deflating.wsUrl}/${id}`, { perMessageDeflate: true })
        open.push(ws)
        await new Promise((resolve, reject) => {
          ws.once('open', resolve)
          ws.once('error', reject)
        })
        return ws
      }
      const [sender, listener] = [await connectTo(), await connectTo()]
      expect(sender.extensions).toContain('permessage-deflate')
      const message = updateMessage(5000)
      const received = new Promise<Buffer>((resolve) =>
        listener.on('message', (data: Buffer) => {
          if (data.length === message.length) resolve(data)
        }),
      )
      sender.send(message)
      expect(Buffer.compare(await received, Buffer.from(message))).toBe(0)
    } finally {
      await deflating.dispose()
    }
  })
})

describe('closeReason', () => {
  it('keeps reasons of up to 123 bytes and cuts longer ones on a character boundary', () => {
    expect(closeReason('binary frames only')).toBe('binary frames only')
    expect(closeReason('x'.repeat(123))).toBe('x'.repeat(123))
    expect(closeReason('x'.repeat(200))).toBe('x'.repeat(123))
    expect(closeReason('é'.repeat(100))).toBe('é'.repeat(61))
    expect(closeReason(`${'x'.repeat(121)}€`)).toBe('x'.repeat(121))
  })
})

// ---------------------------------------------------------------------------------------------

async function stockClient(options: WebSocket.ClientOptions = {}): Promise<WebSocket> {
  const ws = new WebSocket(`${server.wsUrl}/${docId}`, options)
  open.push(ws)
  ws.on('error', () => undefined)
  await new Promise((resolve, reject) => {
    ws.once('open', resolve)
    ws.once('error', reject)
  })
  return ws
}

/** Milliseconds for a sync step 1 to be answered with a step 2 (server work, not just a pong). */
async function roundTrip(ws: WebSocket): Promise<number> {
  const started = performance.now()
  await new Promise<void>((resolve) => {
    const onMessage = (data: Buffer): void => {
      if (data[0] === 0 && data[1] === 1) {
        ws.off('message', onMessage)
        resolve()
      }
    }
    ws.on('message', onMessage)
    ws.send(encodeSyncStep1(new Uint8Array([0])))
  })
  return performance.now() - started
}

/** The server still syncs: an update from one new peer reaches another. */
async function expectServedByOthers(): Promise<void> {
  const [sender, listener] = await Promise.all([peer(), peer()])
  const message = updateMessage(100)
  sender.send(frame(Op.binary, message))
  await expectBroadcast(listener, message)
  const health = await fetch(`${server.url}/healthz`)
  expect(health.status).toBe(200)
}
