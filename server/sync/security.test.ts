/**
 * Hostile and careless clients against a real server: tokens, origins, limits, impersonation.
 */
import { type Socket, connect } from 'node:net'
import * as decoding from 'lib0/decoding'
import { afterEach, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import * as Y from 'yjs'
import * as awarenessProtocol from 'y-protocols/awareness'
import { type Role, signToken } from '../common/auth'
import { type TestClient, connectClient } from '../test/clients'
import { type TestServer, startTestServer } from '../test/server'
import { captureUpdate, cloneDoc, rawUpdate } from '../test/updates'
import { waitFor } from '../test/waitFor'
import { CloseCode } from '../../protocol/closeCodes'
import { encodeAwareness, encodeSyncStep1, encodeSyncStep2, encodeUpdate } from './wire'
import { DOCUMENT_FIELD } from '../../protocol/fields'

const SECRET = 'socket-secret-0123456789'
const servers: TestServer[] = []
const clients: TestClient[] = []
const sockets: Array<WebSocket | Socket> = []

afterEach(async () => {
  for (const c of clients.splice(0)) c.destroy()
  for (const s of sockets.splice(0)) s instanceof WebSocket ? s.terminate() : s.destroy()
  for (const s of servers.splice(0)) await s.dispose()
})

async function server(env: Record<string, string> = {}): Promise<TestServer> {
  const s = await startTestServer(env)
  servers.push(s)
  return s
}

function client(s: TestServer, id: string, options?: Parameters<typeof connectClient>[2]): TestClient {
  const c = connectClient(s.wsUrl, id, options)
  clients.push(c)
  return c
}

interface RawSocket {
  ws: WebSocket
  frames: Uint8Array[]
  closed: Promise<{ code: number; reason: string }>
}

/** Opens a raw socket; resolves once open, or rejects with the HTTP status of a refused upgrade. */
function raw(url: string, options: WebSocket.ClientOptions = {}): Promise<RawSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, options)
    sockets.push(ws)
    const frames: Uint8Array[] = []
    ws.on('message', (data) => frames.push(new Uint8Array(data as Buffer)))
    ws.on('error', () => undefined)
    const closed = new Promise<{ code: number; reason: string }>((done) =>
      ws.on('close', (code, reason) => done({ code, reason: reason.toString() })),
    )
    ws.once('unexpected-response', (_, response) => {
      reject(Object.assign(new Error(`HTTP ${response.statusCode}`), { status: response.statusCode }))
      response.resume()
    })
    ws.once('open', () => resolve({ ws, frames, closed }))
  })
}

const refusal = (promise: Promise<unknown>) =>
  promise.then(
    () => 0,
    (error: { status?: number }) => error.status ?? -1,
  )

async function docWithText(s: TestServer, text: string, headers: Record<string, string> = {}): Promise<string> {
  return s.createDocument({ content: { format: 'text', body: text } }, headers)
}

const bodyOf = (doc: Y.Doc): Y.XmlText =>
  (doc.getXmlFragment(DOCUMENT_FIELD).get(0) as Y.XmlElement).get(0) as Y.XmlText

