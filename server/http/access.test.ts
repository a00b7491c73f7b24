import { sign } from 'hono/jwt'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { type Role, signToken, verifyToken } from '../common/auth'
import { type TestApp, createTestApp } from '../test/app'

const SECRET = 'test-secret-0123456789'
let t: TestApp

beforeEach(async () => {
  t = await createTestApp({ AUTH_SECRET: SECRET, PUBLIC_URL: 'https://docs.example.test' })
})
afterEach(async () => {
  await t.dispose()
})

const token = (doc: string, role: Role, expiresInSeconds = 600) => signToken({ doc, role, expiresInSeconds }, SECRET)
const bearer = async (doc: string, role: Role) => ({ authorization: `Bearer ${await token(doc, role)}` })

async function createAsAdmin(title = 'doc'): Promise<string> {
  return (await t.create({ title }, await bearer('*', 'admin'))).id
}

describe('tokens on REST', () => {
  it('refuses a missing, forged, expired or malformed token with 401', async () => {
    const forged = await signToken({ doc: '*', role: 'admin', expiresInSeconds: 600 }, 'another-secret-0123456789')
    const expired = await signToken({ doc: '*', role: 'admin', expiresInSeconds: 60 }, SECRET, Date.now() - 3_600_000)
    const noRole = await sign({ doc: '*', exp: Math.floor(Date.now() / 1000) + 60 }, SECRET)
    const none = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${Buffer.from('{"doc":"*","role":"admin","exp":9999999999}').toString('base64url')}.`
    const attempts: Array<Record<string, string>> = [
      {},
      { authorization: `Bearer ${forged}` },
      { authorization: `Bearer ${expired}` },
      { authorization: `Bearer ${noRole}` },
      { authorization: `Bearer ${none}` },
      { authorization: 'Basic YWRtaW46YWRtaW4=' },
    ]
    for (const headers of attempts) {
      const response = await t.request('/api/docs', { headers })
      expect(response.status).toBe(401)
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe('unauthorized')
    }
  })

  it('lets "*" tokens list, create (above view) and delete; view tokens never write', async () => {
    const id = await createAsAdmin()
    expect((await t.request('/api/docs', { headers: await bearer('*', 'view') })).status).toBe(200)
    expect((await t.request('/api/docs', { headers: await bearer(id, 'edit') })).status).toBe(403)
    const create = (headers: Record<string, string>) =>
      t.request('/api/docs', {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body: '{}',
      })
    expect((await create(await bearer('*', 'edit'))).status).toBe(201)
    expect((await create(await bearer('*', 'view'))).status).toBe(403)
    expect((await create(await bearer(id, 'edit'))).status).toBe(403)
    expect((await t.request(`/api/docs/${id}`, { method: 'DELETE', headers: await bearer(id, 'edit') })).status).toBe(
      403,
    )
    expect((await t.request(`/api/docs/${id}`, { method: 'DELETE', headers: await bearer('*', 'view') })).status).toBe(
      403,
    )
    expect((await t.request(`/api/docs/${id}`, { method: 'DELETE', headers: await bearer(id, 'admin') })).status).toBe(
      204,
    )
  })

  it('gives an admin token for one document nothing beyond that document: no list, no create', async () => {
    const id = await createAsAdmin('mine')
    const other = await createAsAdmin('secret plans')
    const admin = await bearer(id, 'admin')
    const list = await t.request('/api/docs', { headers: admin })
    expect(list.status).toBe(403)
    expect(await list.text()).not.toContain('secret plans')
    expect((await t.request('/api/docs?q=secret', { headers: admin })).status).toBe(403)
    const create = await t.request('/api/docs', {
      method: 'POST',
      headers: { ...admin, 'content-type': 'application/json' },
      body: '{}',
    })
    expect(create.status).toBe(403)
    expect(((await create.json()) as { error: { code: string } }).error.code).toBe('forbidden')
    const json = { ...admin, 'content-type': 'application/json' }
    for (const [method, path, body] of [
      ['GET', `/api/docs/${other}`, undefined],
      ['GET', `/api/docs/${other}/content?format=html`, undefined],
      ['PATCH', `/api/docs/${other}`, JSON.stringify({ title: 'taken' })],
      ['DELETE', `/api/docs/${other}`, undefined],
      ['POST', `/api/docs/${other}/share`, JSON.stringify({ role: 'view' })],
    ] as const) {
      const response = await t.request(path, { method, headers: json, ...(body === undefined ? {} : { body }) })
      expect(response.status, `${method} ${path}`).toBe(403)
    }
    // Its own document: everything an admin may do.
    expect((await t.request(`/api/docs/${id}`, { headers: admin })).status).toBe(200)
    expect(
      (
        await t.request(`/api/docs/${id}/share`, {
          method: 'POST',
          headers: json,
          body: JSON.stringify({ role: 'admin' }),
        })
      ).status,
    ).toBe(201)
    expect((await t.request(`/api/docs/${id}`, { method: 'DELETE', headers: admin })).status).toBe(204)
  })

  it('scopes a document token to its document and role', async () => {
    const id = await createAsAdmin('mine')
    const other = await createAsAdmin('other')
    const viewer = await bearer(id, 'view')
    expect((await t.request(`/api/docs/${id}`, { headers: viewer })).status).toBe(200)
    expect((await t.request(`/api/docs/${id}/content`, { headers: viewer })).status).toBe(200)
    expect((await t.request(`/api/docs/${other}`, { headers: viewer })).status).toBe(403)
    const rename = (headers: Record<string, string>) =>
      t.request(`/api/docs/${id}`, {
        method: 'PATCH',
        headers: { ...headers, 'content-type': 'application/json' },
        body: JSON.stringify({ title: 'renamed' }),
      })
    expect((await rename(viewer)).status).toBe(403)
    expect((await rename(await bearer(id, 'edit'))).status).toBe(200)
  })
})

describe('share links', () => {
  it('mints a link whose token opens the editor with the requested role, never above the sharer’s', async () => {
    const id = await createAsAdmin()
    const response = await t.request(`/api/docs/${id}/share`, {
      method: 'POST',
      headers: { ...(await bearer(id, 'edit')), 'content-type': 'application/json' },
      body: JSON.stringify({ role: 'view', expiresIn: 3600 }),
    })
    expect(response.status).toBe(201)
    const share = (await response.json()) as { url: string; token: string; role: string; expiresAt: string }
    const url = new URL(share.url)
    expect(`${url.origin}${url.pathname}`).toBe(`https://docs.example.test/d/${id}`)
    expect(url.searchParams.get('token')).toBe(share.token)
    expect(await verifyToken(share.token, SECRET)).toMatchObject({ doc: id, role: 'view' })
    expect(Date.parse(share.expiresAt) - Date.now()).toBeGreaterThan(3500_000)

    const escalate = await t.request(`/api/docs/${id}/share`, {
      method: 'POST',
      headers: { ...(await bearer(id, 'edit')), 'content-type': 'application/json' },
      body: JSON.stringify({ role: 'admin' }),
    })
    expect(escalate.status).toBe(403)
  })
})
