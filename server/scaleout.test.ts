/**
 * Several tandem processes sharing PostgreSQL and Redis, as behind a load balancer: stock
 * clients on different processes edit together, and nothing is lost when a process dies, when
 * Redis goes away for a while, or when PostgreSQL does.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { CloseCode } from '../protocol/closeCodes'
import { type ChildServer, spawnServer } from './test/child'
import { type TestClient, connectClient } from './test/clients'
import { type TestDatabase, createTestDatabase } from './test/postgres'
import { type LinkProxy, killRedisClients, startLinkProxy, testRedisUrl } from './test/redis'
import { waitFor } from './test/waitFor'
import { META_FIELD, TITLE_KEY } from '../protocol/fields'

const clients: TestClient[] = []
const children: ChildServer[] = []
const databases: TestDatabase[] = []
const proxies: LinkProxy[] = []

afterEach(async () => {
  for (const client of clients.splice(0)) client.destroy()
  await Promise.all(children.splice(0).map((child) => child.kill('SIGKILL')))
  await Promise.all(proxies.splice(0).map((proxy) => proxy.close()))
  await Promise.all(databases.splice(0).map((database) => database.drop()))
})

async function database(): Promise<TestDatabase> {
  const created = await createTestDatabase()
  databases.push(created)
  return created
}

/** Processes on one database and Redis, started together (their migrations race on purpose). */
async function cluster(db: TestDatabase, count: number, redisUrl: () => string = testRedisUrl): Promise<ChildServer[]> {
  const started = await Promise.all(
    Array.from({ length: count }, () => spawnServer({ DATABASE_URL: db.url, REDIS_URL: redisUrl() })),
  )
  children.push(...started)
  return started
}

function client(server: ChildServer, id: string, awareness?: Record<string, unknown>): TestClient {
  const created = connectClient(server.wsUrl, id, awareness === undefined ? {} : { awareness })
  clients.push(created)
  return created
}

