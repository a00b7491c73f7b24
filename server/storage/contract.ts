/**
 * The behaviour every {@link DocumentStore} adapter must have, as one vitest suite. Each adapter's
 * test file calls {@link describeDocumentStoreContract} with a factory for fresh stores.
 */
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { newDocumentId } from '../model/ids'
import { DocumentNotFound, InvalidCursor } from '../common/errors'
import { clockPasses, waitFor } from '../test/waitFor'
import type { DocumentStore } from './types'

export interface StoreHarness {
  /** A store on a fresh, empty database, with the given compaction threshold. */
  open(options: { compactThreshold: number }): Promise<DocumentStore>
  /** A second store on the same database as the last `open` (another process, or a restart). */
  reopen(options: { compactThreshold: number }): Promise<DocumentStore>
  /** Drops what `open` created. */
  cleanup(): Promise<void>
}

function textUpdate(doc: Y.Doc, text: string): Uint8Array {
  const updates: Uint8Array[] = []
  const capture = (update: Uint8Array): void => {
    updates.push(update)
  }
  doc.on('update', capture)
  doc.getText('t').insert(doc.getText('t').length, text)
  doc.off('update', capture)
  return updates[0] as Uint8Array
}

function rebuild(updates: Uint8Array[]): string {
  const doc = new Y.Doc()
  for (const update of updates) Y.applyUpdate(doc, update)
  return doc.getText('t').toString()
}

