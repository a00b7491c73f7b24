/**
 * Throwaway PostgreSQL databases for tests: each test gets its own, so tests never see each
 * other's rows, and the database is dropped afterwards.
 */
import { randomBytes } from 'node:crypto'
import { Client, escapeIdentifier } from 'pg'

/** The server the tests run against; CI and the dev machine run it locally with trust auth. */
const DEFAULT_ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres'

export interface TestDatabase {
  name: string
  /** Connection string for the new database. */
  url: string
  /**
   * Simulates an outage without touching the server: refuses new connections to this database
   * and terminates the open ones; `true` lets connections in again.
   */
  setAvailable(available: boolean): Promise<void>
  /** Drops the database, whoever is still connected. */
  drop(): Promise<void>
}

function adminUrl(): string {
  return process.env.TANDEM_TEST_POSTGRES_URL ?? DEFAULT_ADMIN_URL
}

async function asAdmin<T>(run: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: adminUrl() })
  await client.connect()
  try {
    return await run(client)
  } finally {
    await client.end()
  }
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `tandem_test_${randomBytes(6).toString('hex')}`
  const quoted = escapeIdentifier(name)
  await asAdmin((client) => client.query(`CREATE DATABASE ${quoted}`))
  const url = new URL(adminUrl())
  url.pathname = `/${name}`
  let dropped = false
  return {
    name,
    url: url.toString(),
    async setAvailable(available) {
      await asAdmin(async (client) => {
        await client.query(`ALTER DATABASE ${quoted} ALLOW_CONNECTIONS ${available ? 'true' : 'false'}`)
        if (!available) {
          await client.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [name])
        }
      })
    },
    async drop() {
      if (dropped) return
      dropped = true
      await asAdmin((client) => client.query(`DROP DATABASE IF EXISTS ${quoted} WITH (FORCE)`))
    },
  }
}
