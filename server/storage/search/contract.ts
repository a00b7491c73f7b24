/**
 * The behaviour every {@link SearchIndex} adapter must have, as one vitest suite run for SQLite
 * and PostgreSQL (`sqlite/search.test.ts`, `postgres/search.test.ts`).
 */
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { queryWords } from '../../../protocol/search'
import { InvalidCursor } from '../../common/errors'
import { newDocumentId } from '../../model/ids'
import { clockPasses } from '../../test/waitFor'
import { encodeCursor } from '../cursor'
import type { SearchIndex } from './types'
import type { DocumentStore } from '../types'

export interface SearchHarness {
  /**
   * A document store and its search index on a fresh, empty database. With `trash`, the schema
   * has a trash as issue 14 adds it (`documents.deleted_at`, set when trashed) before the index
   * is made, and `trash(id)` trashes a document.
   */
  open(options?: { trash?: boolean }): Promise<{
    store: DocumentStore
    search: SearchIndex
    trash(id: string): Promise<void>
  }>
  /** Closes and drops what `open` created. */
  cleanup(): Promise<void>
}

/** Query text a person, or an attacker, may type: never an error, only words. */
export const HOSTILE_QUERIES = [
  '"',
  "'",
  '""',
  "O'Brien",
  'a"b',
  'AND',
  'OR',
  'NOT',
  'NEAR',
  'a AND b',
  'a OR b',
  'NOT a',
  'NEAR(a b)',
  'NEAR(a b, 2)',
  '-a',
  'a -b',
  '^a',
  'title:a',
  'body : a',
  '{title body}:a',
  '(a',
  'a)',
  '((a))',
  'a*',
  '*',
  '* a',
  '%',
  '_',
  '%a_',
  '\\',
  'a\\',
  "'; DROP TABLE documents; --",
  '" OR 1=1 --',
  'a & b | !c',
  'a:* & b:A',
  '<->',
  'a <-> b',
  '$1',
  '?',
  '@@',
  '\u0000',
  '\u200b',
  '😀',
  'x'.repeat(200),
]

const emptyUpdate = (): Uint8Array => Y.encodeStateAsUpdate(new Y.Doc())

