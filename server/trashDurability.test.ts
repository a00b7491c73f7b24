/**
 * Trash moves and restores survive `kill -9`: each is one statement on the document's row, so a
 * 2xx answer means it is stored, and the content is never touched by either.
 */
import { rmSync } from 'node:fs'
import { afterEach, describe, expect, it } from 'vitest'
import { type ChildServer, spawnServer } from './test/child'
import { tempDataDir } from './test/server'

const children: ChildServer[] = []
const dirs: string[] = []

afterEach(async () => {
  for (const child of children.splice(0)) await child.kill('SIGKILL')
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

async function spawn(dataDir: string): Promise<ChildServer> {
  const server = await spawnServer({ DATA_DIR: dataDir })
  children.push(server)
  return server
}

describe('trash durability', () => {
  it('keeps a move to the trash and a restore answered 2xx when the server is killed with SIGKILL right after', async () => {
    const dataDir = tempDataDir()
    dirs.push(dataDir)
    let server = await spawn(dataDir)
    const created = await fetch(`${server.url}/api/docs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'Crash', content: { format: 'text', body: 'survives' } }),
    })
    const { id } = (await created.json()) as { id: string }

    expect((await fetch(`${server.url}/api/docs/${id}`, { method: 'DELETE' })).status).toBe(204)
    server.process.kill('SIGKILL')
    await server.exited
    server = await spawn(dataDir)
    expect((await fetch(`${server.url}/api/docs/${id}`)).status).toBe(404)
    const trash = (await (await fetch(`${server.url}/api/trash`)).json()) as { items: Array<{ id: string }> }
    expect(trash.items.map((item) => item.id)).toEqual([id])

    expect((await fetch(`${server.url}/api/trash/${id}/restore`, { method: 'POST' })).status).toBe(200)
    server.process.kill('SIGKILL')
    await server.exited
    server = await spawn(dataDir)
    expect((await fetch(`${server.url}/api/docs/${id}`)).status).toBe(200)
    expect(await (await fetch(`${server.url}/api/docs/${id}/content?format=text`)).text()).toBe('survives')
    const after = (await (await fetch(`${server.url}/api/trash`)).json()) as { items: unknown[] }
    expect(after.items).toEqual([])
    // Three server processes, one after the other; slow under load.
  }, 90_000)
})
