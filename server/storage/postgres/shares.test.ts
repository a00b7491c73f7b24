import { pino } from 'pino'
import { type TestDatabase, createTestDatabase } from '../../test/postgres'
import { describeShareStoreContract } from '../sharesContract'
import { PostgresDocumentStore } from './documents'
import { PostgresShareStore } from './shares'

describeShareStoreContract('PostgreSQL', () => {
  let database: TestDatabase | null = null
  let documents: PostgresDocumentStore | null = null
  return {
    async open() {
      database = await createTestDatabase()
      documents = await PostgresDocumentStore.open({
        connectionString: database.url,
        poolSize: 4,
        queryTimeoutMs: 15_000,
        compactThreshold: 100,
        log: pino({ level: 'silent' }),
      })
      return { documents, shares: new PostgresShareStore(documents.database) }
    },
    async cleanup() {
      await documents?.close()
      await database?.drop()
    },
  }
})
