/**
 * One open document in this tab: the Y.Doc, its copy on this device (IndexedDB), its
 * connection to the server, and the state the page shows about them.
 *
 * The browser never seeds content: the document is "ready" only once the server's state or a
 * non-empty copy from this device is in, so that nothing typed before the first sync can
 * duplicate the server's initial paragraph.
 */
import { IndexeddbPersistence } from 'y-indexeddb'
import { WebsocketProvider } from 'y-websocket'
import * as Y from 'yjs'
import { META_FIELD, TITLE_KEY } from '../../server/sync/meta'
import type { Identity } from '../identity'
import { type Ending, endingFor } from './closeReasons'
import { DeliveryTracker } from './delivery'

export const DOCUMENT_FIELD = 'default'

export type ConnectionState = 'connected' | 'connecting' | 'offline'

export interface SessionState {
  connection: ConnectionState
  /** Local changes the server has not confirmed yet. */
  pending: boolean
  /** Every local change is in this device's copy (safe across a reload, even offline). */
  savedOnDevice: boolean
  lastSyncedAt: Date | null
  /** The content is known (from the server or this device): the editor may open. */
  ready: boolean
  /** The server ended the session for good (deleted, access revoked, …). */
  ending: Ending | null
}

export interface SessionOptions {
  docId: string
  token: string | null
  identity: Identity
  /** `ws(s)://host/ws` */
  wsBase: string
}

/** Failed connection attempts in a row before we call it "offline" rather than "connecting". */
const ATTEMPTS_BEFORE_OFFLINE = 3

export function deviceCopyName(docId: string): string {
  return `tandem:doc:${docId}`
}

export class DocumentSession {
  readonly doc = new Y.Doc()
  readonly provider: WebsocketProvider
  readonly deviceCopy: IndexeddbPersistence
  readonly #delivery: DeliveryTracker
  readonly #listeners = new Set<(state: SessionState) => void>()
  #ending: Ending | null = null
  #ready = false
  #changesMade = 0
  #changesSavedOnDevice = 0
  #deviceCheckQueued = false
  #destroyed = false
  #state: SessionState

