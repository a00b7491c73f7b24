/**
 * The floor: a bare `ws` relay that broadcasts each frame to the other sockets of the same path.
 * No Yjs, no checks, no storage; what is left is the cost of moving bytes through WebSockets on
 * this machine. It frames each message once and writes it to every socket, as tandem does: with
 * `ws.send` per recipient the floor cost more per delivered update than tandem itself.
 * Listens on `PORT`.
 */
import { createServer } from 'node:http'
import type { Socket } from 'node:net'
import { type WebSocket, WebSocketServer } from 'ws'
import { binaryFrame } from '../../server/sync/wireFrame'

/** Whole frames may go straight to the TCP socket: without compression `ws` never queues them. */
function rawSocketOf(ws: WebSocket): Socket {
  return (ws as unknown as { _socket: Socket })._socket
}

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
    const frame = binaryFrame(data)
    for (const other of members) if (other !== ws && other.readyState === other.OPEN) rawSocketOf(other).write(frame)
  })
  ws.on('close', () => {
    members.delete(ws)
    if (members.size === 0) rooms.delete(name)
  })
})
server.listen(Number(process.env.PORT), '127.0.0.1')
