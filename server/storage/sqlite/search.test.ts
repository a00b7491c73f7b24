import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pino } from 'pino'
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { newDocumentId } from '../../model/ids'
import { describeSearchIndexContract } from '../search/contract'
import { SqliteDocumentStore } from './documents'
import { SqliteSearchIndex } from './search'

describeSearchIndexContract('SQLite', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tandem-search-'))
  return {
    async open() {
      const store = new SqliteDocumentStore({
        path: join(dir, 'tandem.db'),
        compactThreshold: 100,
        synchronous: 'normal',
        log: pino({ level: 'silent' }),
      })
      return {
        store,
        search: new SqliteSearchIndex(store.database),
        async trash(id: string) {
          await store.trash(id, new Date())
        },
      }
    },
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  }
})

describe('SQLite search index', () => {
  it('deletes a document’s FTS5 words with the document (the cascade fires the trigger)', async () => {
    const store = new SqliteDocumentStore({
      path: ':memory:',
      compactThreshold: 100,
      synchronous: 'normal',
      log: pino({ level: 'silent' }),
    })
    try {
      const index = new SqliteSearchIndex(store.database)
      const id = newDocumentId()
      await store.create({ id, title: 'Title', initialUpdate: Y.encodeStateAsUpdate(new Y.Doc()) })
      await index.upsert({ id, title: 'Title', body: 'orphaned words' }, Date.now())
      const words = () =>
        store.database.prepare("SELECT count(*) AS n FROM search_fts WHERE search_fts MATCH 'orphaned'").get()
      expect(words()).toEqual({ n: 1 })
      await store.trash(id, new Date())
      await store.purge(id)
      expect(words()).toEqual({ n: 0 })
    } finally {
      await store.close()
    }
  })
})
