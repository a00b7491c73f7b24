/**
 * One open document in this tab, from opening to leaving: the Y.Doc, its copy on this device,
 * its connection to the server, the REST check that the document is still there, and the state
 * the page shows about them. It is the one place that decides when the document is ready and
 * when the session has ended (a close code, or REST saying the document is gone or closed to us).
 *
 * The browser never seeds content: the document is "ready" only once the server's state or a
 * non-empty copy from this device is in, so that nothing typed before the first sync can
 * duplicate the server's initial paragraph.
 */
import { WebsocketProvider } from 'y-websocket'
import * as Y from 'yjs'
import { DOCUMENT_FIELD, META_FIELD, TITLE_KEY } from '../../protocol/fields'
import type { Identity } from '../identity'
import { type Ending, endingFor } from './closeReasons'
import { DeliveryTracker } from './delivery'
import { type DeviceCopy, type DeviceCopyFactory, deviceCopyName, indexedDbCopy } from './deviceCopy'
import { type DocumentChecker, DocumentWatch } from './documentCheck'
import { type Network, browserNetwork } from './network'
import { sendOwnPresenceOnly } from './ownPresence'

export { deviceCopyName }
export { DOCUMENT_FIELD, META_FIELD, TITLE_KEY }

/**
 * `offline`: the browser says it has no network. `unreachable`: it has one, but the server has
 * not answered several attempts (retrying). `stopped`: the session ended (deleted, revoked, …).
 */
export type ConnectionState = 'connected' | 'connecting' | 'unreachable' | 'offline' | 'stopped'

export interface SessionState {
  connection: ConnectionState
  /** Local changes the server has not confirmed yet. */
  pending: boolean
  /** Every local change is in this device's copy (safe across a reload, even offline). */
  savedOnDevice: boolean
  lastSyncedAt: Date | null
  /** The content is known (from the server or this device): the editor may open. */
  ready: boolean
  /** The session ended for good (deleted, access revoked, …); set once, never cleared. */
  ending: Ending | null
  /** The title as the server has it (the document's meta map, else the REST answer); null while unknown. */
  title: string | null
}

export interface SessionOptions {
  /**
   * The room in the socket's address (`wsBase/<docId>`): a document's id, or a share link's id
   * with `wsBase` ending in `/ws/s`.
   */
  docId: string
  /** This device's copy; the document's own (`deviceCopyName(docId)`) by default. */
  deviceCopyName?: string
  token: string | null
  identity: Identity
  /** `ws(s)://host/ws` */
  wsBase: string
  /** Asks whether the document is still there (REST); without it only close codes end the session. */
  check?: DocumentChecker
  /** How often to ask while the server seems unreachable. */
  recheckMs?: number
  deviceCopy?: DeviceCopyFactory
  network?: Network
  /** Passed to the WebsocketProvider (tests: a fake socket class, no cross-tab channel, short back-off). */
  provider?: { WebSocketPolyfill?: typeof WebSocket; disableBc?: boolean; maxBackoffTime?: number }
}

/** Failed connection attempts in a row before we call the server unreachable rather than "connecting". */
const ATTEMPTS_BEFORE_UNREACHABLE = 3

/** How often at most the server's last confirmation is written to the device copy. */
const CONFIRMED_WRITE_MS = 1000

export class DocumentSession {
  readonly doc = new Y.Doc()
  readonly provider: WebsocketProvider
  readonly #deviceCopy: DeviceCopy
  readonly #network: Network
  readonly #delivery: DeliveryTracker
  readonly #watch: DocumentWatch | null
  readonly #listeners = new Set<(state: SessionState) => void>()
  readonly #stopNetwork: () => void
  #ending: Ending | null = null
  #ready = false
  #restTitle: string | null = null
  #changesMade = 0
  #changesSavedOnDevice = 0
  #deviceCheckQueued = false
  /** The last confirmation by the server, and the timer that writes it to the device copy. */
  #confirmedAt: Date | null = null
  #confirmedTimer: ReturnType<typeof setTimeout> | null = null
  #left = false
  #destroyed = false
  #state: SessionState

