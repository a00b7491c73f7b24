/**
 * The presence floor (`floor-presence`): the least a server that batches presence does. It speaks
 * just enough of the y-websocket protocol to be joined (an empty sync step 2), and of each
 * awareness message it reads only where each entry (client id, clock, state) begins and ends:
 * no JSON, no ownership or size checks, no awareness map, no removals, no Yjs. Within a tick it
 * keeps each client's newest entry as received; then it writes one message carrying them all,
 * encoded once, to every socket through `ws.send` (a batch made by one socket alone is not sent
 * back to it). The wait between batches follows tandem's room (rule R9): `FLOOR_TICK_MS` (default
 * 50, as `PRESENCE_TICK_MS`) scaled down below 250 sockets, counted from the end of the last
 * batch, a change after a quiet spell sent at once. So at a given tick, no server that sends
 * batches one `ws.send` per recipient spends less per caret or delivers sooner on this machine.
 * Listens on `PORT`.
 */
import { createServer } from 'node:http'
import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'
import { type WebSocket, WebSocketServer } from 'ws'

const MESSAGE_SYNC = 0
const MESSAGE_AWARENESS = 1
const SYNC_STEP1 = 0
/** Sync step 2 carrying an empty update: [messageSync, syncStep2, length 2, no structs, no deletes]. */
const EMPTY_SYNC_STEP2 = Uint8Array.of(MESSAGE_SYNC, 1, 2, 0, 0)
const TICK_MS = Number(process.env.FLOOR_TICK_MS ?? 50)
/** tandem's PRESENCE_FULL_TICK_SOCKETS: the whole tick from this many sockets, proportionally less below. */
const FULL_TICK_SOCKETS = 250

interface Room {
  sockets: Set<WebSocket>
  /** Each client's newest entry since the last batch, as received. */
  entries: Map<number, Uint8Array>
  /** The one socket the batch's entries came from, or null once there are several. */
  onlyFrom: WebSocket | null | undefined
  timer: NodeJS.Timeout | null
  lastAt: number
}

function sendBatch(room: Room): void {
  if (room.timer !== null) clearTimeout(room.timer)
  room.timer = null
  if (room.entries.size > 0) {
    const update = encoding.createEncoder()
    encoding.writeVarUint(update, room.entries.size)
    for (const entry of room.entries.values()) encoding.writeUint8Array(update, entry)
    const message = encoding.createEncoder()
    encoding.writeVarUint(message, MESSAGE_AWARENESS)
    encoding.writeVarUint8Array(message, encoding.toUint8Array(update))
    const frame = encoding.toUint8Array(message)
    for (const socket of room.sockets) {
      if (socket !== room.onlyFrom && socket.readyState === socket.OPEN) socket.send(frame)
    }
  }
  room.entries.clear()
  room.onlyFrom = undefined
  room.lastAt = Date.now()
}

function changed(room: Room): void {
  if (room.timer !== null) return
  const wait = room.lastAt + TICK_MS * Math.min(1, room.sockets.size / FULL_TICK_SOCKETS) - Date.now()
  if (wait <= 0) sendBatch(room)
  else room.timer = setTimeout(() => sendBatch(room), wait)
}

function receiveAwareness(room: Room, from: WebSocket, data: Uint8Array): void {
  const outer = decoding.createDecoder(data)
  decoding.readVarUint(outer)
  const update = decoding.readVarUint8Array(outer)
  const decoder = decoding.createDecoder(update)
  const count = decoding.readVarUint(decoder)
  for (let index = 0; index < count; index++) {
    const start = decoder.pos
    const clientId = decoding.readVarUint(decoder)
    decoding.readVarUint(decoder)
    decoder.pos += decoding.readVarUint(decoder)
    room.entries.set(clientId, update.subarray(start, decoder.pos))
  }
  room.onlyFrom = room.onlyFrom === undefined || room.onlyFrom === from ? from : null
  changed(room)
}

const rooms = new Map<string, Room>()
const server = createServer((_request, response) => {
  response.writeHead(200, { 'Content-Type': 'text/plain' })
  response.end('presence floor')
})
const wss = new WebSocketServer({ server, perMessageDeflate: false, clientTracking: false })
wss.on('connection', (ws, request) => {
  const name = request.url ?? '/'
  let room = rooms.get(name)
  if (room === undefined) {
    room = { sockets: new Set(), entries: new Map(), onlyFrom: undefined, timer: null, lastAt: 0 }
    rooms.set(name, room)
  }
  const here = room
  here.sockets.add(ws)
  ws.on('message', (data: Buffer) => {
    if (data[0] === MESSAGE_SYNC && data[1] === SYNC_STEP1) ws.send(EMPTY_SYNC_STEP2)
    else if (data[0] === MESSAGE_AWARENESS) receiveAwareness(here, ws, data)
  })
  ws.on('close', () => {
    here.sockets.delete(ws)
  })
})
server.listen(Number(process.env.PORT), '127.0.0.1')
