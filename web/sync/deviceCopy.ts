/**
 * This device's copy of a document (IndexedDB through y-indexeddb), behind the few operations
 * the session needs, so that the session can be tested where there is no IndexedDB.
 */
import { IndexeddbPersistence } from 'y-indexeddb'
import type * as Y from 'yjs'

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

export const indexedDbCopy: DeviceCopyFactory = (name, doc) => {
  const persistence = new IndexeddbPersistence(name, doc)
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
      void persistence.destroy()
    },
  }
}
