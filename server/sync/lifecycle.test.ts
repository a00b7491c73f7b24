/**
 * Room lifecycle through a real server: loaded once however many join at once, unloaded after
 * the grace period once stored, and dead peers dropped by the heartbeat.
 */
import { afterEach, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { type TestClient, connectClient } from '../test/clients'
import { type TestServer, startTestServer } from '../test/server'
import { waitFor } from '../test/waitFor'

let server: TestServer | null = null
const clients: TestClient[] = []
afterEach(async () => {
  for (const c of clients.splice(0)) c.destroy()
  await server?.dispose()
  server = null
})

describe('room lifecycle', () => {
  it('loads a document once when many clients join at the same moment, and unloads it after the grace period', async () => {
    server = await startTestServer({ ROOM_UNLOAD_GRACE_MS: '300' })
    const s = server
    const id = await s.createDocument({ content: { format: 'text', body: 'shared' } })
    const store = s.tandem.store
    const load = store.load.bind(store)
    let loads = 0
    store.load = (docId) => {
      loads++
      return load(docId)
    }
    const joiners = Array.from({ length: 25 }, () => connectClient(s.wsUrl, id))
    clients.push(...joiners)
    await Promise.all(joiners.map((c) => c.synced()))
    expect(loads).toBe(1)
    expect(s.tandem.rooms.roomCount).toBe(1)

    joiners[0]?.appendParagraph('last words')
    await waitFor(() => joiners.every((c) => c.text().endsWith('last words')), { what: 'everyone to see the edit' })
    for (const c of clients.splice(0)) c.destroy()
    await waitFor(() => s.tandem.rooms.roomCount === 0, { timeout: 5000, what: 'the room to unload' })
    const text = await (await fetch(`${s.url}/api/docs/${id}/content?format=text`)).text()
    expect(text).toBe('shared\n\nlast words')
    expect(loads).toBe(2)
  })

  it('keeps a room loaded while a client comes back within the grace period', async () => {
    server = await startTestServer({ ROOM_UNLOAD_GRACE_MS: '60000' })
    const s = server
    const id = await s.createDocument()
    const first = connectClient(s.wsUrl, id)
    await first.synced()
    first.destroy()
    const second = connectClient(s.wsUrl, id)
    clients.push(second)
    await second.synced()
    expect(s.tandem.rooms.roomCount).toBe(1)
  })

  it('drops a peer that stops answering pings and keeps the others', async () => {
    server = await startTestServer({ HEARTBEAT_INTERVAL_MS: '150' })
    const s = server
    const id = await s.createDocument()
    const healthy = connectClient(s.wsUrl, id)
    clients.push(healthy)
    await healthy.synced()
    const silent = new WebSocket(`${s.wsUrl}/${id}`, { autoPong: false })
    silent.on('error', () => undefined)
    const closed = new Promise<number>((resolve) => silent.on('close', (code) => resolve(code)))
    await new Promise((resolve) => silent.once('open', resolve))
    expect(await closed).toBe(1006)
    healthy.appendParagraph('still here')
    await waitFor(() => s.tandem.rooms.loaded(id)?.socketCount === 1, { what: 'one socket left' })
    expect(healthy.provider.wsconnected).toBe(true)
  })
})
