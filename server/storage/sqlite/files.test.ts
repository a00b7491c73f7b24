import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pino } from 'pino'
import { describeFileStoreContract } from '../filesContract'
import { SqliteDocumentStore } from './documents'
import { SqliteFileStore } from './files'

describeFileStoreContract('SQLite', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tandem-sqlite-files-'))
  const path = join(dir, 'tandem.db')
  const open = async () => {
    const documents = new SqliteDocumentStore({
      path,
      compactThreshold: 100,
      synchronous: 'normal',
      log: pino({ level: 'silent' }),
    })
    return { documents, files: new SqliteFileStore(documents.database) }
  }
  return { open, reopen: open, cleanup: async () => rmSync(dir, { recursive: true, force: true }) }
})
