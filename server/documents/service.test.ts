/**
 * The document service keeps storage, the open rooms and the other processes in step.
 */
import { pino } from 'pino'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type * as Y from 'yjs'
import { CloseCode } from '../../protocol/closeCodes'
import { DocumentNotFound, InvalidContent, QuotaExceeded } from '../common/errors'
import { noopSyncMetrics } from '../common/metrics'
import { schemaRules } from '../content/rules'
import { MemoryBus } from '../fanout/memory'
import type { Fanout } from '../fanout/types'
import { newDocumentId } from '../model/ids'
import { readTitle } from '../model/title'
import { SqliteDocumentStore } from '../storage/sqlite/documents'
import type { RoomSocket } from '../sync/room'
import { RoomManager } from '../sync/roomManager'
import { waitFor } from '../test/waitFor'
import { DocumentService } from './service'

const log = pino({ level: 'silent' })

function socket(): RoomSocket & { closedWith: number | null } {
  return {
    id: 'socket',
    canWrite: true,
    closedWith: null,
    send() {},
    sendPaced() {},
    close(code) {
      this.closedWith = code
    },
    terminate() {},
    probe: async () => true,
  }
}

describe('DocumentService', () => {
  let store: SqliteDocumentStore
  let bus: MemoryBus
  let fanout: Fanout
  let rooms: RoomManager
  let documents: DocumentService

  beforeEach(() => {
    store = new SqliteDocumentStore({ path: ':memory:', compactThreshold: 100, synchronous: 'normal', log })
    bus = new MemoryBus()
    fanout = bus.join()
    rooms = new RoomManager({
      store,
      fanout,
      unloadGraceMs: 60_000,
      maxMemoryBytes: 0,
      log,
      room: {
        rules: schemaRules(),
        awareness: { maxClientsPerOwner: 1, maxStateBytes: 1000 },
        maxPendingBytes: 10_000,
        ownerProbeTimeoutMs: 50,
        presenceTickMs: 0,
        maxDocumentBytes: 1_000_000,
        log,
        metrics: noopSyncMetrics,
      },
    })
    documents = new DocumentService({
      store,
      rooms,
      fanout,
      maxDocumentBytes: 2_000,
      publicUrl: 'https://docs.example.test',
      authSecret: null,
    })
  })

  afterEach(async () => {
    await rooms.closeAll(CloseCode.serviceRestart, 'test over')
    await store.close()
  })

  it('creates a document with its title in the store and in the document', async () => {
    const record = await documents.create({ title: 'Plan', content: { format: 'markdown', body: '# Goals' } })
    expect(record.title).toBe('Plan')
    const title = await rooms.withRoom(record.id, (room) => readTitle(room.doc))
    expect(title).toBe('Plan')
    expect((await documents.create({})).title).toBe('Untitled')
  })

  it('refuses content the schema cannot hold, and content over the quota', async () => {
    await expect(documents.create({ content: { format: 'json', body: { type: 'video' } } })).rejects.toBeInstanceOf(
      InvalidContent,
    )
    await expect(documents.create({ content: { format: 'text', body: 'x'.repeat(5_000) } })).rejects.toBeInstanceOf(
      QuotaExceeded,
    )
  })

  it('renames in the store and in the open document alike', async () => {
    const { id } = await documents.create({ title: 'Before' })
    const editor = socket()
    const room = await rooms.join(id, editor)
    await documents.rename(id, 'After')
    expect((await documents.get(id)).title).toBe('After')
    expect(readTitle(room?.doc as Y.Doc)).toBe('After')
    await expect(documents.rename(newDocumentId(), 'x')).rejects.toBeInstanceOf(DocumentNotFound)
  })

  it('deletes from the store, closes the sockets here and tells the other processes', async () => {
    const { id } = await documents.create({ title: 'Doomed' })
    const editor = socket()
    await rooms.join(id, editor)
    const elsewhere: string[] = []
    await bus.join().subscribe(id, {
      update() {},
      awareness() {},
      deleted: () => elsewhere.push(id),
      resync() {},
    })
    await documents.delete(id)
    expect(editor.closedWith).toBe(CloseCode.notFound)
    await waitFor(() => elsewhere.length === 1, { what: 'the other process to hear of the deletion' })
    await expect(documents.get(id)).rejects.toBeInstanceOf(DocumentNotFound)
    await expect(documents.delete(id)).rejects.toBeInstanceOf(DocumentNotFound)
    await expect(documents.exportContent(id, 'text')).rejects.toBeInstanceOf(DocumentNotFound)
  })

  it('exports what the live document holds, and makes share links', async () => {
    const { id } = await documents.create({ content: { format: 'text', body: 'hello' } })
    expect(await documents.exportContent(id, 'text')).toBe('hello')
    const share = await documents.share(id, 'view', 60)
    expect(share).toEqual({
      url: `https://docs.example.test/d/${id}?role=view`,
      role: 'view',
      token: null,
      expiresAt: null,
    })
  })
})
