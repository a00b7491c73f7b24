/**
 * The behaviour every {@link ShareStore} adapter must have, as one vitest suite. Each adapter's
 * test file calls {@link describeShareStoreContract} with a factory for fresh stores.
 */
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { DocumentNotFound } from '../common/errors'
import { newDocumentId, newShareId } from '../model/ids'
import { clockPasses } from '../test/waitFor'
import type { ShareStore } from './shares'
import type { DocumentStore } from './types'

export interface ShareStoreHarness {
  /** A document store and a share store on one fresh, empty database. */
  open(): Promise<{ documents: DocumentStore; shares: ShareStore }>
  /** Closes what `open` opened and drops its database. */
  cleanup(): Promise<void>
}

export function describeShareStoreContract(name: string, harness: () => ShareStoreHarness): void {
  describe(`ShareStore contract: ${name}`, () => {
    const withStores =
      (run: (documents: DocumentStore, shares: ShareStore) => Promise<void>) => async (): Promise<void> => {
        const h = harness()
        const { documents, shares } = await h.open()
        try {
          await run(documents, shares)
        } finally {
          await h.cleanup()
        }
      }
    const newDocument = async (documents: DocumentStore): Promise<string> => {
      const id = newDocumentId()
      await documents.create({ id, title: 'Shared', initialUpdate: Y.encodeStateAsUpdate(new Y.Doc()) })
      return id
    }

    it(
      'creates, reads, lists (oldest first) and deletes shares of a document',
      withStores(async (documents, shares) => {
        const docId = await newDocument(documents)
        const other = await newDocument(documents)
        const expiresAt = new Date(Date.now() + 3600_000)
        const first = await shares.create({ id: newShareId(), docId, role: 'view', expiresAt: null })
        await clockPasses(first.createdAt.getTime())
        const second = await shares.create({ id: newShareId(), docId, role: 'view', expiresAt })
        await shares.create({ id: newShareId(), docId: other, role: 'view', expiresAt: null })
        expect(first).toMatchObject({ docId, role: 'view', expiresAt: null })
        expect(second.expiresAt?.getTime()).toBe(expiresAt.getTime())
        expect(await shares.get(first.id)).toEqual(first)
        expect(await shares.get(second.id)).toEqual(second)
        expect((await shares.list(docId)).map((share) => share.id)).toEqual([first.id, second.id])
        expect(await shares.delete(docId, first.id)).toBe(true)
        expect(await shares.delete(docId, first.id)).toBe(false)
        expect(await shares.get(first.id)).toBeNull()
        expect((await shares.list(docId)).map((share) => share.id)).toEqual([second.id])
      }),
    )

    it(
      'deletes a share only through its own document',
      withStores(async (documents, shares) => {
        const docId = await newDocument(documents)
        const other = await newDocument(documents)
        const share = await shares.create({ id: newShareId(), docId, role: 'view', expiresAt: null })
        expect(await shares.delete(other, share.id)).toBe(false)
        expect(await shares.get(share.id)).not.toBeNull()
      }),
    )

    it(
      'refuses a share of a document that does not exist, and forgets shares with their document',
      withStores(async (documents, shares) => {
        await expect(
          shares.create({ id: newShareId(), docId: newDocumentId(), role: 'view', expiresAt: null }),
        ).rejects.toBeInstanceOf(DocumentNotFound)
        const docId = await newDocument(documents)
        const share = await shares.create({ id: newShareId(), docId, role: 'view', expiresAt: null })
        expect(await documents.trash(docId, new Date())).toBe(true)
        expect(await documents.purge(docId)).toBe(true)
        expect(await shares.get(share.id)).toBeNull()
        expect(await shares.list(docId)).toEqual([])
      }),
    )

    it(
      'answers null and empty lists for what it does not know',
      withStores(async (_documents, shares) => {
        expect(await shares.get(newShareId())).toBeNull()
        expect(await shares.list(newDocumentId())).toEqual([])
        expect(await shares.delete(newDocumentId(), newShareId())).toBe(false)
      }),
    )
  })
}
