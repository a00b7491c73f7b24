/**
 * Versions end to end on a real server (SQLite) with stock clients: recorded after quiet, saved
 * by name, content equal to what the clients had, restores that reach every open editor live and
 * keep the state before, offline changes surviving a restore, authors from tokens.
 */
import { afterEach, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import type { RestoreDto, VersionDto, VersionPageDto } from '../protocol/api'
import { signToken } from './common/auth'
import { type TestClient, connectClient } from './test/clients'
import { type TestServer, startTestServer } from './test/server'
import { waitFor } from './test/waitFor'

const SECRET = 'a-secret-of-at-least-16-chars'

/** Paragraphs with text, one per line (a new document starts with an empty one). */
const lines = (text: string): string =>
  text
    .split(/\n+/)
    .filter((line) => line !== '')
    .join('\n')

describe('versions', () => {
  const servers: TestServer[] = []
  const clients: TestClient[] = []
  afterEach(async () => {
    for (const client of clients.splice(0)) client.destroy()
    for (const server of servers.splice(0)) await server.dispose()
  })

  const start = async (env: Record<string, string> = {}) => {
    const server = await startTestServer({ VERSION_IDLE_MS: '150', ...env })
    servers.push(server)
    return server
  }
  const client = (server: TestServer, docId: string, options: Parameters<typeof connectClient>[2] = {}) => {
    const c = connectClient(server.wsUrl, docId, options)
    clients.push(c)
    return c
  }
  const api = async <T>(server: TestServer, path: string, init: RequestInit = {}, token?: string) => {
    const headers: Record<string, string> = { ...(init.headers as Record<string, string>) }
    if (init.body !== undefined) headers['content-type'] = 'application/json'
    if (token !== undefined) headers.authorization = `Bearer ${token}`
    const response = await fetch(`${server.url}${path}`, { ...init, headers })
    const text = await response.text()
    return { status: response.status, body: (text === '' ? null : JSON.parse(text)) as T }
  }
  const versionsOf = async (server: TestServer, docId: string, token?: string) =>
    (await api<VersionPageDto>(server, `/api/docs/${docId}/versions?limit=100`, {}, token)).body.items
  const textOf = async (server: TestServer, docId: string, versionId: string, token?: string) => {
    const headers: Record<string, string> = token === undefined ? {} : { authorization: `Bearer ${token}` }
    const response = await fetch(`${server.url}/api/docs/${docId}/versions/${versionId}/content?format=text`, {
      headers,
    })
    return lines(await response.text())
  }

  const documentText = async (server: TestServer, docId: string) =>
    lines(await (await fetch(`${server.url}/api/docs/${docId}/content?format=text`)).text())

  it('records a version once the document is quiet, with the content the clients had, and a named one on request', async () => {
    const server = await start()
    const docId = await server.createDocument({ title: 'History' })
    const alice = client(server, docId, { params: { name: 'Alice' } })
    await alice.synced()
    alice.appendParagraph('first words')
    const [auto] = await waitFor(async () => {
      const items = await versionsOf(server, docId)
      return items.length > 0 && items
    })
    expect(auto).toMatchObject({ kind: 'auto', name: null, authors: [{ sub: null, name: 'Alice' }] })
    expect(await textOf(server, docId, auto?.id ?? '')).toBe(lines(alice.text()))

    alice.appendParagraph('more')
    await waitFor(async () => (await documentText(server, docId)) === 'first words\nmore')
    const saved = await api<VersionDto>(server, `/api/docs/${docId}/versions`, {
      method: 'POST',
      body: JSON.stringify({ name: '  Before review ' }),
    })
    expect(saved.status).toBe(201)
    expect(saved.body).toMatchObject({ kind: 'named', name: 'Before review' })
    expect(await textOf(server, docId, saved.body.id)).toBe('first words\nmore')
    const meta = await api<VersionDto>(server, `/api/docs/${docId}/versions/${saved.body.id}`)
    expect(meta.body).toEqual(saved.body)
    const json = await api<{ type: string }>(server, `/api/docs/${docId}/versions/${saved.body.id}/content`)
    expect(json.body.type).toBe('doc')
    // A change after the named version gets an automatic version of its own.
    const before = (await versionsOf(server, docId)).length
    alice.appendParagraph('')
    await waitFor(async () => (await versionsOf(server, docId)).length === before + 1)
    expect((await versionsOf(server, docId)).length).toBe(before + 1)
  })

  it('restores a version into every open editor live, keeps the state before as a version, and can undo', async () => {
    const server = await start({ VERSION_IDLE_MS: '60000' })
    const docId = await server.createDocument({ title: 'Restore' })
    const alice = client(server, docId)
    const bob = client(server, docId)
    await Promise.all([alice.synced(), bob.synced()])
    alice.appendParagraph('one')
    await waitFor(() => lines(bob.text()) === 'one')
    const saved = await api<VersionDto>(server, `/api/docs/${docId}/versions`, {
      method: 'POST',
      body: JSON.stringify({ name: 'one' }),
    })
    bob.appendParagraph('two')
    await waitFor(() => lines(alice.text()) === 'one\ntwo')
    await waitFor(async () => (await textOf(server, docId, saved.body.id)) === 'one')
    const restore = await api<RestoreDto>(server, `/api/docs/${docId}/versions/${saved.body.id}/restore`, {
      method: 'POST',
    })
    expect(restore.status).toBe(200)
    expect(restore.body.restored.id).toBe(saved.body.id)
    expect(restore.body.before.kind).toBe('restore')
    await waitFor(() => lines(alice.text()) === 'one' && lines(bob.text()) === 'one', {
      what: 'both editors to show the restore',
    })
    expect(await textOf(server, docId, restore.body.before.id)).toBe('one\ntwo')
    // Undo: restore the state before.
    await api(server, `/api/docs/${docId}/versions/${restore.body.before.id}/restore`, { method: 'POST' })
    await waitFor(() => lines(alice.text()) === 'one\ntwo' && lines(bob.text()) === 'one\ntwo')
    const kinds = (await versionsOf(server, docId)).map((version) => version.kind)
    expect(kinds).toEqual(['restore', 'restore', 'named'])
  })

  it('keeps what an offline editor changed meanwhile: its changes merge on top of the restore', async () => {
    const server = await start({ VERSION_IDLE_MS: '60000' })
    const docId = await server.createDocument({ title: 'Offline' })
    const online = client(server, docId)
    await online.synced()
    online.appendParagraph('intro')
    online.appendParagraph('body')
    const saved = await api<VersionDto>(server, `/api/docs/${docId}/versions`, {
      method: 'POST',
      body: JSON.stringify({ name: 'v1' }),
    })
    const offlineDoc = new Y.Doc()
    const away = client(server, docId, { doc: offlineDoc })
    await away.synced()
    await waitFor(() => lines(away.text()) === 'intro\nbody')
    away.provider.disconnect()
    online.appendParagraph('mistake')
    await waitFor(async () => (await documentText(server, docId)) === 'intro\nbody\nmistake')
    // Offline: edits the second paragraph.
    const paragraph = offlineDoc.getXmlFragment('default').get(2) as Y.XmlElement
    ;(paragraph.get(0) as Y.XmlText).insert(4, ' (edited offline)')
    const restored = await api(server, `/api/docs/${docId}/versions/${saved.body.id}/restore`, { method: 'POST' })
    expect(restored.status).toBe(200)
    await waitFor(() => lines(online.text()) === 'intro\nbody')
    away.provider.connect()
    const expected = 'intro\nbody (edited offline)'
    await waitFor(() => lines(online.text()) === expected && lines(away.text()) === expected, {
      what: 'the offline edit to survive the restore',
    })
  })

  it('names authors from their tokens, whatever name a client claims', async () => {
    const server = await start({ AUTH_SECRET: SECRET })
    const admin = await signToken({ doc: '*', role: 'admin', expiresInSeconds: 600 }, SECRET)
    const docId = await server.createDocument({ title: 'Signed' }, { authorization: `Bearer ${admin}` })
    const token = await signToken(
      { doc: docId, role: 'edit', expiresInSeconds: 600, sub: 'user-1', name: 'Alice' },
      SECRET,
    )
    const alice = client(server, docId, {
      params: { token, name: 'Mallory' },
      awareness: { user: { name: 'Mallory', color: '#000' } },
    })
    await alice.synced()
    alice.appendParagraph('signed words')
    const [version] = await waitFor(async () => {
      const items = await versionsOf(server, docId, admin)
      return items.length > 0 && items
    })
    expect(version?.authors).toEqual([{ sub: 'user-1', name: 'Alice' }])
  })

  it('answers with the API’s errors and roles', async () => {
    const server = await start({ AUTH_SECRET: SECRET, VERSION_IDLE_MS: '60000' })
    const admin = await signToken({ doc: '*', role: 'admin', expiresInSeconds: 600 }, SECRET)
    const docId = await server.createDocument({ title: 'Roles' }, { authorization: `Bearer ${admin}` })
    const as = (role: 'view' | 'edit' | 'admin') => signToken({ doc: docId, role, expiresInSeconds: 600 }, SECRET)
    const [view, edit] = await Promise.all([as('view'), as('edit')])
    const path = `/api/docs/${docId}/versions`
    const post = (p: string, body: unknown, token: string) =>
      api<{ error: { code: string } }>(server, p, { method: 'POST', body: JSON.stringify(body) }, token)
    expect((await post(path, { name: 'x' }, view)).status).toBe(403)
    expect((await post(path, { name: '' }, edit)).body.error.code).toBe('invalid_request')
    const named = await api<VersionDto>(server, path, { method: 'POST', body: JSON.stringify({ name: 'n' }) }, edit)
    expect(named.status).toBe(201)
    expect((await api(server, path, {}, view)).status).toBe(200)
    expect((await post(`${path}/${named.body.id}/restore`, {}, view)).status).toBe(403)
    const missing = await api<{ error: { code: string } }>(server, `${path}/AAAAAAAAAAAAAAAA`, {}, view)
    expect(missing.status).toBe(404)
    expect(missing.body.error.code).toBe('version_not_found')
    expect((await api<{ error: { code: string } }>(server, `${path}/nonsense`, {}, view)).status).toBe(404)
    expect((await api(server, `${path}?cursor=forged`, {}, view)).status).toBe(400)
    expect((await api(server, `${path}/${named.body.id}`, { method: 'DELETE' }, edit)).status).toBe(403)
    const restored = await post(`${path}/${named.body.id}/restore`, {}, edit)
    const before = (restored.body as unknown as RestoreDto).before
    const notNamed = await api<{ error: { code: string } }>(server, `${path}/${before.id}`, { method: 'DELETE' }, admin)
    expect(notNamed.status).toBe(409)
    expect(notNamed.body.error.code).toBe('version_not_deletable')
    expect((await api(server, `${path}/${named.body.id}`, { method: 'DELETE' }, admin)).status).toBe(204)
    expect((await api(server, `${path}/${named.body.id}`, {}, admin)).status).toBe(404)
    const otherDoc = await api<{ error: { code: string } }>(
      server,
      '/api/docs/AAAAAAAAAAAAAAAAAAAAAA/versions',
      {},
      admin,
    )
    expect(otherDoc.body.error.code).toBe('document_not_found')
  })
})
