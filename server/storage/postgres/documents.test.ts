import { pino } from 'pino'
import { Client } from 'pg'
import { afterEach, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { newDocumentId } from '../../model/ids'
import { type TestDatabase, createTestDatabase } from '../../test/postgres'
import { waitFor } from '../../test/waitFor'
import { describeDocumentStoreContract } from '../contract'
import { PostgresDocumentStore } from './documents'
import { POSTGRES_MIGRATIONS } from './migrations'

const log = pino({ level: 'silent' })
const pool = { poolSize: 10, queryTimeoutMs: 15_000 }

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
    return PostgresDocumentStore.open({ connectionString: database.url, ...pool, compactThreshold, log })
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
    const store = await PostgresDocumentStore.open({
      connectionString: database.url,
      ...pool,
      compactThreshold: 100,
      log,
    })
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
    const rows = await query<{ name: string }>(database, 'SELECT name FROM schema_migrations ORDER BY name')
    expect(rows.map((row) => row.name)).toEqual(POSTGRES_MIGRATIONS.map((migration) => migration.name))
  })

  it('refuses a database migrated by a newer tandem', async () => {
    const database = await freshDatabase()
    await (await open(database)).close()
    await query(database, 'INSERT INTO schema_migrations (name) VALUES ($1)', ['9999_from_the_future'])
    await expect(open(database)).rejects.toThrow(/newer than this tandem/)
  })

  it('migrates a database whose migrations were numbered, keeping its documents and when it was migrated', async () => {
    const database = await freshDatabase()
    const id = newDocumentId()
    const source = new Y.Doc()
    const updates = [textUpdate(source, 'a'), textUpdate(source, 'b'), textUpdate(source, 'c')]
    // What tandem wrote while it numbered migrations: version 1, verbatim.
    await query(
      database,
      `CREATE TABLE schema_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now());
       CREATE TABLE documents (id text COLLATE "C" PRIMARY KEY, title text NOT NULL, created_at bigint NOT NULL,
         updated_at bigint NOT NULL, snapshot bytea, byte_size bigint NOT NULL DEFAULT 0,
         log_length integer NOT NULL DEFAULT 0);
       CREATE INDEX documents_recent ON documents (updated_at DESC, id DESC);
       CREATE TABLE updates (seq bigserial PRIMARY KEY,
         doc_id text COLLATE "C" NOT NULL REFERENCES documents (id) ON DELETE CASCADE, data bytea NOT NULL);
       CREATE INDEX updates_by_document ON updates (doc_id, seq);
       INSERT INTO schema_migrations (version, applied_at) VALUES (1, '2025-01-02T03:04:05Z');`,
    )
    await query(
      database,
      'INSERT INTO documents (id, title, created_at, updated_at, snapshot, byte_size, log_length) VALUES ($1, $2, 1, 2, $3, 1, 1)',
      [id, 'Old', updates[0]],
    )
    await query(database, 'INSERT INTO updates (doc_id, data) VALUES ($1, $2)', [id, updates[1]])

    const store = await open(database)
    expect(await store.get(id)).toMatchObject({ title: 'Old', createdAt: new Date(1) })
    await store.appendUpdate(id, updates[2] as Uint8Array)
    const rebuilt = new Y.Doc()
    for (const update of (await store.load(id))?.updates ?? []) Y.applyUpdate(rebuilt, update)
    expect(rebuilt.getText('t').toString()).toBe('abc')
    const rows = await query<{ name: string; applied_at: Date }>(
      database,
      'SELECT name, applied_at FROM schema_migrations ORDER BY name',
    )
    // The numbered version is recorded by name with its date; later migrations are applied now.
    expect(rows[0]).toEqual({ name: '0001_documents', applied_at: new Date('2025-01-02T03:04:05Z') })
    expect(rows.map((row) => row.name)).toEqual(POSTGRES_MIGRATIONS.map((migration) => migration.name).sort())
    const tables = await query(database, "SELECT 1 FROM pg_tables WHERE tablename = 'schema_migrations_numbered'")
    expect(tables).toEqual([])
  })

  it('keeps the log of a document in the trash, and purging deletes it with the document', async () => {
    const database = await freshDatabase()
    const store = await open(database)
    const id = newDocumentId()
    const source = new Y.Doc()
    await store.create({ id, title: 't', initialUpdate: Y.encodeStateAsUpdate(source) })
    for (const word of ['a', 'b', 'c']) await store.appendUpdate(id, textUpdate(source, word))
    const logRows = async () =>
      (await query<{ n: string }>(database, 'SELECT count(*) AS n FROM updates WHERE doc_id = $1', [id]))[0]?.n
    await store.trash(id, new Date())
    expect(await logRows()).toBe('3')
    const [row] = await query<{ deleted_at: string | null }>(
      database,
      'SELECT deleted_at FROM documents WHERE id = $1',
      [id],
    )
    expect(row?.deleted_at).not.toBeNull()
    await store.purge(id)
    expect(await logRows()).toBe('0')
    expect(await query(database, 'SELECT 1 FROM documents WHERE id = $1', [id])).toEqual([])
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
