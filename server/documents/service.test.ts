/**
 * The document service keeps storage, the open rooms and the other processes in step.
 */
import { pino } from 'pino'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { DOCUMENT_FIELD } from '../../protocol/fields'
import { CloseCode } from '../../protocol/closeCodes'
import { DocumentNotFound, InvalidContent, InvalidRequest, QuotaExceeded, ShareNotFound } from '../common/errors'
import { MemoryBus } from '../fanout/memory'
import type { Fanout } from '../fanout/types'
import { newDocumentId, newShareId } from '../model/ids'
import { readTitle } from '../model/title'
import { SqliteDocumentStore } from '../storage/sqlite/documents'
import { SqliteShareStore } from '../storage/sqlite/shares'
import type { RoomSocket } from '../sync/room'
import { RoomManager } from '../sync/roomManager'
import { waitFor } from '../test/waitFor'
import { DocumentService } from './service'
import { roomManagerOptions } from '../test/rooms'

const log = pino({ level: 'silent' })

function socket(shareId: string | null = null): RoomSocket & { closedWith: number | null } {
  return {
    id: 'socket',
    canWrite: shareId === null,
    shareId,
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
  let now = Date.parse('2026-03-01T12:00:00Z')
  const otherRooms: RoomManager[] = []

  /** A room manager of another process: same database, its own member of the bus. */
  const anotherProcess = (): RoomManager => {
    const manager = new RoomManager(roomManagerOptions({ store, fanout: bus.join() }))
    otherRooms.push(manager)
    return manager
  }

  beforeEach(() => {
    store = new SqliteDocumentStore({ path: ':memory:', compactThreshold: 100, synchronous: 'normal', log })
    bus = new MemoryBus()
    fanout = bus.join()
    rooms = new RoomManager(roomManagerOptions({ store, fanout }))
    documents = new DocumentService({
      store,
      shares: new SqliteShareStore(store.database),
      rooms,
      fanout,
      maxDocumentBytes: 2_000,
      publicUrl: 'https://docs.example.test',
      authSecret: null,
      trashRetentionDays: 30,
      now: () => now,
    })
  })

  afterEach(async () => {
    for (const manager of otherRooms.splice(0)) await manager.closeAll(CloseCode.serviceRestart, 'test over')
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

  it('moves to the trash: closes the sockets here and in other processes, unloads the room, and is deleted everywhere', async () => {
    const { id } = await documents.create({ title: 'Doomed' })
    const editor = socket()
    await rooms.join(id, editor)
    const other = anotherProcess()
    const remoteEditor = socket()
    await other.join(id, remoteEditor)
    const elsewhere: string[] = []
    await bus.join().subscribe(id, {
      update() {},
      awareness() {},
      deleted: () => elsewhere.push(id),
      resync() {},
    })
    await documents.trash(id)
    expect(editor.closedWith).toBe(CloseCode.notFound)
    expect(rooms.loaded(id)).toBeNull()
    await waitFor(() => elsewhere.length === 1, { what: 'the other process to hear of the deletion' })
    await waitFor(() => remoteEditor.closedWith === CloseCode.notFound, { what: "the other process's socket to close" })
    expect(other.loaded(id)).toBeNull()
    await expect(documents.get(id)).rejects.toBeInstanceOf(DocumentNotFound)
    await expect(documents.rename(id, 'x')).rejects.toBeInstanceOf(DocumentNotFound)
    await expect(documents.trash(id)).rejects.toBeInstanceOf(DocumentNotFound)
    await expect(documents.exportContent(id, 'text')).rejects.toBeInstanceOf(DocumentNotFound)
    expect((await documents.list({ limit: 10 })).items).toEqual([])
    // A new socket finds nothing to join, in any process.
    expect(await rooms.join(id, socket())).toBeNull()
    expect(await other.join(id, socket())).toBeNull()
    await expect(documents.trash(newDocumentId())).rejects.toBeInstanceOf(DocumentNotFound)
  })

  it('restores from the trash with the content editors saw, last edits included, and opens again', async () => {
    const { id } = await documents.create({ title: 'Kept', content: { format: 'text', body: 'first' } })
    const editor = socket()
    const room = await rooms.join(id, editor)
    // Accepted by the room just before the deletion: stored before the document moves to the trash.
    void room?.writeAsServer((doc) => {
      const paragraph = new Y.XmlElement('paragraph')
      paragraph.insert(0, [new Y.XmlText('last words')])
      doc.getXmlFragment(DOCUMENT_FIELD).push([paragraph])
    })
    await documents.rename(id, 'Kept, renamed')
    await documents.trash(id)
    const trash = await documents.listTrash({ limit: 10 })
    expect(trash.items).toEqual([expect.objectContaining({ id, title: 'Kept, renamed', deletedAt: new Date(now) })])
    const restored = await documents.restoreFromTrash(id)
    expect(restored).toMatchObject({ id, title: 'Kept, renamed' })
    expect(await documents.get(id)).toEqual(restored)
    expect(await documents.exportContent(id, 'text')).toBe('first\n\nlast words')
    expect((await documents.listTrash({ limit: 10 })).items).toEqual([])
    const again = socket()
    expect(await rooms.join(id, again)).not.toBeNull()
    await expect(documents.restoreFromTrash(id)).rejects.toBeInstanceOf(DocumentNotFound)
    await expect(documents.restoreFromTrash(newDocumentId())).rejects.toBeInstanceOf(DocumentNotFound)
  })

  it('purges only what is in the trash, for good', async () => {
    const { id } = await documents.create({ title: 'Gone' })
    await expect(documents.purge(id)).rejects.toBeInstanceOf(DocumentNotFound)
    await documents.trash(id)
    await documents.purge(id)
    expect(await store.load(id)).toBeNull()
    await expect(documents.restoreFromTrash(id)).rejects.toBeInstanceOf(DocumentNotFound)
    await expect(documents.purge(id)).rejects.toBeInstanceOf(DocumentNotFound)
    expect((await documents.listTrash({ limit: 10 })).items).toEqual([])
  })

  it('purges what has been in the trash longer than the retention, by its clock', async () => {
    const day = 24 * 3600 * 1000
    const start = now
    const [old, recent, live] = await Promise.all([
      documents.create({ title: 'old' }),
      documents.create({ title: 'recent' }),
      documents.create({ title: 'live' }),
    ])
    await documents.trash(old.id)
    now = start + 10 * day
    await documents.trash(recent.id)
    now = start + 30 * day
    expect(await documents.purgeExpired()).toBe(0)
    now = start + 30 * day + 1
    expect(await documents.purgeExpired()).toBe(1)
    expect((await documents.listTrash({ limit: 10 })).items.map((item) => item.id)).toEqual([recent.id])
    now = start + 41 * day
    expect(await documents.purgeExpired()).toBe(1)
    expect((await documents.listTrash({ limit: 10 })).items).toEqual([])
    expect((await documents.get(live.id)).title).toBe('live')
  })

  it('exports what the live document holds, and makes share links', async () => {
    const { id } = await documents.create({ content: { format: 'text', body: 'hello' } })
    expect(await documents.exportContent(id, 'text')).toBe('hello')
    const edit = await documents.share(id, { role: 'edit' })
    expect(edit).toEqual({
      url: `https://docs.example.test/d/${id}`,
      role: 'edit',
      token: null,
      expiresAt: null,
      id: null,
    })
  })

  it('makes view links on an open server by an opaque share id that names no document', async () => {
    const { id } = await documents.create({ title: 'Secret plan' })
    const share = await documents.share(id, { role: 'view' })
    expect(share.id).toMatch(/^[A-Za-z0-9_-]{22}$/)
    expect(share).toEqual({
      url: `https://docs.example.test/s/${share.id}`,
      role: 'view',
      token: null,
      expiresAt: null,
      id: share.id,
    })
    expect(JSON.stringify(share)).not.toContain(id)
    expect(await documents.sharedDocument(share.id as string)).toEqual({
      title: 'Secret plan',
      role: 'view',
      expiresAt: null,
    })
    expect((await documents.resolveShare(share.id as string))?.docId).toBe(id)
    expect(await documents.listShares(id)).toEqual([
      { id: share.id, role: 'view', createdAt: expect.any(String), expiresAt: null, url: share.url },
    ])
    await expect(documents.share(id, { role: 'edit', revocable: true })).rejects.toBeInstanceOf(InvalidRequest)
    await expect(documents.share(newDocumentId(), { role: 'view' })).rejects.toBeInstanceOf(DocumentNotFound)
    await expect(documents.sharedDocument(newShareId())).rejects.toBeInstanceOf(ShareNotFound)
    await expect(documents.sharedDocument('not an id')).rejects.toBeInstanceOf(ShareNotFound)
  })

  it('lets a share link expire when asked to', async () => {
    const { id } = await documents.create({})
    const share = await documents.share(id, { role: 'view', expiresInSeconds: 60 })
    expect(Date.parse(share.expiresAt as string) - Date.now()).toBeGreaterThan(50_000)
    expect(await documents.resolveShare(share.id as string)).not.toBeNull()
    expect(await documents.resolveShare(share.id as string, Date.now() + 61_000)).toBeNull()
  })

  it('revokes a share link: it stops resolving, and its sockets here and elsewhere close with 4410', async () => {
    const { id } = await documents.create({})
    const share = await documents.share(id, { role: 'view' })
    const kept = await documents.share(id, { role: 'view' })
    const viewer = socket(share.id)
    const otherViewer = socket(kept.id)
    const editor = socket()
    await rooms.join(id, viewer)
    await rooms.join(id, otherViewer)
    await rooms.join(id, editor)
    const elsewhere: string[] = []
    await bus.join().subscribe(id, {
      update() {},
      awareness() {},
      deleted() {},
      resync() {},
      shareRevoked: (shareId) => elsewhere.push(shareId),
    })
    await documents.revokeShare(id, share.id as string)
    expect(viewer.closedWith).toBe(CloseCode.shareRevoked)
    expect(otherViewer.closedWith).toBeNull()
    expect(editor.closedWith).toBeNull()
    await waitFor(() => elsewhere.length === 1, { what: 'the other process to hear of the revocation' })
    expect(elsewhere).toEqual([share.id])
    expect(await documents.resolveShare(share.id as string)).toBeNull()
    await expect(documents.revokeShare(id, share.id as string)).rejects.toBeInstanceOf(ShareNotFound)
    await expect(documents.revokeShare(newDocumentId(), kept.id as string)).rejects.toBeInstanceOf(DocumentNotFound)
    expect((await documents.listShares(id)).map((link) => link.id)).toEqual([kept.id])
    // A socket admitted through the link just before, joining just after, is closed too.
    const late = socket(share.id)
    expect(await rooms.join(id, late)).toBeNull()
    expect(late.closedWith).toBe(CloseCode.shareRevoked)
  })

  it('forgets a document’s share links with the document', async () => {
    const { id } = await documents.create({})
    const share = await documents.share(id, { role: 'view' })
    await documents.trash(id)
    expect(await documents.resolveShare(share.id as string)).toBeNull()
    await expect(documents.listShares(id)).rejects.toBeInstanceOf(DocumentNotFound)
  })
})
