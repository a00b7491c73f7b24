import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pino } from 'pino'
import { describeShareStoreContract } from '../sharesContract'
import { SqliteDocumentStore } from './documents'
import { SqliteShareStore } from './shares'

describeShareStoreContract('SQLite', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tandem-shares-'))
  let documents: SqliteDocumentStore | null = null
  return {
    async open() {
      documents = new SqliteDocumentStore({
        path: join(dir, 'tandem.db'),
        compactThreshold: 100,
        synchronous: 'normal',
        log: pino({ level: 'silent' }),
      })
      return { documents, shares: new SqliteShareStore(documents.database) }
    },
    async cleanup() {
      await documents?.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
})
