/**
 * Opening tandem's SQLite file: WAL mode, the durability setting, foreign keys, and the schema
 * brought up to date. Every SQLite store of a process works on the handle this returns.
 */
import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import Database from 'better-sqlite3'
import { type Migration, SchemaTooNewError, namesOfLegacyVersion, pendingMigrations } from '../migrations'
import { SQLITE_MIGRATIONS } from './migrations'

export interface SqliteDatabaseOptions {
  /** File path, or `:memory:`. */
  path: string
  /**
   * `normal` survives a crash of the process (the durability promise); `full` also survives a
   * power loss, at the price of an fsync per commit.
   */
  synchronous: 'normal' | 'full'
}

/**
 * `user_version` once counted the migrations applied. From this value on it only says that they
 * are recorded by name in `schema_migrations`, and a tandem from before named migrations
 * (which knew versions up to 3) refuses the file instead of reading a schema it does not know.
 */
export const NAMED_MIGRATIONS_VERSION = 4

/** How long a statement waits for another connection's write lock before failing. */
const BUSY_TIMEOUT_MS = 5000

export function openSqliteDatabase(
  options: SqliteDatabaseOptions,
  migrations: readonly Migration[] = SQLITE_MIGRATIONS,
): Database.Database {
  if (options.path !== ':memory:') mkdirSync(dirname(options.path), { recursive: true })
  const db = new Database(options.path)
  try {
    db.pragma('journal_mode = WAL')
    db.pragma(`synchronous = ${options.synchronous === 'full' ? 'FULL' : 'NORMAL'}`)
    db.pragma('foreign_keys = ON')
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`)
    migrate(db, migrations)
  } catch (error) {
    db.close()
    throw error
  }
  return db
}

/**
 * Applies what is missing, in one transaction that takes the write lock first, so that two
 * processes opening one file at the same moment migrate it once. A file of a tandem that
 * numbered its migrations has them recorded by name first.
 */
function migrate(db: Database.Database, migrations: readonly Migration[]): void {
  db.transaction(() => {
    const version = db.pragma('user_version', { simple: true }) as number
    if (version > NAMED_MIGRATIONS_VERSION) {
      throw new SchemaTooNewError(`database schema ${version} is newer than this tandem (${NAMED_MIGRATIONS_VERSION})`)
    }
    db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at INTEGER NOT NULL)')
    const record = db.prepare<[string, number]>('INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)')
    if (version < NAMED_MIGRATIONS_VERSION) {
      for (const name of namesOfLegacyVersion(migrations, version)) record.run(name, Date.now())
      db.pragma(`user_version = ${NAMED_MIGRATIONS_VERSION}`)
    }
    const applied = new Set(db.prepare<[], string>('SELECT name FROM schema_migrations').pluck().all())
    for (const migration of pendingMigrations(migrations, applied)) {
      db.exec(migration.sql)
      record.run(migration.name, Date.now())
    }
  }).immediate()
}
