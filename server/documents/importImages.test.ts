/**
 * Images of imported Word files: named before the document exists, stored once it does, only
 * when its content kept them; a failure to store leaves no document behind.
 */
import { Document, ImageRun, Packer, Paragraph } from 'docx'
import { pino } from 'pino'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { DOCX_MEDIA_TYPE } from '../../protocol/api'
import { contentSchema } from '../../protocol/schema'
import { CloseCode } from '../../protocol/closeCodes'
import { MemoryBus } from '../fanout/memory'
import { SqliteShareStore } from '../storage/sqlite/shares'
import { SqliteDocumentStore } from '../storage/sqlite/documents'
import { SqliteFileStore } from '../storage/sqlite/files'
import { QuotaExceeded } from '../common/errors'
import { RoomManager } from '../sync/roomManager'
import { FileService } from './files'
import { type DocumentImages, DocumentService, imageSources } from './service'
import { roomManagerOptions } from '../test/rooms'

const log = pino({ level: 'silent' })
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAIAAAABCAYAAAD0In+KAAAAEUlEQVR4nGP4z8DwHwQZGAAi3gP9gSNvWgAAAABJRU5ErkJggg==',
  'base64',
)
/** The schema can hold images once the image node is in it (the files and blocks work). */
const schemaHasImages = contentSchema().nodes.image !== undefined

async function wordWithImage(): Promise<Uint8Array> {
  const document = new Document({
    sections: [
      {
        children: [
          new Paragraph('Photo'),
          new Paragraph({
            children: [new ImageRun({ type: 'png', data: PNG, transformation: { width: 2, height: 1 } })],
          }),
        ],
      },
    ],
  })
  return new Uint8Array(await Packer.toBuffer(document))
}

describe('importing images', () => {
  let store: SqliteDocumentStore
  let rooms: RoomManager
  let stored: Array<{ docId: string; url: string }>
  let failStore: boolean

  function service(images: DocumentImages = fakeImages()): DocumentService {
    return new DocumentService({
      store,
      rooms,
      fanout: new MemoryBus().join(),
      maxDocumentBytes: 1_000_000,
      publicUrl: 'https://docs.example.test',
      authSecret: null,
      trashRetentionDays: 30,
      shares: new SqliteShareStore(store.database),
      images,
    })
  }

  function fakeImages(): DocumentImages {
    let next = 0
    return {
      prepare(bytes, contentType) {
        if (contentType !== 'image/png' || bytes.length === 0) return null
        const url = `/api/files/f${next++}`
        return {
          url,
          store: async (docId) => {
            if (failStore) throw new Error('storage unavailable')
            stored.push({ docId, url })
          },
        }
      },
      source: async () => null,
    }
  }

  /** The file service's images (stored files), under a document quota of `quota` bytes. */
  function fileImages(quota: number): DocumentImages {
    return new FileService({
      files: new SqliteFileStore(store.database),
      rooms,
      maxDocumentBytes: quota,
    }).documentImages()
  }

  beforeEach(() => {
    stored = []
    failStore = false
    store = new SqliteDocumentStore({ path: ':memory:', compactThreshold: 100, synchronous: 'normal', log })
    rooms = new RoomManager(roomManagerOptions({ store, fanout: new MemoryBus().join() }))
  })

  afterEach(async () => {
    await rooms.closeAll(CloseCode.serviceRestart, 'test over')
    await store.close()
  })

  const file = async () => ({ bytes: await wordWithImage(), contentType: DOCX_MEDIA_TYPE, filename: 'photo.docx' })

  it.skipIf(schemaHasImages)('stores nothing while the schema has no place for images', async () => {
    const record = await service().import(await file())
    expect(record.title).toBe('photo')
    expect(stored).toEqual([])
  })

  it.runIf(schemaHasImages)('stores the images the content links, as files of the new document', async () => {
    const documents = service()
    const record = await documents.import(await file())
    expect(stored).toEqual([{ docId: record.id, url: '/api/files/f0' }])
    expect(await documents.exportContent(record.id, 'html')).toContain('src="/api/files/f0"')
  })

  it.runIf(schemaHasImages)('leaves no document behind when an image cannot be stored', async () => {
    failStore = true
    const documents = service()
    await expect(documents.import(await file())).rejects.toThrow('storage unavailable')
    expect((await documents.list({ limit: 10 })).items).toEqual([])
  })

  it.runIf(schemaHasImages)(
    'counts the images in the quota: over it, the import is refused and leaves nothing',
    async () => {
      const files = new SqliteFileStore(store.database)
      const fits = await service(fileImages(1_000_000)).import(await file())
      const fileBytes = await files.totalSize(fits.id)
      expect(fileBytes).toBe(PNG.length)
      const contentBytes = ((await store.load(fits.id))?.byteSize ?? 0) - fileBytes
      await service().trash(fits.id)
      await service().purge(fits.id)

      // Room for the content (client ids vary its size by a few bytes), not for the image too.
      const documents = service(fileImages(contentBytes + Math.floor(PNG.length / 2)))
      await expect(documents.import(await file())).rejects.toBeInstanceOf(QuotaExceeded)
      expect((await documents.list({ limit: 10 })).items).toEqual([])
    },
  )

  it('finds every image source in a document', () => {
    const image = (src: string) => ({ type: 'image', attrs: { src } })
    expect(
      imageSources({
        type: 'doc',
        content: [
          { type: 'paragraph', content: [image('/a')] },
          { type: 'blockquote', content: [{ type: 'paragraph', content: [image('/b'), { type: 'text', text: 'x' }] }] },
        ],
      }),
    ).toEqual(new Set(['/a', '/b']))
  })
})
