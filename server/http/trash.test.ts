/**
 * The trash over REST and on sockets: `DELETE /api/docs/:id` moves a document there, where it is
 * deleted for everyone until restored (`POST /api/trash/:id/restore`) or purged
 * (`DELETE /api/trash/:id`); with `AUTH_SECRET` the trash is an admin's.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { CloseCode } from '../../protocol/closeCodes'
import { type Role, signToken } from '../common/auth'
import { newDocumentId } from '../model/ids'
import { type TestApp, createTestApp } from '../test/app'
import { connectClient } from '../test/clients'
import { type TestServer, startTestServer } from '../test/server'
import { waitFor } from '../test/waitFor'

const cleanups: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

async function app(env: Record<string, string> = {}): Promise<TestApp> {
  const t = await createTestApp(env)
  cleanups.push(() => t.dispose())
  return t
}

async function server(env: Record<string, string> = {}): Promise<TestServer> {
  const s = await startTestServer(env)
  cleanups.push(() => s.dispose())
  return s
}

async function expectError(response: Response, status: number, code: string): Promise<void> {
  expect(response.status).toBe(status)
  const body = (await response.json()) as { error: { code: string; message: string } }
  expect(body.error.code).toBe(code)
  expect(body.error.message.length).toBeGreaterThan(0)
}

interface TrashItem {
  id: string
  title: string
  deletedAt: string
  updatedAt: string
  createdAt: string
}

describe('the trash over REST', () => {
  it('DELETE moves a document to the trash: 204, then 404 everywhere and not listed', async () => {
    const t = await app()
    const { id } = await t.create({ title: 'Doomed', content: { format: 'text', body: 'words' } })
    const kept = await t.create({ title: 'Kept' })
    expect((await t.request(`/api/docs/${id}`, { method: 'DELETE' })).status).toBe(204)
    await expectError(await t.request(`/api/docs/${id}`), 404, 'document_not_found')
    await expectError(await t.request(`/api/docs/${id}/content?format=text`), 404, 'document_not_found')
    await expectError(
      await t.request(`/api/docs/${id}`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ title: 'x' }),
      }),
      404,
      'document_not_found',
    )
    await expectError(
      await t.request(`/api/docs/${id}/share`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      }),
      404,
      'document_not_found',
    )
    await expectError(await t.request(`/api/docs/${id}`, { method: 'DELETE' }), 404, 'document_not_found')
    const list = (await (await t.request('/api/docs?q=Doomed')).json()) as { items: unknown[] }
    expect(list.items).toEqual([])
    const all = (await (await t.request('/api/docs')).json()) as { items: Array<{ id: string }> }
    expect(all.items.map((item) => item.id)).toEqual([kept.id])
  })

  it('lists the trash newest-deleted first with its fields, and pages through it', async () => {
    const t = await app()
    const ids: string[] = []
    for (const title of ['one', 'two', 'three']) {
      const { id } = await t.create({ title })
      ids.push(id)
      expect((await t.request(`/api/docs/${id}`, { method: 'DELETE' })).status).toBe(204)
      // Distinct deletion times, so that the order is the deletion order.
      await waitFor(async () => Date.now() > Date.parse(((await trashItems(t))[0] as TrashItem).deletedAt))
    }
    const response = await t.request('/api/trash')
    expect(response.status).toBe(200)
    const body = (await response.json()) as { items: TrashItem[]; nextCursor: string | null }
    expect(body.nextCursor).toBeNull()
    expect(body.items.map((item) => item.title)).toEqual(['three', 'two', 'one'])
    const first = body.items[0] as TrashItem
    expect(Object.keys(first).sort()).toEqual(['createdAt', 'deletedAt', 'id', 'title', 'updatedAt'])
    expect(new Date(first.deletedAt).toISOString()).toBe(first.deletedAt)

    const page1 = (await (await t.request('/api/trash?limit=2')).json()) as {
      items: TrashItem[]
      nextCursor: string
    }
    expect(page1.items.map((item) => item.title)).toEqual(['three', 'two'])
    const page2 = (await (
      await t.request(`/api/trash?limit=2&cursor=${encodeURIComponent(page1.nextCursor)}`)
    ).json()) as { items: TrashItem[]; nextCursor: string | null }
    expect(page2.items.map((item) => item.title)).toEqual(['one'])
    expect(page2.nextCursor).toBeNull()

    await expectError(await t.request('/api/trash?cursor=nonsense'), 400, 'invalid_cursor')
    await expectError(await t.request('/api/trash?limit=0'), 400, 'invalid_request')
    await expectError(await t.request('/api/trash?limit=101'), 400, 'invalid_request')
  })

  it('restores a document with its content and title: 200 and its metadata', async () => {
    const t = await app()
    const { id } = await t.create({ title: 'Back', content: { format: 'markdown', body: '# Heading\n\nBody' } })
    const before = (await (await t.request(`/api/docs/${id}`)).json()) as Record<string, string>
    await t.request(`/api/docs/${id}`, { method: 'DELETE' })
    const response = await t.request(`/api/trash/${id}/restore`, { method: 'POST' })
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual(before)
    expect(await (await t.request(`/api/docs/${id}`)).json()).toEqual(before)
    expect(await (await t.request(`/api/docs/${id}/content?format=markdown`)).text()).toBe('# Heading\n\nBody')
    expect(await trashItems(t)).toEqual([])
    // Restoring again, or a live document, or one that never was: not in the trash.
    await expectError(await t.request(`/api/trash/${id}/restore`, { method: 'POST' }), 404, 'document_not_found')
    await expectError(
      await t.request(`/api/trash/${newDocumentId()}/restore`, { method: 'POST' }),
      404,
      'document_not_found',
    )
    await expectError(await t.request('/api/trash/not-an-id/restore', { method: 'POST' }), 404, 'document_not_found')
  })

  it('purges for good: 204, then gone from the trash and from the database', async () => {
    const t = await app()
    const { id } = await t.create({ title: 'Gone', content: { format: 'text', body: 'x' } })
    await expectError(await t.request(`/api/trash/${id}`, { method: 'DELETE' }), 404, 'document_not_found')
    await t.request(`/api/docs/${id}`, { method: 'DELETE' })
    expect((await t.request(`/api/trash/${id}`, { method: 'DELETE' })).status).toBe(204)
    expect(await trashItems(t)).toEqual([])
    expect(await t.tandem.store.load(id)).toBeNull()
    await expectError(await t.request(`/api/trash/${id}`, { method: 'DELETE' }), 404, 'document_not_found')
    await expectError(await t.request(`/api/trash/${id}/restore`, { method: 'POST' }), 404, 'document_not_found')
  })
})

async function trashItems(t: TestApp, headers: Record<string, string> = {}): Promise<TrashItem[]> {
  const response = await t.request('/api/trash?limit=100', { headers })
  expect(response.status).toBe(200)
  return ((await response.json()) as { items: TrashItem[] }).items
}

describe('the trash with AUTH_SECRET', () => {
  const SECRET = 'test-secret-0123456789'
  const bearer = async (doc: string, role: Role) => ({
    authorization: `Bearer ${await signToken({ doc, role, expiresInSeconds: 600 }, SECRET)}`,
  })

  it('needs an admin token: for every document to list, for the document to restore or purge', async () => {
    const t = await app({ AUTH_SECRET: SECRET })
    const admin = await bearer('*', 'admin')
    const [a, b] = [(await t.create({ title: 'a' }, admin)).id, (await t.create({ title: 'b' }, admin)).id]
    // An editor of every document may delete (as before); the trash is the admin's.
    expect((await t.request(`/api/docs/${a}`, { method: 'DELETE', headers: await bearer('*', 'edit') })).status).toBe(
      204,
    )
    await t.request(`/api/docs/${b}`, { method: 'DELETE', headers: admin })

    await expectError(await t.request('/api/trash'), 401, 'unauthorized')
    await expectError(await t.request(`/api/trash/${a}/restore`, { method: 'POST' }), 401, 'unauthorized')
    await expectError(await t.request(`/api/trash/${a}`, { method: 'DELETE' }), 401, 'unauthorized')
    for (const headers of [await bearer('*', 'edit'), await bearer('*', 'view'), await bearer(a, 'admin')]) {
      await expectError(await t.request('/api/trash', { headers }), 403, 'forbidden')
    }
    for (const headers of [await bearer('*', 'edit'), await bearer(a, 'edit'), await bearer(b, 'admin')]) {
      await expectError(await t.request(`/api/trash/${a}/restore`, { method: 'POST', headers }), 403, 'forbidden')
      await expectError(await t.request(`/api/trash/${a}`, { method: 'DELETE', headers }), 403, 'forbidden')
    }
    expect((await trashItems(t, admin)).map((item) => item.title).sort()).toEqual(['a', 'b'])

    // An admin token for one document restores and purges that document.
    const restored = await t.request(`/api/trash/${a}/restore`, { method: 'POST', headers: await bearer(a, 'admin') })
    expect(restored.status).toBe(200)
    expect(((await restored.json()) as { title: string }).title).toBe('a')
    expect((await t.request(`/api/trash/${b}`, { method: 'DELETE', headers: await bearer(b, 'admin') })).status).toBe(
      204,
    )
    expect(await trashItems(t, admin)).toEqual([])
  })
})

describe('the trash on sockets', () => {
  it('closes open sockets with 4404, refuses new ones while in the trash, and serves the restored document', async () => {
    const s = await server()
    const id = await s.createDocument({ title: 'Live' })
    const editor = connectClient(s.wsUrl, id)
    cleanups.push(async () => editor.destroy())
    await editor.synced()
    editor.appendParagraph('typed before the deletion')
    await waitFor(
      async () => (await (await fetch(`${s.url}/api/docs/${id}/content?format=text`)).text()).includes('typed before'),
      { what: 'the edit to be stored' },
    )
    expect((await fetch(`${s.url}/api/docs/${id}`, { method: 'DELETE' })).status).toBe(204)
    await waitFor(() => editor.stopped()?.code === CloseCode.notFound, { what: 'the socket to close with 4404' })
    expect(s.tandem.rooms.loaded(id)).toBeNull()

    const late = connectClient(s.wsUrl, id)
    cleanups.push(async () => late.destroy())
    await waitFor(() => late.stopped()?.code === CloseCode.notFound, { what: 'a new socket to be refused' })

    expect((await fetch(`${s.url}/api/trash/${id}/restore`, { method: 'POST' })).status).toBe(200)
    const back = connectClient(s.wsUrl, id)
    cleanups.push(async () => back.destroy())
    await back.synced()
    expect(back.text()).toContain('typed before the deletion')
  })
})
