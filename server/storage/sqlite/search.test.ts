import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pino } from 'pino'
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
      return { store, search: new SqliteSearchIndex(store.database) }
    },
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  }
})
