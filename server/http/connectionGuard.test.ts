import { type Socket, connect } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { type TestServer, startTestServer } from '../test/server'
import { waitFor } from '../test/waitFor'

const servers: TestServer[] = []
const open: Array<Socket | WebSocket> = []
afterEach(async () => {
  for (const socket of open.splice(0)) socket instanceof WebSocket ? socket.terminate() : socket.destroy()
  for (const server of servers.splice(0)) await server.dispose()
})

async function server(env: Record<string, string>): Promise<TestServer> {
  const started = await startTestServer(env)
  servers.push(started)
  return started
}

interface Connection {
  socket: Socket
  received(): string
  isClosed(): boolean
}

async function tcp(s: TestServer): Promise<Connection> {
  const socket = connect(Number(new URL(s.url).port), '127.0.0.1')
  open.push(socket)
  socket.on('error', () => undefined)
  let received = ''
  let closed = false
  socket.on('data', (chunk: Buffer) => {
    received += chunk.toString()
  })
  socket.on('close', () => {
    closed = true
  })
  await new Promise((resolve) => socket.once('connect', resolve))
  return { socket, received: () => received, isClosed: () => closed }
}

async function webSocket(s: TestServer, id: string): Promise<WebSocket> {
  const ws = new WebSocket(`${s.wsUrl}/${id}`)
  open.push(ws)
  await new Promise((resolve, reject) => {
    ws.once('open', resolve)
    ws.once('error', reject)
  })
  return ws
}

/** A plain HTTP connection the server has accepted and counted: it answered a request on it. */
async function plain(s: TestServer): Promise<Connection> {
  const connection = await tcp(s)
  connection.socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n')
  await waitFor(() => connection.received().startsWith('HTTP/1.1 ') || connection.isClosed(), { what: 'an answer' })
  return connection
}

describe('connections that never send a byte', () => {
  it('are destroyed at the handshake deadline', async () => {
    const s = await server({ HANDSHAKE_TIMEOUT_MS: '300' })
    const silent = await Promise.all(Array.from({ length: 5 }, () => tcp(s)))
    const started = Date.now()
    await waitFor(() => silent.every((connection) => connection.isClosed()), {
      what: 'silent connections to be closed',
      timeout: 5000,
    })
    expect(Date.now() - started).toBeLessThan(3000)
    expect(silent.map((connection) => connection.received())).toEqual(['', '', '', '', ''])
    const metrics = await (await fetch(`${s.url}/metrics`)).text()
    expect(metrics).toMatch(/tandem_connections_refused_total\{reason="no_request"\} 5/)
  })

  it('leave alone a connection that has sent its request, and a WebSocket', async () => {
    const s = await server({ HANDSHAKE_TIMEOUT_MS: '300' })
    const id = await s.createDocument()
    const ws = await webSocket(s, id)
    const keptAlive = await plain(s)
    expect(keptAlive.received()).toMatch(/^HTTP\/1\.1 200/)
    const silent = await tcp(s)
    await waitFor(() => silent.isClosed(), { what: 'the silent connection to be closed', timeout: 5000 })
    expect(ws.readyState).toBe(WebSocket.OPEN)
    expect(keptAlive.isClosed()).toBe(false)
  })
})

describe('MAX_HTTP_CONNECTIONS_PER_IP', () => {
  it('answers connections beyond the cap with 429 and closes them; a closed one frees its slot', async () => {
    const s = await server({ MAX_HTTP_CONNECTIONS_PER_IP: '3' })
    const held = [await plain(s), await plain(s), await plain(s)]
    const refused = await tcp(s)
    await waitFor(() => refused.isClosed(), { what: 'the fourth connection to be closed' })
    expect(refused.received()).toMatch(/^HTTP\/1\.1 429 [\s\S]*"code":"rate_limited"/)
    held[0]?.socket.destroy()
    const again = await waitFor(
      async () => {
        const next = await plain(s)
        return next.received().startsWith('HTTP/1.1 200') && next
      },
      { what: 'a slot to free up' },
    )
    for (const connection of [...held, again]) connection.socket.destroy()
    const metrics = await waitFor(
      async () => {
        const response = await fetch(`${s.url}/metrics`)
        return response.status === 200 && (await response.text())
      },
      { what: 'the metrics' },
    )
    expect(metrics).toMatch(/tandem_connections_refused_total\{reason="http_connections_per_ip"\} [1-9]/)
  })

  it('does not count WebSockets: an address may hold more sockets than the cap, and still make requests', async () => {
    // 3: the test's own fetch keeps the connection that created the document alive.
    const s = await server({ MAX_HTTP_CONNECTIONS_PER_IP: '3' })
    const id = await s.createDocument()
    const sockets: WebSocket[] = []
    for (let index = 0; index < 6; index++) sockets.push(await webSocket(s, id))
    const first = await plain(s)
    const second = await plain(s)
    expect([first.received(), second.received()].every((answer) => answer.startsWith('HTTP/1.1 200'))).toBe(true)
    expect(sockets.every((ws) => ws.readyState === WebSocket.OPEN)).toBe(true)
  })

  it('is off at 0', async () => {
    const s = await server({ MAX_HTTP_CONNECTIONS_PER_IP: '0' })
    const many = await Promise.all(Array.from({ length: 80 }, () => plain(s)))
    expect(many.every((connection) => connection.received().startsWith('HTTP/1.1 200'))).toBe(true)
  })
})
