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
    async open({ trash = false } = {}) {
      const store = new SqliteDocumentStore({
        path: join(dir, 'tandem.db'),
        compactThreshold: 100,
        synchronous: 'normal',
        log: pino({ level: 'silent' }),
      })
      if (trash) store.database.exec('ALTER TABLE documents ADD COLUMN deleted_at INTEGER')
      return {
        store,
        search: new SqliteSearchIndex(store.database),
        async trash(id: string) {
          store.database.prepare('UPDATE documents SET deleted_at = ? WHERE id = ?').run(Date.now(), id)
        },
      }
    },
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  }
})
