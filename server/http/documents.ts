/**
 * REST routes for documents. Thin: validate at the edge, check what the token allows, ask the
 * document service, shape the answer. Errors are thrown typed and answered in `errors.ts`.
 */
import { Hono } from 'hono'
import { z } from 'zod'
import {
  CONTENT_FORMATS,
  DOCX_MEDIA_TYPE,
  type DocumentDto,
  type DocumentListItemDto,
  EXPORT_FORMATS,
  ROLES,
} from '../../protocol/api'
import { MAX_TITLE_LENGTH } from '../../protocol/title'
import { type Access, can } from '../common/auth'
import { DocumentNotFound, Forbidden } from '../common/errors'
import type { DocumentRecord, DocumentService } from '../documents/service'
import { isDocumentId } from '../model/ids'
import type { AppEnv } from './env'
import { attachmentDisposition, htmlPage } from './download'
import { HTML_EXPORT_CSP } from './securityHeaders'
import { validJson, validQuery } from './validate'

// The API's rule for share links (docs/api.md), not a setting; the default is the service's.
const MAX_SHARE_SECONDS = 365 * 24 * 3600

const title = z
  .string()
  .trim()
  .min(1, 'title must not be empty')
  .max(MAX_TITLE_LENGTH, `title must be at most ${MAX_TITLE_LENGTH} characters`)

const createBody = z.strictObject({
  title: title.optional(),
  content: z
    .strictObject({
      format: z.enum(CONTENT_FORMATS),
      body: z.unknown(),
    })
    .optional(),
})

const renameBody = z.strictObject({ title })

const shareBody = z.strictObject({
  role: z.enum(ROLES).default('view'),
  expiresIn: z.number().int().min(60).max(MAX_SHARE_SECONDS).optional(),
  revocable: z.boolean().optional(),
})

const listQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(200).optional(),
  q: z.string().max(MAX_TITLE_LENGTH).optional(),
})

const contentQuery = z.object({
  format: z.enum(EXPORT_FORMATS).default('json'),
  download: z.enum(['0', '1']).optional(),
})

export function toDto(record: DocumentRecord): DocumentDto {
  return {
    id: record.id,
    title: record.title,
    createdAt: record.createdAt.toISOString(),
    updatedAt: record.updatedAt.toISOString(),
  }
}

function toListItemDto(item: DocumentRecord & { snippet?: string }): DocumentListItemDto {
  return item.snippet === undefined ? toDto(item) : { ...toDto(item), snippet: item.snippet }
}

/** The `:id` parameter, refused before storage when it cannot be an id this server issued. */
export function documentId(id: string, access: Access, allowed: (access: Access, id: string) => boolean): string {
  if (!isDocumentId(id)) throw new DocumentNotFound(id)
  if (!allowed(access, id)) throw new Forbidden()
  return id
}

const CONTENT_TYPES = {
  html: 'text/html; charset=utf-8',
  markdown: 'text/markdown; charset=utf-8',
  text: 'text/plain; charset=utf-8',
  docx: DOCX_MEDIA_TYPE,
} as const

export function documentRoutes(documents: DocumentService) {
  return new Hono<AppEnv>()
    .post('/', validJson(createBody), async (c) => {
      if (!can.create(c.var.access)) throw new Forbidden('this token cannot create documents')
      const record = await documents.create(c.req.valid('json'))
      c.header('Location', `/api/docs/${record.id}`)
      return c.json(toDto(record), 201)
    })
    .get('/', validQuery(listQuery), async (c) => {
      if (!can.list(c.var.access)) throw new Forbidden('this token cannot list documents')
      const page = await documents.list(c.req.valid('query'))
      return c.json({ items: page.items.map(toListItemDto), nextCursor: page.nextCursor }, 200)
    })
    .get('/:id', async (c) => {
      const id = documentId(c.req.param('id'), c.var.access, can.read)
      return c.json(toDto(await documents.get(id)), 200)
    })
    .patch('/:id', validJson(renameBody), async (c) => {
      const id = documentId(c.req.param('id'), c.var.access, can.edit)
      return c.json(toDto(await documents.rename(id, c.req.valid('json').title)), 200)
    })
    .delete('/:id', async (c) => {
      const id = documentId(c.req.param('id'), c.var.access, can.delete)
      await documents.trash(id)
      return c.body(null, 204)
    })
    .get('/:id/content', validQuery(contentQuery), async (c) => {
      const id = documentId(c.req.param('id'), c.var.access, can.read)
      const { format, download } = c.req.valid('query')
      const [content, record] = await Promise.all([
        documents.exportContent(id, format),
        download === '1' ? documents.get(id) : null,
      ])
      const headers: Record<string, string> = {}
      // A download is a file named after the title; an HTML one is a whole page, with its charset.
      if (record !== null) headers['Content-Disposition'] = attachmentDisposition(record.title, format)
      if (content instanceof Uint8Array) {
        headers['Content-Type'] = CONTENT_TYPES.docx
        // Bytes; typed as the contract's body (Hono's typed client reads a body as text or a blob alike).
        return c.body(content as unknown as string, 200, headers)
      }
      if (typeof content !== 'string') return c.json(content, 200, headers)
      headers['Content-Type'] = CONTENT_TYPES[format as keyof typeof CONTENT_TYPES]
      // A document rendered as a page of its own: no script, in a sandbox (see securityHeaders.ts).
      if (format === 'html') headers['Content-Security-Policy'] = HTML_EXPORT_CSP
      const body = format === 'html' && record !== null ? htmlPage(record.title, content) : content
      return c.body(body, 200, headers)
    })
    .post('/:id/share', validJson(shareBody), async (c) => {
      const { role, expiresIn, revocable } = c.req.valid('json')
      // A revocable link is one more entry to list and revoke: an editor's to make, as a token's
      // is anyone's who may share (at most their own role).
      const allowed = (access: Access, docId: string): boolean =>
        revocable === true ? can.manageShares(access, docId) : can.share(access, docId, role)
      const id = documentId(c.req.param('id'), c.var.access, allowed)
      return c.json(await documents.share(id, { role, expiresInSeconds: expiresIn, revocable }), 201)
    })
    .get('/:id/shares', async (c) => {
      const id = documentId(c.req.param('id'), c.var.access, can.manageShares)
      return c.json({ items: await documents.listShares(id) }, 200)
    })
    .delete('/:id/shares/:shareId', async (c) => {
      const id = documentId(c.req.param('id'), c.var.access, can.manageShares)
      await documents.revokeShare(id, c.req.param('shareId'))
      return c.body(null, 204)
    })
}
