/**
 * Fan-out inside one process: every {@link MemoryFanout} joined to a {@link MemoryBus} behaves
 * like a separate server process on a shared Redis. A bus with one member is the default for a
 * single tandem process (there is no one to tell); several members let room and contract tests
 * play a cluster without a network, including a link that goes down and comes back.
 */
import { randomBytes } from 'node:crypto'
import type { Fanout, FanoutHandlers, FanoutSubscription } from './types'

type Message =
  | { kind: 'update' | 'awareness'; payload: Uint8Array }
  | { kind: 'deleted' }
  | { kind: 'resync' }
  | { kind: 'presenceRequested' }
  | { kind: 'shareRevoked'; shareId: string }

export interface MemoryFanout extends Fanout {
  /** Names this member in awareness messages, like a process id. */
  readonly source: string
  /** Cuts this member off the bus: nothing it publishes or is sent arrives, ping fails. */
  disconnect(): void
  /**
   * Restores the link; like a Redis reconnect, this member's documents are resynchronised and
   * the others holding them are told to resynchronise too (they may have missed its messages).
   */
  reconnect(): void
}

export class MemoryBus {
  readonly #members = new Set<MemoryMember>()

  /** A new member, as if another server process had started. */
  join(): MemoryFanout {
    const member = new MemoryMember(this.#members)
    this.#members.add(member)
    return member
  }
}

function deliver(handlers: FanoutHandlers, message: Message, source: string): void {
  switch (message.kind) {
    case 'update':
      handlers.update(message.payload)
      return
    case 'awareness':
      handlers.awareness(message.payload, source)
      return
    case 'deleted':
      handlers.deleted()
      return
    case 'resync':
      handlers.resync()
      return
    case 'presenceRequested':
      handlers.presenceRequested?.()
      return
    case 'shareRevoked':
      handlers.shareRevoked?.(message.shareId)
      return
  }
}

class MemoryMember implements MemoryFanout {
  readonly source = randomBytes(8).toString('hex')
  readonly #members: Set<MemoryMember>
  readonly #subscriptions = new Map<string, Set<FanoutHandlers>>()
  #connected = true
  #closed = false

  constructor(members: Set<MemoryMember>) {
    this.#members = members
  }

  async subscribe(docId: string, handlers: FanoutHandlers): Promise<FanoutSubscription> {
    if (this.#closed) throw new Error('fan-out closed')
    let subscribed = this.#subscriptions.get(docId)
    if (subscribed === undefined) {
      subscribed = new Set()
      this.#subscriptions.set(docId, subscribed)
    }
    subscribed.add(handlers)
    let active = true
    return {
      publishUpdate: (update) => this.#publish(docId, { kind: 'update', payload: update }),
      publishAwareness: (update) => this.#publish(docId, { kind: 'awareness', payload: update }),
      publishDeleted: () => this.#publish(docId, { kind: 'deleted' }),
      requestPresence: () => this.#publish(docId, { kind: 'presenceRequested' }),
      unsubscribe: async () => {
        if (!active) return
        active = false
        subscribed.delete(handlers)
        if (subscribed.size === 0 && this.#subscriptions.get(docId) === subscribed) this.#subscriptions.delete(docId)
      },
    }
  }

  async publishDeleted(docId: string): Promise<void> {
    this.#publish(docId, { kind: 'deleted' })
  }

  async publishShareRevoked(docId: string, shareId: string): Promise<void> {
    this.#publish(docId, { kind: 'shareRevoked', shareId })
  }

  async ping(): Promise<void> {
    if (this.#closed) throw new Error('fan-out closed')
    if (!this.#connected) throw new Error('fan-out disconnected')
  }

  async close(): Promise<void> {
    this.#closed = true
    this.#subscriptions.clear()
    this.#members.delete(this)
  }

  disconnect(): void {
    this.#connected = false
  }

  reconnect(): void {
    if (this.#connected || this.#closed) return
    this.#connected = true
    for (const [docId, subscribed] of this.#subscriptions) {
      this.#publish(docId, { kind: 'resync' })
      for (const handlers of subscribed) queueMicrotask(() => handlers.resync())
    }
  }

  #publish(docId: string, message: Message): void {
    if (!this.#connected || this.#closed) return
    for (const member of this.#members) {
      if (member !== this) member.#receive(docId, message, this.source)
    }
  }

  /** Delivery is asynchronous, as over a network, but keeps each sender's order. */
  #receive(docId: string, message: Message, source: string): void {
    if (!this.#connected) return
    const subscribed = this.#subscriptions.get(docId)
    if (subscribed === undefined) return
    for (const handlers of [...subscribed]) {
      queueMicrotask(() => {
        if (this.#connected && subscribed.has(handlers)) deliver(handlers, message, source)
      })
    }
  }
}
