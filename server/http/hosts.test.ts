import { request as httpRequest } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type TestApp, createTestApp } from '../test/app'
import { type TestServer, startTestServer } from '../test/server'
import { LOOPBACK_HOSTS, allowListEntry, canonicalHostName, hostAllowed, originAllowed } from './hosts'

describe('host names', () => {
  it('reads Host values the way the URL parser does', () => {
    expect(canonicalHostName('Docs.Example.COM:8443')).toBe('docs.example.com')
    expect(canonicalHostName('localhost.')).toBe('localhost')
    expect(canonicalHostName('[::1]:8080')).toBe('[::1]')
    expect(canonicalHostName('2130706433')).toBe('127.0.0.1')
    expect(canonicalHostName('0x7f.1')).toBe('127.0.0.1')
    for (const bad of ['', ' ', 'a b', 'evil.example/x', 'user@host', 'host:port', '[::1', 'a\\b']) {
      expect(canonicalHostName(bad), bad).toBeNull()
    }
  })

  it('matches exact names, .suffix entries and *, never by port', () => {
    const allowed = [...LOOPBACK_HOSTS, 'docs.example.com', '.corp.example']
    for (const host of [
      'localhost:5173',
      '127.0.0.1:8080',
      '[::1]:1',
      'DOCS.example.com',
      'corp.example',
      'a.b.corp.example:443',
    ]) {
      expect(hostAllowed(allowed, host), host).toBe(true)
    }
    for (const host of [
      'rebind.evil.example',
      'docs.example.com.evil.example',
      'evilcorp.example',
      '127.0.0.2',
      undefined,
      'x y',
    ]) {
      expect(hostAllowed(allowed, host), String(host)).toBe(false)
    }
    expect(hostAllowed(['*'], 'anything.example')).toBe(true)
  })

  it('parses ALLOWED_HOSTS entries, ports ignored', () => {
    expect(allowListEntry(' Docs.Example.com:8443 ')).toBe('docs.example.com')
    expect(allowListEntry('.Example.com')).toBe('.example.com')
    expect(allowListEntry('*')).toBe('*')
    expect(allowListEntry('https://docs.example.com')).toBeNull()
    expect(allowListEntry('.')).toBeNull()
  })

  it('judges a socket Origin by the allowed hosts, not by the request’s Host', () => {
    const allowed = [...LOOPBACK_HOSTS, 'docs.example.com']
    expect(originAllowed(undefined, 'x', allowed, null)).toBe(true)
    expect(originAllowed('https://docs.example.com', 'docs.example.com', allowed, null)).toBe(true)
    expect(originAllowed('http://localhost:5173', '127.0.0.1:8080', allowed, null)).toBe(true)
    expect(originAllowed('http://evil.example', 'evil.example', allowed, null)).toBe(false)
    expect(originAllowed('http://evil.example', 'evil.example', allowed, ['http://evil.example'])).toBe(true)
    expect(originAllowed('ftp://docs.example.com', 'docs.example.com', allowed, null)).toBe(false)
    expect(originAllowed('http://evil.example', 'evil.example', ['*'], null)).toBe(true)
    expect(originAllowed('http://evil.example', 'docs.example.com', ['*'], null)).toBe(false)
  })
})

async function errorCode(response: Response): Promise<string> {
  return ((await response.json()) as { error: { code: string } }).error.code
}

describe('the host check on HTTP', () => {
  let t: TestApp
  beforeAll(async () => {
    t = await createTestApp({ PUBLIC_URL: 'https://docs.example.com', ALLOWED_HOSTS: 'tandem.internal, .corp.example' })
  })
  afterAll(async () => {
    await t.dispose()
  })

  it('answers a request addressed to a foreign name (DNS rebinding) with 421 and the JSON error', async () => {
    for (const request of [
      () => t.request('http://rebind.evil.example/api/docs'),
      () => t.request('/api/docs', { headers: { host: 'rebind.evil.example' } }),
      () =>
        t.request('http://rebind.evil.example/api/docs', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{}',
        }),
      () => t.request('http://rebind.evil.example/'),
    ]) {
      const response = await request()
      expect(response.status).toBe(421)
      expect(response.headers.get('content-type')).toMatch(/application\/json/)
      expect(await errorCode(response)).toBe('host_not_allowed')
    }
  })

  it('answers loopback names on any port, PUBLIC_URL’s host and ALLOWED_HOSTS', async () => {
    for (const host of [
      'localhost',
      'localhost:5173',
      '127.0.0.1:8080',
      '[::1]:8080',
      'docs.example.com',
      'tandem.internal:8080',
      'team.corp.example',
    ]) {
      const response = await t.request('/api/docs', { headers: { host } })
      expect(response.status, host).toBe(200)
    }
  })

  it('leaves /healthz to any name: load balancers check by address', async () => {
    expect((await t.request('http://10.1.2.3:8080/healthz')).status).toBe(200)
  })
})

describe('the host check on a listening server', () => {
  let server: TestServer
  beforeAll(async () => {
    server = await startTestServer({ AUTH_SECRET: 'host-check-secret-0123456789' })
  })
  afterAll(async () => {
    await server.dispose()
  })

  function get(path: string, host: string): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const outgoing = httpRequest(`${server.url}${path}`, { headers: { host } }, (response) => {
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

  it('refuses a foreign Host before asking for a token, also with AUTH_SECRET', async () => {
    const rebound = await get('/api/docs', 'rebind.evil.example')
    expect(rebound.status).toBe(421)
    expect(JSON.parse(rebound.body).error.code).toBe('host_not_allowed')
    expect((await get('/api/docs', `127.0.0.1:${server.tandem.port}`)).status).toBe(401)
    expect((await get('/healthz', '10.1.2.3')).status).toBe(200)
  })
})
