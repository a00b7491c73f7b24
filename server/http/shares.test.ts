/**
 * Share links by opaque id (issue 15): the routes that make, list and revoke them, the page's
 * own API, and the socket they open — view only at the server, closed when revoked.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { CloseCode } from '../../protocol/closeCodes'
import { type Role, signToken } from '../common/auth'
import { newShareId } from '../model/ids'
import { type TestApp, createTestApp } from '../test/app'
import { connectClient } from '../test/clients'
import { type TestServer, startTestServer } from '../test/server'
import { waitFor } from '../test/waitFor'

const SECRET = 'share-test-secret-0123456789'
const disposables: Array<{ dispose(): Promise<void> }> = []
afterEach(async () => {
  await Promise.all(disposables.splice(0).map((item) => item.dispose()))
})

async function app(env: Record<string, string> = {}): Promise<TestApp> {
  const t = await createTestApp({ PUBLIC_URL: 'https://docs.example.test', ...env })
  disposables.push(t)
  return t
}

const json = (body: unknown, headers: Record<string, string> = {}): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify(body),
})

interface Share {
  url: string
  role: string
  token: string | null
  expiresAt: string | null
  id: string | null
}

async function errorCode(response: Response): Promise<string> {
  return ((await response.json()) as { error: { code: string } }).error.code
}

describe('share links on an open server', () => {
  it('makes a view link by opaque id, lists it, answers its page without the id, and revokes it', async () => {
    const t = await app()
    const { id } = await t.create({ title: 'Budget' })
    const created = await t.request(`/api/docs/${id}/share`, json({ role: 'view' }))
    expect(created.status).toBe(201)
    const share = (await created.json()) as Share
    expect(share.url).toBe(`https://docs.example.test/s/${share.id}`)
    expect(share).toMatchObject({ role: 'view', token: null, expiresAt: null })
    expect(JSON.stringify(share)).not.toContain(id)

    const page = await t.request(`/api/shares/${share.id}`)
    expect(page.status).toBe(200)
    expect(page.headers.get('cache-control')).toBe('no-store')
    const body = await page.text()
    expect(JSON.parse(body)).toEqual({ title: 'Budget', role: 'view', expiresAt: null })
    expect(body).not.toContain(id)

    const listed = await t.request(`/api/docs/${id}/shares`)
    expect(listed.status).toBe(200)
    expect(await listed.json()).toEqual({
      items: [{ id: share.id, role: 'view', createdAt: expect.any(String), expiresAt: null, url: share.url }],
    })

    const revoked = await t.request(`/api/docs/${id}/shares/${share.id}`, { method: 'DELETE' })
    expect(revoked.status).toBe(204)
    const gone = await t.request(`/api/shares/${share.id}`)
    expect(gone.status).toBe(404)
    expect(await errorCode(gone)).toBe('share_not_found')
    expect(await (await t.request(`/api/docs/${id}/shares`)).json()).toEqual({ items: [] })
    const again = await t.request(`/api/docs/${id}/shares/${share.id}`, { method: 'DELETE' })
    expect(again.status).toBe(404)
    expect(await errorCode(again)).toBe('share_not_found')
  })

  it('keeps edit links the document’s own address, and refuses revocable links for more than viewing', async () => {
    const t = await app()
    const { id } = await t.create()
    const edit = (await (await t.request(`/api/docs/${id}/share`, json({ role: 'edit' }))).json()) as Share
    expect(edit).toEqual({
      url: `https://docs.example.test/d/${id}`,
      role: 'edit',
      token: null,
      expiresAt: null,
      id: null,
    })
    const refused = await t.request(`/api/docs/${id}/share`, json({ role: 'edit', revocable: true }))
    expect(refused.status).toBe(400)
    expect(await errorCode(refused)).toBe('invalid_request')
    expect((await t.request(`/api/docs/${id}/share`, json({ role: 'view', revocable: 'yes' }))).status).toBe(400)
  })

  it('answers 404 for unknown documents, unknown shares and ids that cannot be either', async () => {
    const t = await app()
    const { id } = await t.create()
    const other = await t.create()
    const share = (await (await t.request(`/api/docs/${id}/share`, json({ role: 'view' }))).json()) as Share
    const missingDoc = 'AAAAAAAAAAAAAAAAAAAAAA'
    for (const [path, init, code] of [
      [`/api/docs/${missingDoc}/share`, json({ role: 'view' }), 'document_not_found'],
      [`/api/docs/${missingDoc}/shares`, {}, 'document_not_found'],
      [`/api/docs/${missingDoc}/shares/${share.id}`, { method: 'DELETE' }, 'document_not_found'],
      [`/api/docs/${other.id}/shares/${share.id}`, { method: 'DELETE' }, 'share_not_found'],
      [`/api/docs/${id}/shares/${newShareId()}`, { method: 'DELETE' }, 'share_not_found'],
      [`/api/docs/${id}/shares/not-an-id`, { method: 'DELETE' }, 'share_not_found'],
      [`/api/shares/${newShareId()}`, {}, 'share_not_found'],
      [`/api/shares/${id}`, {}, 'share_not_found'],
      ['/api/shares/..%2F..', {}, 'share_not_found'],
    ] as const) {
      const response = await t.request(path, init)
      expect(response.status, path).toBe(404)
      expect(await errorCode(response), path).toBe(code)
    }
    // The other document's refusal did not revoke it.
    expect((await t.request(`/api/shares/${share.id}`)).status).toBe(200)
  })

  it('forgets the links of a deleted document', async () => {
    const t = await app()
    const { id } = await t.create()
    const share = (await (await t.request(`/api/docs/${id}/share`, json({ role: 'view' }))).json()) as Share
    expect((await t.request(`/api/docs/${id}`, { method: 'DELETE' })).status).toBe(204)
    expect((await t.request(`/api/shares/${share.id}`)).status).toBe(404)
  })
})

describe('share links with AUTH_SECRET', () => {
  const bearer = async (doc: string, role: Role) => ({
    authorization: `Bearer ${await signToken({ doc, role, expiresInSeconds: 600 }, SECRET)}`,
  })

  it('still signs tokens by default, and makes revocable view links when asked, by editors and admins only', async () => {
    const t = await app({ AUTH_SECRET: SECRET })
    const { id } = await t.create({ title: 'Locked' }, await bearer('*', 'admin'))
    const token = (await (
      await t.request(`/api/docs/${id}/share`, json({ role: 'view' }, await bearer(id, 'edit')))
    ).json()) as Share
    expect(token.token).not.toBeNull()
    expect(token.id).toBeNull()
    expect(new URL(token.url).pathname).toBe(`/d/${id}`)

    const viewer = await bearer(id, 'view')
    expect((await t.request(`/api/docs/${id}/share`, json({ role: 'view', revocable: true }, viewer))).status).toBe(403)
    expect((await t.request(`/api/docs/${id}/shares`, { headers: viewer })).status).toBe(403)
    expect((await t.request(`/api/docs/${id}/shares`)).status).toBe(401)

    for (const role of ['edit', 'admin'] as const) {
      const headers = await bearer(id, role)
      const response = await t.request(`/api/docs/${id}/share`, json({ role: 'view', revocable: true }, headers))
      expect(response.status, role).toBe(201)
      const share = (await response.json()) as Share
      expect(share).toMatchObject({ role: 'view', token: null, expiresAt: null })
      expect(share.url).toBe(`https://docs.example.test/s/${share.id}`)
      // The link is its own credential: its page needs no token.
      expect(await (await t.request(`/api/shares/${share.id}`)).json()).toEqual({
        title: 'Locked',
        role: 'view',
        expiresAt: null,
      })
      expect((await t.request(`/api/docs/${id}/shares`, { headers })).status).toBe(200)
      expect(
        (await t.request(`/api/docs/${id}/shares/${share.id}`, { method: 'DELETE', headers: viewer })).status,
      ).toBe(403)
      expect((await t.request(`/api/docs/${id}/shares/${share.id}`, { method: 'DELETE', headers })).status).toBe(204)
    }
    // A token for another document cannot see this one's links.
    const stranger = await bearer((await t.create({}, await bearer('*', 'admin'))).id, 'admin')
    expect((await t.request(`/api/docs/${id}/shares`, { headers: stranger })).status).toBe(403)
  })

  it('lets a revocable link expire when given a lifetime', async () => {
    const t = await app({ AUTH_SECRET: SECRET })
    const { id } = await t.create({}, await bearer('*', 'admin'))
    const response = await t.request(
      `/api/docs/${id}/share`,
      json({ role: 'view', revocable: true, expiresIn: 3600 }, await bearer(id, 'edit')),
    )
    const share = (await response.json()) as Share
    expect(Date.parse(share.expiresAt as string) - Date.now()).toBeGreaterThan(3500_000)
  })
})

describe('the share socket', () => {
  async function server(env: Record<string, string> = {}): Promise<TestServer> {
    const s = await startTestServer(env)
    disposables.push(s)
    return s
  }

  async function share(s: TestServer, id: string, headers: Record<string, string> = {}, body = {}): Promise<string> {
    const response = await fetch(`${s.url}/api/docs/${id}/share`, json({ role: 'view', ...body }, headers))
    expect(response.status).toBe(201)
    return ((await response.json()) as Share).id as string
  }

  it('shows the document live, and refuses any change at the server', async () => {
    const s = await server()
    const id = await s.createDocument({ content: { format: 'text', body: 'first' } })
    const shareId = await share(s, id)
    const editor = connectClient(s.wsUrl, id)
    const viewer = connectClient(`${s.wsUrl}/s`, shareId)
    disposables.push({
      dispose: async () => {
        for (const client of [editor, viewer]) client.destroy()
      },
    })
    await editor.synced()
    await viewer.synced()
    expect(viewer.text()).toBe('first')
    editor.appendParagraph('second')
    await waitFor(() => viewer.text() === 'first\nsecond', { what: 'the viewer to see the edit' })

    viewer.appendParagraph('forged')
    await waitFor(() => viewer.stopped(), { what: 'the viewer to be closed' })
    expect(viewer.stopped()?.code).toBe(CloseCode.forbidden)
    const content = await fetch(`${s.url}/api/docs/${id}/content?format=text`)
    expect(await content.text()).toBe('first\n\nsecond')
    expect(editor.text()).toBe('first\nsecond')
  })

  it('closes with 4410 when the link is revoked, and refuses it afterwards with 404', async () => {
    const s = await server()
    const id = await s.createDocument()
    const shareId = await share(s, id)
    const kept = await share(s, id)
    const viewer = connectClient(`${s.wsUrl}/s`, shareId)
    const other = connectClient(`${s.wsUrl}/s`, kept)
    disposables.push({
      dispose: async () => {
        for (const client of [viewer, other]) client.destroy()
      },
    })
    await viewer.synced()
    await other.synced()
    expect((await fetch(`${s.url}/api/docs/${id}/shares/${shareId}`, { method: 'DELETE' })).status).toBe(204)
    await waitFor(() => viewer.stopped(), { what: 'the revoked socket to close' })
    expect(viewer.stopped()).toEqual({ code: CloseCode.shareRevoked, reason: 'share link revoked' })
    expect(other.stopped()).toBeNull()
    expect(other.provider.wsconnected).toBe(true)
    const refused = await upgradeStatus(s, `/ws/s/${shareId}`)
    expect(refused).toBe(404)
    expect(await upgradeStatus(s, `/ws/s/${newShareId()}`)).toBe(404)
    expect(await upgradeStatus(s, `/ws/s/${id}`)).toBe(404)
  })

  it('needs no token with AUTH_SECRET, and is still view only', async () => {
    const s = await server({ AUTH_SECRET: SECRET })
    const admin = {
      authorization: `Bearer ${await signToken({ doc: '*', role: 'admin', expiresInSeconds: 600 }, SECRET)}`,
    }
    const id = await s.createDocument({ content: { format: 'text', body: 'locked' } }, admin)
    const shareId = await share(s, id, admin, { revocable: true })
    const viewer = connectClient(`${s.wsUrl}/s`, shareId)
    disposables.push({ dispose: async () => viewer.destroy() })
    await viewer.synced()
    expect(viewer.text()).toBe('locked')
    viewer.appendParagraph('forged')
    await waitFor(() => viewer.stopped(), { what: 'the viewer to be closed' })
    expect(viewer.stopped()?.code).toBe(CloseCode.forbidden)
  })
})

/** The status of a plain upgrade request: 101, or the refusal's. */
async function upgradeStatus(s: TestServer, path: string): Promise<number> {
  const { request } = await import('node:http')
  const url = new URL(path, s.url)
  return new Promise((resolve, reject) => {
    const req = request(url, {
      headers: {
        connection: 'Upgrade',
        upgrade: 'websocket',
        'sec-websocket-version': '13',
        'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
      },
    })
    req.on('upgrade', (_response, socket) => {
      socket.destroy()
      resolve(101)
    })
    req.on('response', (response) => {
      response.resume()
      resolve(response.statusCode ?? 0)
    })
    req.on('error', reject)
    req.end()
  })
}
