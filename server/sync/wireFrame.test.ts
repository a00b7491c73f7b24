import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import WebSocket, { WebSocketServer } from 'ws'
import { waitFor } from '../test/waitFor'
import { binaryFrame, rawSocketOf } from './wireFrame'

const open: Array<{ close(): void }> = []
afterEach(() => {
  for (const item of open.splice(0)) item.close()
})

describe('binaryFrame', () => {
  it('frames payloads of every length class so that a stock client reads them, interleaved with ws’s own sends', async () => {
    const server = new WebSocketServer({ port: 0, perMessageDeflate: false })
    open.push(server)
    const accepted = new Promise<WebSocket>((resolve) => server.once('connection', resolve))
    const client = new WebSocket(`ws://127.0.0.1:${(server.address() as AddressInfo).port}`)
    open.push(client)
    const received: Buffer[] = []
    client.on('message', (data) => received.push(data as Buffer))
    const peer = await accepted
    const payloads = [0, 1, 125, 126, 65_535, 65_536, 200_000].map((length) =>
      Uint8Array.from({ length }, (_, i) => (i * 31 + length) % 256),
    )
    for (const payload of payloads) {
      rawSocketOf(peer).write(binaryFrame(payload))
      peer.send(Buffer.from('via ws'))
    }
    await waitFor(() => received.length === payloads.length * 2, { what: 'every frame' })
    payloads.forEach((payload, i) => {
      expect(Buffer.compare(received[i * 2] as Buffer, Buffer.from(payload))).toBe(0)
      expect((received[i * 2 + 1] as Buffer).toString()).toBe('via ws')
    })
  })

  it('builds each frame once however often it is sent', () => {
    const payload = new Uint8Array([1, 2, 3])
    expect(binaryFrame(payload)).toBe(binaryFrame(payload))
  })
})