  constructor(options: SessionOptions) {
    this.#network = options.network ?? browserNetwork
    this.#deviceCopy = (options.deviceCopy ?? indexedDbCopy)(
      options.deviceCopyName ?? deviceCopyName(options.docId),
      this.doc,
    )
    this.provider = new WebsocketProvider(options.wsBase, options.docId, this.doc, {
      connect: false,
      params: options.token === null ? {} : { token: options.token },
      ...options.provider,
    })
    sendOwnPresenceOnly(this.provider)
    this.setIdentity(options.identity)
    this.#delivery = new DeliveryTracker(this.doc, this.provider)
    this.#watch =
      options.check === undefined
        ? null
        : new DocumentWatch({
            check: options.check,
            ...(options.recheckMs === undefined ? {} : { intervalMs: options.recheckMs }),
            onFound: (title) => {
              this.#restTitle = title
              this.#update()
            },
            onEnded: (ending) => this.#end(ending),
          })
    this.#state = this.#compute()

    this.#delivery.subscribe((delivery) => {
      if (delivery.lastSyncedAt !== this.#confirmedAt) this.#rememberConfirmed(delivery.lastSyncedAt)
      this.#update()
    })
    this.provider.on('status', () => this.#update())
    this.provider.on('sync', (synced) => {
      if (synced) this.#ready = true
      this.#update()
    })
    this.provider.on('connection-close', (event) => {
      const ending = event === null ? null : endingFor(event.code, event.reason)
      if (ending !== null) this.#end(ending)
      else this.#update()
    })
    this.#deviceCopy.onLoaded(() => {
      if (this.fragment.length > 0) this.#ready = true
      this.#checkDeviceCopy()
      this.#update()
      void this.#deviceCopy.readConfirmed?.().then((confirmed) => {
        if (confirmed !== null && !this.#destroyed) this.#delivery.restoreConfirmed(confirmed.stateVector, confirmed.at)
      })
    })
    this.doc.on('update', this.#onUpdate)
    this.meta.observe(this.#onMeta)
    this.#stopNetwork = this.#network.subscribe((online) => {
      if (online && this.#ending === null) this.provider.connect()
      if (!online) this.provider.disconnect()
      this.#update()
    })
    if (this.#network.online) this.provider.connect()
    this.#watch?.check()
  }

  get fragment(): Y.XmlFragment {
    return this.doc.getXmlFragment(DOCUMENT_FIELD)
  }

  /** The server-written part of the document; read-only for browsers. */
  get meta(): Y.Map<unknown> {
    return this.doc.getMap(META_FIELD)
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
    // Who this editor says it is, for the versions' authors on a server without tokens (with
    // tokens the server takes the token's name). Sent when the socket (re)connects.
    this.provider.params = { ...this.provider.params, name: identity.name }
  }

  /** Presence goes now (the tab is being hidden or left); the connection stays. */
  hidePresence(): void {
    this.provider.awareness.setLocalState(null)
  }

  /**
   * Leaves the document: presence and the REST checks go at once; the connection stays until
   * the server has confirmed what this tab wrote (or `timeoutMs` passed; the device copy still
   * has it).
   */
  async leave(timeoutMs = 10_000): Promise<void> {
    if (this.#destroyed || this.#left) return
    this.#left = true
    this.hidePresence()
    this.#watch?.stop()
    this.#stopNetwork()
    const reaching = (state: SessionState): boolean =>
      state.connection === 'connected' || state.connection === 'connecting'
    if (this.#state.pending && reaching(this.#state) && this.#ending === null) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, timeoutMs)
        const unsubscribe = this.subscribe((state) => {
          if (!state.pending || !reaching(state) || state.ending !== null) done()
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

  destroy(): void {
    if (this.#destroyed) return
    this.#destroyed = true
    if (this.#confirmedTimer !== null) clearTimeout(this.#confirmedTimer)
    this.#watch?.stop()
    this.#stopNetwork()
    this.doc.off('update', this.#onUpdate)
    this.meta.unobserve(this.#onMeta)
    this.#delivery.destroy()
    this.provider.destroy()
    this.provider.awareness.destroy()
    this.#deviceCopy.destroy()
    this.doc.destroy()
    this.#listeners.clear()
  }

  #end(ending: Ending): void {
    if (this.#ending !== null || this.#destroyed) return
    this.#ending = ending
    this.#watch?.stop()
    this.provider.disconnect()
    // Nothing left to sync: a deleted document's copy on this device goes too.
    if (ending.kind === 'deleted') void this.#deviceCopy.clear()
    this.#update()
  }

  readonly #onUpdate = (_update: Uint8Array, origin: unknown): void => {
    if (origin === this.provider || origin === this.#deviceCopy.origin) return
    this.#changesMade++
    this.#checkDeviceCopy()
    this.#update()
  }

  readonly #onMeta = (): void => this.#update()

  #checkDeviceCopy(): void {
    if (!this.#deviceCopy.loaded || this.#deviceCheckQueued || this.#destroyed) return
    this.#deviceCheckQueued = true
    const made = this.#changesMade
    void this.#deviceCopy.committed().then((committed) => {
      this.#deviceCheckQueued = false
      if (!committed || this.#destroyed) return
      this.#changesSavedOnDevice = Math.max(this.#changesSavedOnDevice, made)
      if (this.#changesSavedOnDevice < this.#changesMade) this.#checkDeviceCopy()
      this.#update()
    })
  }

  #connection(): ConnectionState {
    if (this.#ending !== null) return 'stopped'
    if (!this.#network.online) return 'offline'
    if (this.provider.wsconnected && this.provider.synced) return 'connected'
    if (this.provider.wsUnsuccessfulReconnects >= ATTEMPTS_BEFORE_UNREACHABLE) return 'unreachable'
    return 'connecting'
  }

  /**
   * The server confirmed this device is up to date: the document's state now is what it has.
   * Kept with the device copy (at most once a second), so that a reload without a connection
   * knows that what it loads is not pending.
   */
  #rememberConfirmed(at: Date | null): void {
    this.#confirmedAt = at
    if (at === null || this.#confirmedTimer !== null || this.#deviceCopy.writeConfirmed === undefined) return
    this.#confirmedTimer = setTimeout(() => {
      this.#confirmedTimer = null
      if (this.#destroyed || this.#delivery.state.pending || this.#confirmedAt === null) return
      this.#deviceCopy.writeConfirmed?.({ at: this.#confirmedAt, stateVector: Y.encodeStateVector(this.doc) })
    }, CONFIRMED_WRITE_MS)
  }

  #title(): string | null {
    const title = this.meta.get(TITLE_KEY)
    return typeof title === 'string' ? title : this.#restTitle
  }

  #compute(): SessionState {
    const delivery = this.#delivery.state
    return {
      connection: this.#connection(),
      pending: delivery.pending,
      savedOnDevice: this.#deviceCopy.loaded && this.#changesSavedOnDevice >= this.#changesMade,
      lastSyncedAt: delivery.lastSyncedAt,
      ready: this.#ready,
      ending: this.#ending,
      title: this.#title(),
    }
  }

  #update(): void {
    if (this.#destroyed) return
    const next = this.#compute()
    // The server seems away while the browser is online: a refusal before the socket opens
    // (deleted, token expired) looks just like that, so REST is asked regularly meanwhile.
    this.#watch?.setUnreachable(next.connection === 'unreachable')
    const previous = this.#state
    const changed = (Object.keys(next) as Array<keyof SessionState>).some((key) => next[key] !== previous[key])
    if (!changed) return
    this.#state = next
    for (const listener of this.#listeners) listener(next)
  }
}
