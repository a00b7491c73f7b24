/**
 * The search indexer: a burst of changes costs one indexing, failures are retried a few times,
 * removed documents leave the index, and the start-up catch-up indexes what the index lacks.
 */
import { pino } from 'pino'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { DOCUMENT_FIELD } from '../../protocol/fields'
import { newDocumentId } from '../model/ids'
import { newDocumentUpdate } from '../model/seed'
import type { SearchEntry, SearchIndex } from '../storage/search/types'
import { SqliteDocumentStore } from '../storage/sqlite/documents'
import { SqliteSearchIndex } from '../storage/sqlite/search'
import type { RoomManager } from '../sync/roomManager'
import { waitFor } from '../test/waitFor'
import { DocumentSearch } from './search'

const log = pino({ level: 'silent' })

/** The real SQLite index, counting what is written to it; `failing` makes writes throw. */
function countingIndex(
  inner: SearchIndex,
): SearchIndex & { upserts: SearchEntry[]; upsertedAt: number[]; failing: number } {
  const index = {
    upserts: [] as SearchEntry[],
    upsertedAt: [] as number[],
    failing: 0,
    async upsert(entry: SearchEntry, readAt: number) {
      if (index.failing > 0) {
        index.failing--
        throw new Error('database unavailable')
      }
      index.upserts.push(entry)
      index.upsertedAt.push(performance.now())
      return inner.upsert(entry, readAt)
    },
    remove: (id: string) => inner.remove(id),
    search: inner.search.bind(inner),
    stale: inner.stale.bind(inner),
  }
  return index
}

function bodyUpdate(text: string): Uint8Array {
  const doc = new Y.Doc()
  const paragraph = new Y.XmlElement('paragraph')
  paragraph.insert(0, [new Y.XmlText(text)])
  doc.getXmlFragment(DOCUMENT_FIELD).insert(0, [paragraph])
  return newDocumentUpdate('Title', doc)
}

