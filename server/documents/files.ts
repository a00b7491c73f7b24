/**
 * Files of documents (images): checked, counted in the document's quota, stored, served. Beside
 * the document service and in the same role: routes validate and authorize, this coordinates
 * the file store and the document's room (whose size counter is the quota).
 *
 * Callers check what a token allows (`http/`); the service throws typed errors
 * (`common/errors.ts`).
 */
import { DocumentNotFound, NotFound, QuotaExceeded, UnsupportedMediaType } from '../common/errors'
import { isFileId, newFileId } from '../model/ids'
import { IMAGE_TYPES, sniffImageType } from '../model/imageType'
import type { FileRecord, FileStore, StoredFile } from '../storage/files'
import type { RoomManager } from '../sync/roomManager'
import type { DocumentImages } from './service'

export type { FileRecord, StoredFile }

/** Where a stored file is served (`GET /api/files/:fileId`). */
export const FILE_URL_PREFIX = '/api/files/'

export interface FileServiceOptions {
  files: FileStore
  rooms: RoomManager
  /** The document size quota, which its files count in. */
  maxDocumentBytes: number
}

export const NOT_AN_IMAGE = `only images can be uploaded (${IMAGE_TYPES.map((type) => type.slice(6).toUpperCase()).join(', ')})`

export class FileService {
  readonly #options: FileServiceOptions

  constructor(options: FileServiceOptions) {
    this.#options = options
  }

  /**
   * Stores an image of a document; resolves once it is committed. Its type is sniffed from the
   * bytes. The document's room holds the quota's count: the file is counted there before it is
   * stored (two uploads at once cannot both slip under the quota) and given back if storing fails.
   *
   * @throws {UnsupportedMediaType} anything but a PNG, JPEG, GIF or WebP image
   * @throws {DocumentNotFound}
   * @throws {QuotaExceeded} the document and its files would exceed the size quota
   */
  async upload(docId: string, data: Uint8Array): Promise<FileRecord> {
    const contentType = sniffImageType(data)
    if (contentType === null) throw new UnsupportedMediaType(NOT_AN_IMAGE)
    return this.#store({ id: newFileId(), docId, contentType, data })
  }

  /** Stores a file through its document's room, which counts it in the quota (see {@link upload}). */
  async #store(file: { id: string; docId: string; contentType: string; data: Uint8Array }): Promise<FileRecord> {
    const { files, rooms, maxDocumentBytes } = this.#options
    const size = file.data.length
    const record = await rooms.withRoom(file.docId, async (room) => {
      if (room.byteSize + size > maxDocumentBytes) throw new QuotaExceeded(maxDocumentBytes)
      room.countStoredBytes(size)
      try {
        return await files.put(file)
      } catch (error) {
        room.countStoredBytes(-size)
        throw error
      }
    })
    if (record === null) throw new DocumentNotFound(file.docId)
    return record
  }

  /**
   * Images for imports and exports of whole documents (`DocumentService`'s `images`): an image
   * found in an imported file gets its URL at once and is stored as a file of the new document
   * once it exists, as an upload is (counted in the quota by the document's room, so a room
   * already loaded knows of it; over the quota it throws {@link QuotaExceeded}); a Word export
   * reads the bytes behind `/api/files/…` sources.
   */
  documentImages(): DocumentImages {
    const { files } = this.#options
    const store = this.#store.bind(this)
    return {
      prepare(bytes, _claimedType) {
        const contentType = sniffImageType(bytes)
        if (contentType === null) return null
        const id = newFileId()
        return {
          url: `${FILE_URL_PREFIX}${id}`,
          store: async (docId) => {
            await store({ id, docId, contentType, data: bytes })
          },
        }
      },
      async source(src) {
        if (!src.startsWith(FILE_URL_PREFIX)) return null
        const id = src.slice(FILE_URL_PREFIX.length)
        const file = isFileId(id) ? await files.get(id) : null
        return file === null ? null : { bytes: file.data, contentType: file.contentType }
      },
    }
  }

  /** @throws {NotFound} */
  async get(fileId: string): Promise<StoredFile> {
    const file = isFileId(fileId) ? await this.#options.files.get(fileId) : null
    if (file === null) throw new NotFound('file not found')
    return file
  }
}
