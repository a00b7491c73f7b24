/**
 * Test support: an in-memory y-websocket server behind a fake `WebSocket` class, so that the
 * session's real WebsocketProvider and DeliveryTracker run in unit tests without a network.
 * It answers sync step 1 with step 2, applies and rebroadcasts updates, and can refuse or
 * close sockets with a code, or be unreachable. Events are delivered asynchronously, as
 * browsers do. Also: a network, device copies and a REST checker in memory.
 */
import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'
import { readSyncMessage, writeSyncStep1, writeUpdate } from 'y-protocols/sync'
import { messageAwareness, messageSync } from 'y-websocket'
import * as Y from 'yjs'
import type { Confirmed, DeviceCopyFactory } from './deviceCopy'
import type { DocumentCheck } from './documentCheck'
import type { Network } from './network'

type Handler<E> = ((event: E) => void) | null

export class FakeSyncServer {
  readonly doc = new Y.Doc()
  readonly sockets: FakeSocket[] = []
  /** New sockets fail like an unreachable host (error, then close 1006). */
  down = false
  /** New sockets open and are closed at once with this code (a refusal after the handshake). */
  refuse: { code: number; reason: string } | null = null
  /** The client ids of each presence (awareness) message received, in order. */
  readonly presence: number[][] = []
  readonly WebSocket: typeof WebSocket

  constructor() {
    const server = this
    class BoundSocket extends FakeSocket {
      constructor(url: string) {
        super(server, url)
      }
    }
    this.WebSocket = BoundSocket as unknown as typeof WebSocket
    this.doc.on('update', (update: Uint8Array, origin: unknown) => {
      const encoder = encoding.createEncoder()
      encoding.writeVarUint(encoder, messageSync)
      writeUpdate(encoder, update)
      const frame = encoding.toUint8Array(encoder)
      for (const socket of this.open()) if (socket !== origin) socket.deliver(frame)
    })
  }

  open(): FakeSocket[] {
    return this.sockets.filter((socket) => socket.readyState === FakeSocket.OPEN)
  }

  /** Closes every open socket from the server side. */
  closeAll(code: number, reason = ''): void {
    for (const socket of this.open()) socket.serverClose(code, reason)
  }

  accept(socket: FakeSocket): void {
    if (this.down) {
      socket.fail()
      return
    }
    socket.opened()
    if (this.refuse !== null) {
      socket.serverClose(this.refuse.code, this.refuse.reason)
      return
    }
    const encoder = encoding.createEncoder()
    encoding.writeVarUint(encoder, messageSync)
    writeSyncStep1(encoder, this.doc)
    socket.deliver(encoding.toUint8Array(encoder))
  }

  receive(socket: FakeSocket, data: Uint8Array): void {
    const decoder = decoding.createDecoder(data)
    const kind = decoding.readVarUint(decoder)
    if (kind === messageAwareness) {
      this.presence.push(awarenessClients(decoding.readVarUint8Array(decoder)))
      return
    }
    if (kind !== messageSync) return
    const encoder = encoding.createEncoder()
    encoding.writeVarUint(encoder, messageSync)
    readSyncMessage(decoder, encoder, this.doc, socket)
    if (encoding.length(encoder) > 1) socket.deliver(encoding.toUint8Array(encoder))
  }
}

/** The client ids an awareness update carries (y-protocols' encoding: count, then id, clock, state). */
function awarenessClients(update: Uint8Array): number[] {
  const decoder = decoding.createDecoder(update)
  const clients: number[] = []
  for (let count = decoding.readVarUint(decoder); count > 0; count--) {
    clients.push(decoding.readVarUint(decoder))
    decoding.readVarUint(decoder)
    decoding.readVarString(decoder)
  }
  return clients
}

export class FakeSocket {
  static readonly CONNECTING = 0
  static readonly OPEN = 1
  static readonly CLOSING = 2
  static readonly CLOSED = 3
  readonly CONNECTING = 0
  readonly OPEN = 1
  readonly CLOSING = 2
  readonly CLOSED = 3
  readonly url: string
  readyState = FakeSocket.CONNECTING
  binaryType = 'arraybuffer'
  onopen: Handler<Event> = null
  onmessage: Handler<{ data: ArrayBuffer }> = null
  onclose: Handler<{ code: number; reason: string }> = null
  onerror: Handler<Event> = null
  readonly #server: FakeSyncServer

