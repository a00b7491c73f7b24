import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describeDocumentStoreContract } from './contract'
import { SqliteDocumentStore } from './sqlite'

describeDocumentStoreContract('SQLite', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tandem-sqlite-'))
  const path = join(dir, 'tandem.db')
  const open = async ({ compactThreshold }: { compactThreshold: number }) =>
    new SqliteDocumentStore({ path, compactThreshold, synchronous: 'normal' })
  return {
    open,
    reopen: open,
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  }
})
