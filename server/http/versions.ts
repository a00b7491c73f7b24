/**
 * REST routes for a document's versions (`/api/docs/:id/versions…`). Thin: validate, check what
 * the token allows (view reads, edit saves and restores, admin deletes), ask the version
 * service, shape the answer. Errors are thrown typed and answered in `errors.ts`.
 */
import { Hono } from 'hono'
import { z } from 'zod'
import { CONTENT_FORMATS, MAX_VERSION_NAME_LENGTH, type VersionDto } from '../../protocol/api'
import { type Access, can } from '../common/auth'
import { DocumentNotFound, Forbidden } from '../common/errors'
import type { VersionRecord, VersionService } from '../documents/versions'
import { isDocumentId } from '../model/ids'
import type { AppEnv } from './env'
import { HTML_EXPORT_CSP } from './securityHeaders'
import { validJson, validQuery } from './validate'

const listQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(200).optional(),
})

const saveBody = z.strictObject({
  name: z
    .string()
    .trim()
    .min(1, 'name must not be empty')
    .max(MAX_VERSION_NAME_LENGTH, `name must be at most ${MAX_VERSION_NAME_LENGTH} characters`),
})

const contentQuery = z.object({ format: z.enum(CONTENT_FORMATS).default('json') })

const CONTENT_TYPES = {
  html: 'text/html; charset=utf-8',
  markdown: 'text/markdown; charset=utf-8',
  text: 'text/plain; charset=utf-8',
} as const

export function versionDto(record: VersionRecord): VersionDto {
  return {
    id: record.id,
    createdAt: record.createdAt.toISOString(),
    kind: record.kind,
    name: record.name,
    authors: record.authors.map((author) => ({ sub: author.sub, name: author.name })),
  }
}

function documentId(id: string, access: Access, allowed: (access: Access, id: string) => boolean): string {
  if (!isDocumentId(id)) throw new DocumentNotFound(id)
  if (!allowed(access, id)) throw new Forbidden()
  return id
}

/** Who a REST caller is, for the versions' authors: the token's claims (none on an open server). */
function authorOf(access: Access) {
  return { sub: access.sub ?? null, name: access.name ?? null }
}

export function versionRoutes(versions: VersionService) {
  return new Hono<AppEnv>()
    .get('/:id/versions', validQuery(listQuery), async (c) => {
      const id = documentId(c.req.param('id'), c.var.access, can.read)
      const page = await versions.list(id, c.req.valid('query'))
      return c.json({ items: page.items.map(versionDto), nextCursor: page.nextCursor }, 200)
    })
    .post('/:id/versions', validJson(saveBody), async (c) => {
      const id = documentId(c.req.param('id'), c.var.access, can.edit)
      const record = await versions.save(id, c.req.valid('json').name)
      c.header('Location', `/api/docs/${id}/versions/${record.id}`)
      return c.json(versionDto(record), 201)
    })
    .get('/:id/versions/:versionId', async (c) => {
      const id = documentId(c.req.param('id'), c.var.access, can.read)
      return c.json(versionDto(await versions.get(id, c.req.param('versionId'))), 200)
    })
    .delete('/:id/versions/:versionId', async (c) => {
      const id = documentId(c.req.param('id'), c.var.access, can.deleteVersion)
      await versions.delete(id, c.req.param('versionId'))
      return c.body(null, 204)
    })
    .get('/:id/versions/:versionId/content', validQuery(contentQuery), async (c) => {
      const id = documentId(c.req.param('id'), c.var.access, can.read)
      const { format } = c.req.valid('query')
      const content = await versions.content(id, c.req.param('versionId'), format)
      if (typeof content !== 'string') return c.json(content, 200)
      const headers: Record<string, string> = { 'Content-Type': CONTENT_TYPES[format as keyof typeof CONTENT_TYPES] }
      if (format === 'html') headers['Content-Security-Policy'] = HTML_EXPORT_CSP
      return c.body(content, 200, headers)
    })
    .post('/:id/versions/:versionId/restore', async (c) => {
      const id = documentId(c.req.param('id'), c.var.access, can.edit)
      const { restored, before } = await versions.restore(id, c.req.param('versionId'), authorOf(c.var.access))
      return c.json({ restored: versionDto(restored), before: versionDto(before) }, 200)
    })
}
