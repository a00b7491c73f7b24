/**
 * Versions of documents: recorded by the server on its own, saved by name, read, restored and
 * pruned. The one place that coordinates the version store with the rooms; routes stay thin.
 *
 * Recording: every change a room stores reaches {@link VersionService.changed} (the room
 * manager's observer). A document changed and then quiet for `idleMs` gets an automatic
 * version, and one edited without pause gets one at least every `intervalMs`. Each process
 * keeps its own timers; the database keeps one automatic version per state (a unique key on the
 * state's hash), so processes holding the same document never record the same moment twice.
 *
 * Authors: who sent each stored change (the socket's author, from its token or declared name)
 * is noted in the database, at once the first time and then at most every
 * {@link AUTHOR_REFRESH_MS} (with a trailing write), and the append waits for that first note:
 * a `kill -9` loses no author. Recording a version takes the authors noted up to its moment.
 *
 * Restore: the document's body becomes the version's as one server change, which editors
 * receive live and offline editors merge with; it is stored in one transaction with the version
 * of the state just before, so either both happened or neither.
 */
import type { JSONContent } from '@tiptap/core'
import type { Logger } from 'pino'
import * as Y from 'yjs'
import type { Author, ContentFormat, VersionKind } from '../../protocol/api'
import { DocumentNotFound, VersionNotDeletable, VersionNotFound } from '../common/errors'
import { isVersionId, newVersionId } from '../model/ids'
import { restoreBody, stateKey } from '../model/restore'
import type { DocumentStore } from '../storage/types'
import { type VersionPage, type VersionRecord, type VersionStore, authorKey } from '../storage/versions'
import type { ChangeObserver, RoomManager } from '../sync/roomManager'
import { type RetentionPolicy, versionsToPrune } from './retention'

export type { VersionPage, VersionRecord }

/** Time, for the recorder's timers and timestamps; tests pass a fake one. */
export interface Clock {
  now(): number
  setTimeout(run: () => void, ms: number): unknown
  clearTimeout(handle: unknown): void
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (run, ms) => {
    const timer = setTimeout(run, ms)
    timer.unref()
    return timer
  },
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
}

/**
 * Tuning, not a limit: an author editing without pause is noted again at most this often. A
 * version cut by another process within this window may name them in the next version instead.
 */
export const AUTHOR_REFRESH_MS = 1000

/** How often retention runs over every document, and documents left without a version are caught up. */
const SWEEP_INTERVAL_MS = 3_600_000

/** Documents a sweep handles at most; the next sweep goes on. */
const SWEEP_BATCH = 500

export interface VersionServiceOptions {
  versions: VersionStore
  documents: DocumentStore
  rooms: RoomManager
  /** Quiet time after changes before an automatic version (`VERSION_IDLE_MS`). */
  idleMs: number
  /** Longest time between automatic versions while edited without pause (`VERSION_INTERVAL_MS`). */
  intervalMs: number
  retention: RetentionPolicy
  log: Logger
  clock?: Clock
}

interface Dirty {
  firstAt: number
  lastAt: number
  timer: unknown
}

interface NotedAuthor {
  docId: string
  author: Author
  /** When this process last wrote the note (the refresh window runs from it). */
  writtenAt: number
  /** When the author's last change noted here was stored: the time the note carries. */
  changedAt: number
  trailing: unknown | null
}

/** Tiptap and its DOM are loaded with the first content conversion, not at start-up. */
const converters = () => import('../content/convert')

export class VersionService implements ChangeObserver {
  readonly #options: VersionServiceOptions
  readonly #clock: Clock
  readonly #dirty = new Map<string, Dirty>()
  readonly #authors = new Map<string, NotedAuthor>()
  readonly #running = new Set<Promise<unknown>>()
  #sweepTimer: unknown = null
  #closed = false

  constructor(options: VersionServiceOptions) {
    this.#options = options
    this.#clock = options.clock ?? systemClock
  }

