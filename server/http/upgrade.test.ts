import { request as httpRequest } from 'node:http'
import { afterEach, describe, expect, it } from 'vitest'
import { signToken } from '../common/auth'
import { TandemError } from '../common/errors'
import { LOOPBACK_HOSTS } from './hosts'
import { type TestApp, createTestApp } from '../test/app'
import { type TestServer, startTestServer } from '../test/server'
import { statusOf } from './errors'
import { type UpgradePolicy, type UpgradeRequest, admitUpgrade, parseShareSyncTarget, parseSyncTarget } from './upgrade'

const SECRET = 'upgrade-test-secret-0123456789'

const open: Array<{ dispose(): Promise<void> }> = []
afterEach(async () => {
  await Promise.all(open.splice(0).map((item) => item.dispose()))
})

const policy = (overrides: Partial<UpgradePolicy> = {}): UpgradePolicy => ({
  authSecret: null,
  allowedHosts: [...LOOPBACK_HOSTS, 'tandem.example.test'],
  allowedOrigins: null,
  trustProxy: false,
  admit: () => null,
  ...overrides,
})

const request = (overrides: Partial<UpgradeRequest> = {}): UpgradeRequest => ({
  docId: 'doc',
  token: null,
  origin: undefined,
  host: 'tandem.example.test',
  forwardedFor: undefined,
  remoteAddress: '10.0.0.1',
  ...overrides,
})

async function refusalStatus(promise: Promise<unknown>): Promise<number> {
  try {
    await promise
  } catch (error) {
    if (error instanceof TandemError) return statusOf(error.code)
    throw error
  }
  return 0
}

