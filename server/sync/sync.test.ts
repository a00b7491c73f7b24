import * as encoding from 'lib0/encoding'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import WebSocket from 'ws'
import * as Y from 'yjs'
import { type TestClient, bodyText, connectClient } from '../test/clients'
import { type TestServer, startTestServer } from '../test/server'
import { clockPasses, waitFor } from '../test/waitFor'
import { CloseCode } from '../../protocol/closeCodes'
import { encodeSyncStep1, encodeUpdate } from './wire'
import { DOCUMENT_FIELD, META_FIELD, TITLE_KEY } from '../../protocol/fields'

let server: TestServer
const clients: TestClient[] = []
const sockets: WebSocket[] = []

function client(docId: string, options?: Parameters<typeof connectClient>[2]): TestClient {
  const c = connectClient(server.wsUrl, docId, options)
  clients.push(c)
  return c
}

/** A raw socket, for sending what no stock client would. */
async function rawSocket(docId: string): Promise<{ ws: WebSocket; closed: Promise<{ code: number; reason: string }> }> {
  const ws = new WebSocket(`${server.wsUrl}/${docId}`)
  sockets.push(ws)
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  )
  ws.on('error', () => undefined)
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve())
    ws.once('error', reject)
  })
  return { ws, closed }
}

beforeEach(async () => {
  server = await startTestServer()
})
afterEach(async () => {
  for (const c of clients.splice(0)) c.destroy()
  for (const ws of sockets.splice(0)) ws.terminate()
  await server.dispose()
})

