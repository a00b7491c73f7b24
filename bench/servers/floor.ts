/**
 * The floor: a bare `ws` relay that broadcasts each frame to the other sockets of the same path.
 * No Yjs, no checks, no storage; what is left is the cost of moving bytes through WebSockets on
 * this machine. It frames each message once and writes that frame to every socket (behind `ws`'s
 * back, which only a bench tool may do), so that no server can beat it by framing more cheaply.
 * With `FLOOR_SEND=ws` (the `floor-ws` row) it sends through `ws.send` instead, one call per
 * recipient, as every server on `ws` must: the floor for a server that keeps to `ws`'s API.
 * Listens on `PORT`.
 */
import { createServer } from 'node:http'
import type { Socket } from 'node:net'
import { type WebSocket, WebSocketServer } from 'ws'

/** An unmasked, final, binary frame (RFC 6455 §5.2), as a server sends it. */
function binaryFrame(payload: Uint8Array): Buffer {
  const length = payload.length
  const headerLength = length < 126 ? 2 : length < 65_536 ? 4 : 10
  const frame = Buffer.allocUnsafe(headerLength + length)
  frame[0] = 0x82
  if (length < 126) {
    frame[1] = length
  } else if (length < 65_536) {
    frame[1] = 126
    frame.writeUInt16BE(length, 2)
  } else {
    frame[1] = 127
    frame.writeUInt32BE(Math.floor(length / 2 ** 32), 2)
    frame.writeUInt32BE(length >>> 0, 6)
  }
  frame.set(payload, headerLength)
  return frame
}

/** Whole frames may go straight to the TCP socket: without compression `ws` never queues them. */
function rawSocketOf(ws: WebSocket): Socket {
  return (ws as unknown as { _socket: Socket })._socket
}

const throughWs = process.env.FLOOR_SEND === 'ws'
const rooms = new Map<string, Set<WebSocket>>()
const server = createServer((_request, response) => {
  response.writeHead(200, { 'Content-Type': 'text/plain' })
  response.end('floor')
})
const wss = new WebSocketServer({ server, perMessageDeflate: false, clientTracking: false })
wss.on('connection', (ws, request) => {
  const name = request.url ?? '/'
  let room = rooms.get(name)
  if (room === undefined) {
    room = new Set()
    rooms.set(name, room)
  }
  const members = room
  members.add(ws)
  ws.on('message', (data: Buffer) => {
    if (throughWs) {
      for (const other of members) if (other !== ws && other.readyState === other.OPEN) other.send(data)
      return
    }
    const frame = binaryFrame(data)
    for (const other of members) if (other !== ws && other.readyState === other.OPEN) rawSocketOf(other).write(frame)
  })
  ws.on('close', () => {
    members.delete(ws)
    if (members.size === 0) rooms.delete(name)
  })
})
server.listen(Number(process.env.PORT), '127.0.0.1')
