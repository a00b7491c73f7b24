/**
 * The connection pool every PostgreSQL store of a process shares, its transactions, and the
 * schema brought up to date at start-up.
 */
import { type Pool, type PoolClient, Pool as PgPool } from 'pg'
import type { Logger } from 'pino'
import { type Migration, namesOfLegacyVersion, pendingMigrations } from '../migrations'
import { POSTGRES_MIGRATIONS } from './migrations'

export interface PostgresDatabaseOptions {
  /** `postgres://user:password@host:port/database` */
  connectionString: string
  /** Connections this process keeps open at most (`DATABASE_POOL_SIZE`). */
  poolSize: number
  /**
   * Client-side limit for one statement (`DATABASE_QUERY_TIMEOUT_MS`), so that a database that
   * stopped answering (a network partition rather than a refused connection) still fails appends
   * instead of hanging them.
   */
  queryTimeoutMs: number
  log: Logger
}

export interface PostgresDatabase {
  readonly pool: Pool
  /** Ends the pool; resolves once every connection is closed. */
  close(): Promise<void>
}

/** How long opening a connection may take before the statement that needed it fails. */
const CONNECT_TIMEOUT_MS = 5000

/** Any constant works: advisory locks are per database, and this one only guards migrations. */
const MIGRATION_LOCK = 7_302_861_001

/** Connects and migrates the schema; rejects when the database cannot be reached. */
export async function openPostgresDatabase(
  options: PostgresDatabaseOptions,
  migrations: readonly Migration[] = POSTGRES_MIGRATIONS,
): Promise<PostgresDatabase> {
  const pool = new PgPool({
    connectionString: options.connectionString,
    max: options.poolSize,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    query_timeout: options.queryTimeoutMs,
    keepAlive: true,
    application_name: 'tandem',
  })
  // A pooled connection the server dropped while idle is discarded by the pool; the next
  // statement that needs one reconnects or fails on its own, so this is only worth a note.
  pool.on('error', (error) => options.log.warn({ err: error }, 'idle PostgreSQL connection lost'))
  const disconnected = trackConnections(pool)
  const close = async (): Promise<void> => {
    await pool.end()
    await disconnected()
  }
  try {
    await migrate(pool, migrations)
  } catch (error) {
    await close()
    throw error
  }
  return { pool, close }
}

export async function inTransaction<T>(pool: Pool, run: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect()
  // A checked-out client has no listener of the pool's: without this one, a connection the
  // server drops mid-transaction would be an uncaught 'error' event, and the process would die.
  let broken: Error | undefined
  const onError = (error: Error): void => {
    broken = error
  }
  client.on('error', onError)
  try {
    await client.query('BEGIN')
    const result = await run(client)
    await client.query('COMMIT')
    return result
  } catch (error) {
    await client.query('ROLLBACK').catch((rollbackError: unknown) => {
      broken ??= rollbackError instanceof Error ? rollbackError : new Error('rollback failed')
    })
    throw error
  } finally {
    client.off('error', onError)
    client.release(broken)
  }
}

/**
 * `pool.end()` resolves before its connections are closed; this resolves once they are, so
 * that a closed store really holds no connection (e.g. when its database is dropped next).
 */
function trackConnections(pool: Pool): () => Promise<void> {
  let open = 0
  let allClosed: (() => void) | null = null
  pool.on('connect', () => {
    open++
  })
  pool.on('remove', () => {
    open--
    if (open === 0) allClosed?.()
  })
  return () => (open === 0 ? Promise.resolve() : new Promise((resolve) => (allClosed = resolve)))
}

/**
 * Brings the database to the newest schema in one transaction holding an advisory lock, so that
 * processes starting together migrate it once. A database of a tandem that numbered its
 * migrations (`schema_migrations.version`) has them recorded by name first, keeping when each
 * was applied.
 */
async function migrate(pool: Pool, migrations: readonly Migration[]): Promise<void> {
  await inTransaction(pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK])
    const columns = await client.query<{ column_name: string }>(
      `SELECT column_name FROM information_schema.columns
        WHERE table_schema = current_schema() AND table_name = 'schema_migrations'`,
    )
    const numbered = columns.rows.some((row) => row.column_name === 'version')
    if (numbered) await client.query('ALTER TABLE schema_migrations RENAME TO schema_migrations_numbered')
    await client.query(
      'CREATE TABLE IF NOT EXISTS schema_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())',
    )
    if (numbered) {
      const { rows } = await client.query<{ version: number; applied_at: Date }>(
        'SELECT version, applied_at FROM schema_migrations_numbered ORDER BY version',
      )
      const names = namesOfLegacyVersion(migrations, rows.at(-1)?.version ?? 0)
      for (const row of rows) {
        await client.query('INSERT INTO schema_migrations (name, applied_at) VALUES ($1, $2)', [
          names[row.version - 1],
          row.applied_at,
        ])
      }
      await client.query('DROP TABLE schema_migrations_numbered')
    }
    const { rows } = await client.query<{ name: string }>('SELECT name FROM schema_migrations')
    for (const migration of pendingMigrations(migrations, new Set(rows.map((row) => row.name)))) {
      await client.query(migration.sql)
      await client.query('INSERT INTO schema_migrations (name) VALUES ($1)', [migration.name])
    }
  })
}
