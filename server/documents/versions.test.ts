/**
 * The version recorder and retention on a fake clock: versions after quiet and during long
 * editing, authors noted durably and once per window, retention thinning old versions and
 * keeping named ones. Real SQLite stores; the room is a stand-in holding a Y.Doc.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pino } from 'pino'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { DOCUMENT_FIELD } from '../../protocol/fields'
import { newDocumentId } from '../model/ids'
import { SqliteDocumentStore } from '../storage/sqlite/documents'
import { SqliteVersionStore } from '../storage/sqlite/versions'
import type { VersionMoment } from '../storage/versions'
import type { RoomManager } from '../sync/roomManager'
import { waitFor } from '../test/waitFor'
import { DEFAULT_RETENTION, versionsToPrune } from './retention'
import { AUTHOR_REFRESH_MS, type Clock, VersionService } from './versions'

const HOUR = 3_600_000
const DAY = 24 * HOUR

class FakeClock implements Clock {
  #now = Date.UTC(2026, 0, 1)
  #timers = new Map<number, { at: number; run: () => void }>()
  #next = 1
  now(): number {
    return this.#now
  }
  setTimeout(run: () => void, ms: number): unknown {
    const id = this.#next++
    this.#timers.set(id, { at: this.#now + ms, run })
    return id
  }
  clearTimeout(handle: unknown): void {
    this.#timers.delete(handle as number)
  }
  /** Moves time on, running each timer due at its own moment. */
  async advance(ms: number): Promise<void> {
    const target = this.#now + ms
    for (;;) {
      const due = [...this.#timers].filter(([, t]) => t.at <= target).sort((a, b) => a[1].at - b[1].at)[0]
      if (due === undefined) break
      this.#timers.delete(due[0])
      this.#now = due[1].at
      due[1].run()
      await new Promise((resolve) => setImmediate(resolve))
    }
    this.#now = target
  }
}

