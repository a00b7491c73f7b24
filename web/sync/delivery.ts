/**
 * Knows whether this browser's changes have reached the server, which y-websocket does not
 * tell: the protocol has no acknowledgements.
 *
 * The trick: the server answers a sync step 1 only once everything it received before on that
 * socket is stored (room rule R3), and a socket delivers in order. So after local changes we
 * send a step 1 of our own; when its step 2 answer arrives, every change made before we asked
 * is on the server. Answers are matched to questions in order; the first answer on a new
 * connection belongs to the provider's own opening step 1 and proves nothing about changes
 * sent on earlier connections.
 */
import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'
import { messageYjsSyncStep2, writeSyncStep1 } from 'y-protocols/sync'
import { type WebsocketProvider, messageSync } from 'y-websocket'
import * as Y from 'yjs'

export interface DeliveryState {
  /** Changes made here (or loaded from this device) that the server has not confirmed. */
  pending: boolean
  /** When the server last confirmed we were up to date with it; null before the first time. */
  lastSyncedAt: Date | null
}

export interface DeliveryOptions {
  /** Changes within this window are confirmed with one question. */
  batchMs?: number
  now?: () => Date
}

/** Whether state vector `outer` includes everything of `inner` (every client's clock at least as far). */
export function covers(outer: Uint8Array, inner: Uint8Array): boolean {
  const have = Y.decodeStateVector(outer)
  for (const [client, clock] of Y.decodeStateVector(inner)) if ((have.get(client) ?? 0) < clock) return false
  return true
}

/** `null`: the provider's own step 1, sent when a connection opens. */
type Question = number | null

export class DeliveryTracker {
  readonly #doc: Y.Doc
  readonly #provider: WebsocketProvider
  readonly #batchMs: number
  readonly #now: () => Date
  readonly #listeners = new Set<(state: DeliveryState) => void>()
  /** Count of changes that did not come from the server. */
  #made = 0
  #confirmed = 0
  #questions: Question[] = []
  #askTimer: ReturnType<typeof setTimeout> | null = null
  #lastSyncedAt: Date | null = null
  readonly #restoreHandler: () => void

  constructor(doc: Y.Doc, provider: WebsocketProvider, options: DeliveryOptions = {}) {
    this.#doc = doc
    this.#provider = provider
    this.#batchMs = options.batchMs ?? 150
    this.#now = options.now ?? (() => new Date())
    doc.on('update', this.#onUpdate)
    provider.on('status', this.#onStatus)
    provider.on('sync', this.#onSync)
    const original = provider.messageHandlers[messageSync]
    if (original === undefined) throw new Error('y-websocket has no sync message handler')
    provider.messageHandlers[messageSync] = (encoder, decoder, from, fromServer, type) => {
      // Broadcast-channel messages from other tabs pass here too, with fromServer false.
      const isAnswer = fromServer && decoding.peekVarUint(decoder) === messageYjsSyncStep2
      original(encoder, decoder, from, fromServer, type)
      if (isAnswer) this.#onAnswer()
    }
    this.#restoreHandler = () => {
      provider.messageHandlers[messageSync] = original
    }
    if (provider.wsconnected) this.#questions = [null]
  }

  get state(): DeliveryState {
    return { pending: this.#made > this.#confirmed, lastSyncedAt: this.#lastSyncedAt }
  }

  /**
   * What this device's copy says the server had confirmed before (a reload): if the document
   * holds nothing beyond that state, what the copy loaded is not pending, and the last sync
   * is that one rather than "not yet". Anything written since stays pending.
   */
  restoreConfirmed(stateVector: Uint8Array, at: Date): void {
    if (!covers(stateVector, Y.encodeStateVector(this.#doc))) return
    this.#confirmed = this.#made
    this.#lastSyncedAt ??= at
    this.#emit()
  }

  /** Calls `listener` on every change of {@link state}; returns the unsubscribe function. */
  subscribe(listener: (state: DeliveryState) => void): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  destroy(): void {
    if (this.#askTimer !== null) clearTimeout(this.#askTimer)
    this.#doc.off('update', this.#onUpdate)
    this.#provider.off('status', this.#onStatus)
    this.#provider.off('sync', this.#onSync)
    this.#restoreHandler()
    this.#listeners.clear()
  }

  readonly #onUpdate = (_update: Uint8Array, origin: unknown): void => {
    if (origin === this.#provider) {
      if (!this.state.pending && this.#provider.synced) this.#markSynced()
      return
    }
    const wasPending = this.state.pending
    this.#made++
    if (!wasPending) this.#emit()
    this.#scheduleQuestion()
  }

  readonly #onStatus = ({ status }: { status: string }): void => {
    // A new connection: its first answer is for the provider's opening step 1.
    this.#questions = status === 'connected' ? [null] : []
  }

  readonly #onSync = (synced: boolean): void => {
    if (!synced) return
    if (this.state.pending) this.#ask()
    else this.#markSynced()
  }

  #onAnswer(): void {
    const question = this.#questions.shift()
    if (typeof question === 'number' && question > this.#confirmed) this.#confirmed = question
    if (this.state.pending) {
      this.#scheduleQuestion()
      this.#emit()
    } else {
      this.#markSynced()
    }
  }

  #scheduleQuestion(): void {
    if (this.#askTimer !== null) return
    this.#askTimer = setTimeout(() => {
      this.#askTimer = null
      this.#ask()
    }, this.#batchMs)
  }

  /** One question at a time: a later one is asked when the current one is answered. */
  #ask(): void {
    const ws = this.#provider.ws
    if (!this.#provider.synced || ws === null || ws.readyState !== ws.OPEN) return
    if (this.#questions.some((question) => question !== null)) return
    const encoder = encoding.createEncoder()
    encoding.writeVarUint(encoder, messageSync)
    writeSyncStep1(encoder, this.#doc)
    this.#questions.push(this.#made)
    ws.send(encoding.toUint8Array(encoder))
  }

  #markSynced(): void {
    this.#lastSyncedAt = this.#now()
    this.#emit()
  }

  #emit(): void {
    const state = this.state
    for (const listener of this.#listeners) listener(state)
  }
}
