/**
 * The y-websocket wire protocol, as the stock `WebsocketProvider` speaks it.
 *
 * Pure functions only: decoding never throws past {@link decodeClientMessage}, which turns any
 * malformed frame into a `malformed` result so that one bad client can never take the process
 * down.
 */
import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'

export const MessageType = {
  sync: 0,
  awareness: 1,
  auth: 2,
  queryAwareness: 3,
} as const

export const SyncType = {
  step1: 0,
  step2: 1,
  update: 2,
} as const

export type ClientMessage =
  | { kind: 'syncStep1'; stateVector: Uint8Array }
  | { kind: 'syncStep2'; update: Uint8Array }
  | { kind: 'update'; update: Uint8Array }
  | { kind: 'awareness'; update: Uint8Array }
  | { kind: 'queryAwareness' }
  | { kind: 'malformed'; reason: string }

/**
 * Decodes one frame sent by a client. Payloads are views into `frame` (no copy), so the caller
 * may forward the very bytes it received.
 *
 * Trailing bytes are refused: stock clients never send them, and accepting them would let a
 * frame mean different things to different parsers.
 */
export function decodeClientMessage(frame: Uint8Array): ClientMessage {
  try {
    const decoder = decoding.createDecoder(frame)
    const messageType = decoding.readVarUint(decoder)
    let message: ClientMessage
    switch (messageType) {
      case MessageType.sync: {
        const syncType = decoding.readVarUint(decoder)
        const payload = decoding.readVarUint8Array(decoder)
        if (syncType === SyncType.step1) message = { kind: 'syncStep1', stateVector: payload }
        else if (syncType === SyncType.step2) message = { kind: 'syncStep2', update: payload }
        else if (syncType === SyncType.update) message = { kind: 'update', update: payload }
        else return { kind: 'malformed', reason: `unknown sync message type ${syncType}` }
        break
      }
      case MessageType.awareness:
        message = { kind: 'awareness', update: decoding.readVarUint8Array(decoder) }
        break
      case MessageType.queryAwareness:
        message = { kind: 'queryAwareness' }
        break
      default:
        return { kind: 'malformed', reason: `unknown message type ${messageType}` }
    }
    if (decoding.hasContent(decoder)) return { kind: 'malformed', reason: 'trailing bytes after message' }
    return message
  } catch {
    return { kind: 'malformed', reason: 'truncated message' }
  }
}

function frame(write: (encoder: encoding.Encoder) => void): Uint8Array {
  const encoder = encoding.createEncoder()
  write(encoder)
  return encoding.toUint8Array(encoder)
}

function syncFrame(syncType: number, payload: Uint8Array): Uint8Array {
  return frame((e) => {
    encoding.writeVarUint(e, MessageType.sync)
    encoding.writeVarUint(e, syncType)
    encoding.writeVarUint8Array(e, payload)
  })
}

export const encodeSyncStep1 = (stateVector: Uint8Array): Uint8Array => syncFrame(SyncType.step1, stateVector)
export const encodeSyncStep2 = (update: Uint8Array): Uint8Array => syncFrame(SyncType.step2, update)
export const encodeUpdate = (update: Uint8Array): Uint8Array => syncFrame(SyncType.update, update)

export function encodeAwareness(awarenessUpdate: Uint8Array): Uint8Array {
  return frame((e) => {
    encoding.writeVarUint(e, MessageType.awareness)
    encoding.writeVarUint8Array(e, awarenessUpdate)
  })
}
