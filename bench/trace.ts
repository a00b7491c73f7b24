/**
 * The automerge-paper editing trace, replayed into the same document shape Tiptap edits
 * (one paragraph in the `default` fragment), and encoded as one update so that every server is
 * loaded with byte-identical content in a single message.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { gunzipSync } from 'node:zlib'
import * as Y from 'yjs'
import { DOCUMENT_FIELD } from '../protocol/fields'

interface Trace {
  startContent: string
  endContent: string
  txns: Array<{ patches: Array<[number, number, string]> }>
}

export interface TraceDocument {
  /** The whole document as one Yjs v1 update. */
  update: Uint8Array
  /** The text the trace ends with, to verify a joiner received everything. */
  endContent: string
}

/** Transactions per Yjs transaction while replaying: the trace's 260k edits in ~260 batches. */
const PATCHES_PER_TRANSACTION = 1000

function readTrace(tracePath: string): Trace {
  return JSON.parse(gunzipSync(readFileSync(tracePath)).toString('utf8')) as Trace
}

/** `maxPatches` replays only the start of the trace, for quick runs. */
export function replayTrace(tracePath: string, maxPatches = Number.POSITIVE_INFINITY): TraceDocument {
  return replayParsed(readTrace(tracePath), maxPatches)
}

function replayParsed(trace: Trace, maxPatches = Number.POSITIVE_INFINITY): TraceDocument {
  const doc = new Y.Doc()
  const paragraph = new Y.XmlElement('paragraph')
  const text = new Y.XmlText()
  doc.transact(() => {
    paragraph.insert(0, [text])
    doc.getXmlFragment(DOCUMENT_FIELD).insert(0, [paragraph])
    if (trace.startContent !== '') text.insert(0, trace.startContent)
  })
  const allPatches = trace.txns.flatMap((txn) => txn.patches)
  const patches = allPatches.slice(0, maxPatches)
  for (let start = 0; start < patches.length; start += PATCHES_PER_TRANSACTION) {
    doc.transact(() => {
      for (const [position, deleted, inserted] of patches.slice(start, start + PATCHES_PER_TRANSACTION)) {
        if (deleted > 0) text.delete(position, deleted)
        if (inserted !== '') text.insert(position, inserted)
      }
    })
  }
  const endContent = text.toString()
  if (patches.length === allPatches.length && endContent !== trace.endContent) {
    throw new Error('replaying the trace did not reproduce its end content')
  }
  const update = Y.encodeStateAsUpdate(doc)
  doc.destroy()
  return { update, endContent }
}

/** Replays once and keeps the result in `cacheDir`: replaying takes seconds, reading takes none. */
export function loadTraceDocument(tracePath: string, cacheDir: string): TraceDocument {
  const updatePath = `${cacheDir}/trace-update.bin`
  const textPath = `${cacheDir}/trace-end.txt`
  if (existsSync(updatePath) && existsSync(textPath)) {
    return { update: new Uint8Array(readFileSync(updatePath)), endContent: readFileSync(textPath, 'utf8') }
  }
  const built = replayTrace(tracePath)
  mkdirSync(dirname(updatePath), { recursive: true })
  writeFileSync(updatePath, built.update)
  writeFileSync(textPath, built.endContent)
  return built
}

export interface BigDocument {
  /** The whole document as one Yjs v1 update. */
  update: Uint8Array
  /** Characters of text in all its paragraphs, to verify a joiner received everything. */
  textLength: number
}

/** Where {@link loadBigDocument} keeps the document of `bytes`, as one encoded update. */
export function bigDocumentPath(cacheDir: string, bytes: number): string {
  return `${cacheDir}/big-${bytes}.bin`
}

/**
 * A big Tiptap-shaped document built from many edits: the trace replayed again and again, each
 * replay by its own client into its own paragraph of `default` (≈ 0.3 MiB and 2 s each), merged
 * until the encoded size reaches `bytes`. Kept in `cacheDir`: a 20 MB document takes minutes.
 */
export function loadBigDocument(tracePath: string, bytes: number, cacheDir: string): BigDocument {
  const updatePath = bigDocumentPath(cacheDir, bytes)
  const lengthPath = `${cacheDir}/big-${bytes}.length`
  if (existsSync(updatePath) && existsSync(lengthPath)) {
    return { update: new Uint8Array(readFileSync(updatePath)), textLength: Number(readFileSync(lengthPath, 'utf8')) }
  }
  const trace = readTrace(tracePath)
  const doc = new Y.Doc()
  let size = 0
  let textLength = 0
  while (size < bytes) {
    const replay = replayParsed(trace, bytes < 2 ** 20 ? 20_000 : Number.POSITIVE_INFINITY)
    Y.applyUpdate(doc, replay.update)
    textLength += replay.endContent.length
    size += replay.update.length
  }
  const update = Y.encodeStateAsUpdate(doc)
  doc.destroy()
  mkdirSync(cacheDir, { recursive: true })
  writeFileSync(updatePath, update)
  writeFileSync(lengthPath, String(textLength))
  return { update, textLength }
}

/** Characters of text in the paragraphs of `default` (what a joiner must have received). */
export function bodyTextLength(doc: Y.Doc): number {
  let length = 0
  for (const node of doc.getXmlFragment(DOCUMENT_FIELD).toArray()) {
    if (!(node instanceof Y.XmlElement)) continue
    for (const child of node.toArray()) if (child instanceof Y.XmlText) length += child.length
  }
  return length
}
