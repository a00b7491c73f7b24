/**
 * `npm run migrate -- --from sqlite:<tandem.db or data directory> --to postgres://…`
 *
 * Moves a single-process installation to PostgreSQL: copies every document (id, title,
 * timestamps, and its content with snapshot and log merged into one snapshot), those in the
 * trash too, which stay there. Documents whose
 * id is already in PostgreSQL are left alone and listed, so the command can be re-run after an
 * interruption. Stop the SQLite server first, or edits made meanwhile stay behind.
 */
import { existsSync, statSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'
import { type Logger, pino } from 'pino'
import * as Y from 'yjs'
import { loadConfig } from '../server/config'
import { PostgresDocumentStore } from '../server/storage/postgres/documents'
import { SqliteDocumentStore } from '../server/storage/sqlite/documents'

const usage =
  'usage: npm run migrate -- --from sqlite:<tandem.db or data directory> --to postgres://user[:password]@host[:port]/database'

export interface MigrationReport {
  /** Ids copied into PostgreSQL. */
  copied: string[]
  /** Ids already in PostgreSQL, not overwritten. */
  skipped: string[]
}

/** Accepts the data file itself or the `DATA_DIR` that holds `tandem.db`. */
export function sqliteFile(path: string): string {
  const absolute = resolve(path)
  return existsSync(absolute) && statSync(absolute).isDirectory() ? join(absolute, 'tandem.db') : absolute
}

export async function migrateSqliteToPostgres(options: {
  sqlitePath: string
  postgresUrl: string
  log: Logger
}): Promise<MigrationReport> {
  if (!existsSync(options.sqlitePath)) throw new Error(`no SQLite database at ${options.sqlitePath}`)
  const source = new SqliteDocumentStore({
    path: options.sqlitePath,
    compactThreshold: Number.MAX_SAFE_INTEGER,
    synchronous: 'normal',
    log: options.log,
  })
  const report: MigrationReport = { copied: [], skipped: [] }
  try {
    const target = await PostgresDocumentStore.open({
      connectionString: options.postgresUrl,
      // A server's defaults: the copy is one connection's work.
      ...loadConfig({}).postgres,
      compactThreshold: Number.MAX_SAFE_INTEGER,
      log: options.log,
    })
    try {
      let cursor: string | undefined
      do {
        const page = await source.list({ limit: 100, cursor })
        for (const record of page.items) {
          const stored = await source.load(record.id)
          if (stored === null) continue
          const imported = await target.importDocument({ ...record, snapshot: Y.mergeUpdates(stored.updates) })
          ;(imported ? report.copied : report.skipped).push(record.id)
        }
        cursor = page.nextCursor ?? undefined
      } while (cursor !== undefined)
      do {
        const page = await source.listTrash({ limit: 100, cursor })
        for (const record of page.items) {
          const stored = await source.loadIncludingTrash(record.id)
          if (stored === null) continue
          const imported = await target.importDocument({ ...record, snapshot: Y.mergeUpdates(stored.updates) })
          ;(imported ? report.copied : report.skipped).push(record.id)
        }
        cursor = page.nextCursor ?? undefined
      } while (cursor !== undefined)
    } finally {
      await target.close()
    }
  } finally {
    await source.close()
  }
  return report
}

async function main(): Promise<number> {
  let values
  try {
    ;({ values } = parseArgs({ options: { from: { type: 'string' }, to: { type: 'string' } } }))
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${usage}\n`)
    return 2
  }
  if (!values.from?.startsWith('sqlite:') || !/^postgres(ql)?:\/\//.test(values.to ?? '')) {
    process.stderr.write(`${usage}\n`)
    return 2
  }
  const sqlitePath = sqliteFile(values.from.slice('sqlite:'.length))
  const log = pino({ level: 'warn' }, pino.destination(2))
  let report: MigrationReport
  try {
    report = await migrateSqliteToPostgres({ sqlitePath, postgresUrl: values.to as string, log })
  } catch (error) {
    process.stderr.write(`migration failed: ${(error as Error).message}\n`)
    return 1
  }
  process.stdout.write(`copied ${report.copied.length} document(s) from ${sqlitePath} to PostgreSQL\n`)
  if (report.skipped.length > 0) {
    process.stdout.write(
      `skipped ${report.skipped.length} document(s) already in PostgreSQL, not overwritten: ${report.skipped.join(', ')}\n`,
    )
  }
  return 0
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  process.exitCode = await main()
}
