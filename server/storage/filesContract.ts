/**
 * The behaviour every {@link FileStore} adapter must have, as one vitest suite, run against a
 * document store on the same database. Each adapter's test file calls
 * {@link describeFileStoreContract} with a factory for fresh stores.
 */
import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { DocumentNotFound } from '../common/errors'
import type { FileStore } from './files'
import type { DocumentStore } from './types'

export interface FileStores {
  documents: DocumentStore
  files: FileStore
}

export interface FileStoreHarness {
  /** Stores on a fresh, empty database. */
  open(): Promise<FileStores>
  /** Stores on the same database as the last `open` (a restart). */
  reopen(): Promise<FileStores>
  /** Drops what `open` created. */
  cleanup(): Promise<void>
}

// Ids as the server makes them (model/ids.ts, a layer this one may not import).
const newDocumentId = (): string => randomBytes(16).toString('base64url')
const newFileId = newDocumentId

const PNG_SIGNATURE = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])

function image(size: number): Uint8Array {
  const bytes = new Uint8Array(randomBytes(size))
  bytes.set(PNG_SIGNATURE)
  return bytes
}

async function newDocument(documents: DocumentStore): Promise<string> {
  const id = newDocumentId()
  await documents.create({ id, title: 't', initialUpdate: Y.encodeStateAsUpdate(new Y.Doc()) })
  return id
}

export function describeFileStoreContract(name: string, harness: () => FileStoreHarness): void {
  describe(`FileStore contract: ${name}`, () => {
    const withStores = (run: (stores: FileStores, h: FileStoreHarness) => Promise<void>) => async () => {
      const h = harness()
      const stores = await h.open()
      try {
        await run(stores, h)
      } finally {
        await stores.documents.close()
        await h.cleanup()
      }
    }

    it(
      'stores a file and reads back the same bytes',
      withStores(async ({ documents, files }) => {
        const docId = await newDocument(documents)
        const data = image(3 * 1024 * 1024 + 17)
        const id = newFileId()
        const record = await files.put({ id, docId, contentType: 'image/png', data })
        expect(record).toMatchObject({ id, docId, contentType: 'image/png', size: data.length })
        const stored = await files.get(id)
        expect(stored).toMatchObject({ id, docId, contentType: 'image/png', size: data.length })
        expect(stored?.createdAt).toEqual(record.createdAt)
        expect(Buffer.from(stored?.data ?? []).equals(Buffer.from(data))).toBe(true)
      }),
    )

    it(
      'answers null for a file it does not have',
      withStores(async ({ files }) => {
        expect(await files.get(newFileId())).toBeNull()
      }),
    )

    it(
      'refuses a file for a document that does not exist',
      withStores(async ({ files }) => {
        const docId = newDocumentId()
        await expect(files.put({ id: newFileId(), docId, contentType: 'image/png', data: image(100) })).rejects.toThrow(
          DocumentNotFound,
        )
      }),
    )

    it(
      "counts a document's files in its size, and only its own",
      withStores(async ({ documents, files }) => {
        const docId = await newDocument(documents)
        const other = await newDocument(documents)
        const before = (await documents.load(docId))?.byteSize ?? -1
        expect(await files.totalSize(docId)).toBe(0)
        await files.put({ id: newFileId(), docId, contentType: 'image/png', data: image(1000) })
        await files.put({ id: newFileId(), docId, contentType: 'image/gif', data: image(234) })
        await files.put({ id: newFileId(), docId: other, contentType: 'image/png', data: image(5000) })
        expect(await files.totalSize(docId)).toBe(1234)
        expect((await documents.load(docId))?.byteSize).toBe(before + 1234)
      }),
    )

    it(
      'removes the files of a document deleted for good',
      withStores(async ({ documents, files }) => {
        const docId = await newDocument(documents)
        const kept = await newDocument(documents)
        const gone = newFileId()
        const stays = newFileId()
        await files.put({ id: gone, docId, contentType: 'image/png', data: image(100) })
        await files.put({ id: stays, docId: kept, contentType: 'image/png', data: image(100) })
        expect(await documents.trash(docId, new Date())).toBe(true)
        expect(await documents.purge(docId)).toBe(true)
        expect(await files.get(gone)).toBeNull()
        expect(await files.totalSize(docId)).toBe(0)
        expect(await files.get(stays)).not.toBeNull()
      }),
    )

    it(
      'keeps files across a restart',
      withStores(async ({ documents, files }, h) => {
        const docId = await newDocument(documents)
        const data = image(4096)
        const id = newFileId()
        await files.put({ id, docId, contentType: 'image/webp', data })
        await documents.close()
        const reopened = await h.reopen()
        try {
          const stored = await reopened.files.get(id)
          expect(stored?.contentType).toBe('image/webp')
          expect(Buffer.from(stored?.data ?? []).equals(Buffer.from(data))).toBe(true)
        } finally {
          await reopened.documents.close()
        }
      }),
    )
  })
}