describe('DocumentSearch', () => {
  let store: SqliteDocumentStore
  let index: ReturnType<typeof countingIndex>
  let search: DocumentSearch
  const rooms = { loaded: () => null } as unknown as RoomManager

  beforeEach(() => {
    store = new SqliteDocumentStore({ path: ':memory:', compactThreshold: 100, synchronous: 'normal', log })
    index = countingIndex(new SqliteSearchIndex(store.database))
    search = new DocumentSearch({ index, store, rooms, delayMs: 50, log })
  })
  afterEach(async () => {
    await search.close()
    await store.close()
  })

  const create = async (text: string): Promise<string> => {
    const id = newDocumentId()
    await store.create({ id, title: 'Title', initialUpdate: bodyUpdate(text) })
    return id
  }
  const found = async (word: string): Promise<string[]> =>
    (await search.search([word], 10)).items.map((item) => item.id)

  it('indexes a burst of changes once, after the delay', async () => {
    const id = await create('burst words')
    for (let change = 0; change < 20; change++) search.changed(id)
    expect(index.upserts).toHaveLength(0)
    await waitFor(() => index.upserts.length === 1, { what: 'the indexing' })
    expect(await found('burst')).toEqual([id])
    // Nothing else is pending: a later change is a new pass.
    search.changed(id)
    await waitFor(() => index.upserts.length === 2, { what: 'the second indexing' })
  })

  it('indexes documents that come due together one per event-loop turn, so sockets get their turns between them', async () => {
    const ids = await Promise.all(Array.from({ length: 20 }, (_, n) => create(`together ${n}`)))
    // Counts event-loop turns: one immediate per turn, re-armed from the last.
    let turn = 0
    let ticking = true
    const tick = (): void => {
      turn++
      if (ticking) setImmediate(tick)
    }
    setImmediate(tick)
    const turns: number[] = []
    const upsert = index.upsert
    index.upsert = (entry, readAt) => {
      turns.push(turn)
      return upsert(entry, readAt)
    }
    try {
      for (const id of ids) search.changed(id)
      await waitFor(() => index.upserts.length === ids.length, { what: 'every document indexed' })
    } finally {
      ticking = false
    }
    expect(new Set(turns).size).toBe(ids.length)
    expect((await search.search(['together'], 50)).items.map((item) => item.id).sort()).toEqual([...ids].sort())
  })

  it('indexes a document changed again while it waits for its turn once: the turn reads the state of then', async () => {
    const ids = await Promise.all(Array.from({ length: 5 }, (_, n) => create(`queued ${n}`)))
    const last = ids.at(-1) as string
    // While the second of them is being indexed (a turn after all came due), the others wait for
    // their turns: change the last.
    const upsert = index.upsert
    index.upsert = (entry, readAt) => {
      if (index.upserts.length === 1) search.changed(last)
      return upsert(entry, readAt)
    }
    for (const id of ids) search.changed(id)
    await waitFor(() => index.upserts.length >= ids.length, { what: 'every document indexed' })
    // Closing indexes whatever still waits: nothing does.
    await search.close()
    expect(index.upserts.map((entry) => entry.id).sort()).toEqual([...ids].sort())
  })

  describe('a document that keeps changing', () => {
    /** Tells `search` of a change every 20 ms until stopped; `stop` returns the time of the last. */
    const keepChanging = (target: DocumentSearch, id: string): { first: number; stop: () => number } => {
      const first = performance.now()
      let last = first
      target.changed(id)
      const timer = setInterval(() => {
        last = performance.now()
        target.changed(id)
      }, 20)
      return {
        first,
        stop: () => {
          clearInterval(timer)
          return last
        },
      }
    }

    it('is indexed once it pauses, not while changes keep coming', async () => {
      const patient = new DocumentSearch({ index, store, rooms, delayMs: 100, maxDelayMs: 60_000, log })
      try {
        const id = await create('pausing words')
        const changes = keepChanging(patient, id)
        // Long enough for several delays to pass; nothing may be indexed meanwhile.
        await waitFor(() => performance.now() - changes.first > 400, { what: 'changes for 400 ms' })
        const lastChange = changes.stop()
        expect(index.upserts).toHaveLength(0)
        await waitFor(() => index.upserts.length === 1, { what: 'the indexing after the pause' })
        // `delayMs` after the last change (timers may fire a millisecond or two early by this clock).
        expect((index.upsertedAt[0] as number) - lastChange).toBeGreaterThanOrEqual(95)
      } finally {
        await patient.close()
      }
    })

    it('is indexed at the latest maxDelayMs after its first change not yet indexed', async () => {
      const bounded = new DocumentSearch({ index, store, rooms, delayMs: 100, maxDelayMs: 300, log })
      const id = await create('busy words')
      const changes = keepChanging(bounded, id)
      try {
        await waitFor(() => index.upserts.length >= 2, { what: 'two indexings while it changes' })
        const [first, second] = index.upsertedAt as [number, number]
        // Not every `delayMs` (the changes never pause), and not later than `maxDelayMs`.
        expect(first - changes.first).toBeGreaterThanOrEqual(290)
        expect(first - changes.first).toBeLessThan(1000)
        expect(second - first).toBeGreaterThanOrEqual(250)
      } finally {
        changes.stop()
        await bounded.close()
      }
    })
  })

  it('retries a failed indexing a few times', async () => {
    const id = await create('retried words')
    index.failing = 2
    search.changed(id)
    await waitFor(async () => (await found('retried')).includes(id), { what: 'the retried indexing' })
    expect(index.failing).toBe(0)
  })

  it('answers snippets, and drops a removed document', async () => {
    const id = await create('the snippet shows these words')
    await search.refresh(id)
    expect((await search.search(['snippet'], 10)).items).toMatchObject([
      { id, snippet: 'the snippet shows these words' },
    ])
    await search.removed(id)
    expect(await found('snippet')).toEqual([])
  })

  it('catches up with documents the index lacks, in batches', async () => {
    const ids = new Set<string>()
    for (let count = 0; count < 120; count++) ids.add(await create(`catchup item${count}`))
    await search.catchUp()
    expect(new Set(index.upserts.map((entry) => entry.id))).toEqual(ids)
    const page = await search.search(['catchup'], 100)
    expect(page.items).toHaveLength(100)
    expect(page.nextCursor).not.toBeNull()
  })
})