export function describeSearchIndexContract(name: string, harness: () => SearchHarness): void {
  describe(`SearchIndex contract: ${name}`, () => {
    const withIndex =
      (run: (store: DocumentStore, search: SearchIndex) => Promise<void>) => async (): Promise<void> => {
        const h = harness()
        const { store, search } = await h.open()
        try {
          await run(store, search)
        } finally {
          await store.close()
          await h.cleanup()
        }
      }

    /** Creates and indexes a document. */
    const add = async (store: DocumentStore, search: SearchIndex, title: string, body: string): Promise<string> => {
      const id = newDocumentId()
      await store.create({ id, title, initialUpdate: emptyUpdate() })
      expect(await search.upsert({ id, title, body }, Date.now())).toBe(true)
      return id
    }
    const find = async (search: SearchIndex, query: string, limit = 20): Promise<string[]> =>
      (await search.search({ words: queryWords(query), limit })).items.map((item) => item.id)

    it(
      'finds words of titles and bodies, whatever their case and accents',
      withIndex(async (store, search) => {
        const agenda = await add(store, search, 'Meeting', 'Agenda: the budget.\nThen lunch at the café.')
        const notes = await add(store, search, 'Notes on the Crème brûlée', 'Nothing else.')
        const other = await add(store, search, 'Other', 'Unrelated words here')
        expect(await find(search, 'agenda')).toEqual([agenda])
        expect(await find(search, 'AGENDA')).toEqual([agenda])
        expect(await find(search, 'BUDGET')).toEqual([agenda])
        expect(await find(search, 'cafe')).toEqual([agenda])
        expect(await find(search, 'café')).toEqual([agenda])
        expect(await find(search, 'CAFÉ')).toEqual([agenda])
        expect(await find(search, 'creme brulee')).toEqual([notes])
        expect(await find(search, 'meeting')).toEqual([agenda])
        expect(await find(search, 'unrelated')).toEqual([other])
        expect(await find(search, 'missing')).toEqual([])
      }),
    )

    it(
      'folds accents in the text too: "cafe" written plainly is found by "café"',
      withIndex(async (store, search) => {
        const plain = await add(store, search, 'Plain', 'the cafe on the corner')
        expect(await find(search, 'café')).toEqual([plain])
        expect(await find(search, 'Łódź')).toEqual([])
        const city = await add(store, search, 'Łódź', '')
        expect(await find(search, 'lodz')).toEqual([city])
      }),
    )

    it(
      'needs every word, in any order; the last word also matches as a prefix, the others do not',
      withIndex(async (store, search) => {
        const both = await add(store, search, 'Plans', 'quarterly budget review with the board')
        await add(store, search, 'Budget only', 'nothing about the other word')
        expect(await find(search, 'budget quarterly')).toEqual([both])
        expect(await find(search, 'quarterly budget')).toEqual([both])
        expect(await find(search, 'quarterly bud')).toEqual([both])
        expect(await find(search, 'quart budget')).toEqual([])
        expect((await find(search, 'budg')).length).toBe(2)
        expect(await find(search, 'review board quarterly')).toEqual([both])
        expect(await find(search, 'review board missing')).toEqual([])
      }),
    )

    it(
      'ranks title matches first, then by relevance',
      withIndex(async (store, search) => {
        const body = await add(store, search, 'Weekly', 'roadmap roadmap roadmap roadmap roadmap roadmap')
        const once = await add(store, search, 'Other', 'we talked about the roadmap once among many other words here')
        const title = await add(store, search, 'The roadmap', 'nothing here')
        expect(await find(search, 'roadmap')).toEqual([title, body, once])
      }),
    )

    it(
      'pages through every result once, with its own cursors',
      withIndex(async (store, search) => {
        const ids = new Set<string>()
        for (let index = 0; index < 25; index++) {
          ids.add(await add(store, search, index % 5 === 0 ? `Report ${index}` : `Doc ${index}`, 'annual report'))
        }
        await add(store, search, 'Unrelated', 'nothing')
        const seen: string[] = []
        let cursor: string | undefined
        for (let pageCount = 0; pageCount < 10; pageCount++) {
          const page = await search.search({ words: ['report'], limit: 10, cursor })
          seen.push(...page.items.map((item) => item.id))
          if (page.nextCursor === null) break
          expect(page.items).toHaveLength(10)
          cursor = page.nextCursor
        }
        expect(seen).toHaveLength(25)
        expect(new Set(seen)).toEqual(ids)
        await expect(search.search({ words: ['report'], limit: 10, cursor: 'nonsense' })).rejects.toThrow(InvalidCursor)
        const listCursor = encodeCursor({ updatedAt: Date.now(), id: [...ids][0] as string })
        await expect(search.search({ words: ['report'], limit: 10, cursor: listCursor })).rejects.toThrow(InvalidCursor)
      }),
    )

    it(
      'answers the record and the start of the body with each hit',
      withIndex(async (store, search) => {
        const id = await add(store, search, 'Title', 'First line\nsecond line')
        const [hit] = (await search.search({ words: ['second'], limit: 5 })).items
        const record = await store.get(id)
        expect(hit).toEqual({ ...record, body: 'First line\nsecond line' })
      }),
    )

    it(
      'replaces an entry, but never with one read earlier',
      withIndex(async (store, search) => {
        const id = await add(store, search, 'Title', 'old words')
        const now = Date.now()
        expect(await search.upsert({ id, title: 'Title', body: 'new words' }, now + 1000)).toBe(true)
        expect(await find(search, 'old')).toEqual([])
        expect(await find(search, 'new')).toEqual([id])
        expect(await search.upsert({ id, title: 'Title', body: 'stale words' }, now + 500)).toBe(true)
        expect(await find(search, 'stale')).toEqual([])
        expect(await find(search, 'new')).toEqual([id])
      }),
    )

    it(
      'drops deleted documents, and does not index a document that is gone',
      withIndex(async (store, search) => {
        const gone = await add(store, search, 'Gone', 'shared word')
        const removed = await add(store, search, 'Removed', 'shared word')
        const kept = await add(store, search, 'Kept', 'shared word')
        const trashed = await add(store, search, 'Trashed', 'shared word')
        await store.trash(trashed, new Date())
        await store.trash(gone, new Date())
        await store.purge(gone)
        await search.remove(removed)
        expect(await find(search, 'shared')).toEqual([kept])
        expect(await search.upsert({ id: gone, title: 'Gone', body: 'shared word' }, Date.now())).toBe(false)
        expect(await find(search, 'shared')).toEqual([kept])
      }),
    )

    it(
      'lists documents missing from the index or changed since they were read, in id order',
      withIndex(async (store, search) => {
        const missing = newDocumentId()
        await store.create({ id: missing, title: 'Missing', initialUpdate: emptyUpdate() })
        const indexed = await add(store, search, 'Indexed', 'text')
        expect(await search.stale('', 10)).toEqual([missing])
        await clockPasses()
        await store.rename(indexed, 'Renamed')
        expect(await search.stale('', 10)).toEqual([missing, indexed].sort())
        expect(await search.stale('', 1)).toEqual([[missing, indexed].sort()[0]])
        expect(await search.stale([missing, indexed].sort()[0] as string, 10)).toEqual([[missing, indexed].sort()[1]])
      }),
    )

    it('does not find trashed documents, and still fills every page', async () => {
      const h = harness()
      const { store, search, trash } = await h.open({ trash: true })
      try {
        const visible = new Set<string>()
        for (let index = 0; index < 30; index++) {
          const id = await add(store, search, `Item ${index}`, 'inventory entry')
          if (index % 3 === 0) await trash(id)
          else visible.add(id)
        }
        const seen: string[] = []
        let cursor: string | undefined
        for (let pageCount = 0; pageCount < 10; pageCount++) {
          const page = await search.search({ words: ['inventory'], limit: 4, cursor })
          seen.push(...page.items.map((item) => item.id))
          if (page.nextCursor === null) break
          expect(page.items).toHaveLength(4)
          cursor = page.nextCursor
        }
        expect(seen).toHaveLength(20)
        expect(new Set(seen)).toEqual(visible)
      } finally {
        await store.close()
        await h.cleanup()
      }
    })

    it(
      'treats hostile query text as words and never fails',
      withIndex(async (store, search) => {
        const id = await add(store, search, 'O’Brien NEAR', 'a b c title body drop table documents or not')
        for (const query of HOSTILE_QUERIES) {
          const words = queryWords(query)
          if (words.length === 0) continue
          await expect(search.search({ words, limit: 5 }), query).resolves.toBeDefined()
        }
        expect(await find(search, "'; DROP TABLE documents; --")).toEqual([id])
        // As operators these would match; as words, "and" is missing.
        expect(await find(search, 'a AND b')).toEqual([])
        expect(await find(search, 'a OR zzz')).toEqual([])
        expect(await find(search, 'NOT a')).toEqual([id])
        expect(await find(search, 'near(a b)')).toEqual([id])
        expect(await find(search, 'title:a')).toEqual([id])
        // Words no query makes (queryWords keeps letters and digits) are still only data.
        await expect(search.search({ words: ['a"b', "o'b", 'c\\'], limit: 5 })).resolves.toEqual({
          items: [],
          nextCursor: null,
        })
      }),
    )
  })
}