describe('access to the socket', () => {
  it('refuses missing, forged, expired and other-document tokens before upgrading', async () => {
    const s = await server({ AUTH_SECRET: SECRET })
    const admin = {
      authorization: `Bearer ${await signToken({ doc: '*', role: 'admin', expiresInSeconds: 600 }, SECRET)}`,
    }
    const id = await docWithText(s, 'secret', admin)
    const other = await docWithText(s, 'other', admin)
    const mint = (doc: string, role: Role, secret = SECRET, now = Date.now()) =>
      signToken({ doc, role, expiresInSeconds: 60 }, secret, now)
    expect(await refusal(raw(`${s.wsUrl}/${id}`))).toBe(401)
    expect(await refusal(raw(`${s.wsUrl}/${id}?token=${await mint(id, 'edit', 'wrong-secret-0123456789')}`))).toBe(401)
    expect(await refusal(raw(`${s.wsUrl}/${id}?token=${await mint(id, 'edit', SECRET, Date.now() - 3_600_000)}`))).toBe(
      401,
    )
    expect(await refusal(raw(`${s.wsUrl}/${id}?token=${await mint(other, 'edit')}`))).toBe(403)
    expect(await refusal(raw(`${s.wsUrl}/${id}?token=${await mint(id, 'view')}`))).toBe(0)
  })

  it('lets a view token read everything and share presence, but never write', async () => {
    const s = await server({ AUTH_SECRET: SECRET })
    const admin = {
      authorization: `Bearer ${await signToken({ doc: '*', role: 'admin', expiresInSeconds: 600 }, SECRET)}`,
    }
    const id = await docWithText(s, 'shared', admin)
    const token = (role: Role) => signToken({ doc: id, role, expiresInSeconds: 600 }, SECRET)
    const editor = client(s, id, { params: { token: await token('edit') }, awareness: { user: { name: 'Editor' } } })
    const viewer = client(s, id, { params: { token: await token('view') }, awareness: { user: { name: 'Viewer' } } })
    await Promise.all([editor.synced(), viewer.synced()])
    expect(viewer.text()).toBe('shared')
    editor.appendParagraph('edit by editor')
    await waitFor(() => viewer.text().includes('edit by editor'), { what: 'the viewer to receive edits' })
    await waitFor(
      () =>
        [...editor.provider.awareness.getStates().values()].some(
          (st) => (st as { user?: { name: string } }).user?.name === 'Viewer',
        ),
      { what: "the viewer's presence at the editor" },
    )

    viewer.appendParagraph('written by the viewer')
    const stopped = await waitFor(() => viewer.stopped(), { what: 'the viewer to be told 4403' })
    expect(stopped.code).toBe(CloseCode.forbidden)
    editor.appendParagraph('after')
    const fresh = client(s, id, { params: { token: await token('view') } })
    await waitFor(() => fresh.provider.synced && fresh.text().includes('after'), { what: 'a fresh reader' })
    expect(fresh.text()).not.toContain('written by the viewer')
    expect(editor.text()).not.toContain('written by the viewer')
  })

  it('refuses origins outside the allow-list with 403', async () => {
    const s = await server({ ALLOWED_ORIGINS: 'https://app.example.test' })
    const id = await docWithText(s, 'x')
    expect(await refusal(raw(`${s.wsUrl}/${id}`, { origin: 'https://evil.example.test' }))).toBe(403)
    expect(await refusal(raw(`${s.wsUrl}/${id}`, { origin: 'https://app.example.test' }))).toBe(0)
    expect(await refusal(raw(`${s.wsUrl}/${id}`, { origin: s.url }))).toBe(0)
    const sameOriginOnly = await server()
    const other = await docWithText(sameOriginOnly, 'x')
    expect(await refusal(raw(`${sameOriginOnly.wsUrl}/${other}`, { origin: 'https://evil.example.test' }))).toBe(403)
  })
})

