/**
 * The join storm's time floor (`floor-join`): a `ws` server speaking just enough of the
 * y-websocket protocol to be joined. It keeps every update frame a room received, as received,
 * and answers a client's sync step 1 with all of them (through `ws.send`, one call per frame, as
 * every server on `ws` must) and an empty sync step 2. No Yjs, no merging, no encoding, no check,
 * no storage: a joiner gets the document's bytes and nothing else, so no server can hand 150
 * joiners a document sooner on this machine. Updates are also relayed to the room's other sockets
 * (the storm's uploader waits for its observer to see them). Listens on `PORT`.
 */
import { createServer } from 'node:http'
import { type WebSocket, WebSocketServer } from 'ws'

const MESSAGE_SYNC = 0
const SYNC_STEP1 = 0
const SYNC_UPDATE = 2
/** Sync step 2 carrying an empty update: [messageSync, syncStep2, length 2, no structs, no deletes]. */
const EMPTY_SYNC_STEP2 = Uint8Array.of(MESSAGE_SYNC, 1, 2, 0, 0)

interface Room {
  sockets: Set<WebSocket>
  frames: Buffer[]
}

const rooms = new Map<string, Room>()
const server = createServer((_request, response) => {
  response.writeHead(200, { 'Content-Type': 'text/plain' })
  response.end('join floor')
})
const wss = new WebSocketServer({ server, perMessageDeflate: false, clientTracking: false })
wss.on('connection', (ws, request) => {
  const name = request.url ?? '/'
  let room = rooms.get(name)
  if (room === undefined) {
    room = { sockets: new Set(), frames: [] }
    rooms.set(name, room)
  }
  const { sockets, frames } = room
  sockets.add(ws)
  ws.on('message', (data: Buffer) => {
    if (data[0] !== MESSAGE_SYNC) return
    if (data[1] === SYNC_STEP1) {
      for (const frame of frames) ws.send(frame)
      ws.send(EMPTY_SYNC_STEP2)
    } else if (data[1] === SYNC_UPDATE) {
      frames.push(data)
      for (const other of sockets) if (other !== ws && other.readyState === other.OPEN) other.send(data)
    }
  })
  ws.on('close', () => {
    sockets.delete(ws)
  })
})
server.listen(Number(process.env.PORT), '127.0.0.1')
