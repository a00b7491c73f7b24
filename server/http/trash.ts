/**
 * REST routes for the trash (`/api/trash`): list it, restore a document from it, purge one for
 * good. Thin, like `documents.ts`: validate, check the token (an admin's, see `can` in
 * `common/auth.ts`), ask the document service. Moving a document to the trash is
 * `DELETE /api/docs/:id`.
 */
import { Hono } from 'hono'
import { z } from 'zod'
import type { TrashedDocumentDto } from '../../protocol/api'
import { can } from '../common/auth'
import { Forbidden } from '../common/errors'
import type { DocumentService, TrashedDocumentRecord } from '../documents/service'
import { documentId, toDto } from './documents'
import type { AppEnv } from './env'
import { validQuery } from './validate'

const listQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(200).optional(),
})

function toTrashedDto(record: TrashedDocumentRecord): TrashedDocumentDto {
  return { ...toDto(record), deletedAt: record.deletedAt.toISOString() }
}

export function trashRoutes(documents: DocumentService) {
  return new Hono<AppEnv>()
    .get('/', validQuery(listQuery), async (c) => {
      if (!can.listTrash(c.var.access)) throw new Forbidden('the trash needs an admin token for every document')
      const page = await documents.listTrash(c.req.valid('query'))
      return c.json({ items: page.items.map(toTrashedDto), nextCursor: page.nextCursor }, 200)
    })
    .post('/:id/restore', async (c) => {
      const id = documentId(c.req.param('id'), c.var.access, can.manageTrashed)
      return c.json(toDto(await documents.restoreFromTrash(id)), 200)
    })
    .delete('/:id', async (c) => {
      const id = documentId(c.req.param('id'), c.var.access, can.manageTrashed)
      await documents.purge(id)
      return c.body(null, 204)
    })
}