describe('limits', () => {
  it('closes a socket that sends a frame over the payload limit with 1009', async () => {
    const s = await server({ MAX_PAYLOAD_BYTES: '65536' })
    const id = await docWithText(s, 'x')
    const socket = await raw(`${s.wsUrl}/${id}`)
    socket.ws.send(new Uint8Array(70_000))
    expect((await socket.closed).code).toBe(CloseCode.messageTooBig)
  })

  it('refuses growth past the document quota with 4413, and REST content past it with 413', async () => {
    const s = await server({ MAX_DOCUMENT_BYTES: '4096' })
    const id = await docWithText(s, 'small')
    const writer = client(s, id)
    await writer.synced()
    writer.appendParagraph('y'.repeat(5000))
    const stopped = await waitFor(() => writer.stopped(), { what: 'quota close' })
    expect(stopped.code).toBe(CloseCode.documentTooLarge)
    const response = await fetch(`${s.url}/api/docs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ content: { format: 'text', body: 'z'.repeat(5000) } }),
    })
    expect(response.status).toBe(413)
  })

  it('closes a socket that exceeds the message rate with 1008', async () => {
    const s = await server({ MAX_MESSAGES_PER_SECOND: '20' })
    const id = await docWithText(s, 'x')
    const socket = await raw(`${s.wsUrl}/${id}`)
    const step1 = encodeSyncStep1(Y.encodeStateVector(new Y.Doc()))
    for (let i = 0; i < 100; i++) socket.ws.send(step1)
    expect((await socket.closed).code).toBe(CloseCode.policyViolation)
  })

  it('limits connections and documents per address with 429, so one client cannot open 2,000 rooms', async () => {
    const s = await server({ MAX_CONNECTIONS_PER_IP: '8', MAX_ROOMS_PER_IP: '5' })
    const ids = await Promise.all(Array.from({ length: 7 }, () => docWithText(s, 'x')))
    const opened: RawSocket[] = []
    for (const id of ids.slice(0, 5)) opened.push(await raw(`${s.wsUrl}/${id}`))
    expect(await refusal(raw(`${s.wsUrl}/${ids[5]}`))).toBe(429)
    for (let i = 0; i < 3; i++) opened.push(await raw(`${s.wsUrl}/${ids[0]}`))
    expect(await refusal(raw(`${s.wsUrl}/${ids[1]}`))).toBe(429)
    opened[0]?.ws.close()
    await opened[0]?.closed
    await waitFor(async () => (await refusal(raw(`${s.wsUrl}/${ids[1]}`))) === 0, { what: 'a slot to free up' })
  })

  it('terminates a socket that stops reading, without affecting the others', async () => {
    const s = await server({ MAX_BUFFERED_BYTES: '65536', MAX_MESSAGES_PER_SECOND: '10000' })
    const id = await docWithText(s, 'x')
    const stalled = await raw(`${s.wsUrl}/${id}`)
    const underlying = (stalled.ws as unknown as { _socket: Socket })._socket
    underlying.pause()
    const writer = client(s, id)
    const reader = client(s, id)
    await Promise.all([writer.synced(), reader.synced()])
    let closed = false
    void stalled.closed.then(() => {
      closed = true
    })
    for (let i = 0; i < 200 && !closed; i++) {
      writer.appendParagraph(`${i} ${'w'.repeat(64_000)}`)
      await waitFor(() => reader.text().includes(`${i} w`), { what: 'the reader to keep up' })
    }
    underlying.resume()
    expect((await stalled.closed).code).toBe(1006)
    // Up to 200 round trips of 64 KB through two stock clients: 19 s on a loaded machine.
  }, 90_000)

  it('cuts off a half-finished upgrade request at the handshake deadline', async () => {
    const s = await server({ HANDSHAKE_TIMEOUT_MS: '300' })
    const id = await docWithText(s, 'x')
    const { port } = new URL(s.url)
    const socket = connect(Number(port), '127.0.0.1')
    sockets.push(socket)
    await new Promise((resolve) => socket.once('connect', resolve))
    const answer: Buffer[] = []
    socket.on('data', (chunk: Buffer) => answer.push(chunk))
    const started = Date.now()
    socket.write(`GET /ws/${id} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n`)
    await new Promise((resolve) => socket.once('close', resolve))
    expect(Date.now() - started).toBeLessThan(5000)
    expect(Buffer.concat(answer).toString()).toMatch(/^HTTP\/1\.1 408/)
  })

  it('answers an unrenderably deep stored document with a JSON error and keeps serving', async () => {
    const s = await server()
    const id = await docWithText(s, 'x')
    const deep = new Y.Doc()
    let node = new Y.XmlElement('blockquote')
    deep.getXmlFragment(DOCUMENT_FIELD).insert(0, [node])
    for (let i = 0; i < 1_500; i++) {
      const inner = new Y.XmlElement('blockquote')
      node.insert(0, [inner])
      node = inner
    }
    await s.tandem.store.appendUpdate(id, Y.encodeStateAsUpdate(deep))
    for (const format of ['html', 'json']) {
      const response = await fetch(`${s.url}/api/docs/${id}/content?format=${format}`)
      expect(response.status).toBe(422)
      expect(await response.json()).toEqual({
        error: { code: 'content_unrenderable', message: 'the document is too deeply nested to export' },
      })
    }
    expect((await fetch(`${s.url}/healthz`)).status).toBe(200)
  })
})

describe('client-id ownership through the server', () => {
  it('refuses content squatted under another live socket’s client id', async () => {
    const s = await server()
    const id = await docWithText(s, 'base')
    const victim = client(s, id)
    await victim.synced()
    bodyOf(victim.doc).insert(0, 'mine ')
    await waitFor(
      async () => (await (await fetch(`${s.url}/api/docs/${id}/content?format=text`)).text()) === 'mine base',
      {
        what: 'the victim’s edit stored',
      },
    )
    const attacker = await raw(`${s.wsUrl}/${id}`)
    const forged = cloneDoc(victim.doc)
    forged.clientID = victim.doc.clientID
    attacker.ws.send(encodeUpdate(captureUpdate(forged, (d) => bodyOf(d).insert(0, 'FORGED '))))
    bodyOf(victim.doc).insert(0, 'later ')
    const observer = client(s, id)
    await waitFor(() => observer.provider.synced && observer.text() === 'later mine base', {
      timeout: 5000,
      what: 'the victim’s next edit to win',
    })
    expect(victim.text()).toBe('later mine base')
  })

  it('converges within seconds when a tab reconnects while its old socket is half-open', async () => {
    const s = await server()
    const id = await docWithText(s, 'base')
    const tab = new Y.Doc()
    const old = await raw(`${s.wsUrl}/${id}`, { autoPong: false })
    await waitFor(() => old.frames.length > 0, { what: 'the server step 1' })
    old.ws.send(encodeSyncStep1(Y.encodeStateVector(tab)))
    const isStep2 = (frame: Uint8Array) => frame[0] === 0 && frame[1] === 1
    const step2 = await waitFor(() => old.frames.find(isStep2), { what: 'the initial state' })
    const decoder = decoding.createDecoder(step2)
    decoder.pos = 2
    Y.applyUpdate(tab, decoding.readVarUint8Array(decoder))
    old.ws.send(encodeUpdate(captureUpdate(tab, (d) => bodyOf(d).insert(0, 'online '))))
    const underlying = (old.ws as unknown as { _socket: Socket })._socket
    underlying.pause()
    captureUpdate(tab, (d) => bodyOf(d).insert(0, 'while reconnecting '))

    const started = Date.now()
    const reconnected = client(s, id, { doc: tab })
    await waitFor(
      async () =>
        (await (await fetch(`${s.url}/api/docs/${id}/content?format=text`)).text()) ===
        'while reconnecting online base',
      { timeout: 6000, what: 'the reconnected tab’s edits to land' },
    )
    expect(Date.now() - started).toBeLessThan(5000)
    expect(reconnected.text()).toBe('while reconnecting online base')
  })

  it('refuses a pre-deletion of another client’s next characters from a connected socket', async () => {
    const s = await server()
    const id = await docWithText(s, 'alpha')
    const victim = client(s, id)
    const attacker = await raw(`${s.wsUrl}/${id}`)
    await victim.synced()
    const next = Y.getState(victim.doc.store, victim.doc.clientID)
    attacker.ws.send(encodeUpdate(rawUpdate(victim.doc.clientID, 0, [], [[victim.doc.clientID, next, 3]])))
    attacker.ws.send(encodeSyncStep1(Y.encodeStateVector(new Y.Doc())))
    let closeCode = 0
    void attacker.closed.then(({ code }) => (closeCode = code))
    await waitFor(() => closeCode !== 0 || attacker.frames.some((frame) => frame[0] === 0 && frame[1] === 1), {
      what: 'the server to handle the pre-deletion',
    })
    bodyOf(victim.doc).insert(0, 'mine')
    const observer = client(s, id)
    const settled = await waitFor(
      () =>
        observer.provider.synced && observer.text().endsWith('alpha') && observer.text() !== 'alpha'
          ? observer.text()
          : undefined,
      {
        what: 'the victim’s edit to reach an observer',
      },
    )
    expect(settled).toBe('minealpha')
    expect(victim.text()).toBe('minealpha')
    expect(closeCode).toBe(CloseCode.tryAgainLater)
  })

  it('ignores presence echoed for other clients and lets nobody speak for another', async () => {
    const s = await server()
    const id = await docWithText(s, 'x')
    const alice = client(s, id, { awareness: { user: { name: 'Alice' } } })
    const bob = client(s, id, { awareness: { user: { name: 'Bob' } } })
    await Promise.all([alice.synced(), bob.synced()])
    const named = (c: TestClient, name: string) =>
      [...c.provider.awareness.getStates().values()].some(
        (st) => (st as { user?: { name: string } }).user?.name === name,
      )
    await waitFor(() => named(alice, 'Bob') && named(bob, 'Alice'), { what: 'presence both ways' })
    const impostor = await raw(`${s.wsUrl}/${id}`)
    const fake = new awarenessProtocol.Awareness(new Y.Doc())
    fake.clientID = alice.doc.clientID
    fake.setLocalState({ user: { name: 'Mallory' } })
    fake.setLocalState({ user: { name: 'Mallory' } })
    fake.setLocalState({ user: { name: 'Mallory' } })
    impostor.ws.send(encodeAwareness(awarenessProtocol.encodeAwarenessUpdate(fake, [alice.doc.clientID])))
    const removal = awarenessProtocol.encodeAwarenessUpdate(fake, [alice.doc.clientID])
    impostor.ws.send(encodeAwareness(removal))
    bob.appendParagraph('sync marker')
    await waitFor(() => alice.text().includes('sync marker'), { what: 'a round trip after the impostor' })
    expect(named(bob, 'Mallory')).toBe(false)
    expect(named(bob, 'Alice')).toBe(true)
  })
})

describe('sync step 2 from a reconnecting client', () => {
  it('accepts offline work sent as sync step 2', async () => {
    const s = await server()
    const id = await docWithText(s, 'base')
    const first = client(s, id)
    await first.synced()
    const offline = cloneDoc(first.doc)
    first.destroy()
    bodyOf(offline).insert(0, 'offline ')
    const socket = await raw(`${s.wsUrl}/${id}`)
    socket.ws.send(encodeSyncStep2(Y.encodeStateAsUpdate(offline)))
    await waitFor(
      async () => (await (await fetch(`${s.url}/api/docs/${id}/content?format=text`)).text()) === 'offline base',
      {
        what: 'offline work stored',
      },
    )
  })
})
