/**
 * R3 through a real server: a 20 MB document reaches a joiner in paced pieces, so a joiner that
 * reads slowly while presence traffic flows is neither cut off as a slow reader (the state alone
 * is over MAX_BUFFERED_BYTES) nor handed one huge frame.
 */
import * as decoding from 'lib0/decoding'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import * as awarenessProtocol from 'y-protocols/awareness'
import * as Y from 'yjs'
import { DOCUMENT_FIELD } from '../../protocol/fields'
import { newDocumentId } from '../model/ids'
import { type TestClient, bodyText, connectClient } from '../test/clients'
import { type TestServer, startTestServer } from '../test/server'
import { waitFor } from '../test/waitFor'
import { JOIN_PIECE_BYTES } from './room'
import { encodeAwareness, encodeSyncStep1 } from './wire'

const PARAGRAPHS = 2000
const PARAGRAPH_CHARS = 10_000

let server: TestServer
let docId: string
let expectedText: string

beforeAll(async () => {
  server = await startTestServer({ MAX_BUFFERED_BYTES: String(8 * 2 ** 20) })
  const doc = new Y.Doc()
  const body = doc.getXmlFragment(DOCUMENT_FIELD)
  doc.transact(() => {
    for (let index = 0; index < PARAGRAPHS; index++) {
      const paragraph = new Y.XmlElement('paragraph')
      paragraph.insert(0, [new Y.XmlText(`${index} `.padEnd(PARAGRAPH_CHARS, 'x'))])
      body.push([paragraph])
    }
  })
  expectedText = bodyText(doc)
  docId = newDocumentId()
  const initialUpdate = Y.encodeStateAsUpdate(doc)
  expect(initialUpdate.length).toBeGreaterThan(20_000_000)
  await server.tandem.store.create({ id: docId, title: 'Big', initialUpdate })
}, 60_000)

afterAll(async () => {
  await server.dispose()
})

function openRaw(): Promise<WebSocket> {
  const ws = new WebSocket(`${server.wsUrl}/${docId}`, { perMessageDeflate: false })
  ws.binaryType = 'nodebuffer'
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(ws))
    ws.once('error', reject)
  })
}

describe('joining a 20 MB document', () => {
  it('arrives in pieces, while the joiner reads slowly and carets move, and the joiner is not cut off', async () => {
    const observers: TestClient[] = [connectClient(server.wsUrl, docId)]
    const observer = observers[0] as TestClient
    await waitFor(() => observer.provider.synced, { timeout: 60_000, what: 'the observer to sync' })
    const mover = await openRaw()
    const moverAwareness = new awarenessProtocol.Awareness(new Y.Doc())

    const joiner = await openRaw()
    const joined = new Y.Doc()
    const frames: Array<{ type: number; bytes: number }> = []
    let closed: number | null = null
    joiner.on('close', (code) => {
      closed = code
    })
    joiner.on('message', (data: Buffer) => {
      const decoder = decoding.createDecoder(data)
      const messageType = decoding.readVarUint(decoder)
      if (messageType !== 0) return
      const syncType = decoding.readVarUint(decoder)
      if (syncType === 0) return
      frames.push({ type: syncType, bytes: data.length })
      Y.applyUpdate(joined, decoding.readVarUint8Array(decoder))
    })
    // The joiner asks for everything, then stops reading while the others' carets move.
    const socket = (joiner as unknown as { _socket: import('node:net').Socket })._socket
    socket.pause()
    joiner.send(encodeSyncStep1(Y.encodeStateVector(new Y.Doc())))
    for (let move = 1; move <= 5; move++) {
      moverAwareness.setLocalState({ user: { name: 'Mover' }, cursor: move })
      mover.send(encodeAwareness(awarenessProtocol.encodeAwarenessUpdate(moverAwareness, [moverAwareness.clientID])))
      await waitFor(
        () =>
          (observer.provider.awareness.getStates().get(moverAwareness.clientID) as { cursor?: number } | undefined)
            ?.cursor === move,
        { what: `caret move ${move} to reach the observer` },
      )
    }
    socket.resume()
    await waitFor(() => frames.some((frame) => frame.type === 1), { timeout: 60_000, what: 'the join to complete' })
    expect(closed).toBeNull()
    expect(frames.length).toBeGreaterThan(10)
    expect(Math.max(...frames.map((frame) => frame.bytes))).toBeLessThan(JOIN_PIECE_BYTES + 64 * 1024)
    expect(frames.at(-1)?.type).toBe(1)
    expect(bodyText(joined)).toBe(expectedText)

    // A stock client joins too, and receives the whole document.
    const stock = connectClient(server.wsUrl, docId)
    observers.push(stock)
    await waitFor(() => stock.provider.synced, { timeout: 60_000, what: 'the stock client to sync' })
    expect(stock.text()).toBe(expectedText)
    expect(stock.closes).toEqual([])
    for (const client of observers) client.destroy()
    joiner.close()
    mover.close()
  }, 120_000)
})
