import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pino } from 'pino'
import { describeVersionStoreContract } from '../versionContract'
import { SqliteDocumentStore } from './documents'
import { SqliteVersionStore } from './versions'

describeVersionStoreContract('SQLite', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tandem-versions-'))
  const path = join(dir, 'tandem.db')
  const open = async () => {
    const documents = new SqliteDocumentStore({
      path,
      compactThreshold: 100,
      synchronous: 'normal',
      log: pino({ level: 'silent' }),
    })
    return { documents, versions: new SqliteVersionStore(documents.database) }
  }
  return { open, reopen: open, cleanup: async () => rmSync(dir, { recursive: true, force: true }) }
})
