/** The web app's delivery tracker (`web/sync/delivery.ts`) against a real server, in Node: the one web module whose test needs the server, so it lives with the end-to-end tests. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { type TestClient, bodyText, connectClient } from '../server/test/clients'
import { type TestServer, startTestServer } from '../server/test/server'
import { waitFor } from '../server/test/waitFor'
import { DeliveryTracker } from '../web/sync/delivery'
import { DOCUMENT_FIELD } from '../protocol/fields'

async function storedText(server: TestServer, id: string): Promise<string> {
  const response = await fetch(`${server.url}/api/docs/${id}/content?format=text`)
  return (await response.text()).trim()
}

describe('DeliveryTracker against a real server', () => {
  let server: TestServer
  let docId: string
  let client: TestClient
  let tracker: DeliveryTracker

  beforeEach(async () => {
    server = await startTestServer()
    docId = await server.createDocument({ title: 'Delivery' })
    client = connectClient(server.wsUrl, docId)
    tracker = new DeliveryTracker(client.doc, client.provider, { batchMs: 5 })
    await client.synced()
  })

  afterEach(async () => {
    tracker.destroy()
    client.destroy()
    await server.dispose()
  })

  function write(text: string): void {
    const paragraph = new Y.XmlElement('paragraph')
    paragraph.insert(0, [new Y.XmlText(text)])
    client.doc.getXmlFragment(DOCUMENT_FIELD).push([paragraph])
  }

  it('is pending from a local change until the server has stored it', async () => {
    await waitFor(() => tracker.state.lastSyncedAt !== null, { what: 'first sync' })
    expect(tracker.state.pending).toBe(false)
    write('hello')
    expect(tracker.state.pending).toBe(true)
    await waitFor(() => !tracker.state.pending, { what: 'the change to be confirmed' })
    expect(await storedText(server, docId)).toContain('hello')
  })

  it('stays pending while disconnected and confirms after reconnecting', async () => {
    client.provider.disconnect()
    write('offline words')
    // Anything the server could still answer has been answered by the time we reconnect.
    await waitFor(() => !client.provider.wsconnected)
    expect(tracker.state.pending).toBe(true)
    expect(await storedText(server, docId)).not.toContain('offline words')
    client.provider.connect()
    await waitFor(() => !tracker.state.pending, { what: 'the offline change to be confirmed' })
    expect(await storedText(server, docId)).toContain('offline words')
  })

  it('does not count changes that came from the server', async () => {
    const other = connectClient(server.wsUrl, docId)
    try {
      await other.synced()
      other.appendParagraph('from elsewhere')
      await waitFor(() => bodyText(client.doc).includes('from elsewhere'))
      expect(tracker.state.pending).toBe(false)
    } finally {
      other.destroy()
    }
  })

  it('reports every change to subscribers', async () => {
    const seen: boolean[] = []
    tracker.subscribe((state) => seen.push(state.pending))
    write('one')
    await waitFor(() => !tracker.state.pending)
    expect(seen[0]).toBe(true)
    expect(seen.at(-1)).toBe(false)
  })
})
