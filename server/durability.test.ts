/**
 * The durability promise: an update that any other client has received, or that a REST call
 * answered 2xx for, survives a restart and a `kill -9` of the server.
 */
import { rmSync } from 'node:fs'
import { afterEach, describe, expect, it } from 'vitest'
import { type ChildServer, spawnServer } from './test/child'
import { type TestClient, connectClient } from './test/clients'
import { startTestServer, tempDataDir } from './test/server'
import { waitFor } from './test/waitFor'

const clients: TestClient[] = []
const children: ChildServer[] = []
const dirs: string[] = []

afterEach(async () => {
  for (const c of clients.splice(0)) c.destroy()
  for (const child of children.splice(0)) await child.kill('SIGKILL')
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

async function readText(url: string, id: string): Promise<string> {
  const response = await fetch(`${url}/api/docs/${id}/content?format=text`)
  if (response.status !== 200) throw new Error(`content: ${response.status}`)
  return response.text()
}

describe('durability', () => {
  it('keeps content across a graceful restart', async () => {
    const dataDir = tempDataDir()
    dirs.push(dataDir)
    const first = await startTestServer({ DATA_DIR: dataDir })
    const id = await first.createDocument({ title: 'Kept', content: { format: 'text', body: 'from REST' } })
    const writer = connectClient(first.wsUrl, id)
    clients.push(writer)
    await writer.synced()
    writer.appendParagraph('from the socket')
    await waitFor(async () => (await readText(first.url, id)).includes('from the socket'), { what: 'edit stored' })
    writer.destroy()
    await first.stop()

    const second = await startTestServer({ DATA_DIR: dataDir })
    try {
      expect(await readText(second.url, id)).toBe('from REST\n\nfrom the socket')
      const meta = (await (await fetch(`${second.url}/api/docs/${id}`)).json()) as { title: string }
      expect(meta.title).toBe('Kept')
    } finally {
      await second.stop()
    }
  })

  it('keeps every update another client received when the server is killed with SIGKILL right after', async () => {
    const dataDir = tempDataDir()
    dirs.push(dataDir)
    let server = await spawnServer({ DATA_DIR: dataDir })
    children.push(server)
    const created = await fetch(`${server.url}/api/docs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'crash' }),
    })
    expect(created.status).toBe(201)
    const { id } = (await created.json()) as { id: string }

    const received: string[] = []
    for (let round = 0; round < 4; round++) {
      const writer = connectClient(server.wsUrl, id)
      const observer = connectClient(server.wsUrl, id)
      clients.push(writer, observer)
      await Promise.all([writer.synced(), observer.synced()])
      const victim = server
      const last = `round ${round} line 4`
      // Kill in the same tick the update arrives: the tightest window the promise must cover.
      observer.doc.on('update', () => {
        if (observer.text().includes(last)) victim.process.kill('SIGKILL')
      })
      for (let i = 0; i < 5; i++) writer.appendParagraph(`round ${round} line ${i}`)
      await victim.exited
      received.push(
        ...observer
          .text()
          .split('\n')
          .filter((line) => line.startsWith('round')),
      )
      writer.destroy()
      observer.destroy()

      server = await spawnServer({ DATA_DIR: dataDir })
      children.push(server)
      const text = await readText(server.url, id)
      for (const line of received) expect(text).toContain(line)
    }
    // Five server processes start one after the other (≈ 1 s each on a quiet machine, several under load).
  }, 90_000)
})
