/**
 * The behaviour every {@link VersionStore} adapter must have, as one vitest suite. Each adapter's
 * test file calls {@link describeVersionStoreContract} with a factory for fresh stores.
 */
import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { InvalidCursor } from '../common/errors'
import type { DocumentStore } from './types'
import type { NewVersion, VersionKind, VersionStore } from './versions'

/** An id as the server mints them (`model/ids.ts`, which storage does not import). */
const newDocumentId = (): string => randomBytes(16).toString('base64url')

export interface VersionStores {
  documents: DocumentStore
  versions: VersionStore
}

export interface VersionStoreHarness {
  /** Stores on a fresh, empty database. */
  open(): Promise<VersionStores>
  /** Stores on the same database as the last `open` (another process). */
  reopen(): Promise<VersionStores>
  cleanup(): Promise<void>
}

function textDoc(text: string): Y.Doc {
  const doc = new Y.Doc()
  doc.getText('t').insert(0, text)
  return doc
}

function textOf(update: Uint8Array | null): string {
  const doc = new Y.Doc()
  if (update !== null) Y.applyUpdate(doc, update)
  return doc.getText('t').toString()
}

let clock = Date.UTC(2026, 0, 1)
const later = (): Date => {
  clock += 1000
  return new Date(clock)
}

function version(docId: string, text: string, kind: VersionKind = 'auto', name: string | null = null): NewVersion {
  return {
    id: randomBytes(12).toString('base64url'),
    docId,
    kind,
    name,
    createdAt: later(),
    state: Y.encodeStateAsUpdate(textDoc(text)),
    stateKey: `key:${text}`,
  }
}

const alice = { sub: 'alice', name: 'Alice' }
const bob = { sub: null, name: 'Bob' }

