/**
 * A benchmark client: one raw WebSocket speaking just enough of a server's dialect to sync and
 * to send and receive updates. No provider, no awareness and (unless asked to) no Y.Doc, so
 * that hundreds of readers cost the load generator little next to the server they measure.
 */
import WebSocket from 'ws'
import * as Y from 'yjs'
import { now, stampText } from './stamp'
import {
  Protocol,
  type Target,
  awarenessFrame,
  openingFrames,
  readServerMessage,
  socketUrl,
  syncStep2Frame,
  updateFrame,
} from './wire'
import { DOCUMENT_FIELD } from '../../protocol/fields'

const CLOSE_TIMEOUT_MS = 3000
const EMPTY_STATE_VECTOR = new Uint8Array([0])
const EMPTY_UPDATE = new Uint8Array([0, 0])
/** Origin of updates received from the server, which an editor must not send back. */
const FROM_SERVER = Symbol('server')

export interface BenchClientOptions {
  target: Target
  docName: string
  /** A document kept up to date with the server's initial state, for clients that edit or verify. */
  doc?: Y.Doc
  /**
   * The server's initial state, for a client that checks it once the timing is over: applying a
   * large document at once would stall the other clients of this process. Every update received
   * before the sync step 2 is part of it (tandem sends a big state in pieces, the last one as the
   * sync step 2), so all of them are passed, in order.
   */
  onInitialState?: (pieces: Uint8Array[]) => void
  /** Every update frame received after the initial sync, with its arrival time. */
  onUpdate?: (frame: Buffer, receivedAt: number) => void
  /** Every awareness frame received after the initial sync, with its arrival time and size. */
  onAwareness?: (frame: Buffer, receivedAt: number) => void
  /** The server closed the socket after the client synced. */
  onDropped?: (code: number) => void
}

export class BenchClient {
  /** Resolves with the moment the server's state (sync step 2) had fully arrived. */
  readonly synced: Promise<number>
  readonly #ws: WebSocket
  readonly #options: BenchClientOptions
  #isSynced = false
  #closing = false
  readonly #closed: Promise<void>

  constructor(options: BenchClientOptions) {
    this.#options = options
    const { target, docName } = options
    const ws = new WebSocket(socketUrl(target, docName), { perMessageDeflate: false })
    ws.binaryType = 'nodebuffer'
    this.#ws = ws
    let markSynced: (at: number) => void = () => undefined
    let failSync: (error: Error) => void = () => undefined
    this.synced = new Promise<number>((resolve, reject) => {
      markSynced = (at) => {
        this.#isSynced = true
        resolve(at)
      }
      failSync = reject
    })
    this.synced.catch(() => undefined)
    this.#closed = new Promise((resolve) => ws.once('close', () => resolve()))
    ws.on('open', () => {
      const stateVector = options.doc === undefined ? EMPTY_STATE_VECTOR : Y.encodeStateVector(options.doc)
      for (const frame of openingFrames(target.protocol, docName, stateVector)) ws.send(frame)
      if (target.protocol === Protocol.floor) markSynced(now())
    })
    /** Updates received before the sync step 2: the first pieces of a state sent in pieces. */
    const pieces: Uint8Array[] = []
    ws.on('message', (data: Buffer) => {
      const receivedAt = now()
      if (this.#isSynced) {
        if (options.onUpdate === undefined && options.onAwareness === undefined) return
        const kind = readServerMessage(target.protocol, data).kind
        if (kind === 'update') options.onUpdate?.(data, receivedAt)
        else if (kind === 'awareness') options.onAwareness?.(data, receivedAt)
        return
      }
      const message = readServerMessage(target.protocol, data)
      if (message.kind === 'update' && message.payload !== undefined) {
        if (options.doc !== undefined) Y.applyUpdate(options.doc, message.payload, FROM_SERVER)
        if (options.onInitialState !== undefined) pieces.push(message.payload.slice())
      } else if (message.kind === 'step1') {
        const reply = options.doc === undefined ? EMPTY_UPDATE : Y.encodeStateAsUpdate(options.doc, message.payload)
        ws.send(syncStep2Frame(target.protocol, docName, reply))
      } else if (message.kind === 'step2') {
        if (options.doc !== undefined) Y.applyUpdate(options.doc, message.payload, FROM_SERVER)
        options.onInitialState?.([...pieces, message.payload])
        pieces.length = 0
        markSynced(receivedAt)
      }
    })
    ws.on('error', (error) => failSync(error))
    ws.on('close', (code) => {
      if (!this.#isSynced) failSync(new Error(`closed before syncing (${code})`))
      else if (!this.#closing) options.onDropped?.(code)
    })
  }

  send(update: Uint8Array): void {
    if (this.#ws.readyState === WebSocket.OPEN) {
      this.#ws.send(updateFrame(this.#options.target.protocol, this.#options.docName, update))
    }
  }

  /** Sends a frame as it is (a presence message received, sent back as stock clients do). */
  sendFrame(frame: Uint8Array): void {
    if (this.#ws.readyState === WebSocket.OPEN) this.#ws.send(frame)
  }

  sendAwareness(update: Uint8Array): void {
    if (this.#ws.readyState === WebSocket.OPEN) {
      this.#ws.send(awarenessFrame(this.#options.target.protocol, this.#options.docName, update))
    }
  }

  /**
   * Closes, and cuts the connection if the server has not answered the close within 3 s: a
   * saturated server may take minutes to work through its backlog first (the reference server
   * after 500 presence clients), and what it does then is no longer measured.
   */
  close(): Promise<void> {
    this.#closing = true
    if (this.#ws.readyState === WebSocket.CLOSED) return Promise.resolve()
    this.#ws.close()
    const timer = setTimeout(() => this.#ws.terminate(), CLOSE_TIMEOUT_MS)
    return this.#closed.finally(() => clearTimeout(timer))
  }

  /** For clients that edit: sends every local change of `doc` as it happens. */
  static sendLocalChanges(doc: Y.Doc, client: BenchClient): void {
    doc.on('update', (update: Uint8Array, origin: unknown) => {
      if (origin !== FROM_SERVER) client.send(update)
    })
  }
}

/**
 * Writes into its own paragraph of the `default` fragment (the shape Tiptap edits and tandem's
 * schema firewall accepts), one stamp per edit.
 */
export class Editor {
  readonly #doc: Y.Doc
  readonly #sender: number
  #text: Y.XmlText | null = null

  constructor(doc: Y.Doc, sender: number) {
    this.#doc = doc
    this.#sender = sender
  }

  /** Appends the paragraph this editor writes into (one update). */
  begin(initialText = ''): void {
    const paragraph = new Y.XmlElement('paragraph')
    const text = new Y.XmlText()
    this.#doc.transact(() => {
      paragraph.insert(0, [text])
      const body = this.#doc.getXmlFragment(DOCUMENT_FIELD)
      body.insert(body.length, [paragraph])
      if (initialText !== '') text.insert(0, initialText)
    })
    this.#text = text
  }

  /** Inserts a stamp at the end of the paragraph; returns its send time. */
  edit(): number {
    if (this.#text === null) throw new Error('begin() first')
    const at = now()
    this.#text.insert(this.#text.length, stampText(this.#sender, at))
    return at
  }
}