describe('admitUpgrade', () => {
  it('admits origins on the allowed hosts, listed origins and clients without an Origin; refuses others with 403', async () => {
    expect(await refusalStatus(admitUpgrade(policy(), request()))).toBe(0)
    expect(await refusalStatus(admitUpgrade(policy(), request({ origin: 'https://tandem.example.test' })))).toBe(0)
    // Loopback pages on any port: the Vite dev server on 5173 proxies to the API on 8080.
    expect(
      await refusalStatus(admitUpgrade(policy(), request({ host: 'localhost:5173', origin: 'http://localhost:5173' }))),
    ).toBe(0)
    expect(
      await refusalStatus(admitUpgrade(policy(), request({ host: '127.0.0.1:8080', origin: 'http://localhost:5173' }))),
    ).toBe(0)
    expect(await refusalStatus(admitUpgrade(policy(), request({ origin: 'https://evil.example.test' })))).toBe(403)
    expect(await refusalStatus(admitUpgrade(policy(), request({ origin: 'not a url' })))).toBe(403)
    expect(await refusalStatus(admitUpgrade(policy(), request({ origin: 'null' })))).toBe(403)
    const listed = policy({ allowedOrigins: ['https://app.example.test'] })
    expect(await refusalStatus(admitUpgrade(listed, request({ origin: 'https://app.example.test' })))).toBe(0)
    expect(
      await refusalStatus(
        admitUpgrade(policy({ allowedOrigins: ['*'] }), request({ origin: 'https://any.example.test' })),
      ),
    ).toBe(0)
  })

  it('refuses a Host the server does not answer to with 421, and judges Origin by the allowed hosts, not by Host', async () => {
    const rebound = request({ host: 'rebind.evil.example', origin: 'http://rebind.evil.example' })
    expect(await refusalStatus(admitUpgrade(policy(), rebound))).toBe(421)
    expect(await refusalStatus(admitUpgrade(policy(), request({ host: 'rebind.evil.example' })))).toBe(421)
    expect(await refusalStatus(admitUpgrade(policy(), request({ host: undefined })))).toBe(421)
    await expect(admitUpgrade(policy(), rebound)).rejects.toMatchObject({ code: 'host_not_allowed' })
    // Host allowed (say, through a catch-all proxy), Origin the page's own: still not a page of ours.
    const listedHost = policy({ allowedHosts: [...LOOPBACK_HOSTS, 'tandem.example.test', 'rebind.evil.example'] })
    expect(await refusalStatus(admitUpgrade(listedHost, rebound))).toBe(0)
    expect(await refusalStatus(admitUpgrade(policy(), request({ origin: 'http://rebind.evil.example' })))).toBe(403)
    // ALLOWED_HOSTS=*: any Host, and then the page must be the one the request names.
    const anyHost = policy({ allowedHosts: ['*'] })
    expect(await refusalStatus(admitUpgrade(anyHost, rebound))).toBe(0)
    expect(
      await refusalStatus(admitUpgrade(anyHost, request({ host: 'a.example.test', origin: 'https://b.example.test' }))),
    ).toBe(403)
  })

  it('wants a token for this document when a secret is set: 401 without or with a bad one, 403 for another document', async () => {
    const secured = policy({ authSecret: SECRET })
    const token = (doc: string) => signToken({ doc, role: 'view', expiresInSeconds: 60 }, SECRET)
    expect(await refusalStatus(admitUpgrade(secured, request()))).toBe(401)
    expect(await refusalStatus(admitUpgrade(secured, request({ token: '' })))).toBe(401)
    expect(await refusalStatus(admitUpgrade(secured, request({ token: 'garbage' })))).toBe(401)
    expect(await refusalStatus(admitUpgrade(secured, request({ token: await token('other') })))).toBe(403)
    const ticket = await admitUpgrade(secured, request({ token: await token('doc') }))
    expect(ticket).toMatchObject({ docId: 'doc', ip: '10.0.0.1', canWrite: false })
    expect(ticket.expiresAt).toBeGreaterThan(Date.now())
    const editor = await signToken({ doc: 'doc', role: 'edit', expiresInSeconds: 60 }, SECRET)
    expect(await admitUpgrade(secured, request({ token: editor }))).toMatchObject({ canWrite: true })
    expect(await admitUpgrade(policy(), request())).toMatchObject({ canWrite: true, expiresAt: null })
  })

  it('says who writes: the token’s sub and name with a secret (a declared name changes nothing), the declared name without', async () => {
    const secured = policy({ authSecret: SECRET })
    const token = await signToken({ doc: 'doc', role: 'edit', expiresInSeconds: 60, sub: 'u-1', name: 'Alice' }, SECRET)
    expect((await admitUpgrade(secured, request({ token, name: 'Mallory' }))).author).toEqual({
      sub: 'u-1',
      name: 'Alice',
    })
    const anonymous = await signToken({ doc: 'doc', role: 'edit', expiresInSeconds: 60 }, SECRET)
    expect((await admitUpgrade(secured, request({ token: anonymous, name: 'Mallory' }))).author).toEqual({
      sub: null,
      name: null,
    })
    expect((await admitUpgrade(policy(), request({ name: '  Bob  ' }))).author).toEqual({ sub: null, name: 'Bob' })
    expect((await admitUpgrade(policy(), request({ name: '   ' }))).author).toEqual({ sub: null, name: null })
    expect((await admitUpgrade(policy(), request())).author).toEqual({ sub: null, name: null })
  })

  it('asks the per-address limits with the client’s address (the proxy’s first hop only when trusted), 429 when over', async () => {
    const asked: string[] = []
    const limits = (trustProxy: boolean) =>
      policy({
        trustProxy,
        admit: (ip) => {
          asked.push(ip)
          return ip === '192.0.2.9' ? 'too many connections from this address' : null
        },
      })
    const viaProxy = request({ forwardedFor: '192.0.2.9, 10.0.0.1' })
    expect(await refusalStatus(admitUpgrade(limits(false), viaProxy))).toBe(0)
    expect(await refusalStatus(admitUpgrade(limits(true), viaProxy))).toBe(429)
    expect(asked).toEqual(['10.0.0.1', '192.0.2.9'])
  })
})

describe('parseShareSyncTarget', () => {
  it('reads the share id of /ws/s/:shareId and nothing else; /ws/:docId stays a document', () => {
    expect(parseShareSyncTarget('/ws/s/AbC_-123')).toEqual({ shareId: 'AbC_-123' })
    expect(parseShareSyncTarget('/ws/s/AbC?token=x')).toEqual({ shareId: 'AbC' })
    for (const other of ['/ws/s/', '/ws/s', '/ws/s/a/b', '/ws/s/a%2F', '/ws/abc', '/wsx/s/abc', undefined])
      expect(parseShareSyncTarget(other)).toBeNull()
    expect(parseSyncTarget('/ws/s/abc')).toBeNull()
  })

  it('admits a share socket view only, with no token even with a secret, and refuses unknown links with 404', async () => {
    const resolveShare = async (shareId: string) =>
      shareId === 'AAAAAAAAAAAAAAAAAAAAAA' ? { docId: 'the-doc', expiresAt: 5 } : null
    const secured = policy({ authSecret: SECRET, resolveShare })
    expect(await admitUpgrade(secured, request({ shareId: 'AAAAAAAAAAAAAAAAAAAAAA' }))).toEqual({
      docId: 'the-doc',
      ip: '10.0.0.1',
      canWrite: false,
      shareId: 'AAAAAAAAAAAAAAAAAAAAAA',
      expiresAt: 5,
      author: { sub: null, name: null },
    })
    expect(await refusalStatus(admitUpgrade(secured, request({ shareId: 'BAAAAAAAAAAAAAAAAAAAAA' })))).toBe(404)
    expect(await refusalStatus(admitUpgrade(secured, request({ shareId: 'short' })))).toBe(404)
    expect(await refusalStatus(admitUpgrade(policy(), request({ shareId: 'AAAAAAAAAAAAAAAAAAAAAA' })))).toBe(404)
    // Host and origin rules come first, as for documents.
    expect(
      await refusalStatus(
        admitUpgrade(secured, request({ shareId: 'AAAAAAAAAAAAAAAAAAAAAA', origin: 'https://evil.example.test' })),
      ),
    ).toBe(403)
  })
})

