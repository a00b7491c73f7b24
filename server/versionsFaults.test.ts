/**
 * Versions under faults and with several processes: a `kill -9` during a restore leaves either
 * state, never a mix (the content restored and its "before" version kept, or neither); processes
 * sharing PostgreSQL record one automatic version of a moment, with every process's authors.
 */
import { rmSync } from 'node:fs'
import { afterEach, describe, expect, it } from 'vitest'
import type { VersionDto, VersionPageDto } from '../protocol/api'
import { type ChildServer, freePort, spawnServer } from './test/child'
import { type TestClient, connectClient } from './test/clients'
import { type TestDatabase, createTestDatabase } from './test/postgres'
import { fuzzSeed, seededRandom } from './test/random'
import { testRedisUrl, uniquePrefix } from './test/redis'
import { tempDataDir } from './test/server'
import { waitFor } from './test/waitFor'

const clients: TestClient[] = []
const children: ChildServer[] = []
const dirs: string[] = []
const databases: TestDatabase[] = []

afterEach(async () => {
  for (const client of clients.splice(0)) client.destroy()
  await Promise.all(children.splice(0).map((child) => child.kill('SIGKILL')))
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
  await Promise.all(databases.splice(0).map((database) => database.drop()))
})

async function spawn(env: Record<string, string>): Promise<ChildServer> {
  const child = await spawnServer({ LOG_LEVEL: 'info', ...env })
  children.push(child)
  return child
}

async function json<T>(url: string, init: RequestInit = {}): Promise<T> {
  const response = await fetch(url, {
    ...init,
    headers: init.body === undefined ? {} : { 'content-type': 'application/json' },
  })
  if (!response.ok) throw new Error(`${init.method ?? 'GET'} ${url}: ${response.status} ${await response.text()}`)
  return (await response.json()) as T
}

async function text(url: string): Promise<string> {
  const response = await fetch(url)
  if (response.status !== 200) throw new Error(`${url}: ${response.status}`)
  return (await response.text())
    .split('\n')
    .filter((line) => line !== '')
    .join('\n')
}

const eventually = <T>(check: () => T | Promise<T>, what: string) => waitFor(check, { what, timeout: 20_000 })

describe('versions under faults', { timeout: 120_000 }, () => {
  const seed = fuzzSeed(1414)
  it(`a kill -9 during a restore leaves the restore with its "before" version, or nothing (seed ${seed})`, async () => {
    const random = seededRandom(seed)
    const dataDir = tempDataDir()
    dirs.push(dataDir)
    const port = String(await freePort())
    const env = { DATA_DIR: dataDir, PORT: port, VERSION_IDLE_MS: '600000' }
    let server = await spawn(env)
    const { id } = await json<{ id: string }>(`${server.url}/api/docs`, {
      method: 'POST',
      body: JSON.stringify({ title: 'crash', content: { format: 'text', body: 'original' } }),
    })
    const saved = await json<VersionDto>(`${server.url}/api/docs/${id}/versions`, {
      method: 'POST',
      body: JSON.stringify({ name: 'original' }),
    })
    const outcomes = { restored: 0, untouched: 0 }
    for (let round = 0; round < 3; round++) {
      // Change the document away from the version, then restore it and kill the server meanwhile.
      const writer = connectClient(server.wsUrl, id)
      clients.push(writer)
      await writer.synced()
      const edit = `edit ${round}`
      writer.appendParagraph(edit)
      await eventually(
        async () => (await text(`${server.url}/api/docs/${id}/content?format=text`)).endsWith(edit),
        'edit stored',
      )
      writer.destroy()
      const before = await text(`${server.url}/api/docs/${id}/content?format=text`)
      const versionsBefore = (await json<VersionPageDto>(`${server.url}/api/docs/${id}/versions?limit=100`)).items
      const restoring = fetch(`${server.url}/api/docs/${id}/versions/${saved.id}/restore`, { method: 'POST' }).catch(
        () => null,
      )
      await new Promise((resolve) => setTimeout(resolve, random.int(40)))
      await server.kill('SIGKILL')
      await restoring
      server = await spawn(env)
      const after = await text(`${server.url}/api/docs/${id}/content?format=text`)
      const versionsAfter = (await json<VersionPageDto>(`${server.url}/api/docs/${id}/versions?limit=100`)).items
      const added = versionsAfter.filter((version) => !versionsBefore.some((old) => old.id === version.id))
      if (after === 'original') {
        // Restored: its "before" version is there and holds the state replaced.
        expect(added.map((version) => version.kind)).toEqual(['restore'])
        expect(await text(`${server.url}/api/docs/${id}/versions/${added[0]?.id}/content?format=text`)).toBe(before)
        outcomes.restored++
      } else {
        expect(after).toBe(before)
        expect(added).toEqual([])
        outcomes.untouched++
      }
    }
    expect(outcomes.restored + outcomes.untouched).toBe(3)
  })
})