export function describeDocumentStoreContract(name: string, harness: () => StoreHarness): void {
  describe(`DocumentStore contract: ${name}`, () => {
    const withStore =
      (compactThreshold: number, run: (store: DocumentStore, h: StoreHarness) => Promise<void>) => async () => {
        const h = harness()
        const store = await h.open({ compactThreshold })
        try {
          await run(store, h)
        } finally {
          await store.close()
          await h.cleanup()
        }
      }

    it(
      'creates a document and reads it back',
      withStore(100, async (store) => {
        const id = newDocumentId()
        const created = await store.create({ id, title: 'First', initialUpdate: Y.encodeStateAsUpdate(new Y.Doc()) })
        expect(created.id).toBe(id)
        expect(created.title).toBe('First')
        const read = await store.get(id)
        expect(read).toEqual(created)
        expect(await store.get(newDocumentId())).toBeNull()
      }),
    )

    it(
      'loads the initial update and appended updates in order',
      withStore(100, async (store) => {
        const source = new Y.Doc()
        const first = textUpdate(source, 'hello')
        const id = newDocumentId()
        await store.create({ id, title: 't', initialUpdate: first })
        for (const word of [' big', ' wide', ' world']) await store.appendUpdate(id, textUpdate(source, word))
        const stored = await store.load(id)
        expect(stored).not.toBeNull()
        expect(rebuild(stored?.updates ?? [])).toBe('hello big wide world')
        expect(stored?.byteSize).toBeGreaterThan(0)
        expect(await store.load(newDocumentId())).toBeNull()
      }),
    )

    it(
      'resolves appends in call order, also when many are made at once',
      withStore(1000, async (store) => {
        const source = new Y.Doc()
        const id = newDocumentId()
        await store.create({ id, title: 't', initialUpdate: Y.encodeStateAsUpdate(source) })
        const order: number[] = []
        await Promise.all(
          Array.from({ length: 50 }, (_, i) =>
            store.appendUpdate(id, textUpdate(source, `${i},`)).then(() => order.push(i)),
          ),
        )
        expect(order).toEqual(Array.from({ length: 50 }, (_, i) => i))
        expect(rebuild((await store.load(id))?.updates ?? [])).toBe(source.getText('t').toString())
      }),
    )

    it(
      'moves updatedAt when content is appended',
      withStore(100, async (store) => {
        const source = new Y.Doc()
        const id = newDocumentId()
        const created = await store.create({ id, title: 't', initialUpdate: Y.encodeStateAsUpdate(source) })
        await clockPasses(created.updatedAt.getTime())
        await store.appendUpdate(id, textUpdate(source, 'x'))
        const after = await store.get(id)
        expect(after?.updatedAt.getTime()).toBeGreaterThan(created.updatedAt.getTime())
        expect(after?.createdAt).toEqual(created.createdAt)
      }),
    )

    it(
      'lets updatedAt follow a burst of appends within about a second',
      withStore(100, async (store) => {
        const source = new Y.Doc()
        const id = newDocumentId()
        await store.create({ id, title: 't', initialUpdate: Y.encodeStateAsUpdate(source) })
        await store.appendUpdate(id, textUpdate(source, 'first'))
        await clockPasses()
        const lastEditAt = Date.now()
        await store.appendUpdate(id, textUpdate(source, 'second'))
        await waitFor(async () => ((await store.get(id))?.updatedAt.getTime() ?? 0) >= lastEditAt, {
          timeout: 2000,
          what: 'updatedAt to reach the last edit',
        })
      }),
    )

    it(
      'compacts the log into the snapshot without losing content',
      withStore(5, async (store, h) => {
        const source = new Y.Doc()
        const id = newDocumentId()
        await store.create({ id, title: 't', initialUpdate: Y.encodeStateAsUpdate(source) })
        for (let i = 0; i < 23; i++) await store.appendUpdate(id, textUpdate(source, `${i};`))
        const expected = source.getText('t').toString()
        const stored = await waitFor(
          async () => {
            const loaded = await store.load(id)
            return (loaded?.updates.length ?? 0) <= 6 && loaded
          },
          { what: 'the log to be compacted' },
        )
        expect(rebuild(stored?.updates ?? [])).toBe(expected)
        const other = await h.reopen({ compactThreshold: 5 })
        try {
          expect(rebuild((await other.load(id))?.updates ?? [])).toBe(expected)
        } finally {
          await other.close()
        }
      }),
    )

    it(
      'loses nothing when two stores on one database append and compact the same document at once',
      withStore(3, async (store, h) => {
        const other = await h.reopen({ compactThreshold: 3 })
        try {
          const id = newDocumentId()
          const a = new Y.Doc()
          const b = new Y.Doc()
          await store.create({ id, title: 't', initialUpdate: Y.encodeStateAsUpdate(new Y.Doc()) })
          const writes: Promise<void>[] = []
          for (let i = 0; i < 40; i++) {
            writes.push(store.appendUpdate(id, textUpdate(a, `a${i}`)))
            writes.push(other.appendUpdate(id, textUpdate(b, `b${i}`)))
          }
          await Promise.all(writes)
          // Until the compactions the last appends set off are done: at most the threshold is left.
          await waitFor(async () => ((await store.load(id))?.updates.length ?? 0) <= 4, {
            what: 'the log to be compacted',
          })
          const merged = new Y.Doc()
          for (const update of (await store.load(id))?.updates ?? []) Y.applyUpdate(merged, update)
          const expected = new Y.Doc()
          Y.applyUpdate(expected, Y.encodeStateAsUpdate(a))
          Y.applyUpdate(expected, Y.encodeStateAsUpdate(b))
          expect(merged.getText('t').toString()).toBe(expected.getText('t').toString())
        } finally {
          await other.close()
        }
      }),
    )

    it(
      'keeps everything across a reopen',
      withStore(100, async (store, h) => {
        const source = new Y.Doc()
        const id = newDocumentId()
        await store.create({ id, title: 'kept', initialUpdate: textUpdate(source, 'a') })
        await store.appendUpdate(id, textUpdate(source, 'b'))
        await store.close()
        const reopened = await h.reopen({ compactThreshold: 100 })
        try {
          expect((await reopened.get(id))?.title).toBe('kept')
          expect(rebuild((await reopened.load(id))?.updates ?? [])).toBe('ab')
        } finally {
          await reopened.close()
        }
      }),
    )

    it(
      'renames',
      withStore(100, async (store) => {
        const id = newDocumentId()
        await store.create({ id, title: 'old', initialUpdate: Y.encodeStateAsUpdate(new Y.Doc()) })
        const renamed = await store.rename(id, 'new')
        expect(renamed?.title).toBe('new')
        expect((await store.get(id))?.title).toBe('new')
        expect(await store.rename(newDocumentId(), 'x')).toBeNull()
      }),
    )

    it(
      'moves a document to the trash: unseen by get, load, list and rename, appends fail with DocumentNotFound',
      withStore(100, async (store) => {
        const source = new Y.Doc()
        const id = newDocumentId()
        const kept = newDocumentId()
        await store.create({ id, title: 'doomed', initialUpdate: textUpdate(source, 'a') })
        await store.create({ id: kept, title: 'kept', initialUpdate: Y.encodeStateAsUpdate(new Y.Doc()) })
        await store.appendUpdate(id, textUpdate(source, 'b'))
        expect(await store.trash(id, new Date())).toBe(true)
        expect(await store.get(id)).toBeNull()
        expect(await store.load(id)).toBeNull()
        expect(await store.rename(id, 'x')).toBeNull()
        expect((await store.list({ limit: 100 })).items.map((d) => d.id)).toEqual([kept])
        expect((await store.list({ limit: 100, q: 'doomed' })).items).toEqual([])
        expect(await store.trash(id, new Date())).toBe(false)
        expect(await store.trash(newDocumentId(), new Date())).toBe(false)
        await expect(store.appendUpdate(id, textUpdate(source, 'c'))).rejects.toBeInstanceOf(DocumentNotFound)
        // A document that never existed is refused the same way.
        await expect(store.appendUpdate(newDocumentId(), textUpdate(source, 'd'))).rejects.toBeInstanceOf(
          DocumentNotFound,
        )
      }),
    )

    it(
      'restores a document from the trash with its title, timestamps and content, and takes appends again',
      withStore(100, async (store, h) => {
        const source = new Y.Doc()
        const id = newDocumentId()
        const created = await store.create({ id, title: 'back', initialUpdate: textUpdate(source, 'a') })
        await store.appendUpdate(id, textUpdate(source, 'b'))
        const before = await store.get(id)
        expect(await store.restore(id)).toBeNull()
        await store.trash(id, new Date())
        const restored = await store.restore(id)
        expect(restored).toEqual(before)
        expect(restored?.createdAt).toEqual(created.createdAt)
        expect(await store.restore(id)).toBeNull()
        expect(await store.restore(newDocumentId())).toBeNull()
        expect(await store.get(id)).toEqual(before)
        expect((await store.list({ limit: 100 })).items.map((d) => d.id)).toEqual([id])
        await store.appendUpdate(id, textUpdate(source, 'c'))
        expect(rebuild((await store.load(id))?.updates ?? [])).toBe('abc')
        // What the trash did is stored, not remembered: another store (a restart) sees it.
        await store.trash(id, new Date())
        const other = await h.reopen({ compactThreshold: 100 })
        try {
          expect(await other.get(id)).toBeNull()
          expect((await other.listTrash({ limit: 10 })).items.map((d) => d.id)).toEqual([id])
          expect(await other.restore(id)).not.toBeNull()
          expect(rebuild((await other.load(id))?.updates ?? [])).toBe('abc')
        } finally {
          await other.close()
        }
      }),
    )

    it(
      'lists the trash most recently deleted first, with cursors',
      withStore(100, async (store) => {
        const ids: string[] = []
        for (let i = 0; i < 5; i++) {
          const id = newDocumentId()
          ids.push(id)
          await store.create({ id, title: `t${i}`, initialUpdate: Y.encodeStateAsUpdate(new Y.Doc()) })
        }
        const live = newDocumentId()
        await store.create({ id: live, title: 'live', initialUpdate: Y.encodeStateAsUpdate(new Y.Doc()) })
        const base = Date.parse('2026-01-01T00:00:00Z')
        // Two deleted at the same millisecond: the id breaks the tie.
        const deletedAt = [base, base + 1000, base + 1000, base + 3000, base + 2000]
        for (const [index, id] of ids.entries()) await store.trash(id, new Date(deletedAt[index] as number))
        const all = await store.listTrash({ limit: 100 })
        expect(all.nextCursor).toBeNull()
        const tied = [ids[1] as string, ids[2] as string].sort().reverse()
        expect(all.items.map((d) => d.id)).toEqual([ids[3], ids[4], ...tied, ids[0]])
        expect(all.items[0]).toMatchObject({ title: 't3', deletedAt: new Date(base + 3000) })
        expect(all.items[0]?.createdAt).toBeInstanceOf(Date)
        expect(all.items[0]?.updatedAt).toBeInstanceOf(Date)
        const seen: string[] = []
        let cursor: string | undefined
        for (let page = 0; page < 10; page++) {
          const result = await store.listTrash({ limit: 2, cursor })
          seen.push(...result.items.map((d) => d.id))
          if (result.nextCursor === null) break
          cursor = result.nextCursor
        }
        expect(seen).toEqual(all.items.map((d) => d.id))
        await expect(store.listTrash({ limit: 5, cursor: 'not-a-cursor' })).rejects.toBeInstanceOf(InvalidCursor)
      }),
    )

    it(
      'purges a document in the trash for good, with its log; never one outside the trash',
      withStore(100, async (store) => {
        const source = new Y.Doc()
        const id = newDocumentId()
        await store.create({ id, title: 'gone', initialUpdate: textUpdate(source, 'a') })
        await store.appendUpdate(id, textUpdate(source, 'b'))
        expect(await store.purge(id)).toBe(false)
        expect(await store.get(id)).not.toBeNull()
        await store.trash(id, new Date())
        expect(await store.purge(id)).toBe(true)
        expect(await store.purge(id)).toBe(false)
        expect(await store.restore(id)).toBeNull()
        expect((await store.listTrash({ limit: 10 })).items).toEqual([])
        await expect(store.appendUpdate(id, textUpdate(source, 'c'))).rejects.toBeInstanceOf(DocumentNotFound)
        // The id is free again, and a new document under it starts empty.
        await store.create({ id, title: 'new', initialUpdate: Y.encodeStateAsUpdate(new Y.Doc()) })
        expect(rebuild((await store.load(id))?.updates ?? [])).toBe('')
      }),
    )

    it(
      'purges what was deleted before a cutoff, in batches, and is idempotent across stores',
      withStore(100, async (store, h) => {
        const cutoff = Date.parse('2026-02-01T00:00:00Z')
        const old: string[] = []
        const recent: string[] = []
        for (let i = 0; i < 230; i++) {
          const id = newDocumentId()
          await store.create({ id, title: `old ${i}`, initialUpdate: Y.encodeStateAsUpdate(new Y.Doc()) })
          await store.trash(id, new Date(cutoff - 1 - i))
          old.push(id)
        }
        for (const at of [cutoff, cutoff + 1]) {
          const id = newDocumentId()
          await store.create({ id, title: 'recent', initialUpdate: Y.encodeStateAsUpdate(new Y.Doc()) })
          await store.trash(id, new Date(at))
          recent.push(id)
        }
        const live = newDocumentId()
        await store.create({ id: live, title: 'live', initialUpdate: Y.encodeStateAsUpdate(new Y.Doc()) })
        const other = await h.reopen({ compactThreshold: 100 })
        try {
          const counts = await Promise.all([
            store.purgeOlderThan(new Date(cutoff)),
            other.purgeOlderThan(new Date(cutoff)),
          ])
          expect(counts[0] + counts[1]).toBe(old.length)
          expect(await store.purgeOlderThan(new Date(cutoff))).toBe(0)
        } finally {
          await other.close()
        }
        const left = await store.listTrash({ limit: 100 })
        expect(left.items.map((d) => d.id).sort()).toEqual([...recent].sort())
        expect(await store.get(live)).not.toBeNull()
      }),
    )

    it(
      'lists most recently updated first, paginates with cursors and filters by title',
      withStore(100, async (store) => {
        const titles = ['Alpha notes', 'beta plan', 'Gamma', 'alphabet soup', '100% sure_thing']
        const ids: string[] = []
        for (const title of titles) {
          const id = newDocumentId()
          ids.push(id)
          await store.create({ id, title, initialUpdate: Y.encodeStateAsUpdate(new Y.Doc()) })
          await clockPasses()
        }
        await clockPasses()
        const source = new Y.Doc()
        await store.appendUpdate(ids[1] as string, textUpdate(source, 'touch'))

        const all = await store.list({ limit: 100 })
        expect(all.items.map((d) => d.title)).toEqual([
          'beta plan',
          '100% sure_thing',
          'alphabet soup',
          'Gamma',
          'Alpha notes',
        ])
        expect(all.nextCursor).toBeNull()

        const seen: string[] = []
        let cursor: string | undefined
        for (let page = 0; page < 10; page++) {
          const result = await store.list({ limit: 2, cursor })
          seen.push(...result.items.map((d) => d.id))
          if (result.nextCursor === null) break
          cursor = result.nextCursor
        }
        expect(seen).toEqual(all.items.map((d) => d.id))

        const alpha = await store.list({ limit: 100, q: 'ALPHA' })
        expect(alpha.items.map((d) => d.title).sort()).toEqual(['Alpha notes', 'alphabet soup'])
        expect((await store.list({ limit: 100, q: '%' })).items.map((d) => d.title)).toEqual(['100% sure_thing'])
        expect((await store.list({ limit: 100, q: '_' })).items.map((d) => d.title)).toEqual(['100% sure_thing'])
        await expect(store.list({ limit: 5, cursor: 'not-a-cursor' })).rejects.toBeInstanceOf(InvalidCursor)
      }),
    )

    it(
      'answers ping while reachable',
      withStore(100, async (store) => {
        await expect(store.ping()).resolves.toBeUndefined()
      }),
    )
  })
}