describe('parseSyncTarget', () => {
  it('reads the document id and the token of /ws/:docId and nothing else', () => {
    expect(parseSyncTarget('/ws/abc')).toEqual({ docId: 'abc', token: null, name: null })
    expect(parseSyncTarget('/ws/abc?token=t1&token=t2&x=1')).toEqual({ docId: 'abc', token: 't1', name: null })
    expect(parseSyncTarget('/ws/a%20b')).toEqual({ docId: 'a b', token: null, name: null })
    expect(parseSyncTarget('/ws/%E0%A4%A')).toEqual({ docId: '%E0%A4%A', token: null, name: null })
    expect(parseSyncTarget('/ws/abc?name=Ada%20L')).toEqual({ docId: 'abc', token: null, name: 'Ada L' })
    for (const other of ['/ws/', '/ws', '/ws/abc/more', '/api/docs', '/wsx/abc', undefined])
      expect(parseSyncTarget(other)).toBeNull()
  })
})

/** Sends an upgrade request and resolves with the status and body of a refusal, or 101. */
function upgrade(
  server: TestServer,
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(`${server.url}${path}`, {
      headers: {
        connection: 'Upgrade',
        upgrade: 'websocket',
        'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
        'sec-websocket-version': '13',
        ...headers,
      },
    })
    outgoing.on('upgrade', (response, socket) => {
      socket.destroy()
      resolve({ status: response.statusCode ?? 0, body: '' })
    })
    outgoing.on('response', (response) => {
      let body = ''
      response.on('data', (chunk: Buffer) => {
        body += chunk.toString()
      })
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }))
    })
    outgoing.on('error', reject)
    outgoing.end()
  })
}

describe('the upgrade endpoint', () => {
  it('answers upgrades elsewhere with 404 and a handshake it does not speak with 400, as JSON errors', async () => {
    const server = await startTestServer()
    open.push(server)
    const id = await server.createDocument()
    expect(await upgrade(server, `/ws/${id}`)).toEqual({ status: 101, body: '' })
    const elsewhere = await upgrade(server, '/api/docs')
    expect(elsewhere.status).toBe(404)
    expect(JSON.parse(elsewhere.body)).toEqual({
      error: { code: 'not_found', message: 'no WebSocket endpoint at /api/docs' },
    })
    const oldVersion = await upgrade(server, `/ws/${id}`, { 'sec-websocket-version': '8' })
    expect(oldVersion.status).toBe(101)
    const unknownVersion = await upgrade(server, `/ws/${id}`, { 'sec-websocket-version': '99' })
    expect(unknownVersion.status).toBe(400)
    expect(JSON.parse(unknownVersion.body).error.code).toBe('invalid_request')
    // DNS rebinding: a page whose name now resolves to this server sends its name in both headers.
    const rebound = await upgrade(server, `/ws/${id}`, {
      host: 'rebind.evil.example',
      origin: 'http://rebind.evil.example',
    })
    expect(rebound.status).toBe(421)
    expect(JSON.parse(rebound.body).error.code).toBe('host_not_allowed')
    const devServer = await upgrade(server, `/ws/${id}`, { host: 'localhost:5173', origin: 'http://localhost:5173' })
    expect(devServer.status).toBe(101)
  })

  it('answers a plain GET with 426', async () => {
    const app: TestApp = await createTestApp()
    open.push(app)
    const response = await app.request('/ws/anything')
    expect(response.status).toBe(426)
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('upgrade_required')
  })
})
