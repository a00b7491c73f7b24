import { pino } from 'pino'
import { describe, expect, it } from 'vitest'
import { type TestDatabase, createTestDatabase } from '../../test/postgres'
import { describeSearchIndexContract } from '../search/contract'
import { PostgresDocumentStore } from './documents'
import { PostgresSearchIndex, tsvectorLiteral } from './search'

describeSearchIndexContract('PostgreSQL', () => {
  let database: TestDatabase | null = null
  return {
    async open() {
      database = await createTestDatabase()
      const store = await PostgresDocumentStore.open({
        connectionString: database.url,
        poolSize: 4,
        queryTimeoutMs: 15_000,
        compactThreshold: 100,
        log: pino({ level: 'silent' }),
      })
      return {
        store,
        search: new PostgresSearchIndex(store.database),
        async trash(id: string) {
          await store.trash(id, new Date())
        },
      }
    },
    cleanup: async () => database?.drop(),
  }
})

describe('tsvector literal', () => {
  it('weights title words A and body words B, folded, quoted', () => {
    expect(tsvectorLiteral('Café', "l'été café")).toBe("'cafe':1A,4B 'l':2B 'ete':3B")
  })

  it('stays within the bounds of the type for a huge body', () => {
    const literal = tsvectorLiteral('t', `${'word '.repeat(20_000)}${'x'.repeat(5000)} tail`)
    expect(literal).toMatch(/^'t':1A 'word':2B,3B,/)
    expect(literal.match(/'word':([^ ]*)/)?.[1]?.split(',')).toHaveLength(256)
    expect(literal).not.toContain('xxxxx')
    expect(literal.endsWith("'tail'")).toBe(true)
  })
})