  /** Starts the periodic sweep (retention, documents left without a version). */
  start(): void {
    const sweep = (): void => {
      this.#sweepTimer = this.#clock.setTimeout(() => {
        this.#track(this.sweep()).finally(sweep)
      }, SWEEP_INTERVAL_MS)
    }
    sweep()
  }

  // ——— recording ———

  /** A room stored a change by `author` (null: the server's own, e.g. a title). */
  changed(docId: string, author: Author | null): Promise<void> | null {
    if (this.#closed) return null
    this.#markDirty(docId)
    return author === null ? null : this.#noteAuthor(docId, author)
  }

  #markDirty(docId: string): void {
    const now = this.#clock.now()
    const dirty = this.#dirty.get(docId)
    if (dirty !== undefined) {
      dirty.lastAt = now
      return
    }
    const entry: Dirty = { firstAt: now, lastAt: now, timer: null }
    this.#dirty.set(docId, entry)
    this.#arm(docId, entry)
  }

  /** One timer per document, moved on when it fires early rather than reset on every change. */
  #arm(docId: string, dirty: Dirty): void {
    const { idleMs, intervalMs } = this.#options
    const due = Math.min(dirty.lastAt + idleMs, dirty.firstAt + intervalMs)
    dirty.timer = this.#clock.setTimeout(
      () => {
        if (this.#dirty.get(docId) !== dirty) return
        const now = this.#clock.now()
        if (now < Math.min(dirty.lastAt + idleMs, dirty.firstAt + intervalMs)) {
          this.#arm(docId, dirty)
          return
        }
        this.#dirty.delete(docId)
        this.#track(this.#recordAuto(docId))
      },
      Math.max(0, due - this.#clock.now()),
    )
  }

  #noteAuthor(docId: string, author: Author): Promise<void> | null {
    const key = `${docId}\n${authorKey(author)}`
    const now = this.#clock.now()
    const noted = this.#authors.get(key)
    if (noted === undefined || now - noted.writtenAt >= AUTHOR_REFRESH_MS) {
      if (noted?.trailing != null) this.#clock.clearTimeout(noted.trailing)
      this.#authors.set(key, { docId, author, writtenAt: now, changedAt: now, trailing: null })
      return this.#options.versions.noteAuthor(docId, author, new Date(now))
    }
    noted.changedAt = now
    if (noted.trailing === null) {
      noted.trailing = this.#clock.setTimeout(
        () => {
          noted.trailing = null
          this.#track(this.#writeAuthor(noted))
        },
        AUTHOR_REFRESH_MS - (now - noted.writtenAt),
      )
    }
    return null
  }

  async #writeAuthor(noted: NotedAuthor): Promise<void> {
    noted.writtenAt = this.#clock.now()
    try {
      // The change's time, not the write's: a version another process cuts in between, whose
      // state holds the change, must be able to take this note (last seen ≤ its moment).
      await this.#options.versions.noteAuthor(noted.docId, noted.author, new Date(noted.changedAt))
    } catch (error) {
      this.#options.log.warn({ docId: noted.docId, err: error }, 'could not note an author of changes')
    }
  }

  /** Writes this process's trailing notes for a document now, so a version cut next has them. */
  async #flushAuthors(docId: string): Promise<void> {
    const writes: Promise<void>[] = []
    for (const [key, noted] of this.#authors) {
      if (noted.docId !== docId) continue
      if (noted.trailing !== null) {
        this.#clock.clearTimeout(noted.trailing)
        noted.trailing = null
        writes.push(this.#writeAuthor(noted))
      } else if (this.#clock.now() - noted.writtenAt >= AUTHOR_REFRESH_MS) {
        this.#authors.delete(key)
      }
    }
    await Promise.all(writes)
  }

  /** The live state (everything applied stored first), or null when the document is gone. */
  async #currentState(docId: string): Promise<{ state: Uint8Array; key: string } | null> {
    return this.#options.rooms.withRoom(docId, async (room) => {
      await room.settled()
      return { state: room.encodeState(), key: stateKey(room.doc) }
    })
  }

  async #recordAuto(docId: string): Promise<void> {
    try {
      await this.record(docId, 'auto')
    } catch (error) {
      this.#options.log.warn({ docId, err: error }, 'could not record a version')
    }
  }

  /**
   * Records a version of the document as it is now. `auto` and `import` versions are skipped
   * (null) when the newest version already has this state; named ones never.
   *
   * @throws {DocumentNotFound}
   */
  async record(docId: string, kind: VersionKind, name: string | null = null): Promise<VersionRecord | null> {
    await this.#flushAuthors(docId)
    const current = await this.#currentState(docId)
    if (current === null) throw new DocumentNotFound(docId)
    const createdAt = new Date(this.#clock.now())
    if (kind !== 'named' && (await this.#options.versions.latestStateKey(docId)) === current.key) {
      await this.#options.versions.attachAuthors(docId, current.key, createdAt)
      return null
    }
    const record = await this.#options.versions.record({
      id: newVersionId(),
      docId,
      kind,
      name,
      createdAt,
      state: current.state,
      stateKey: current.key,
    })
    if (record !== null) this.#track(this.#pruneQuietly(docId))
    // Another process recorded this moment first: the authors this one noted belong to it too.
    else if (kind === 'auto') await this.#options.versions.attachAuthors(docId, current.key, createdAt)
    return record
  }

  /** For a REST call about to replace a document's content: its state before, as an `import` version. */
  recordBeforeReplace(docId: string): Promise<VersionRecord | null> {
    return this.record(docId, 'import')
  }

  // ——— what routes ask ———

  async #existing(docId: string): Promise<void> {
    if ((await this.#options.documents.get(docId)) === null) throw new DocumentNotFound(docId)
  }

  /** @throws {DocumentNotFound} @throws {InvalidCursor} */
  async list(docId: string, query: { limit: number; cursor?: string | undefined }): Promise<VersionPage> {
    await this.#existing(docId)
    return this.#options.versions.list(docId, query)
  }

  /** A named version of the document as it is now. @throws {DocumentNotFound} */
  async save(docId: string, name: string): Promise<VersionRecord> {
    const record = await this.record(docId, 'named', name)
    if (record === null) throw new DocumentNotFound(docId)
    return record
  }

  /** @throws {DocumentNotFound} @throws {VersionNotFound} */
  async get(docId: string, versionId: string): Promise<VersionRecord> {
    const record = isVersionId(versionId) ? await this.#options.versions.get(docId, versionId) : null
    if (record !== null) return record
    await this.#existing(docId)
    throw new VersionNotFound()
  }

  /**
   * The version's content in a REST format.
   *
   * @throws {DocumentNotFound} @throws {VersionNotFound} @throws {ContentUnrenderable}
   */
  async content(docId: string, versionId: string, format: ContentFormat): Promise<string | JSONContent> {
    return (await converters()).exportContent(await this.#state(docId, versionId), format)
  }

  async #state(docId: string, versionId: string): Promise<Uint8Array> {
    const state = isVersionId(versionId) ? await this.#options.versions.state(docId, versionId) : null
    if (state !== null) return state
    await this.#existing(docId)
    throw new VersionNotFound()
  }

  /**
   * Makes the document's body the version's, as a new change every open editor receives, and
   * keeps the state just before as a `restore` version (in the same transaction).
   *
   * @throws {DocumentNotFound} @throws {VersionNotFound}
   */
  async restore(
    docId: string,
    versionId: string,
    author: Author,
  ): Promise<{ restored: VersionRecord; before: VersionRecord }> {
    const restored = await this.get(docId, versionId)
    const target = new Y.Doc()
    Y.applyUpdate(target, await this.#state(docId, versionId))
    const before = await this.#options.rooms.withRoom(docId, async (room) => {
      await this.#flushAuthors(docId)
      await room.settled()
      // From here to the change, nothing waits: the state kept is exactly the one replaced.
      const version = {
        id: newVersionId(),
        docId,
        kind: 'restore' as const,
        name: null,
        createdAt: new Date(this.#clock.now()),
        state: room.encodeState(),
        stateKey: stateKey(room.doc),
      }
      let recorded: VersionRecord | null = null
      await room.writeAsServer((doc) => restoreBody(doc, target), {
        author,
        store: async (update) => {
          recorded = await this.#options.versions.recordWithUpdate(version, update)
          if (recorded === null) throw new DocumentNotFound(docId)
        },
      })
      // Nothing to change (the body already is the version's): the moment is kept all the same.
      return recorded ?? (await this.#options.versions.record(version))
    })
    target.destroy()
    if (before === null) throw new DocumentNotFound(docId)
    const noted = this.changed(docId, author)
    if (noted !== null) {
      this.#track(noted).catch((error: unknown) => {
        this.#options.log.warn({ docId, err: error }, 'could not note an author of changes')
      })
    }
    this.#track(this.#pruneQuietly(docId))
    return { restored, before }
  }

  /** Removes a named version; the others follow retention. @throws {VersionNotDeletable} */
  async delete(docId: string, versionId: string): Promise<void> {
    const record = await this.get(docId, versionId)
    if (record.kind !== 'named') throw new VersionNotDeletable()
    if (!(await this.#options.versions.delete(docId, versionId))) throw new VersionNotFound()
  }

  // ——— retention ———

  /** Applies the retention policy to one document's versions. */
  async prune(docId: string): Promise<number> {
    const moments = await this.#options.versions.timeline(docId)
    const removed = versionsToPrune(moments, this.#clock.now(), this.#options.retention)
    await this.#options.versions.remove(docId, removed)
    return removed.length
  }

  async #pruneQuietly(docId: string): Promise<void> {
    try {
      await this.prune(docId)
    } catch (error) {
      this.#options.log.warn({ docId, err: error }, 'could not apply version retention')
    }
  }

  /**
   * Retention over every document with versions old enough, and a version for documents
   * changed but left without one (the process that would have recorded it stopped).
   */
  async sweep(): Promise<void> {
    const { versions, retention, idleMs } = this.#options
    const now = this.#clock.now()
    for (const docId of await versions.documentsWithVersionsBefore(new Date(now - retention.keepAllMs), SWEEP_BATCH)) {
      if (this.#closed) return
      await this.#pruneQuietly(docId)
    }
    for (const docId of await versions.documentsWithAuthorsBefore(new Date(now - idleMs), SWEEP_BATCH)) {
      if (this.#closed) return
      if (!this.#dirty.has(docId)) await this.#recordAuto(docId)
    }
    for (const [key, noted] of this.#authors) {
      if (noted.trailing === null && now - noted.writtenAt >= AUTHOR_REFRESH_MS) this.#authors.delete(key)
    }
  }

  #track<T>(work: Promise<T>): Promise<T> {
    this.#running.add(work)
    void work.finally(() => this.#running.delete(work)).catch(() => undefined)
    return work
  }

  /** Stops the timers and writes what is noted; waits for recordings under way. */
  async close(): Promise<void> {
    this.#closed = true
    if (this.#sweepTimer !== null) this.#clock.clearTimeout(this.#sweepTimer)
    for (const dirty of this.#dirty.values()) this.#clock.clearTimeout(dirty.timer)
    this.#dirty.clear()
    const writes: Promise<void>[] = []
    for (const noted of this.#authors.values()) {
      if (noted.trailing === null) continue
      this.#clock.clearTimeout(noted.trailing)
      noted.trailing = null
      writes.push(this.#writeAuthor(noted))
    }
    await Promise.all([...writes, ...this.#running].map((work) => work.catch(() => undefined)))
  }
}
