/**
 * Building Yjs updates for tests: honest ones through Yjs itself, hostile ones byte by byte.
 */
import * as encoding from 'lib0/encoding'
import * as Y from 'yjs'
import { ContentRef } from '../model/updateFormat'

/** Runs `change` on `doc` and returns the update it produced. */
export function captureUpdate(doc: Y.Doc, change: (doc: Y.Doc) => void): Uint8Array {
  const updates: Uint8Array[] = []
  const capture = (update: Uint8Array): void => {
    updates.push(update)
  }
  doc.on('update', capture)
  try {
    doc.transact(() => change(doc))
  } finally {
    doc.off('update', capture)
  }
  if (updates.length !== 1) throw new Error(`expected one update, got ${updates.length}`)
  return updates[0] as Uint8Array
}

/** A copy of `doc` (same content, its own client id). */
export function cloneDoc(doc: Y.Doc): Y.Doc {
  const copy = new Y.Doc()
  Y.applyUpdate(copy, Y.encodeStateAsUpdate(doc))
  return copy
}

export interface RawItem {
  origin?: [number, number]
  rightOrigin?: [number, number]
  parentKey?: string
  parentId?: [number, number]
  parentSub?: string
  /** Writes the content after the info byte's ref. */
  content: { ref: number; write: (encoder: encoding.Encoder) => void }
}

/**
 * Encodes a v1 update of one client section with the given items, and an optional delete set;
 * for structures Yjs' own API would never produce.
 */
export function rawUpdate(
  client: number,
  clock: number,
  items: RawItem[],
  deletes: Array<[number, number, number]> = [],
): Uint8Array {
  const e = encoding.createEncoder()
  encoding.writeVarUint(e, items.length === 0 ? 0 : 1)
  if (items.length > 0) {
    encoding.writeVarUint(e, items.length)
    encoding.writeVarUint(e, client)
    encoding.writeVarUint(e, clock)
    for (const item of items) {
      let info = item.content.ref
      if (item.origin) info |= 0b1000_0000
      if (item.rightOrigin) info |= 0b0100_0000
      if (item.parentSub !== undefined && !item.origin && !item.rightOrigin) info |= 0b0010_0000
      encoding.writeUint8(e, info)
      if (item.origin) {
        encoding.writeVarUint(e, item.origin[0])
        encoding.writeVarUint(e, item.origin[1])
      }
      if (item.rightOrigin) {
        encoding.writeVarUint(e, item.rightOrigin[0])
        encoding.writeVarUint(e, item.rightOrigin[1])
      }
      if (!item.origin && !item.rightOrigin) {
        if (item.parentKey !== undefined) {
          encoding.writeVarUint(e, 1)
          encoding.writeVarString(e, item.parentKey)
        } else {
          const [parentClient, parentClock] = item.parentId ?? [0, 0]
          encoding.writeVarUint(e, 0)
          encoding.writeVarUint(e, parentClient)
          encoding.writeVarUint(e, parentClock)
        }
        if (item.parentSub !== undefined) encoding.writeVarString(e, item.parentSub)
      }
      item.content.write(e)
    }
  }
  const byClient = new Map<number, Array<[number, number]>>()
  for (const [deleteClient, deleteClock, length] of deletes) {
    const ranges = byClient.get(deleteClient) ?? []
    ranges.push([deleteClock, length])
    byClient.set(deleteClient, ranges)
  }
  encoding.writeVarUint(e, byClient.size)
  for (const [deleteClient, ranges] of byClient) {
    encoding.writeVarUint(e, deleteClient)
    encoding.writeVarUint(e, ranges.length)
    for (const [deleteClock, length] of ranges) {
      encoding.writeVarUint(e, deleteClock)
      encoding.writeVarUint(e, length)
    }
  }
  return encoding.toUint8Array(e)
}

export const stringContent = (text: string): RawItem['content'] => ({
  ref: ContentRef.string,
  write: (e) => encoding.writeVarString(e, text),
})

export const elementContent = (nodeName: string): RawItem['content'] => ({
  ref: ContentRef.type,
  write: (e) => {
    encoding.writeVarUint(e, 3)
    encoding.writeVarString(e, nodeName)
  },
})