describe('sync between stock y-websocket clients', () => {
  it('converges two clients, brings a late joiner up to date, and relays presence until a client leaves', async () => {
    const id = await server.createDocument({ title: 'Together', content: { format: 'text', body: 'seeded' } })
    const alice = client(id, { awareness: { user: { name: 'Alice' } } })
    const bob = client(id, { awareness: { user: { name: 'Bob' } } })
    await Promise.all([alice.synced(), bob.synced()])
    expect(alice.text()).toBe('seeded')
    expect(alice.doc.getMap(META_FIELD).get(TITLE_KEY)).toBe('Together')

    alice.appendParagraph('from alice')
    bob.appendParagraph('from bob')
    await waitFor(() => alice.text().includes('from bob') && bob.text().includes('from alice'), {
      what: 'both edits on both',
    })
    expect(alice.text()).toBe(bob.text())

    const carol = client(id)
    await carol.synced()
    await waitFor(() => carol.text() === alice.text(), { what: 'late joiner to catch up' })

    const names = (c: TestClient) =>
      [...c.provider.awareness.getStates().values()].map((state) => (state as { user?: { name: string } }).user?.name)
    await waitFor(() => names(bob).includes('Alice'), { what: "Alice's presence at Bob" })
    await waitFor(() => names(carol).includes('Alice') && names(carol).includes('Bob'), { what: 'presence at Carol' })

    alice.destroy()
    await waitFor(() => !names(bob).includes('Alice') && !names(carol).includes('Alice'), {
      timeout: 3000,
      what: "Alice's presence to disappear at once",
    })
  })

  it('closes a socket for an unknown or malformed document id with 4404; a malformed one never reaches storage', async () => {
    const store = server.tandem.store
    const load = store.load.bind(store)
    const loaded: string[] = []
    store.load = (docId) => {
      loaded.push(docId)
      return load(docId)
    }
    for (const id of ['AAAAAAAAAAAAAAAAAAAAAA', 'not-a-document-id', 'AAAAAAAAAAAAAAAAAAAAA%3D']) {
      const { closed } = await rawSocket(id)
      expect((await closed).code).toBe(CloseCode.notFound)
    }
    expect(loaded).toEqual(['AAAAAAAAAAAAAAAAAAAAAA'])
  })

  it('closes open sockets with 4404 when the document is deleted, and stock clients stop retrying', async () => {
    const id = await server.createDocument()
    const reader = client(id)
    await reader.synced()
    const response = await fetch(`${server.url}/api/docs/${id}`, { method: 'DELETE' })
    expect(response.status).toBe(204)
    const stopped = await waitFor(() => reader.stopped(), { what: 'the client to give up with 4404' })
    expect(stopped.code).toBe(CloseCode.notFound)
    expect(reader.provider.wsconnected).toBe(false)
  })

  it('shows a rename to open editors through the document', async () => {
    const id = await server.createDocument({ title: 'Before' })
    const reader = client(id)
    await reader.synced()
    expect(reader.doc.getMap(META_FIELD).get(TITLE_KEY)).toBe('Before')
    await fetch(`${server.url}/api/docs/${id}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'After' }),
    })
    await waitFor(() => reader.doc.getMap(META_FIELD).get(TITLE_KEY) === 'After', { what: 'live rename' })
  })

  it('moves updatedAt and the REST content when content changes over the socket', async () => {
    const id = await server.createDocument()
    const before = (await (await fetch(`${server.url}/api/docs/${id}`)).json()) as { updatedAt: string }
    const writer = client(id)
    await writer.synced()
    await clockPasses(Date.parse(before.updatedAt))
    writer.appendParagraph('typed over the socket')
    await waitFor(
      async () =>
        (await (await fetch(`${server.url}/api/docs/${id}/content?format=text`)).text()).includes(
          'typed over the socket',
        ),
      { what: 'REST content to include the edit' },
    )
    const after = (await (await fetch(`${server.url}/api/docs/${id}`)).json()) as { updatedAt: string }
    expect(Date.parse(after.updatedAt)).toBeGreaterThan(Date.parse(before.updatedAt))
  })
})

describe('malformed socket input', () => {
  async function expectRefused(id: string, send: (ws: WebSocket) => void): Promise<void> {
    const { ws, closed } = await rawSocket(id)
    send(ws)
    const { code } = await closed
    expect([CloseCode.badMessage, 1007]).toContain(code)
  }

  it('closes only the sender, leaves the document unchanged and keeps the others syncing', async () => {
    const id = await server.createDocument({ content: { format: 'text', body: 'original' } })
    const witness = client(id)
    await witness.synced()
    const stateBefore = Y.encodeStateAsUpdate(witness.doc)

    const good = new Y.Doc()
    Y.applyUpdate(good, stateBefore)
    const body = good.getXmlFragment(DOCUMENT_FIELD).get(0) as Y.XmlElement
    const capture: Uint8Array[] = []
    good.on('update', (update: Uint8Array) => capture.push(update))
    ;(body.get(0) as Y.XmlText).insert(0, 'EVIL ')
    const update = capture[0] as Uint8Array

    const truncated = encodeUpdate(update.subarray(0, update.length - 3))
    const random = Uint8Array.from({ length: 64 }, (_, i) => (i * 73 + 11) % 256)
    const badLength = (() => {
      const e = encoding.createEncoder()
      encoding.writeVarUint(e, 0)
      encoding.writeVarUint(e, 2)
      encoding.writeVarUint(e, 9999)
      encoding.writeUint8Array(e, update)
      return encoding.toUint8Array(e)
    })()

    await expectRefused(id, (ws) => ws.send('hello, I am text'))
    await expectRefused(id, (ws) => ws.send(random))
    await expectRefused(id, (ws) => ws.send(truncated))
    await expectRefused(id, (ws) => ws.send(badLength))
    await expectRefused(id, (ws) => ws.send(Uint8Array.of(0, 7, 1, 0)))
    await expectRefused(id, (ws) => ws.send(Uint8Array.of(9)))
    await expectRefused(id, (ws) => ws.send(Uint8Array.of(1, 3, 1, 2)))

    witness.appendParagraph('still syncing')
    const checker = client(id)
    await checker.synced()
    await waitFor(() => checker.text() === 'original\nstill syncing', { what: 'later edits to flow' })
    expect(bodyText(witness.doc)).not.toContain('EVIL')
    const health = await fetch(`${server.url}/healthz`)
    expect(health.status).toBe(200)
  })

  it('answers a raw sync step 1 with the stored state', async () => {
    const id = await server.createDocument({ content: { format: 'text', body: 'hello' } })
    const { ws } = await rawSocket(id)
    const frames: Uint8Array[] = []
    ws.on('message', (data) => frames.push(new Uint8Array(data as Buffer)))
    ws.send(encodeSyncStep1(Y.encodeStateVector(new Y.Doc())))
    await waitFor(() => frames.some((frame) => frame[0] === 0 && frame[1] === 1), { what: 'sync step 2' })
  })
})

describe('faults below the message handler', () => {
  const content = async (id: string) => (await fetch(`${server.url}/api/docs/${id}/content?format=text`)).text()

  it('survives a throw while handling a message: that room reloads with 1011, other documents keep syncing', async () => {
    const broken = await server.createDocument({ content: { format: 'text', body: 'broken' } })
    const healthy = await server.createDocument({ content: { format: 'text', body: 'healthy' } })
    const writer = client(broken)
    const other = client(healthy)
    await Promise.all([writer.synced(), other.synced()])
    const store = server.tandem.store
    const append = store.appendUpdate.bind(store)
    const injected = vi.spyOn(store, 'appendUpdate').mockImplementation((id, update) => {
      if (id === broken) throw new Error('injected')
      return append(id, update)
    })
    try {
      writer.appendParagraph('kept')
      await waitFor(() => writer.closes.some((close) => close.code === CloseCode.internalError), {
        what: 'the writer closed with 1011',
      })
      other.appendParagraph('still syncing')
      await waitFor(async () => (await content(healthy)) === 'healthy\n\nstill syncing', {
        what: 'the other document to keep working',
      })
    } finally {
      injected.mockRestore()
    }
    await waitFor(async () => (await content(broken)) === 'broken\n\nkept', {
      what: 'the reconnected writer to resend its edit',
    })
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200)
  })

  it('closes a socket with 1013 once what it sent before its document loaded exceeds one message’s worth of bytes', async () => {
    const s = await startTestServer({ MAX_PAYLOAD_BYTES: '4096' })
    let release = (): void => undefined
    const loaded = new Promise<void>((resolve) => (release = resolve))
    try {
      const id = await s.createDocument()
      const load = s.tandem.store.load.bind(s.tandem.store)
      vi.spyOn(s.tandem.store, 'load').mockImplementation(async (docId) => {
        await loaded
        return load(docId)
      })
      const open = (): Promise<{ ws: WebSocket; closed: Promise<string> }> =>
        new Promise((resolve, reject) => {
          const ws = new WebSocket(`${s.wsUrl}/${id}`)
          sockets.push(ws)
          const closed = new Promise<string>((done) =>
            ws.on('close', (code, reason) => done(`${code} ${reason.toString()}`)),
          )
          ws.once('open', () => resolve({ ws, closed }))
          ws.once('error', reject)
        })
      const small = await open()
      const flooding = await open()
      const step1 = encodeSyncStep1(Y.encodeStateVector(new Y.Doc()))
      small.ws.send(step1)
      const chunk = encodeUpdate(new Uint8Array(3000))
      for (let i = 0; i < 3; i++) flooding.ws.send(chunk)
      expect(await flooding.closed).toBe(`${CloseCode.tryAgainLater} document still loading`)
      const frames: Uint8Array[] = []
      small.ws.on('message', (data) => frames.push(new Uint8Array(data as Buffer)))
      release()
      await waitFor(() => frames.some((frame) => frame[0] === 0 && frame[1] === 1), {
        what: 'the queued step 1 answered',
      })
    } finally {
      release()
      vi.restoreAllMocks()
      await s.dispose()
    }
  })
})
