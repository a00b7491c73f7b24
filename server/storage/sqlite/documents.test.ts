import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { pino } from 'pino'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import * as encoding from 'lib0/encoding'
import { newDocumentId } from '../../model/ids'
import { describeDocumentStoreContract } from '../contract'
import { NAMED_MIGRATIONS_VERSION } from './database'
import { SqliteDocumentStore } from './documents'
import { SQLITE_MIGRATIONS } from './migrations'

describeDocumentStoreContract('SQLite', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tandem-sqlite-'))
  const path = join(dir, 'tandem.db')
  const open = async ({ compactThreshold }: { compactThreshold: number }) =>
    new SqliteDocumentStore({ path, compactThreshold, synchronous: 'normal', log: pino({ level: 'silent' }) })
  return {
    open,
    reopen: open,
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  }
})

describe('SQLite journal', () => {
  let dir = ''
  const stores: SqliteDocumentStore[] = []
  let warnings: string[] = []
  const log = pino({ level: 'warn' }, { write: (line: string) => warnings.push(JSON.parse(line).msg as string) })
  const open = (path: string, compactThreshold = 100_000): SqliteDocumentStore => {
    const store = new SqliteDocumentStore({ path, compactThreshold, synchronous: 'normal', log })
    stores.push(store)
    return store
  }
  const query = (path: string, sql: string): number => {
    const db = new Database(path, { readonly: true })
    try {
      return (db.prepare(sql).get() as { n: number }).n
    } finally {
      db.close()
    }
  }
  /** Updates held in the journal, or in the log (whose rows hold one or more each). */
  const rows = (path: string, table: 'journal' | 'updates'): number =>
    query(
      path,
      table === 'journal' ? 'SELECT COUNT(*) AS n FROM journal' : 'SELECT COALESCE(SUM(entries), 0) AS n FROM updates',
    )
  const text = (updates: Uint8Array[]): string => {
    const doc = new Y.Doc()
    for (const update of updates) Y.applyUpdate(doc, update)
    return doc.getText('t').toString()
  }
  const edits = (count: number): Uint8Array[] => {
    const doc = new Y.Doc()
    const updates: Uint8Array[] = []
    doc.on('update', (update: Uint8Array) => updates.push(update))
    for (let index = 0; index < count; index++) doc.getText('t').insert(index, String(index % 10))
    return updates
  }

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tandem-journal-'))
    warnings = []
  })
  afterEach(async () => {
    for (const store of stores.splice(0)) await store.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('commits appends to the journal, moves them into the log within a second, and loads both all the while', async () => {
    const path = join(dir, 'tandem.db')
    const store = open(path)
    const id = newDocumentId()
    await store.create({ id, title: 'Journal', initialUpdate: Y.encodeStateAsUpdate(new Y.Doc()) })
    await Promise.all(edits(3).map((update) => store.appendUpdate(id, update)))
    expect([rows(path, 'journal'), rows(path, 'updates')]).toEqual([3, 0])
    expect(text((await store.load(id))?.updates ?? [])).toBe('012')

    await expect.poll(() => rows(path, 'journal'), { timeout: 5000 }).toBe(0)
    expect(rows(path, 'updates')).toBe(3)
    expect(query(path, 'SELECT COUNT(*) AS n FROM updates')).toBe(1)
    expect(text((await store.load(id))?.updates ?? [])).toBe('012')
  })

  it('moves each document’s journal rows into one log row, in order, and counts them towards compaction', async () => {
    const path = join(dir, 'tandem.db')
    const first = open(path, 10)
    const [a, b] = [newDocumentId(), newDocumentId()]
    for (const id of [a, b]) await first.create({ id, title: id, initialUpdate: Y.encodeStateAsUpdate(new Y.Doc()) })
    const all = edits(11)
    const updates = all.slice(0, 8)
    await Promise.all(
      updates.flatMap((update, index) => [
        first.appendUpdate(a, update),
        ...(index < 1 ? [first.appendUpdate(b, update)] : []),
      ]),
    )
    await first.close()
    expect(query(path, 'SELECT COUNT(*) AS n FROM updates')).toBe(2)
    expect([rows(path, 'journal'), rows(path, 'updates')]).toEqual([0, 9])
    const second = open(path, 10)
    const loaded = (await second.load(a))?.updates ?? []
    expect(loaded.slice(1).map((update) => Buffer.from(update).toString('hex'))).toEqual(
      updates.map((update) => Buffer.from(update).toString('hex')),
    )
    expect(text((await second.load(b))?.updates ?? [])).toBe('0')
    // 8 stored + 3 = 11 > 10: compacted into the snapshot, which only works if the 8 were counted.
    for (const update of all.slice(8)) await second.appendUpdate(a, update)
    const heldFor = (id: string) =>
      query(
        path,
        `SELECT (SELECT COALESCE(SUM(entries), 0) FROM updates WHERE doc_id = '${id}') + (SELECT COUNT(*) FROM journal WHERE doc_id = '${id}') AS n`,
      )
    await expect.poll(() => heldFor(a), { timeout: 5000 }).toBe(0)
    expect(heldFor(b)).toBe(1)
    expect(text((await second.load(a))?.updates ?? [])).toBe('01234567890')
  })

  it('moves a long journal at once, without waiting for the timer', async () => {
    const path = join(dir, 'tandem.db')
    const store = open(path)
    const id = newDocumentId()
    await store.create({ id, title: 'Busy', initialUpdate: Y.encodeStateAsUpdate(new Y.Doc()) })
    const updates = edits(1200)
    await Promise.all(updates.map((update) => store.appendUpdate(id, update)))
    await expect.poll(() => rows(path, 'updates'), { timeout: 500, interval: 10 }).toBe(1200)
    expect(text((await store.load(id))?.updates ?? [])).toHaveLength(1200)
  })

  it('takes unsettled journal rows with a deleted document, and leaves none behind on close', async () => {
    const path = join(dir, 'tandem.db')
    const store = open(path)
    const [deleted, kept] = [newDocumentId(), newDocumentId()]
    for (const id of [deleted, kept])
      await store.create({ id, title: id, initialUpdate: Y.encodeStateAsUpdate(new Y.Doc()) })
    await Promise.all(
      edits(2).flatMap((update) => [store.appendUpdate(deleted, update), store.appendUpdate(kept, update)]),
    )
    await store.trash(deleted, new Date())
    expect(await store.purge(deleted)).toBe(true)
    expect(rows(path, 'journal')).toBe(2)
    await store.close()
    expect([rows(path, 'journal'), rows(path, 'updates')]).toEqual([0, 2])
    expect(text((await open(path).load(kept))?.updates ?? [])).toBe('01')
  })

  it('logs a failed compaction or journal move and retries it, without losing an update or the process', async () => {
    const path = join(dir, 'tandem.db')
    const store = open(path, 3)
    const id = newDocumentId()
    await store.create({ id, title: 'Failing', initialUpdate: Y.encodeStateAsUpdate(new Y.Doc()) })
    const saboteur = new Database(path)
    saboteur.exec(
      `CREATE TRIGGER refuse_log BEFORE INSERT ON updates BEGIN SELECT RAISE(ABORT, 'injected failure'); END`,
    )
    const updates = edits(6)
    for (const update of updates.slice(0, 5)) await store.appendUpdate(id, update)
    await expect
      .poll(() => warnings, { timeout: 5000 })
      .toContain('compaction failed; the log is kept and retried later')
    await expect
      .poll(() => warnings, { timeout: 5000 })
      .toContain('could not move the journal into the log; it stays readable and is retried')
    expect(text((await store.load(id))?.updates ?? [])).toBe('01234')

    saboteur.exec('DROP TRIGGER refuse_log')
    saboteur.close()
    await store.appendUpdate(id, updates[5] as Uint8Array)
    await expect.poll(() => rows(path, 'journal') + rows(path, 'updates'), { timeout: 5000 }).toBe(0)
    expect(text((await store.load(id))?.updates ?? [])).toBe('012345')
  })

  /** The schema as tandem wrote it while it numbered migrations in `user_version` (1–3), verbatim. */
  const LEGACY_SCHEMA = [
    `CREATE TABLE documents (id TEXT PRIMARY KEY, title TEXT NOT NULL, created_at INTEGER NOT NULL,
       updated_at INTEGER NOT NULL, snapshot BLOB);
     CREATE INDEX documents_recent ON documents (updated_at DESC, id DESC);
     CREATE TABLE updates (seq INTEGER PRIMARY KEY AUTOINCREMENT,
       doc_id TEXT NOT NULL REFERENCES documents (id) ON DELETE CASCADE, data BLOB NOT NULL);
     CREATE INDEX updates_by_document ON updates (doc_id, seq);`,
    `CREATE TABLE journal (seq INTEGER PRIMARY KEY,
       doc_id TEXT NOT NULL REFERENCES documents (id) ON DELETE CASCADE, data BLOB NOT NULL);`,
    'ALTER TABLE updates ADD COLUMN entries INTEGER NOT NULL DEFAULT 1;',
  ]

  /** A file at `user_version` = `version`, holding one document in every place that version had. */
  function legacyFile(path: string, version: 1 | 2 | 3, updates: Uint8Array[]): string {
    const id = newDocumentId()
    const [snapshot, ...rest] = updates as [Uint8Array, ...Uint8Array[]]
    const db = new Database(path)
    db.pragma('journal_mode = WAL')
    for (const sql of LEGACY_SCHEMA.slice(0, version)) db.exec(sql)
    db.pragma(`user_version = ${version}`)
    db.prepare('INSERT INTO documents VALUES (?, ?, 0, 0, ?)').run(id, 'Old', snapshot)
    const log = db.prepare('INSERT INTO updates (doc_id, data) VALUES (?, ?)')
    if (version < 3) {
      for (const update of rest.slice(0, version === 2 ? -1 : undefined)) log.run(id, update)
    } else {
      // One row holding two updates (`entries`), one holding one.
      const list = encoding.createEncoder()
      for (const update of rest.slice(0, 2)) encoding.writeVarUint8Array(list, update)
      db.prepare('INSERT INTO updates (doc_id, data, entries) VALUES (?, ?, 2)').run(id, encoding.toUint8Array(list))
      log.run(id, rest[2] as Uint8Array)
    }
    if (version >= 2) db.prepare('INSERT INTO journal (doc_id, data) VALUES (?, ?)').run(id, rest.at(-1))
    db.close()
    return id
  }

  for (const version of [1, 2, 3] as const) {
    it(`migrates a file of schema version ${version} forward with everything in it`, async () => {
      const path = join(dir, 'tandem.db')
      const updates = edits(6)
      const id = legacyFile(path, version, updates.slice(0, 5))

      const store = open(path, 5)
      expect(await store.get(id)).toMatchObject({ title: 'Old' })
      expect(text((await store.load(id))?.updates ?? [])).toBe('01234')
      await store.appendUpdate(id, updates[5] as Uint8Array)
      expect(text((await store.load(id))?.updates ?? [])).toBe('012345')
      await store.close()

      const db = new Database(path, { readonly: true })
      expect(db.pragma('user_version', { simple: true })).toBe(NAMED_MIGRATIONS_VERSION)
      expect(db.prepare('SELECT name FROM schema_migrations ORDER BY name').pluck().all()).toEqual(
        SQLITE_MIGRATIONS.map((migration) => migration.name),
      )
      db.close()
      expect(text((await open(path).load(id))?.updates ?? [])).toBe('012345')
    })
  }

  it('records the schema by name in a new file, and refuses a file migrated by a newer tandem', async () => {
    const path = join(dir, 'tandem.db')
    await open(path).close()
    const db = new Database(path)
    expect(db.prepare('SELECT name FROM schema_migrations ORDER BY name').pluck().all()).toEqual(
      SQLITE_MIGRATIONS.map((migration) => migration.name),
    )
    db.prepare('INSERT INTO schema_migrations VALUES (?, 0)').run('9999_from_the_future')
    db.close()
    expect(() => open(path)).toThrow(/newer than this tandem/)

    const other = join(dir, 'other.db')
    const newer = new Database(other)
    newer.pragma(`user_version = ${NAMED_MIGRATIONS_VERSION + 1}`)
    newer.close()
    expect(() => open(other)).toThrow(/newer than this tandem/)
  })

  it('keeps a bounded count of the documents it remembers, and counts a forgotten one again', async () => {
    const path = join(dir, 'tandem.db')
    const store = new SqliteDocumentStore({
      path,
      compactThreshold: 3,
      synchronous: 'normal',
      log,
      rememberedDocuments: 2,
    })
    stores.push(store)
    const [a, b, c] = [newDocumentId(), newDocumentId(), newDocumentId()]
    for (const id of [a, b, c]) await store.create({ id, title: id, initialUpdate: Y.encodeStateAsUpdate(new Y.Doc()) })
    const updates = edits(4)
    const heldFor = (id: string) =>
      query(
        path,
        `SELECT (SELECT COALESCE(SUM(entries), 0) FROM updates WHERE doc_id = '${id}') + (SELECT COUNT(*) FROM journal WHERE doc_id = '${id}') AS n`,
      )
    for (const update of updates.slice(0, 2)) await store.appendUpdate(a, update)
    // Two other documents push the first one's count out of memory.
    await store.appendUpdate(b, updates[0] as Uint8Array)
    await store.appendUpdate(c, updates[0] as Uint8Array)
    // 2 counted again from the file + 2 = 4 > 3: compacted. Counting from zero would leave 2.
    for (const update of updates.slice(2)) await store.appendUpdate(a, update)
    await expect.poll(() => heldFor(a), { timeout: 5000 }).toBe(0)
    expect(text((await store.load(a))?.updates ?? [])).toBe('0123')
  })
})