  constructor(options: SessionOptions) {
    this.deviceCopy = new IndexeddbPersistence(deviceCopyName(options.docId), this.doc)
    this.provider = new WebsocketProvider(options.wsBase, options.docId, this.doc, {
      connect: false,
      params: options.token === null ? {} : { token: options.token },
    })
    this.setIdentity(options.identity)
    this.#delivery = new DeliveryTracker(this.doc, this.provider)
    this.#state = this.#compute()

    this.#delivery.subscribe(() => this.#update())
    this.provider.on('status', () => this.#update())
    this.provider.on('sync', (synced) => {
      if (synced) this.#ready = true
      this.#update()
    })
    this.provider.on('connection-close', (event) => {
      const ending = event === null ? null : endingFor(event.code, event.reason)
      if (ending !== null && this.#ending === null) {
        this.#ending = ending
        this.provider.disconnect()
      }
      this.#update()
    })
    this.deviceCopy.on('synced', () => {
      if (this.fragment.length > 0) this.#ready = true
      this.#checkDeviceCopy()
      this.#update()
    })
    this.doc.on('update', this.#onUpdate)
    window.addEventListener('online', this.#onOnline)
    window.addEventListener('offline', this.#onOffline)
    if (navigator.onLine) this.provider.connect()
  }

  get fragment(): Y.XmlFragment {
    return this.doc.getXmlFragment(DOCUMENT_FIELD)
  }

  /** The server-written part of the document; read-only for browsers. */
  get meta(): Y.Map<unknown> {
    return this.doc.getMap(META_FIELD)
  }

  get title(): string | null {
    const title = this.meta.get(TITLE_KEY)
    return typeof title === 'string' ? title : null
  }

  get state(): SessionState {
    return this.#state
  }

  subscribe(listener: (state: SessionState) => void): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  setIdentity(identity: Identity): void {
    this.provider.awareness.setLocalStateField('user', { id: identity.id, name: identity.name, color: identity.color })
  }

  /**
   * Leaves the document: presence goes at once; the connection stays until the server has
   * confirmed what this tab wrote (or `timeoutMs` passed; the device copy still has it).
   */
  async leave(timeoutMs = 10_000): Promise<void> {
    if (this.#destroyed) return
    this.provider.awareness.setLocalState(null)
    window.removeEventListener('online', this.#onOnline)
    window.removeEventListener('offline', this.#onOffline)
    if (this.#state.pending && this.#state.connection !== 'offline' && this.#ending === null) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, timeoutMs)
        const unsubscribe = this.subscribe((state) => {
          if (!state.pending || state.connection === 'offline' || state.ending !== null) done()
        })
        function done(): void {
          clearTimeout(timer)
          unsubscribe()
          resolve()
        }
      })
    }
    this.destroy()
  }

  /** Drops this device's copy, e.g. once the document was deleted on the server. */
  async forgetDeviceCopy(): Promise<void> {
    await this.deviceCopy.clearData()
  }

  destroy(): void {
    if (this.#destroyed) return
    this.#destroyed = true
    window.removeEventListener('online', this.#onOnline)
    window.removeEventListener('offline', this.#onOffline)
    this.doc.off('update', this.#onUpdate)
    this.#delivery.destroy()
    this.provider.destroy()
    this.provider.awareness.destroy()
    void this.deviceCopy.destroy()
    this.doc.destroy()
    this.#listeners.clear()
  }

  readonly #onUpdate = (_update: Uint8Array, origin: unknown): void => {
    if (origin === this.provider || origin === this.deviceCopy) return
    this.#changesMade++
    this.#checkDeviceCopy()
    this.#update()
  }

  readonly #onOnline = (): void => {
    if (this.#ending === null) this.provider.connect()
    this.#update()
  }

  readonly #onOffline = (): void => {
    this.provider.disconnect()
    this.#update()
  }

  /**
   * IndexedDB runs transactions on the same store in order, so once a read started after the
   * device copy's writes completes, those writes are committed.
   */
  #checkDeviceCopy(): void {
    const db = this.deviceCopy.db
    if (db === null || this.#deviceCheckQueued || this.#destroyed) return
    this.#deviceCheckQueued = true
    const made = this.#changesMade
    queueMicrotask(() => {
      let transaction: IDBTransaction
      try {
        transaction = db.transaction(['updates'], 'readonly')
      } catch {
        this.#deviceCheckQueued = false
        return
      }
      transaction.objectStore('updates').count()
      transaction.oncomplete = () => {
        this.#deviceCheckQueued = false
        this.#changesSavedOnDevice = Math.max(this.#changesSavedOnDevice, made)
        if (this.#changesSavedOnDevice < this.#changesMade) this.#checkDeviceCopy()
        this.#update()
      }
      transaction.onerror = transaction.onabort = () => {
        this.#deviceCheckQueued = false
      }
    })
  }

  #connection(): ConnectionState {
    if (this.#ending !== null || !navigator.onLine) return 'offline'
    if (this.provider.wsconnected && this.provider.synced) return 'connected'
    if (this.provider.wsUnsuccessfulReconnects >= ATTEMPTS_BEFORE_OFFLINE) return 'offline'
    return 'connecting'
  }

  #compute(): SessionState {
    const delivery = this.#delivery.state
    return {
      connection: this.#connection(),
      pending: delivery.pending,
      savedOnDevice: this.deviceCopy.synced && this.#changesSavedOnDevice >= this.#changesMade,
      lastSyncedAt: delivery.lastSyncedAt,
      ready: this.#ready,
      ending: this.#ending,
    }
  }

  #update(): void {
    if (this.#destroyed) return
    const next = this.#compute()
    const previous = this.#state
    const changed = (Object.keys(next) as Array<keyof SessionState>).some((key) => next[key] !== previous[key])
    if (!changed) return
    this.#state = next
    for (const listener of this.#listeners) listener(next)
  }
}