async function createDocument(server: ChildServer, body: Record<string, unknown>): Promise<string> {
  const response = await fetch(`${server.url}/api/docs`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
  if (response.status !== 201) throw new Error(`create failed: ${response.status} ${await response.text()}`)
  return ((await response.json()) as { id: string }).id
}

async function storedText(server: ChildServer, id: string): Promise<string> {
  const response = await fetch(`${server.url}/api/docs/${id}/content?format=text`)
  if (response.status !== 200) throw new Error(`content: ${response.status} ${await response.text()}`)
  return response.text()
}

async function health(server: ChildServer): Promise<{ status: number; body: Record<string, string> }> {
  const response = await fetch(`${server.url}/healthz`)
  return { status: response.status, body: (await response.json()) as Record<string, string> }
}

/** Cross-process waits get more time: several processes share two cores with the test runner. */
function eventually<T>(check: () => T | Promise<T>, what: string): Promise<T> {
  return waitFor(check, { what, timeout: 20_000 })
}

function presentNames(observer: TestClient): string[] {
  return [...observer.provider.awareness.getStates().values()]
    .map((state) => (state as { user?: { name?: string } }).user?.name)
    .filter((name): name is string => name !== undefined)
    .sort()
}

/** Non-empty lines: exports separate paragraphs with blank lines, `text()` does not. */
function paragraphs(text: string): string[] {
  return text.split('\n').filter((line) => line !== '')
}

function lines(client: TestClient, prefix: string): string[] {
  return client
    .text()
    .split('\n')
    .filter((line) => line.startsWith(prefix))
}

// Each test starts its own processes (a few seconds each on a loaded 2-core machine).
describe('several processes sharing PostgreSQL and Redis', { timeout: 60_000 }, () => {
  it('converges clients on different processes, relays presence, and brings a late joiner on a third up to date', async () => {
    const [a, b, c] = await cluster(await database(), 3)
    const id = await createDocument(a!, { title: 'Shared', content: { format: 'text', body: 'seeded' } })
    const alice = client(a!, id)
    const bob = client(b!, id)
    await Promise.all([alice.synced(), bob.synced()])
    expect(bob.text()).toBe('seeded')

    alice.provider.awareness.setLocalState({ user: { name: 'Alice' } })
    bob.provider.awareness.setLocalState({ user: { name: 'Bob' } })
    for (let i = 0; i < 5; i++) {
      alice.appendParagraph(`alice ${i}`)
      bob.appendParagraph(`bob ${i}`)
    }
    await eventually(
      () => lines(alice, 'bob').length === 5 && lines(bob, 'alice').length === 5,
      'every edit on both processes',
    )
    await eventually(() => alice.text() === bob.text(), 'identical documents')
    await eventually(
      () => presentNames(alice).join() === 'Alice,Bob' && presentNames(bob).join() === 'Alice,Bob',
      'presence across processes',
    )

    const carol = client(c!, id, { user: { name: 'Carol' } })
    await carol.synced()
    expect(carol.text()).toBe(alice.text())
    expect(carol.doc.getMap(META_FIELD).get(TITLE_KEY)).toBe('Shared')
    await eventually(
      () => presentNames(alice).includes('Carol') && presentNames(bob).includes('Carol'),
      "the late joiner's presence on the other processes",
    )
    carol.appendParagraph('carol')
    await eventually(() => alice.text().includes('carol') && bob.text().includes('carol'), "carol's edit")

    bob.provider.awareness.setLocalState(null)
    await eventually(() => presentNames(alice).join() === 'Alice,Carol', "Bob's presence to go")
  })

  it('shows a client on a process that opens the document late who is already there', async () => {
    const [a, b] = await cluster(await database(), 2)
    const id = await createDocument(a!, { title: 'Present' })
    const alice = client(a!, id, { user: { name: 'Alice' } })
    await alice.synced()
    // Stops the stock client's 15-second renewal of its own state (y-protocols internals), so
    // the only way Bob can learn that Alice is there is the server.
    clearInterval((alice.provider.awareness as unknown as { _checkInterval: NodeJS.Timeout })._checkInterval)
    const bob = client(b!, id, { user: { name: 'Bob' } })
    await bob.synced()
    await eventually(() => presentNames(bob).join() === 'Alice,Bob', "Alice's presence at Bob")
  })

  it('carries renames, deletions and restores from the trash made over REST on one process to the clients of another', async () => {
    const [a, b] = await cluster(await database(), 2)
    const id = await createDocument(a!, { title: 'Before' })
    const reader = client(b!, id)
    await reader.synced()
    expect(reader.doc.getMap(META_FIELD).get(TITLE_KEY)).toBe('Before')

    const renamed = await fetch(`${a!.url}/api/docs/${id}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'After' }),
    })
    expect(renamed.status).toBe(200)
    await eventually(() => reader.doc.getMap(META_FIELD).get(TITLE_KEY) === 'After', 'the new title on process B')

    const deleted = await fetch(`${a!.url}/api/docs/${id}`, { method: 'DELETE' })
    expect(deleted.status).toBe(204)
    await eventually(() => reader.stopped(), 'the socket on process B to close for good')
    expect(reader.stopped()).toEqual({ code: CloseCode.notFound, reason: 'document deleted' })
    expect((await fetch(`${b!.url}/api/docs/${id}`)).status).toBe(404)

    // The deletion moved it to the trash of the shared database: restored on B, it opens on A.
    expect((await fetch(`${b!.url}/api/trash/${id}/restore`, { method: 'POST' })).status).toBe(200)
    const back = client(a!, id)
    await back.synced()
    expect(back.doc.getMap(META_FIELD).get(TITLE_KEY)).toBe('After')
    expect((await fetch(`${a!.url}/api/docs/${id}`, { method: 'DELETE' })).status).toBe(204)
    await eventually(() => back.stopped(), 'the socket on process A to close for good')
    expect((await fetch(`${b!.url}/api/trash/${id}`, { method: 'DELETE' })).status).toBe(204)
    expect((await fetch(`${a!.url}/api/trash/${id}/restore`, { method: 'POST' })).status).toBe(404)
  })

  it('loses nothing when a process is killed with SIGKILL mid-edit: its clients move to another and converge', async () => {
    const db = await database()
    const [a, b] = await cluster(db, 2)
    const id = await createDocument(a!, { title: 'Crash' })
    const writer = client(a!, id)
    const observerOnA = client(a!, id)
    const observerOnB = client(b!, id)
    const writerOnB = client(b!, id)
    await Promise.all([writer, observerOnA, observerOnB, writerOnB].map((c) => c.synced()))

    observerOnB.doc.on('update', () => {
      if (lines(observerOnB, 'a ').length >= 10) a!.process.kill('SIGKILL')
    })
    for (let i = 0; i < 20; i++) {
      writer.appendParagraph(`a ${i}`)
      writerOnB.appendParagraph(`b ${i}`)
    }
    await a!.exited
    const seen = new Set([...lines(observerOnA, 'a '), ...lines(observerOnB, 'a '), ...lines(writerOnB, 'a ')])
    expect(seen.size).toBeGreaterThanOrEqual(10)

    for (const moved of [writer, observerOnA]) moved.provider.serverUrl = b!.wsUrl
    writer.appendParagraph('a after the crash')
    const everyone = [writer, observerOnA, observerOnB, writerOnB]
    await eventually(
      () => everyone.every((c) => c.text().includes('a after the crash') && c.text().includes('b 19')),
      'the moved clients to catch up through process B',
    )
    await eventually(() => everyone.every((c) => c.text() === writer.text()), 'every client to converge')
    expect(lines(writer, 'a ')).toHaveLength(21)

    const [fresh] = await cluster(db, 1)
    const stored = paragraphs(await storedText(fresh!, id))
    for (const line of seen) expect(stored).toContain(line)
    await eventually(
      async () => paragraphs(await storedText(fresh!, id)).join() === paragraphs(writer.text()).join(),
      'everything stored',
    )
  })

  it('converges after Redis connections are killed mid-edit', async () => {
    const [a, b] = await cluster(await database(), 2)
    const id = await createDocument(a!, { title: 'Cut' })
    const alice = client(a!, id)
    const bob = client(b!, id)
    await Promise.all([alice.synced(), bob.synced()])
    const pids = [a!.process.pid, b!.process.pid].map(String)
    const ofTheseProcesses = (name: string) => pids.some((pid) => name.includes(`:${pid}:`))

    for (let i = 0; i < 30; i++) {
      alice.appendParagraph(`alice ${i}`)
      bob.appendParagraph(`bob ${i}`)
      if (i === 10) expect(await killRedisClients(ofTheseProcesses)).toBe(4)
    }
    await eventually(
      () => lines(alice, 'bob').length === 30 && lines(bob, 'alice').length === 30,
      'every edit on both processes',
    )
    await eventually(() => alice.text() === bob.text(), 'identical documents')
  })

  it('keeps serving local clients while Redis is unreachable, then resynchronises without losing an edit', async () => {
    const db = await database()
    const links = [await startLinkProxy(), await startLinkProxy()]
    proxies.push(...links)
    let next = 0
    const [a, b] = await cluster(db, 2, () => (links[next++] as LinkProxy).url)
    const id = await createDocument(a!, { title: 'Outage' })
    const alice = client(a!, id)
    const aliceNeighbour = client(a!, id)
    const bob = client(b!, id)
    await Promise.all([alice.synced(), aliceNeighbour.synced(), bob.synced()])
    alice.appendParagraph('before')
    await eventually(() => bob.text().includes('before'), 'the first edit to cross')

    for (const link of links) link.cut()
    await eventually(async () => (await health(a!)).body.fanout === 'unavailable', 'healthz to report Redis down')
    expect((await health(a!)).status).toBe(503)
    alice.appendParagraph('alice during the outage')
    bob.appendParagraph('bob during the outage')
    await eventually(
      () => aliceNeighbour.text().includes('alice during the outage'),
      'clients of the same process to keep working',
    )
    expect(bob.text()).not.toContain('alice during the outage')

    for (const link of links) link.restore()
    await eventually(
      () => alice.text().includes('bob during the outage') && bob.text().includes('alice during the outage'),
      'the processes to resynchronise',
    )
    await eventually(() => alice.text() === bob.text() && aliceNeighbour.text() === bob.text(), 'convergence')
    // The documents may converge (through storage) a moment before the Redis client says it is
    // ready again: health is waited for, not read once.
    await eventually(async () => (await health(a!)).body.fanout === 'ok', 'healthz to report Redis back')
    expect((await health(a!)).body).toEqual({ status: 'ok', storage: 'ok', fanout: 'ok' })
  })

  it('refuses updates with a clear close reason while PostgreSQL is unreachable, reports it, and takes them once it is back', async () => {
    const db = await database()
    const [a] = await cluster(db, 1)
    const id = await createDocument(a!, { title: 'No database' })
    const writer = client(a!, id)
    await writer.synced()

    await db.setAvailable(false)
    writer.appendParagraph('written while the database is away')
    await eventually(
      () => writer.closes.some((close) => close.code === CloseCode.internalError),
      'the socket to be closed',
    )
    expect(writer.closes).toContainEqual({ code: CloseCode.internalError, reason: 'storage unavailable' })
    const report = await health(a!)
    expect(report.status).toBe(503)
    expect(report.body).toMatchObject({ status: 'degraded', storage: 'unavailable' })

    await db.setAvailable(true)
    await eventually(
      async () => (await storedText(a!, id)).includes('written while the database is away'),
      'the refused edit to be resent and stored',
    )
    expect((await health(a!)).body.storage).toBe('ok')
  })
})
