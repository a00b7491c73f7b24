/**
 * A real editing trace replayed through a stock client: 260k keystrokes end as exactly the
 * trace's final text, on a fresh client and after a restart.
 */
import { rmSync } from 'node:fs'
import { afterAll, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { type TestClient, connectClient } from './test/clients'
import { type TestServer, startTestServer, tempDataDir } from './test/server'
import { loadTrace } from './test/trace'
import { waitFor } from './test/waitFor'
import { DOCUMENT_FIELD } from '../protocol/fields'

/** Keystrokes per Yjs transaction: each becomes one update message, as a fast typist's would. */
const KEYSTROKES_PER_UPDATE = 25

const clients: TestClient[] = []
const servers: TestServer[] = []
const dataDir = tempDataDir()

afterAll(async () => {
  for (const c of clients) c.destroy()
  for (const s of servers) await s.stop()
  rmSync(dataDir, { recursive: true, force: true })
})

function paragraphText(doc: Y.Doc): string {
  const paragraph = doc.getXmlFragment(DOCUMENT_FIELD).get(0) as Y.XmlElement
  return (paragraph.get(0) as Y.XmlText).toString()
}

describe('the automerge-paper trace', () => {
  it('replays through the server and reloads identically', { timeout: 240_000 }, async () => {
    const trace = loadTrace()
    const env = { DATA_DIR: dataDir, MAX_MESSAGES_PER_SECOND: '100000', COMPACT_THRESHOLD: '1000' }
    const server = await startTestServer(env)
    servers.push(server)
    const id = await server.createDocument({ title: 'paper' })
    const writer = connectClient(server.wsUrl, id)
    clients.push(writer)
    await writer.synced()

    const paragraph = writer.doc.getXmlFragment(DOCUMENT_FIELD).get(0) as Y.XmlElement
    const text = new Y.XmlText()
    paragraph.insert(0, [text])
    for (let start = 0; start < trace.txns.length; start += KEYSTROKES_PER_UPDATE) {
      writer.doc.transact(() => {
        for (const txn of trace.txns.slice(start, start + KEYSTROKES_PER_UPDATE)) {
          for (const [position, deleted, inserted] of txn.patches) {
            if (deleted > 0) text.delete(position, deleted)
            if (inserted !== '') text.insert(position, inserted)
          }
        }
      })
      if (start % 20_000 === 0) await new Promise((resolve) => setImmediate(resolve))
    }
    expect(text.toString()).toBe(trace.endContent)

    const fresh = connectClient(server.wsUrl, id)
    clients.push(fresh)
    await waitFor(() => fresh.provider.synced && paragraphText(fresh.doc) === trace.endContent, {
      timeout: 120_000,
      interval: 200,
      what: 'a fresh client to hold the final text',
    })
    writer.destroy()
    fresh.destroy()
    await server.stop()

    const restarted = await startTestServer(env)
    servers.push(restarted)
    const content = await fetch(`${restarted.url}/api/docs/${id}/content?format=text`)
    expect(await content.text()).toBe(trace.endContent)
    const afterRestart = connectClient(restarted.wsUrl, id)
    clients.push(afterRestart)
    await afterRestart.synced()
    expect(paragraphText(afterRestart.doc)).toBe(trace.endContent)
  })
})