  constructor(server: FakeSyncServer, url: string) {
    this.#server = server
    this.url = url
    server.sockets.push(this)
    setTimeout(() => server.accept(this), 0)
  }

  send(data: Uint8Array | ArrayBuffer): void {
    if (this.readyState !== FakeSocket.OPEN) return
    const bytes = new Uint8Array(data instanceof ArrayBuffer ? data : data.slice())
    setTimeout(() => {
      if (this.readyState === FakeSocket.OPEN) this.#server.receive(this, bytes)
    }, 0)
  }

  close(code = 1000, reason = ''): void {
    if (this.readyState === FakeSocket.CLOSED) return
    this.readyState = FakeSocket.CLOSED
    setTimeout(() => this.onclose?.({ code, reason }), 0)
  }

  opened(): void {
    if (this.readyState !== FakeSocket.CONNECTING) return
    this.readyState = FakeSocket.OPEN
    this.onopen?.(new Event('open'))
  }

  fail(): void {
    this.readyState = FakeSocket.CLOSED
    this.onerror?.(new Event('error'))
    this.onclose?.({ code: 1006, reason: '' })
  }

  deliver(frame: Uint8Array): void {
    const copy = frame.slice().buffer
    setTimeout(() => {
      if (this.readyState === FakeSocket.OPEN) this.onmessage?.({ data: copy })
    }, 0)
  }

  serverClose(code: number, reason: string): void {
    if (this.readyState === FakeSocket.CLOSED) return
    this.readyState = FakeSocket.CLOSED
    setTimeout(() => this.onclose?.({ code, reason }), 0)
  }
}

/** The browser's online state, switched by the test. */
export function memoryNetwork(): Network & { set(online: boolean): void } {
  const listeners = new Set<(online: boolean) => void>()
  let online = true
  return {
    get online() {
      return online
    },
    subscribe(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    set(next) {
      online = next
      for (const listener of listeners) listener(next)
    },
  }
}

export interface MemoryCopies {
  factory: DeviceCopyFactory
  cleared: string[]
  /** Names of the copies opened, in order. */
  opened: string[]
  /** What each copy holds, kept across sessions like IndexedDB across reloads. */
  stored: Map<string, { updates: Uint8Array[]; confirmed: Confirmed | null }>
}

export function memoryCopies(): MemoryCopies {
  const cleared: string[] = []
  const opened: string[] = []
  const stored = new Map<string, { updates: Uint8Array[]; confirmed: Confirmed | null }>()
  return {
    cleared,
    opened,
    stored,
    factory: (name, doc) => {
      opened.push(name)
      let loaded = false
      const origin = Symbol('device copy')
      const listeners: Array<() => void> = []
      const copy = stored.get(name) ?? { updates: [], confirmed: null }
      stored.set(name, copy)
      const record = (update: Uint8Array, from: unknown): void => {
        if (from !== origin) copy.updates.push(update)
      }
      setTimeout(() => {
        if (copy.updates.length > 0) Y.applyUpdate(doc, Y.mergeUpdates(copy.updates), origin)
        doc.on('update', record)
        loaded = true
        for (const listener of listeners) listener()
      }, 0)
      return {
        get loaded() {
          return loaded
        },
        onLoaded: (listener) => listeners.push(listener),
        origin,
        committed: async () => true,
        clear: async () => {
          cleared.push(name)
          stored.delete(name)
        },
        readConfirmed: async () => copy.confirmed,
        writeConfirmed: (confirmed) => {
          copy.confirmed = confirmed
        },
        destroy: () => doc.off('update', record),
      }
    },
  }
}

/** A REST checker whose answers the test sets; counts the questions. */
export function scriptedChecker(initial: DocumentCheck = { kind: 'found', title: 'From REST' }) {
  const checker = {
    answer: initial,
    calls: 0,
    check: async (): Promise<DocumentCheck> => {
      checker.calls++
      return checker.answer
    },
  }
  return checker
}
