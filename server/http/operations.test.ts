import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Role, signToken } from '../common/auth'
import { type TestApp, createTestApp } from '../test/app'

const SECRET = 'operations-test-secret-0123456789'
const METRICS_TOKEN = 'metrics-token-0123456789abcdef'

const bearer = async (doc: string, role: Role, secret = SECRET) => ({
  authorization: `Bearer ${await signToken({ doc, role, expiresInSeconds: 600 }, secret)}`,
})

async function errorCode(response: Response): Promise<string> {
  return ((await response.json()) as { error: { code: string } }).error.code
}

describe('with AUTH_SECRET and METRICS_TOKEN', () => {
  let t: TestApp
  beforeAll(async () => {
    t = await createTestApp({ AUTH_SECRET: SECRET, METRICS_TOKEN })
  })
  afterAll(async () => {
    await t.dispose()
  })

  it('wants METRICS_TOKEN or an admin token for every document on /metrics', async () => {
    const metrics = (headers: Record<string, string> = {}) => t.request('/metrics', { headers })
    const anonymous = await metrics()
    expect(anonymous.status).toBe(401)
    expect(await errorCode(anonymous)).toBe('unauthorized')
    expect((await metrics({ authorization: 'Bearer not-the-token' })).status).toBe(401)
    expect((await metrics(await bearer('*', 'admin', 'another-secret-0123456789'))).status).toBe(401)
    expect(
      (await metrics({ authorization: `Basic ${Buffer.from(`x:${METRICS_TOKEN}`).toString('base64')}` })).status,
    ).toBe(401)
    for (const [doc, role] of [
      ['some-doc', 'admin'],
      ['*', 'edit'],
      ['*', 'view'],
    ] as const) {
      const refused = await metrics(await bearer(doc, role))
      expect(refused.status, `${doc} ${role}`).toBe(403)
      expect(await errorCode(refused)).toBe('forbidden')
    }
    for (const headers of [{ authorization: `Bearer ${METRICS_TOKEN}` }, await bearer('*', 'admin')]) {
      const allowed = await metrics(headers)
      expect(allowed.status).toBe(200)
      expect(await allowed.text()).toContain('tandem_open_sockets')
    }
  })

  it('says only ok or not on /healthz, and the components to operators', async () => {
    const health = await t.request('/healthz')
    expect(health.status).toBe(200)
    expect(await health.json()).toEqual({ status: 'ok' })
    for (const headers of [{ authorization: `Bearer ${METRICS_TOKEN}` }, await bearer('*', 'admin')]) {
      expect(await (await t.request('/healthz', { headers })).json()).toEqual({
        status: 'ok',
        storage: 'ok',
        fanout: 'ok',
      })
    }
    expect(await (await t.request('/healthz', { headers: await bearer('*', 'edit') })).json()).toEqual({ status: 'ok' })
    const ping = t.tandem.store.ping.bind(t.tandem.store)
    t.tandem.store.ping = () => Promise.reject(new Error('database gone'))
    try {
      const degraded = await t.request('/healthz')
      expect(degraded.status).toBe(503)
      expect(await degraded.json()).toEqual({ status: 'degraded' })
      const detailed = await t.request('/healthz', { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })
      expect(await detailed.json()).toEqual({ status: 'degraded', storage: 'unavailable', fanout: 'ok' })
    } finally {
      t.tandem.store.ping = ping
    }
  })

  it('lets Prometheus and load balancers address the server by IP', async () => {
    expect((await t.request('http://10.1.2.3:8080/healthz')).status).toBe(200)
    const metrics = await t.request('http://10.1.2.3:8080/metrics', {
      headers: { authorization: `Bearer ${METRICS_TOKEN}` },
    })
    expect(metrics.status).toBe(200)
    expect((await t.request('http://10.1.2.3:8080/api/docs', { headers: await bearer('*', 'admin') })).status).toBe(421)
  })
})

describe('without AUTH_SECRET', () => {
  it('keeps /metrics open and /healthz detailed on an open server (loopback only)', async () => {
    const t = await createTestApp()
    try {
      expect((await t.request('/metrics')).status).toBe(200)
      expect(await (await t.request('/healthz')).json()).toEqual({ status: 'ok', storage: 'ok', fanout: 'ok' })
      expect((await t.request('http://rebind.evil.example/metrics')).status).toBe(421)
    } finally {
      await t.dispose()
    }
  })

  it('wants METRICS_TOKEN on /metrics when one is set', async () => {
    const t = await createTestApp({ METRICS_TOKEN })
    try {
      expect((await t.request('/metrics')).status).toBe(401)
      expect((await t.request('/metrics', { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).status).toBe(200)
      expect(await (await t.request('/healthz')).json()).toEqual({ status: 'ok' })
    } finally {
      await t.dispose()
    }
  })
})
