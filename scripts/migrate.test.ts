import { spawn } from 'node:child_process'
import { rmSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { pino } from 'pino'
import { afterEach, describe, expect, it } from 'vitest'
import { connectClient } from '../server/test/clients'
import { type TestDatabase, createTestDatabase } from '../server/test/postgres'
import { startTestServer, tempDataDir } from '../server/test/server'
import { waitFor } from '../server/test/waitFor'
import { migrateSqliteToPostgres } from './migrate'

const projectRoot = fileURLToPath(new URL('..', import.meta.url))
const cleanups: Array<() => Promise<void>> = []

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

function runMigrate(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/migrate.ts', ...args], {
    cwd: projectRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stdout, stderr })))
}

interface Snapshot {
  list: unknown
  contents: Record<string, unknown>
}

/** What a user sees of every document: the list (titles, dates) and each one's content. */
async function everything(url: string): Promise<Snapshot> {
  const list = (await (await fetch(`${url}/api/docs?limit=100`)).json()) as { items: Array<{ id: string }> }
  const contents: Record<string, unknown> = {}
  for (const { id } of list.items) {
    contents[id] = await (await fetch(`${url}/api/docs/${id}/content?format=json`)).json()
  }
  return { list, contents }
}

/** A SQLite installation with a few documents, one edited enough to have a compacted snapshot. */
async function sqliteInstallation(): Promise<{ dataDir: string; before: Snapshot; ids: string[] }> {
  const dataDir = tempDataDir()
  cleanups.push(async () => rmSync(dataDir, { recursive: true, force: true }))
  const server = await startTestServer({ DATA_DIR: dataDir, COMPACT_THRESHOLD: '3' })
  let ids: string[]
  try {
    ids = [
      await server.createDocument({ title: 'Plain', content: { format: 'text', body: 'one line' } }),
      await server.createDocument({
        title: 'Rich',
        content: { format: 'markdown', body: '# Heading\n\n- a\n- **b**' },
      }),
      await server.createDocument({ title: 'Edited' }),
    ]
    const edited = ids[2] as string
    const writer = connectClient(server.wsUrl, edited)
    try {
      await writer.synced()
      for (let i = 0; i < 10; i++) writer.appendParagraph(`line ${i}`)
      await waitFor(
        async () =>
          (await (await fetch(`${server.url}/api/docs/${edited}/content?format=text`)).text()).includes('line 9'),
        { what: 'the edits to be stored' },
      )
    } finally {
      writer.destroy()
    }
    const renamed = await fetch(`${server.url}/api/docs/${ids[0]}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'Plain, renamed' }),
    })
    expect(renamed.status).toBe(200)
  } finally {
    await server.stop()
  }
  // Read back from what was stored: the store writes a document's `updated_at` lazily, last at close.
  const stored = await startTestServer({ DATA_DIR: dataDir })
  try {
    return { dataDir, before: await everything(stored.url), ids }
  } finally {
    await stored.stop()
  }
}

async function database(): Promise<TestDatabase> {
  const db = await createTestDatabase()
  cleanups.push(() => db.drop())
  return db
}

describe('npm run migrate', () => {
  it('copies every document with its title, dates and content from SQLite into PostgreSQL', async () => {
    const { dataDir, before, ids } = await sqliteInstallation()
    const db = await database()

    const run = await runMigrate(['--from', `sqlite:${dataDir}`, '--to', db.url])
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    expect(run.stdout).toBe(`copied 3 document(s) from ${join(dataDir, 'tandem.db')} to PostgreSQL\n`)

    const scaled = await startTestServer({ DATABASE_URL: db.url })
    cleanups.push(() => scaled.dispose())
    expect(await everything(scaled.url)).toEqual(before)
    expect(Object.keys(before.contents).sort()).toEqual([...ids].sort())
  })

  it('can be run again: documents already in PostgreSQL are listed and left as they are', async () => {
    const { dataDir, ids } = await sqliteInstallation()
    const db = await database()
    const log = pino({ level: 'silent' })
    const sqlitePath = join(dataDir, 'tandem.db')
    expect((await migrateSqliteToPostgres({ sqlitePath, postgresUrl: db.url, log })).copied.sort()).toEqual(
      [...ids].sort(),
    )

    const scaled = await startTestServer({ DATABASE_URL: db.url })
    cleanups.push(() => scaled.dispose())
    const edited = ids[1] as string
    const changed = await fetch(`${scaled.url}/api/docs/${edited}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'Changed after the move' }),
    })
    expect(changed.status).toBe(200)

    const again = await migrateSqliteToPostgres({ sqlitePath, postgresUrl: db.url, log })
    expect(again).toEqual({ copied: [], skipped: expect.arrayContaining(ids) })
    expect(again.skipped).toHaveLength(3)
    expect(((await (await fetch(`${scaled.url}/api/docs/${edited}`)).json()) as { title: string }).title).toBe(
      'Changed after the move',
    )

    const rerun = await runMigrate(['--from', `sqlite:${sqlitePath}`, '--to', db.url])
    expect(rerun.code).toBe(0)
    expect(rerun.stdout).toContain('skipped 3 document(s) already in PostgreSQL, not overwritten: ')
  })

  it('copies documents in the trash too, and they stay there', async () => {
    const dataDir = tempDataDir()
    cleanups.push(async () => rmSync(dataDir, { recursive: true, force: true }))
    const server = await startTestServer({ DATA_DIR: dataDir })
    let trashed: string
    let live: string
    try {
      trashed = await server.createDocument({ title: 'Binned', content: { format: 'text', body: 'kept in the bin' } })
      live = await server.createDocument({ title: 'Live' })
      expect((await fetch(`${server.url}/api/docs/${trashed}`, { method: 'DELETE' })).status).toBe(204)
    } finally {
      await server.stop()
    }
    const db = await database()
    const report = await migrateSqliteToPostgres({
      sqlitePath: join(dataDir, 'tandem.db'),
      postgresUrl: db.url,
      log: pino({ level: 'silent' }),
    })
    expect(report.copied.sort()).toEqual([trashed, live].sort())

    const scaled = await startTestServer({ DATABASE_URL: db.url })
    cleanups.push(() => scaled.dispose())
    expect((await fetch(`${scaled.url}/api/docs/${trashed}`)).status).toBe(404)
    const trash = (await (await fetch(`${scaled.url}/api/trash`)).json()) as { items: Array<{ id: string }> }
    expect(trash.items.map((item) => item.id)).toEqual([trashed])
    expect((await fetch(`${scaled.url}/api/trash/${trashed}/restore`, { method: 'POST' })).status).toBe(200)
    expect(await (await fetch(`${scaled.url}/api/docs/${trashed}/content?format=text`)).text()).toBe('kept in the bin')
  })

  it('explains its usage and refuses a missing SQLite file', async () => {
    const usage = await runMigrate(['--from', 'somewhere'])
    expect(usage.code).toBe(2)
    expect(usage.stderr).toMatch(/^usage: npm run migrate -- --from sqlite:/)

    const emptyDir = tempDataDir()
    cleanups.push(async () => rmSync(emptyDir, { recursive: true, force: true }))
    const missing = join(emptyDir, 'nothing-here.db')
    const run = await runMigrate(['--from', `sqlite:${missing}`, '--to', 'postgres://postgres@127.0.0.1:5432/postgres'])
    expect(run.code).toBe(1)
    expect(run.stderr).toBe(`migration failed: no SQLite database at ${missing}\n`)
  })
})
