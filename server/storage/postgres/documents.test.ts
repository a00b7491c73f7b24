import { pino } from 'pino'
import { Client } from 'pg'
import { afterEach, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { newDocumentId } from '../../model/ids'
import { type TestDatabase, createTestDatabase } from '../../test/postgres'
import { waitFor } from '../../test/waitFor'
import { describeDocumentStoreContract } from '../contract'
import { MIGRATIONS, PostgresDocumentStore } from './documents'

const log = pino({ level: 'silent' })

function textUpdate(source: Y.Doc, text: string): Uint8Array {
  const captured: Uint8Array[] = []
  const capture = (update: Uint8Array): void => {
    captured.push(update)
  }
  source.on('update', capture)
  source.getText('t').insert(source.getText('t').length, text)
  source.off('update', capture)
  return captured[0] as Uint8Array
}

/** One statement on its own connection, closed before returning. */
async function query<Row extends Record<string, unknown>>(
  database: TestDatabase,
  text: string,
  values: unknown[] = [],
): Promise<Row[]> {
  const client = new Client({ connectionString: database.url })
  await client.connect()
  try {
    return (await client.query<Row>(text, values)).rows
  } finally {
    await client.end()
  }
}

describeDocumentStoreContract('PostgreSQL', () => {
  let database: TestDatabase | null = null
  const connect = ({ compactThreshold }: { compactThreshold: number }) => {
    if (database === null) throw new Error('open first')
    return PostgresDocumentStore.open({ connectionString: database.url, compactThreshold, log })
  }
  return {
    async open(options) {
      database = await createTestDatabase()
      return connect(options)
    },
    reopen: connect,
    cleanup: async () => database?.drop(),
  }
})

describe('PostgreSQL store', () => {
  const databases: TestDatabase[] = []
  const stores: PostgresDocumentStore[] = []
  const freshDatabase = async () => {
    const database = await createTestDatabase()
    databases.push(database)
    return database
  }
  const open = async (database: TestDatabase) => {
    const store = await PostgresDocumentStore.open({ connectionString: database.url, compactThreshold: 100, log })
    stores.push(store)
    return store
  }

  afterEach(async () => {
    await Promise.all(stores.splice(0).map((store) => store.close()))
    await Promise.all(databases.splice(0).map((database) => database.drop()))
  })

  it('migrates once when several processes start on an empty database at the same moment', async () => {
    const database = await freshDatabase()
    await Promise.all([open(database), open(database), open(database)])
    const rows = await query<{ version: number }>(database, 'SELECT version FROM schema_migrations ORDER BY version')
    expect(rows.map((row) => row.version)).toEqual(MIGRATIONS.map((_, index) => index + 1))
  })

  it('refuses a database migrated by a newer tandem', async () => {
    const database = await freshDatabase()
    await (await open(database)).close()
    await query(database, 'INSERT INTO schema_migrations (version) VALUES ($1)', [MIGRATIONS.length + 1])
    await expect(open(database)).rejects.toThrow(/newer than this tandem/)
  })

  it('commits the appends of one turn, for several documents, in one transaction', async () => {
    const database = await freshDatabase()
    const store = await open(database)
    const ids = [newDocumentId(), newDocumentId(), newDocumentId()]
    const source = new Y.Doc()
    for (const id of ids) await store.create({ id, title: id, initialUpdate: Y.encodeStateAsUpdate(new Y.Doc()) })
    const writes: Promise<void>[] = []
    for (let round = 0; round < 10; round++) {
      for (const id of ids) writes.push(store.appendUpdate(id, textUpdate(source, `${round}`)))
    }
    await Promise.all(writes)
    const rows = await query(
      database,
      'SELECT count(*) AS rows, count(DISTINCT xmin::text) AS transactions FROM updates',
    )
    expect(rows[0]).toEqual({ rows: '30', transactions: '1' })
  })

  it('rejects appends while the database is unreachable, answers ping with an error, and recovers', async () => {
    const database = await freshDatabase()
    const store = await open(database)
    const id = newDocumentId()
    const source = new Y.Doc()
    await store.create({ id, title: 't', initialUpdate: Y.encodeStateAsUpdate(source) })
    await store.appendUpdate(id, textUpdate(source, 'a'))
    await database.setAvailable(false)
    const refused = textUpdate(source, 'b')
    await expect(store.appendUpdate(id, refused)).rejects.toThrow()
    await expect(store.ping()).rejects.toThrow()
    await database.setAvailable(true)
    await waitFor(() => store.ping().then(() => true), { what: 'the database to answer again' })
    await store.appendUpdate(id, refused)
    await store.appendUpdate(id, textUpdate(source, 'c'))
    const rebuilt = new Y.Doc()
    for (const update of (await store.load(id))?.updates ?? []) Y.applyUpdate(rebuilt, update)
    expect(rebuilt.getText('t').toString()).toBe('abc')
  })

  it('survives its connection being terminated in the middle of a transaction', async () => {
    const database = await freshDatabase()
    const store = await open(database)
    const id = newDocumentId()
    const source = new Y.Doc()
    await store.create({ id, title: 't', initialUpdate: Y.encodeStateAsUpdate(source) })
    const blocker = new Client({ connectionString: database.url })
    await blocker.connect()
    try {
      await blocker.query('BEGIN')
      await blocker.query('SELECT id FROM documents WHERE id = $1 FOR UPDATE', [id])
      const refused = textUpdate(source, 'a')
      const outcome = store.appendUpdate(id, refused).then(
        () => 'stored',
        (error: unknown) => error,
      )
      const waiting = "SELECT pid FROM pg_stat_activity WHERE application_name = 'tandem' AND wait_event_type = 'Lock'"
      await waitFor(async () => (await query(database, waiting)).length === 1, {
        what: 'the append to wait for the lock',
      })
      await query(database, `SELECT pg_terminate_backend(pid) FROM (${waiting}) AS blocked`)
      expect(await outcome).toBeInstanceOf(Error)
      await blocker.query('ROLLBACK')
      await store.appendUpdate(id, refused)
    } finally {
      await blocker.end()
    }
    const rebuilt = new Y.Doc()
    for (const update of (await store.load(id))?.updates ?? []) Y.applyUpdate(rebuilt, update)
    expect(rebuilt.getText('t').toString()).toBe('a')
  })
})
