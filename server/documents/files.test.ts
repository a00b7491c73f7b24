/**
 * The file service's quota accounting: an image stored for an imported document goes through the
 * document's room, as an upload does, so a room already loaded counts it at once.
 */
import { pino } from 'pino'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { CloseCode } from '../../protocol/closeCodes'
import { QuotaExceeded } from '../common/errors'
import { MemoryBus } from '../fanout/memory'
import { newDocumentId } from '../model/ids'
import { newDocumentUpdate } from '../model/seed'
import { SqliteDocumentStore } from '../storage/sqlite/documents'
import { SqliteFileStore } from '../storage/sqlite/files'
import { RoomManager } from '../sync/roomManager'
import { roomManagerOptions } from '../test/rooms'
import { FileService } from './files'

const log = pino({ level: 'silent' })
const QUOTA = 20_000

/** Bytes that start like a PNG, `size` long. */
function png(size: number): Uint8Array {
  const bytes = new Uint8Array(size)
  for (let index = 0; index < size; index++) bytes[index] = (index * 31) % 251
  bytes.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])
  return bytes
}

describe('FileService', () => {
  let store: SqliteDocumentStore
  let fileStore: SqliteFileStore
  let rooms: RoomManager
  let files: FileService
  let id: string

  beforeEach(async () => {
    store = new SqliteDocumentStore({ path: ':memory:', compactThreshold: 100, synchronous: 'normal', log })
    fileStore = new SqliteFileStore(store.database)
    rooms = new RoomManager(
      roomManagerOptions({ store, fanout: new MemoryBus().join(), room: { maxDocumentBytes: QUOTA } }),
    )
    files = new FileService({ files: fileStore, rooms, maxDocumentBytes: QUOTA })
    id = newDocumentId()
    await store.create({ id, title: 'Imported', initialUpdate: newDocumentUpdate('Imported') })
  })

  afterEach(async () => {
    await rooms.closeAll(CloseCode.serviceRestart, 'test over')
    await store.close()
  })

  /** Loads the document's room (as an open editor would) and returns it. */
  async function loadedRoom() {
    await rooms.withRoom(id, () => undefined)
    const room = rooms.loaded(id)
    if (room === null) throw new Error('room not loaded')
    return room
  }

  it('counts an imported image in the quota of a room already loaded', async () => {
    const room = await loadedRoom()
    const before = room.byteSize
    const image = files.documentImages().prepare(png(5_000), 'image/png')
    if (image === null) throw new Error('not taken as an image')
    await image.store(id)
    expect(room.byteSize).toBe(before + 5_000)
    expect(await fileStore.totalSize(id)).toBe(5_000)
    // An upload now sees the imported image in the count.
    await expect(files.upload(id, png(QUOTA - before - 5_000 + 1))).rejects.toBeInstanceOf(QuotaExceeded)
  })

  it('refuses an imported image over the quota and stores nothing', async () => {
    const room = await loadedRoom()
    const before = room.byteSize
    const image = files.documentImages().prepare(png(QUOTA), 'image/png')
    if (image === null) throw new Error('not taken as an image')
    await expect(image.store(id)).rejects.toBeInstanceOf(QuotaExceeded)
    expect(room.byteSize).toBe(before)
    expect(await fileStore.totalSize(id)).toBe(0)
  })

  it("keeps the room's count equal to what the store counts for the document and its files", async () => {
    const image = files.documentImages().prepare(png(5_000), 'image/png')
    if (image === null) throw new Error('not taken as an image')
    await image.store(id)
    const stored = await store.load(id)
    const room = await loadedRoom()
    expect(room.byteSize).toBe(stored?.byteSize)
    expect(stored?.byteSize).toBeGreaterThan(5_000)
  })
})
