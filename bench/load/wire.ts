/**
 * The three wire dialects the load generator speaks, reduced to what a benchmark client needs:
 * the y-websocket protocol (tandem and the reference server), Hocuspocus' variant of it (every
 * frame prefixed with the document name, an auth message first), and the bare relay of the floor
 * (any bytes, broadcast as they are).
 */
import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'

export const Protocol = {
  yws: 'yws',
  hocuspocus: 'hocuspocus',
  floor: 'floor',
} as const
export type Protocol = (typeof Protocol)[keyof typeof Protocol]

/** Where a client connects: `wsBase` plus the document name, except for Hocuspocus. */
export interface Target {
  protocol: Protocol
  wsBase: string
}

export function socketUrl(target: Target, docName: string): string {
  return target.protocol === Protocol.hocuspocus ? target.wsBase : `${target.wsBase}${encodeURIComponent(docName)}`
}

const MESSAGE_SYNC = 0
const MESSAGE_AWARENESS = 1
const MESSAGE_AUTH = 2
const SYNC_STEP1 = 0
const SYNC_STEP2 = 1
const SYNC_UPDATE = 2
/** Hocuspocus' SyncReply: a sync message that asks for no SyncStep1 back. */
const HOCUSPOCUS_SYNC_REPLY = 4
const HOCUSPOCUS_AUTH_TOKEN = 0

export type ServerMessage =
  | { kind: 'step1'; payload: Uint8Array }
  | { kind: 'step2'; payload: Uint8Array }
  | { kind: 'update'; payload?: Uint8Array }
  | { kind: 'awareness' }
  | { kind: 'other' }

function frame(docName: string, protocol: Protocol, write: (encoder: encoding.Encoder) => void): Uint8Array {
  const encoder = encoding.createEncoder()
  if (protocol === Protocol.hocuspocus) encoding.writeVarString(encoder, docName)
  write(encoder)
  return encoding.toUint8Array(encoder)
}

function syncFrame(protocol: Protocol, docName: string, syncType: number, payload: Uint8Array): Uint8Array {
  return frame(docName, protocol, (e) => {
    encoding.writeVarUint(e, MESSAGE_SYNC)
    encoding.writeVarUint(e, syncType)
    encoding.writeVarUint8Array(e, payload)
  })
}

/** What a client sends once its socket is open, before anything else. */
export function openingFrames(protocol: Protocol, docName: string, stateVector: Uint8Array): Uint8Array[] {
  if (protocol === Protocol.floor) return []
  const step1 = syncFrame(protocol, docName, SYNC_STEP1, stateVector)
  if (protocol === Protocol.yws) return [step1]
  const auth = frame(docName, protocol, (e) => {
    encoding.writeVarUint(e, MESSAGE_AUTH)
    encoding.writeVarUint(e, HOCUSPOCUS_AUTH_TOKEN)
    encoding.writeVarString(e, '')
  })
  return [auth, step1]
}

export function syncStep2Frame(protocol: Protocol, docName: string, update: Uint8Array): Uint8Array {
  return syncFrame(protocol, docName, SYNC_STEP2, update)
}

export function updateFrame(protocol: Protocol, docName: string, update: Uint8Array): Uint8Array {
  return syncFrame(protocol, docName, SYNC_UPDATE, update)
}

/** A presence (awareness) update, in the same framing as sync messages. */
export function awarenessFrame(protocol: Protocol, docName: string, update: Uint8Array): Uint8Array {
  return frame(docName, protocol, (e) => {
    encoding.writeVarUint(e, MESSAGE_AWARENESS)
    encoding.writeVarUint8Array(e, update)
  })
}

/** Reads just enough of a frame from the server to tell sync steps from updates. */
export function readServerMessage(protocol: Protocol, data: Uint8Array): ServerMessage {
  if (protocol === Protocol.floor) return { kind: 'update' }
  const decoder = decoding.createDecoder(data)
  if (protocol === Protocol.hocuspocus) decoding.readVarString(decoder)
  const type = decoding.readVarUint(decoder)
  if (type === MESSAGE_AWARENESS) return { kind: 'awareness' }
  if (type !== MESSAGE_SYNC && !(protocol === Protocol.hocuspocus && type === HOCUSPOCUS_SYNC_REPLY)) {
    return { kind: 'other' }
  }
  const syncType = decoding.readVarUint(decoder)
  const payload = decoding.readVarUint8Array(decoder)
  if (syncType === SYNC_UPDATE) return { kind: 'update', payload }
  if (syncType === SYNC_STEP1) return { kind: 'step1', payload }
  if (syncType === SYNC_STEP2) return { kind: 'step2', payload }
  return { kind: 'other' }
}