export function describeVersionStoreContract(name: string, harness: () => VersionStoreHarness): void {
  describe(`VersionStore contract: ${name}`, () => {
    const withStores =
      (run: (stores: VersionStores, h: VersionStoreHarness, docId: string) => Promise<void>) => async () => {
        const h = harness()
        const opened: VersionStores[] = []
        const open = async (stores: Promise<VersionStores>): Promise<VersionStores> => {
          const s = await stores
          opened.push(s)
          return s
        }
        const stores = await open(h.open())
        const reopen = h.reopen
        h.reopen = () => open(reopen())
        try {
          const docId = newDocumentId()
          await stores.documents.create({
            id: docId,
            title: 't',
            initialUpdate: Y.encodeStateAsUpdate(textDoc('')),
          })
          await run(stores, h, docId)
        } finally {
          for (const s of opened) await s.documents.close()
          await h.cleanup()
        }
      }

    it(
      'records versions that load on their own, listed newest first with their metadata',
      withStores(async ({ versions }, _h, docId) => {
        const first = await versions.record(version(docId, 'one'))
        const second = await versions.record(version(docId, 'two', 'named', 'Draft'))
        expect(first).toMatchObject({ docId, kind: 'auto', name: null, authors: [] })
        expect(second).toMatchObject({ kind: 'named', name: 'Draft' })
        expect(second?.byteSize).toBeGreaterThan(0)
        const page = await versions.list(docId, { limit: 10 })
        expect(page.items.map((item) => item.id)).toEqual([second?.id, first?.id])
        expect(page.nextCursor).toBeNull()
        expect(await versions.get(docId, first?.id ?? '')).toEqual(first)
        expect(textOf(await versions.state(docId, first?.id ?? ''))).toBe('one')
        expect(await versions.latestStateKey(docId)).toBe('key:two')
        expect(await versions.get(newDocumentId(), first?.id ?? '')).toBeNull()
        expect(await versions.state(docId, 'nope')).toBeNull()
      }),
    )

    it(
      'pages with an opaque cursor and refuses a forged one',
      withStores(async ({ versions }, _h, docId) => {
        const ids: string[] = []
        for (let index = 0; index < 5; index++) ids.push((await versions.record(version(docId, `v${index}`)))?.id ?? '')
        const seen: string[] = []
        let cursor: string | undefined
        do {
          const page = await versions.list(docId, { limit: 2, cursor })
          seen.push(...page.items.map((item) => item.id))
          cursor = page.nextCursor ?? undefined
        } while (cursor !== undefined)
        expect(seen).toEqual([...ids].reverse())
        await expect(versions.list(docId, { limit: 2, cursor: 'garbage' })).rejects.toBeInstanceOf(InvalidCursor)
      }),
    )

    it(
      'keeps one automatic version per state, but any number of named ones',
      withStores(async ({ versions }, _h, docId) => {
        expect(await versions.record(version(docId, 'same'))).not.toBeNull()
        expect(await versions.record(version(docId, 'same'))).toBeNull()
        expect(await versions.record(version(docId, 'same', 'named', 'a'))).not.toBeNull()
        expect(await versions.record(version(docId, 'same', 'restore'))).not.toBeNull()
        expect((await versions.list(docId, { limit: 10 })).items).toHaveLength(3)
      }),
    )

    it(
      'gives a version the authors noted before it, once, in the order they came',
      withStores(async ({ versions }, _h, docId) => {
        await versions.noteAuthor(docId, bob, later())
        await versions.noteAuthor(docId, alice, later())
        await versions.noteAuthor(docId, bob, later())
        const first = await versions.record(version(docId, 'one'))
        expect(first?.authors).toEqual([bob, alice])
        await versions.noteAuthor(docId, alice, new Date(clock + 60_000))
        const second = await versions.record(version(docId, 'two'))
        expect(second?.authors).toEqual([])
        clock += 120_000
        const third = await versions.record(version(docId, 'three'))
        expect(third?.authors).toEqual([alice])
        // A refused automatic version takes no one.
        await versions.noteAuthor(docId, bob, later())
        expect(await versions.record(version(docId, 'three'))).toBeNull()
        expect((await versions.record(version(docId, 'four')))?.authors).toEqual([bob])
        // Noting for a document that does not exist is a no-op.
        await versions.noteAuthor(newDocumentId(), bob, later())
      }),
    )

    it(
      'adds the authors noted since to the newest version when it has the given state, and only then',
      withStores(async ({ versions }, _h, docId) => {
        expect(await versions.attachAuthors(docId, 'key:one', later())).toBeNull()
        await versions.noteAuthor(docId, bob, later())
        const first = await versions.record(version(docId, 'one'))
        expect(first?.authors).toEqual([bob])
        // Another process noted Alice (and Bob again) after that version took its authors.
        await versions.noteAuthor(docId, alice, later())
        await versions.noteAuthor(docId, bob, later())
        const attached = await versions.attachAuthors(docId, 'key:one', later())
        expect(attached).toMatchObject({ id: first?.id, authors: [bob, alice] })
        expect((await versions.get(docId, first?.id ?? ''))?.authors).toEqual([bob, alice])
        // Taken off the pending list: the next version does not name them again.
        expect((await versions.record(version(docId, 'two')))?.authors).toEqual([])
        // Not the newest version's state, or noted after `at`: nothing is taken.
        const noted = later()
        await versions.noteAuthor(docId, alice, noted)
        expect(await versions.attachAuthors(docId, 'key:one', later())).toBeNull()
        expect((await versions.attachAuthors(docId, 'key:two', new Date(noted.getTime() - 1)))?.authors).toEqual([])
        expect((await versions.record(version(docId, 'three')))?.authors).toEqual([alice])
      }),
    )

    it(
      'removes versions, handing their authors to the next one kept',
      withStores(async ({ versions }, _h, docId) => {
        const made = []
        for (const [text, author] of [
          ['a', alice],
          ['b', bob],
          ['c', alice],
        ] as const) {
          await versions.noteAuthor(docId, author, later())
          made.push(await versions.record(version(docId, text)))
        }
        await versions.remove(docId, [made[0]?.id ?? '', made[1]?.id ?? ''])
        const [kept] = (await versions.list(docId, { limit: 10 })).items
        expect(kept?.id).toBe(made[2]?.id)
        expect(kept?.authors).toEqual([alice, bob])
        expect((await versions.timeline(docId)).map((moment) => moment.id)).toEqual([made[2]?.id])
        expect(await versions.delete(docId, made[2]?.id ?? '')).toBe(true)
        expect(await versions.delete(docId, made[2]?.id ?? '')).toBe(false)
        expect(await versions.timeline(docId)).toEqual([])
      }),
    )

    it(
      'records a version and an update to the document together',
      withStores(async ({ versions, documents }, _h, docId) => {
        const live = new Y.Doc()
        Y.applyUpdate(live, (await documents.load(docId))?.updates[0] as Uint8Array)
        const updates: Uint8Array[] = []
        live.on('update', (update: Uint8Array) => updates.push(update))
        live.getText('t').insert(0, 'restored')
        const record = await versions.recordWithUpdate(version(docId, ''), updates[0] as Uint8Array)
        expect(record?.kind).toBe('auto')
        const stored = await documents.load(docId)
        const rebuilt = new Y.Doc()
        for (const update of stored?.updates ?? []) Y.applyUpdate(rebuilt, update)
        expect(rebuilt.getText('t').toString()).toBe('restored')
        // Neither happens for a document that is gone.
        expect(await versions.recordWithUpdate(version(newDocumentId(), 'x'), updates[0] as Uint8Array)).toBeNull()
      }),
    )

    it(
      'lists documents with versions old enough for retention, named ones aside',
      withStores(async ({ versions }, _h, docId) => {
        const named = await versions.record(version(docId, 'n', 'named', 'keep'))
        const cut = later()
        expect(await versions.documentsWithVersionsBefore(cut, 10)).toEqual([])
        await versions.record({ ...version(docId, 'old'), createdAt: new Date(cut.getTime() - 5000) })
        expect(await versions.documentsWithVersionsBefore(cut, 10)).toEqual([docId])
        expect(named).not.toBeNull()
      }),
    )

    it(
      'lists documents changed before a moment and without a version since',
      withStores(async ({ versions }, _h, docId) => {
        const at = later()
        await versions.noteAuthor(docId, alice, at)
        expect(await versions.documentsWithAuthorsBefore(at, 10)).toEqual([])
        expect(await versions.documentsWithAuthorsBefore(later(), 10)).toEqual([docId])
        await versions.record(version(docId, 'taken'))
        expect(await versions.documentsWithAuthorsBefore(later(), 10)).toEqual([])
      }),
    )

    it(
      'goes with its document',
      withStores(async ({ versions, documents }, _h, docId) => {
        const record = await versions.record(version(docId, 'one'))
        await versions.noteAuthor(docId, alice, later())
        await documents.trash(docId, new Date())
        await documents.purge(docId)
        expect(await versions.get(docId, record?.id ?? '')).toBeNull()
        expect(await versions.timeline(docId)).toEqual([])
        expect(await versions.record(version(docId, 'two'))).toBeNull()
      }),
    )

    it(
      'records one automatic version of a state however many stores try at once',
      withStores(async ({ versions }, h, docId) => {
        const others = await Promise.all([h.reopen(), h.reopen()])
        await versions.noteAuthor(docId, alice, later())
        const attempt = version(docId, 'together')
        const results = await Promise.all(
          [versions, ...others.map((other) => other.versions)].map((store) =>
            store.record({ ...attempt, id: randomBytes(12).toString('base64url') }),
          ),
        )
        const recorded = results.filter((result) => result !== null)
        expect(recorded).toHaveLength(1)
        expect(recorded[0]?.authors).toEqual([alice])
        expect(await versions.timeline(docId)).toHaveLength(1)
      }),
    )
  })
}
