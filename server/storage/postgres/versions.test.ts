import { pino } from 'pino'
import { type TestDatabase, createTestDatabase } from '../../test/postgres'
import { describeVersionStoreContract } from '../versionContract'
import { PostgresDocumentStore } from './documents'
import { PostgresVersionStore } from './versions'

describeVersionStoreContract('PostgreSQL', () => {
  let database: TestDatabase | null = null
  const connect = async () => {
    if (database === null) throw new Error('open first')
    const documents = await PostgresDocumentStore.open({
      connectionString: database.url,
      poolSize: 5,
      queryTimeoutMs: 15_000,
      compactThreshold: 100,
      log: pino({ level: 'silent' }),
    })
    return { documents, versions: new PostgresVersionStore(documents.database) }
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