describe('VersionService', () => {
  let dir = ''
  let documents: SqliteDocumentStore
  let store: SqliteVersionStore
  let clock: FakeClock
  let service: VersionService
  let docId = ''
  const live = new Y.Doc()

  const edit = (text: string): void => {
    const paragraph = new Y.XmlElement('paragraph')
    paragraph.insert(0, [new Y.XmlText(text)])
    live.getXmlFragment(DOCUMENT_FIELD).push([paragraph])
  }
  const rooms = {
    withRoom: async <T>(id: string, use: (room: unknown) => Promise<T>): Promise<T | null> =>
      id === docId
        ? use({ doc: live, settled: async () => undefined, encodeState: () => Y.encodeStateAsUpdate(live) })
        : null,
  } as unknown as RoomManager
  const versions = async () => {
    const all = []
    let cursor: string | undefined
    do {
      const page = await store.list(docId, { limit: 100, cursor })
      all.push(...page.items)
      cursor = page.nextCursor ?? undefined
    } while (cursor !== undefined)
    return all
  }

  /** A recorder (one server process) on this test's store, documents and clock. */
  const newService = (): VersionService =>
    new VersionService({
      versions: store,
      documents,
      rooms,
      idleMs: 300_000,
      intervalMs: 1_800_000,
      retention: DEFAULT_RETENTION,
      log: pino({ level: 'silent' }),
      clock,
    })

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tandem-recorder-'))
    documents = new SqliteDocumentStore({
      path: join(dir, 'tandem.db'),
      compactThreshold: 100,
      synchronous: 'normal',
      log: pino({ level: 'silent' }),
    })
    store = new SqliteVersionStore(documents.database)
    clock = new FakeClock()
    docId = newDocumentId()
    await documents.create({ id: docId, title: 't', initialUpdate: Y.encodeStateAsUpdate(live) })
    service = newService()
  })
  afterEach(async () => {
    await service.close()
    await documents.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('records a version once a document has been quiet for the idle time, not before', async () => {
    edit('hello')
    await service.changed(docId, { sub: null, name: 'Ada' })
    await clock.advance(299_000)
    expect(await versions()).toHaveLength(0)
    edit('again')
    service.changed(docId, { sub: null, name: 'Ada' })
    await clock.advance(299_000)
    expect(await versions()).toHaveLength(0)
    await clock.advance(1_000)
    const [version] = await waitFor(versions)
    expect(version).toMatchObject({ kind: 'auto', authors: [{ sub: null, name: 'Ada' }] })
    expect(version?.createdAt.getTime()).toBe(clock.now())
  })

  it('records at least every interval while edited without pause', async () => {
    for (let minute = 0; minute < 65; minute++) {
      edit(`minute ${minute}`)
      service.changed(docId, { sub: 'u1', name: 'Ada' })
      await clock.advance(60_000)
    }
    const recorded = await waitFor(async () => {
      const items = await versions()
      return items.length === 2 && items
    })
    const times = recorded.map((version) => version.createdAt.getTime()).sort()
    expect((times[1] ?? 0) - (times[0] ?? 0)).toBeLessThanOrEqual(1_800_000 + 60_000)
  })

  it('notes an author at once the first time and then at most once per window, and the version has them all', async () => {
    const alice = { sub: 'a', name: 'Alice' }
    const bob = { sub: null, name: 'Bob' }
    expect(service.changed(docId, alice)).not.toBeNull()
    expect(service.changed(docId, alice)).toBeNull()
    await clock.advance(AUTHOR_REFRESH_MS)
    expect(service.changed(docId, bob)).not.toBeNull()
    edit('x')
    const named = await service.save(docId, 'now')
    expect(named.authors).toEqual([alice, bob])
    // Nobody since: the next version has no authors.
    edit('y')
    service.changed(docId, null)
    await clock.advance(300_000)
    const [auto] = await waitFor(async () => (await versions()).filter((version) => version.kind === 'auto'))
    expect(auto?.authors).toEqual([])
  })

  it('a trailing note carries the time of the change, not of its write', async () => {
    const alice = { sub: 'a', name: 'Alice' }
    const start = clock.now()
    await service.changed(docId, alice)
    await clock.advance(500)
    expect(service.changed(docId, alice)).toBeNull()
    // The trailing note is written at start + 1000 s; another process's version whose moment
    // (start + 700) came before that write but after the change must still take it.
    await clock.advance(AUTHOR_REFRESH_MS)
    await waitFor(async () => (await store.documentsWithAuthorsBefore(new Date(start + 10_000), 10)).length > 0)
    edit('x')
    const version = await store.record({
      id: 'v-between',
      docId,
      kind: 'auto',
      name: null,
      createdAt: new Date(start + 700),
      state: Y.encodeStateAsUpdate(live),
      stateKey: 'between',
    })
    expect(version?.authors).toEqual([alice])
  })

  it('names the authors it noted in the version another process recorded of the same moment', async () => {
    // A second process on the same database and document.
    const other = newService()
    try {
      const alice = { sub: 'a', name: 'Alice' }
      const bob = { sub: null, name: 'Bob' }
      edit('bob')
      await other.changed(docId, bob)
      edit('alice')
      // The other process records the moment (Alice's change is in it) before this process's
      // note of Alice lands: its version names only Bob.
      const first = await other.record(docId, 'auto')
      expect(first?.authors).toEqual([bob])
      await service.changed(docId, alice)
      // This process's idle timer: same state, no second version, but Alice joins the first.
      await clock.advance(300_000)
      const [only, ...rest] = await waitFor(async () => {
        const items = await versions()
        return items[0]?.authors.length === 2 && items
      })
      expect(rest).toEqual([])
      expect(only?.authors).toEqual([bob, alice])
    } finally {
      await other.close()
    }
  })

  it('skips an automatic version when nothing changed since the last version', async () => {
    edit('x')
    await service.save(docId, 'saved')
    service.changed(docId, null)
    await clock.advance(300_000)
    await service.close()
    expect((await versions()).map((version) => version.kind)).toEqual(['named'])
  })

  it('prunes by the retention policy as time passes, keeping named versions', async () => {
    // A version every 10 minutes for 3 days, a named one among them.
    for (let index = 0; index < 6 * 72; index++) {
      edit(`v${index}`)
      if (index === 5) await service.save(docId, 'milestone')
      else await service.record(docId, 'auto')
      await clock.advance(10 * 60_000)
    }
    await waitFor(async () => {
      await service.prune(docId)
      const items = await versions()
      // The last 24 h in full (144), then one per hour for 48 h, plus the named one.
      return items.length === 144 + 48 + 1
    })
    await clock.advance(40 * DAY)
    await service.sweep()
    const left = await versions()
    expect(left.filter((version) => version.kind === 'named').map((version) => version.name)).toEqual(['milestone'])
    expect(left.filter((version) => version.kind === 'auto').length).toBeLessThanOrEqual(4)
  })
})

describe('retention policy', () => {
  const now = Date.UTC(2026, 5, 1)
  const at = (ago: number, kind: VersionMoment['kind'] = 'auto', id = `v${ago}`): VersionMoment => ({
    id,
    kind,
    createdAt: new Date(now - ago),
  })

  it('keeps every version of the last 24 hours', () => {
    const moments = [at(1), at(2), at(HOUR), at(23 * HOUR)]
    expect(versionsToPrune(moments, now, DEFAULT_RETENTION)).toEqual([])
  })

  it('keeps the newest version of each hour up to 30 days, then of each day; named ones always', () => {
    const base = now - (now % HOUR)
    const moments: VersionMoment[] = [
      { id: 'h-new', kind: 'auto', createdAt: new Date(base - 2 * DAY + 50 * 60_000) },
      { id: 'h-old', kind: 'auto', createdAt: new Date(base - 2 * DAY + 10 * 60_000) },
      { id: 'h-named', kind: 'named', createdAt: new Date(base - 2 * DAY + 5 * 60_000) },
      { id: 'h-restore', kind: 'restore', createdAt: new Date(base - 2 * DAY + 1 * 60_000) },
      { id: 'other-hour', kind: 'auto', createdAt: new Date(base - 2 * DAY - 30 * 60_000) },
      { id: 'd-new', kind: 'auto', createdAt: new Date(base - (base % DAY) - 40 * DAY + 20 * HOUR) },
      { id: 'd-old', kind: 'auto', createdAt: new Date(base - (base % DAY) - 40 * DAY + 2 * HOUR) },
      { id: 'd-named', kind: 'named', createdAt: new Date(base - (base % DAY) - 40 * DAY + 1 * HOUR) },
    ]
    expect(versionsToPrune(moments, now, DEFAULT_RETENTION).sort()).toEqual(['d-old', 'h-old', 'h-restore'])
  })
})