describe('versions with several processes sharing PostgreSQL', { timeout: 90_000 }, () => {
  it('records one automatic version of a moment, naming the authors of every process', async () => {
    const db = await createTestDatabase()
    databases.push(db)
    const env = {
      DATABASE_URL: db.url,
      REDIS_URL: testRedisUrl(),
      REDIS_PREFIX: uniquePrefix(),
      VERSION_IDLE_MS: '1000',
    }
    // One after the other: two starting at once on a loaded machine may miss the start-up deadline.
    const a = await spawn(env)
    const b = await spawn(env)
    const { id } = await json<{ id: string }>(`${a.url}/api/docs`, {
      method: 'POST',
      body: JSON.stringify({ title: 'Shared' }),
    })
    const alice = connectClient(a.wsUrl, id, { params: { name: 'Alice' } })
    const bob = connectClient(b.wsUrl, id, { params: { name: 'Bob' } })
    clients.push(alice, bob)
    await Promise.all([alice.synced(), bob.synced()])
    for (let round = 0; round < 3; round++) {
      alice.appendParagraph(`alice ${round}`)
      bob.appendParagraph(`bob ${round}`)
    }
    await eventually(
      () => alice.text() === bob.text() && alice.text().includes('bob 2') && bob.text().includes('alice 2'),
      'both editors converge',
    )
    const final = alice.text()
    // Quiet now: each process's timer fires, and the database keeps one version of this state.
    const versions = await eventually(async () => {
      const items = (await json<VersionPageDto>(`${a.url}/api/docs/${id}/versions?limit=100`)).items
      const newest = items[0]
      if (newest === undefined) return false
      const content = await text(`${a.url}/api/docs/${id}/versions/${newest.id}/content?format=text`)
      return (
        content ===
          final
            .split('\n')
            .filter((line) => line !== '')
            .join('\n') && items
      )
    }, 'an automatic version of the final state')
    // Each process names the authors it noted: in its own version of a moment, or in the one the
    // other process recorded first (an author noted after that version was cut joins it).
    const items = await eventually(async () => {
      const page = (await json<VersionPageDto>(`${b.url}/api/docs/${id}/versions?limit=100`)).items
      const named = new Set(page.flatMap((item) => item.authors.map((author) => author.name)))
      return named.has('Alice') && named.has('Bob') && page
    }, 'both authors named')
    expect(items.length).toBeGreaterThanOrEqual(versions.length)
    expect(items.every((item) => item.kind === 'auto')).toBe(true)
    // Under load, edits may be spread over more than one quiet period (several moments), but no
    // two versions are of the same moment: their contents all differ.
    const contents = await Promise.all(
      items.map((item) => text(`${a.url}/api/docs/${id}/versions/${item.id}/content?format=text`)),
    )
    expect(new Set(contents).size).toBe(contents.length)
    const authors = new Set(items.flatMap((item) => item.authors.map((author) => author.name)))
    expect([...authors].sort()).toEqual(['Alice', 'Bob'])
  })
})
