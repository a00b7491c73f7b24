/**
 * A strict reader for the Yjs v1 update format — the only format stock y-websocket clients send.
 *
 * Yjs' own reader creates root types while it reads and integrates structs before it has read
 * the delete set, so a malformed update can throw after it has half-changed a document. This
 * reader has no side effects: it parses the whole update into plain records (keeping the byte
 * range of each client's section so that an update can be split without re-encoding its
 * content) and refuses anything Yjs would not produce: unknown content, zero-length structs,
 * repeated client sections, clocks out of range and trailing bytes.
 */
import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'

/** Yjs client ids are random uint32s. */
const MAX_CLIENT_ID = 0xffff_ffff
/** Far beyond any real document, yet small enough that clock arithmetic stays exact. */
export const MAX_CLOCK = 2 ** 40

export const ContentRef = {
  gc: 0,
  deleted: 1,
  json: 2,
  binary: 3,
  string: 4,
  embed: 5,
  format: 6,
  type: 7,
  any: 8,
  doc: 9,
  skip: 10,
} as const

export const TypeRef = {
  array: 0,
  map: 1,
  text: 2,
  xmlElement: 3,
  xmlFragment: 4,
  xmlHook: 5,
  xmlText: 6,
} as const

export interface StructId {
  client: number
  clock: number
}

export type StructParent = { key: string } | { id: StructId }

export interface ParsedStruct {
  clock: number
  length: number
  /** One of {@link ContentRef}; `gc` and `skip` carry no item. */
  contentRef: number
  origin: StructId | null
  rightOrigin: StructId | null
  /** Only present when neither origin is: Yjs infers the parent from the origins otherwise. */
  parent: StructParent | null
  parentSub: string | null
  /** For `type` content: one of {@link TypeRef}. */
  typeRef: number | null
  /** For xmlElement types: the node name; for format content: the mark key. */
  name: string | null
  /**
   * What the schema firewall judges values by: for format content the mark's value (its
   * attributes as JSON, `null` to end the mark), for `any` content its values (an XML element's
   * attribute value sits under `parentSub`). Null for every other content.
   */
  values: unknown[] | null
}

export interface ClientSection {
  client: number
  startClock: number
  endClock: number
  structs: ParsedStruct[]
  /** Byte range of this section inside the update, for {@link sliceUpdate}. */
  byteStart: number
  byteEnd: number
}

export interface DeleteRange {
  client: number
  clock: number
  length: number
}

export interface ParsedUpdate {
  sections: ClientSection[]
  deletes: DeleteRange[]
  /** Byte offset where the delete set starts. */
  deleteSetStart: number
}

export class MalformedUpdateError extends Error {
  override name = 'MalformedUpdateError'
}

function fail(message: string): never {
  throw new MalformedUpdateError(message)
}

function readClient(decoder: decoding.Decoder): number {
  const client = decoding.readVarUint(decoder)
  if (client > MAX_CLIENT_ID) fail('client id out of range')
  return client
}

function readId(decoder: decoding.Decoder): StructId {
  const client = readClient(decoder)
  const clock = decoding.readVarUint(decoder)
  if (clock >= MAX_CLOCK) fail('clock out of range')
  return { client, clock }
}

function readLength(decoder: decoding.Decoder): number {
  const length = decoding.readVarUint(decoder)
  if (length === 0 || length >= MAX_CLOCK) fail('struct length out of range')
  return length
}

function readUint8(decoder: decoding.Decoder): number {
  if (decoder.pos >= decoder.arr.length) fail('unexpected end of update')
  return decoding.readUint8(decoder)
}

function readJsonString(decoder: decoding.Decoder): unknown {
  return JSON.parse(decoding.readVarString(decoder))
}

interface ReadContent {
  length: number
  typeRef: number | null
  name: string | null
  values: unknown[] | null
}

