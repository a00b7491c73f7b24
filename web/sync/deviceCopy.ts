/**
 * This device's copy of a document (IndexedDB through y-indexeddb), behind the few operations
 * the session needs, so that the session can be tested where there is no IndexedDB.
 */
import { IndexeddbPersistence } from 'y-indexeddb'
import * as Y from 'yjs'

export interface DeviceCopy {
  /** The copy has been read into the Y.Doc. */
  readonly loaded: boolean
  /** Called once, when the copy has been read into the Y.Doc. */
  onLoaded(listener: () => void): void
  /** The copy's updates, so the session can tell them from the user's own. */
  readonly origin: unknown
  /** Resolves true once every update the Y.Doc had when this was called is committed here. */
  committed(): Promise<boolean>
  /** Deletes the copy (the document was deleted on the server). */
  clear(): Promise<void>
  /**
   * What the server last confirmed this device had (its state vector, and when), kept with the
   * copy: after a reload, content the server already has is not "pending" again.
   */
  readConfirmed?(): Promise<Confirmed | null>
  writeConfirmed?(confirmed: Confirmed): void
  destroy(): void
}

export interface Confirmed {
  at: Date
  stateVector: Uint8Array
}

export type DeviceCopyFactory = (name: string, doc: Y.Doc) => DeviceCopy

export function deviceCopyName(docId: string): string {
  return `tandem:doc:${docId}`
}

/** A share link's copy is named by the link's id: the page never learns its document's id. */
export function sharedCopyName(shareId: string): string {
  return `tandem:share:${shareId}`
}

/** The key of {@link Confirmed} in y-indexeddb's own key-value store of the copy. */
const CONFIRMED_KEY = 'confirmed'

/** How long others' updates may wait to be written to the copy together. */
export const REMOTE_WRITE_DELAY_MS = 250

/**
 * Writes `doc`'s updates with `store`, one at a time as they come for changes made here, and
 * others' (updates applied from elsewhere: `transaction.local` is false) together, at most
 * `delayMs` later and before anything made here. Updates of `skip` (the copy's own) are not
 * written. `flush` writes what waits now.
 */
export function writeOthersTogether(
  doc: Y.Doc,
  store: (update: Uint8Array, origin: unknown) => void,
  skip: unknown,
  delayMs = REMOTE_WRITE_DELAY_MS,
): { flush(): void; destroy(): void } {
  let waiting: Uint8Array[] = []
  let timer: ReturnType<typeof setTimeout> | null = null
  const flush = (): void => {
    if (timer !== null) clearTimeout(timer)
    timer = null
    if (waiting.length === 0) return
    const update = waiting.length === 1 ? (waiting[0] as Uint8Array) : Y.mergeUpdates(waiting)
    waiting = []
    store(update, null)
  }
  const onUpdate = (update: Uint8Array, origin: unknown, _doc: Y.Doc, transaction: Y.Transaction): void => {
    if (origin === skip) return
    if (!transaction.local) {
      waiting.push(update)
      timer ??= setTimeout(flush, delayMs)
      return
    }
    flush()
    store(update, origin)
  }
  doc.on('update', onUpdate)
  return {
    flush,
    destroy() {
      flush()
      doc.off('update', onUpdate)
    },
  }
}

export const indexedDbCopy: DeviceCopyFactory = (name, doc) => {
  const persistence = new IndexeddbPersistence(name, doc)
  // y-indexeddb (9.0.12) writes every update in an IndexedDB transaction of its own, as it comes:
  // about 1.4 ms of the page's main thread per remote keystroke (`bench/typing.ts --profile`).
  // Your own changes are still written at once — they are what the copy is for, until the server
  // has them; others' come from the server, and wait up to REMOTE_WRITE_DELAY_MS to be written
  // together.
  doc.off('update', persistence._storeUpdate)
  const store = (update: Uint8Array, origin: unknown): void => {
    try {
      persistence._storeUpdate(update, origin)
    } catch {
      // The copy closed meanwhile (its document was destroyed): nothing is written any more.
    }
  }
  const writes = writeOthersTogether(doc, store, persistence)
  return {
    get loaded() {
      return persistence.synced
    },
    onLoaded(listener) {
      persistence.on('synced', listener)
    },
    origin: persistence,
    /**
     * IndexedDB runs transactions on the same store in order, so once a read started after the
     * copy's writes completes, those writes are committed. The read starts in a microtask so
     * that y-indexeddb has issued the write for the update being handled now.
     */
    committed() {
      writes.flush()
      return new Promise((resolve) => {
        queueMicrotask(() => {
          const db = persistence.db
          if (db === null) return resolve(false)
          let transaction: IDBTransaction
          try {
            transaction = db.transaction(['updates'], 'readonly')
          } catch {
            return resolve(false)
          }
          transaction.objectStore('updates').count()
          transaction.oncomplete = () => resolve(true)
          transaction.onerror = transaction.onabort = () => resolve(false)
        })
      })
    },
    clear() {
      writes.destroy()
      return persistence.clearData()
    },
    async readConfirmed() {
      try {
        const stored: unknown = await persistence.get(CONFIRMED_KEY)
        if (typeof stored !== 'string') return null
        const value = JSON.parse(stored) as { at?: unknown; stateVector?: unknown }
        if (typeof value.at !== 'number' || !Array.isArray(value.stateVector)) return null
        return { at: new Date(value.at), stateVector: Uint8Array.from(value.stateVector as number[]) }
      } catch {
        return null
      }
    },
    writeConfirmed(confirmed) {
      if (persistence.db === null) return
      const value = JSON.stringify({ at: confirmed.at.getTime(), stateVector: [...confirmed.stateVector] })
      persistence.set(CONFIRMED_KEY, value).catch(() => {
        // A copy closing meanwhile: the next confirmation writes it.
      })
    },
    destroy() {
      writes.destroy()
      void persistence.destroy()
    },
  }
}
