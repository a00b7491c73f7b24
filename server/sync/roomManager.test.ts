/**
 * The room manager's appends with a change observer (the version recorder): each change is
 * reported with its author, and an append that waits for the observer still resolves, and is
 * broadcast, in the order the room received it.
 */
import { pino } from 'pino'
import { afterEach, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import type { Author } from '../../protocol/api'
import { CloseCode } from '../../protocol/closeCodes'
import { DOCUMENT_FIELD } from '../../protocol/fields'
import { MemoryBus } from '../fanout/memory'
import { newDocumentId } from '../model/ids'
import { newDocumentUpdate } from '../model/seed'
import { SqliteDocumentStore } from '../storage/sqlite/documents'
import { appendParagraph } from '../test/clients'
import { waitFor } from '../test/waitFor'
import type { RoomSocket } from './room'
import { RoomManager } from './roomManager'
import { decodeClientMessage, encodeUpdate } from './wire'
import { roomManagerOptions } from '../test/rooms'

const log = pino({ level: 'silent' })

function socket(id: string, author: Author): RoomSocket & { updates: Uint8Array[] } {
  return {
    id,
    canWrite: true,
    author,
    updates: [],
    sendPaced() {},
    send(frame) {
      const message = decodeClientMessage(frame)
      if (message.kind === 'update') this.updates.push(message.update)
    },
    close() {},
    terminate() {},
    probe: async () => true,
  }
}

describe('RoomManager with a change observer', () => {
  const cleanups: Array<() => Promise<void>> = []
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup()
  })

  it('reports each stored change with its author, and keeps the order of appends that wait for it', async () => {
    const store = new SqliteDocumentStore({ path: ':memory:', compactThreshold: 100, synchronous: 'normal', log })
    const reported: Array<string | null> = []
    let release: () => void = () => undefined
    const slow = new Promise<void>((resolve) => {
      release = resolve
    })
    const rooms = new RoomManager(
      roomManagerOptions({
        store,
        fanout: new MemoryBus().join(),
        changes: {
          changed: (_docId, author) => {
            reported.push(author?.name ?? null)
            return author?.name === 'Slow' ? slow : null
          },
        },
      }),
    )
    cleanups.push(async () => {
      release()
      await rooms.closeAll(CloseCode.serviceRestart, 'test over')
      await store.close()
    })
    const id = newDocumentId()
    const initialUpdate = newDocumentUpdate('t')
    await store.create({ id, title: 't', initialUpdate })
    const slowWriter = socket('slow', { sub: 's', name: 'Slow' })
    const fastWriter = socket('fast', { sub: 'f', name: 'Fast' })
    const reader = socket('reader', { sub: null, name: null })
    const room = await rooms.join(id, slowWriter)
    await rooms.join(id, fastWriter)
    await rooms.join(id, reader)
    if (room === null) throw new Error('no room')
    const edit = (text: string): Uint8Array => {
      const doc = new Y.Doc()
      Y.applyUpdate(doc, room.encodeState())
      const before = Y.encodeStateVector(doc)
      appendParagraph(doc, text)
      return Y.encodeStateAsUpdate(doc, before)
    }
    room.receive(slowWriter, encodeUpdate(edit('first')))
    room.receive(fastWriter, encodeUpdate(edit('second')))
    expect(reported).toEqual(['Slow', 'Fast'])
    // Both are stored, but the fast one waits behind the slow one's report.
    await waitFor(async () => ((await store.load(id))?.updates.length ?? 0) >= 3, { what: 'both stored' })
    expect(reader.updates).toHaveLength(0)
    release()
    await waitFor(() => reader.updates.length === 2, { what: 'both updates broadcast' })
    const seen = new Y.Doc()
    Y.applyUpdate(seen, initialUpdate)
    Y.applyUpdate(seen, reader.updates[0] as Uint8Array)
    expect(seen.getXmlFragment(DOCUMENT_FIELD).toString()).toContain('first')
    expect(seen.getXmlFragment(DOCUMENT_FIELD).toString()).not.toContain('second')
  })
})