function readContent(decoder: decoding.Decoder, contentRef: number): ReadContent {
  switch (contentRef) {
    case ContentRef.deleted:
      return { length: readLength(decoder), typeRef: null, name: null, values: null }
    case ContentRef.json: {
      const length = readLength(decoder)
      for (let i = 0; i < length; i++) {
        const value = decoding.readVarString(decoder)
        if (value !== 'undefined') JSON.parse(value)
      }
      return { length, typeRef: null, name: null, values: null }
    }
    case ContentRef.binary:
      decoding.readVarUint8Array(decoder)
      return { length: 1, typeRef: null, name: null, values: null }
    case ContentRef.string: {
      const length = decoding.readVarString(decoder).length
      if (length === 0) fail('empty string content')
      return { length, typeRef: null, name: null, values: null }
    }
    case ContentRef.embed:
      readJsonString(decoder)
      return { length: 1, typeRef: null, name: null, values: null }
    case ContentRef.format: {
      const name = decoding.readVarString(decoder)
      return { length: 1, typeRef: null, name, values: [readJsonString(decoder)] }
    }
    case ContentRef.type: {
      const typeRef = decoding.readVarUint(decoder)
      if (typeRef > TypeRef.xmlText) fail(`unknown type ref ${typeRef}`)
      const named = typeRef === TypeRef.xmlElement || typeRef === TypeRef.xmlHook
      return { length: 1, typeRef, name: named ? decoding.readVarString(decoder) : null, values: null }
    }
    case ContentRef.any: {
      const length = readLength(decoder)
      const values: unknown[] = []
      for (let i = 0; i < length; i++) values.push(decoding.readAny(decoder))
      return { length, typeRef: null, name: null, values }
    }
    case ContentRef.doc:
      decoding.readVarString(decoder)
      decoding.readAny(decoder)
      return { length: 1, typeRef: null, name: null, values: null }
    default:
      return fail(`unknown content ref ${contentRef}`)
  }
}

function readStruct(decoder: decoding.Decoder, clock: number): ParsedStruct {
  const info = readUint8(decoder)
  const contentRef = info & 0b11111
  if (contentRef === ContentRef.gc || contentRef === ContentRef.skip) {
    return {
      clock,
      length: readLength(decoder),
      contentRef,
      origin: null,
      rightOrigin: null,
      parent: null,
      parentSub: null,
      typeRef: null,
      name: null,
      values: null,
    }
  }
  const origin = info & 0b1000_0000 ? readId(decoder) : null
  const rightOrigin = info & 0b0100_0000 ? readId(decoder) : null
  let parent: StructParent | null = null
  let parentSub: string | null = null
  if (origin === null && rightOrigin === null) {
    const parentIsKey = decoding.readVarUint(decoder) === 1
    parent = parentIsKey ? { key: decoding.readVarString(decoder) } : { id: readId(decoder) }
    if (info & 0b0010_0000) parentSub = decoding.readVarString(decoder)
  }
  const content = readContent(decoder, contentRef)
  return { clock, contentRef, origin, rightOrigin, parent, parentSub, ...content }
}

/**
 * Parses a v1 update completely.
 *
 * @throws {MalformedUpdateError} for anything but a well-formed update; never has side effects.
 */
export function parseUpdate(update: Uint8Array): ParsedUpdate {
  try {
    return parseStrict(update)
  } catch (error) {
    if (error instanceof MalformedUpdateError) throw error
    throw new MalformedUpdateError(error instanceof Error ? error.message : 'unreadable update')
  }
}

