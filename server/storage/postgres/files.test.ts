import { pino } from 'pino'
import { type TestDatabase, createTestDatabase } from '../../test/postgres'
import { describeFileStoreContract } from '../filesContract'
import { PostgresDocumentStore } from './documents'
import { PostgresFileStore } from './files'

describeFileStoreContract('PostgreSQL', () => {
  let database: TestDatabase | null = null
  const connect = async () => {
    if (database === null) throw new Error('open first')
    const documents = await PostgresDocumentStore.open({
      connectionString: database.url,
      poolSize: 4,
      queryTimeoutMs: 15_000,
      compactThreshold: 100,
      log: pino({ level: 'silent' }),
    })
    return { documents, files: new PostgresFileStore(documents.database.pool) }
  }
  return {
    async open() {
      database = await createTestDatabase()
      return connect()
    },
    reopen: connect,
    cleanup: async () => database?.drop(),
  }
})
