/**
 * MAX_MEMORY_BYTES through a real server: opening a document beyond the budget unloads idle
 * documents first, least recently used first, and is refused (1013, 503) when that is not enough.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type TestClient, connectClient } from '../test/clients'
import { type TestServer, startTestServer } from '../test/server'
import { waitFor } from '../test/waitFor'

let server: TestServer
const clients: TestClient[] = []

beforeAll(async () => {
  // Room for one small document (≈ 64 KiB each as estimated), not two; nothing unloads by itself.
  server = await startTestServer({ MAX_MEMORY_BYTES: '100000', ROOM_UNLOAD_GRACE_MS: '600000' })
})

afterAll(async () => {
  for (const client of clients) client.destroy()
  await server.dispose()
})

describe('memory budget', () => {
  it('unloads the least recently used idle document to open another, and refuses when every open one is in use', async () => {
    const rooms = server.tandem.rooms
    const [first, second] = [await server.createDocument(), await server.createDocument()]
    const visitor = connectClient(server.wsUrl, first)
    await visitor.synced()
    visitor.destroy()
    await waitFor(() => rooms.loaded(first)?.socketCount === 0, { what: 'the first document to be idle' })

    const editor = connectClient(server.wsUrl, second)
    clients.push(editor)
    await editor.synced()
    expect(rooms.loaded(first)).toBeNull()
    expect(rooms.roomCount).toBe(1)

    const latecomer = connectClient(server.wsUrl, first)
    clients.push(latecomer)
    await waitFor(() => latecomer.closes.length > 0, { what: 'the latecomer to be refused' })
    expect(latecomer.closes[0]?.code).toBe(1013)
    expect(rooms.loaded(second)?.socketCount).toBe(1)
    const rest = await fetch(`${server.url}/api/docs/${first}/content?format=text`)
    expect(rest.status).toBe(503)
    expect(((await rest.json()) as { error: { code: string } }).error.code).toBe('server_busy')

    // Once the editor leaves, its document is idle and gives way; the latecomer gets in on retry.
    editor.provider.disconnect()
    await waitFor(() => latecomer.provider.synced, { timeout: 15_000, what: 'the latecomer to get in' })
    expect(rooms.loaded(second)).toBeNull()
  })
})