function parseStrict(update: Uint8Array): ParsedUpdate {
  const decoder = decoding.createDecoder(update)
  const sectionCount = decoding.readVarUint(decoder)
  const sections: ClientSection[] = []
  const seenClients = new Set<number>()
  for (let s = 0; s < sectionCount; s++) {
    const byteStart = decoder.pos
    const structCount = decoding.readVarUint(decoder)
    if (structCount === 0) fail('empty client section')
    const client = readClient(decoder)
    if (seenClients.has(client)) fail('client section repeated')
    seenClients.add(client)
    const startClock = decoding.readVarUint(decoder)
    let clock = startClock
    const structs: ParsedStruct[] = []
    for (let i = 0; i < structCount; i++) {
      const struct = readStruct(decoder, clock)
      structs.push(struct)
      clock += struct.length
      if (clock >= MAX_CLOCK) fail('clock out of range')
    }
    sections.push({ client, startClock, endClock: clock, structs, byteStart, byteEnd: decoder.pos })
  }
  const deleteSetStart = decoder.pos
  const deletes: DeleteRange[] = []
  const deleteClientCount = decoding.readVarUint(decoder)
  for (let c = 0; c < deleteClientCount; c++) {
    const client = readClient(decoder)
    const rangeCount = decoding.readVarUint(decoder)
    for (let r = 0; r < rangeCount; r++) {
      const clock = decoding.readVarUint(decoder)
      const length = readLength(decoder)
      if (clock + length >= MAX_CLOCK) fail('delete range out of range')
      deletes.push({ client, clock, length })
    }
  }
  if (decoding.hasContent(decoder)) fail('trailing bytes after update')
  return { sections, deletes, deleteSetStart }
}

/**
 * Builds an update from some client sections of a parsed update, copying their bytes verbatim.
 * The delete set is kept only when asked for, so that splitting an update never duplicates it.
 */
export function sliceUpdate(
  update: Uint8Array,
  parsed: ParsedUpdate,
  keepSection: (section: ClientSection) => boolean,
  keepDeleteSet: boolean,
): Uint8Array {
  const kept = parsed.sections.filter(keepSection)
  const encoder = encoding.createEncoder()
  encoding.writeVarUint(encoder, kept.length)
  for (const section of kept) {
    encoding.writeUint8Array(encoder, update.subarray(section.byteStart, section.byteEnd))
  }
  if (keepDeleteSet) encoding.writeUint8Array(encoder, update.subarray(parsed.deleteSetStart))
  else encoding.writeVarUint(encoder, 0)
  return encoding.toUint8Array(encoder)
}

/**
 * Splits a well-formed update into updates of about `maxBytes` each, cut between structs (a struct
 * larger than that travels alone), in the original order; only the last carries the delete set.
 * Applied one after another they make the same document as the whole. A struct does not encode
 * its clock (it follows from its section's start), so each piece restarts its section header at
 * the clock where it begins and copies the structs' bytes verbatim.
 */
export function splitUpdate(update: Uint8Array, maxBytes: number): Uint8Array[] {
  if (update.length <= maxBytes) return [update]
  const decoder = decoding.createDecoder(update)
  const pieces: Uint8Array[] = []
  /** Sections of the piece being built: client, start clock, struct count, byte range. */
  let current: Array<{ client: number; clock: number; count: number; start: number; end: number }> = []
  let currentBytes = 0
  const finish = (deleteSet: Uint8Array | null): void => {
    const encoder = encoding.createEncoder()
    encoding.writeVarUint(encoder, current.length)
    for (const section of current) {
      encoding.writeVarUint(encoder, section.count)
      encoding.writeVarUint(encoder, section.client)
      encoding.writeVarUint(encoder, section.clock)
      encoding.writeUint8Array(encoder, update.subarray(section.start, section.end))
    }
    if (deleteSet === null) encoding.writeVarUint(encoder, 0)
    else encoding.writeUint8Array(encoder, deleteSet)
    pieces.push(encoding.toUint8Array(encoder))
    current = []
    currentBytes = 0
  }
  const sectionCount = decoding.readVarUint(decoder)
  for (let s = 0; s < sectionCount; s++) {
    const structCount = decoding.readVarUint(decoder)
    const client = readClient(decoder)
    let clock = decoding.readVarUint(decoder)
    let section = { client, clock, count: 0, start: decoder.pos, end: decoder.pos }
    current.push(section)
    for (let i = 0; i < structCount; i++) {
      const start = decoder.pos
      const struct = readStruct(decoder, clock)
      const size = decoder.pos - start
      if (section.count > 0 && currentBytes + size > maxBytes) {
        finish(null)
        section = { client, clock, count: 0, start, end: start }
        current.push(section)
      }
      section.count++
      section.end = decoder.pos
      currentBytes += size
      clock += struct.length
    }
  }
  finish(update.subarray(decoder.pos))
  return pieces
}
