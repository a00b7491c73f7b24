/**
 * REST routes for documents. Thin: validate at the edge, ask the store or the room, shape the
 * answer. Content reads and title changes go through the live room, so REST and editors always
 * agree.
 */
import { zValidator } from '@hono/zod-validator'
import { Hono, type MiddlewareHandler } from 'hono'
import { z } from 'zod'
import { type Access, ROLES, can, signToken } from '../common/auth'
import { CONTENT_FORMATS, InvalidContentError } from '../content/formats'
import { emptyDocumentUpdate } from '../model/seed'
import { AppError, ErrorCode, notFound } from '../common/errors'
import { isDocumentId, newDocumentId } from '../model/ids'
import { InvalidCursorError } from '../storage/cursor'
import type { DocumentRecord, DocumentStore } from '../storage/types'
import type { Fanout } from '../fanout/types'
import { META_FIELD, TITLE_KEY } from '../../protocol/fields'
import type { RoomManager } from '../sync/roomManager'
import { forbidden } from './access'
import { HTML_EXPORT_CSP } from './securityHeaders'
import type { AppEnv } from './env'

export interface DocumentRoutesDeps {
  store: DocumentStore
  rooms: RoomManager
  fanout: Fanout
  authSecret: string | null
  publicUrl: string
  /** The document size quota; initial content beyond it is a 413. */
  maxDocumentBytes: number
}

export const MAX_TITLE_LENGTH = 200
const DEFAULT_SHARE_SECONDS = 7 * 24 * 3600
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
  expiresIn: z.number().int().min(60).max(MAX_SHARE_SECONDS).default(DEFAULT_SHARE_SECONDS),
})

const listQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(200).optional(),
  q: z.string().max(MAX_TITLE_LENGTH).optional(),
})

const contentQuery = z.object({ format: z.enum(CONTENT_FORMATS).default('json') })

function describe(error: z.core.$ZodError): string {
  return error.issues
    .map((issue) => (issue.path.length === 0 ? issue.message : `${issue.path.join('.')}: ${issue.message}`))
    .join('; ')
}

const validationHook = (result: { success: true } | { success: false; error: z.core.$ZodError }): void => {
  if (!result.success) throw new AppError(400, ErrorCode.invalidRequest, describe(result.error))
}

/** A body that is present must be JSON: a form or plain text is a 415, not a silent `{}`. */
const requireJsonBody: MiddlewareHandler<AppEnv> = async (c, next) => {
  const mediaType = c.req.header('content-type')?.split(';')[0]?.trim().toLowerCase()
  const length = c.req.header('content-length')
  const hasBody =
    mediaType !== undefined ||
    (length !== undefined && length !== '0') ||
    c.req.header('transfer-encoding') !== undefined
  if (hasBody && (mediaType === undefined || !/^application\/([\w.-]+\+)?json$/.test(mediaType))) {
    throw new AppError(415, ErrorCode.unsupportedMediaType, 'send the body as application/json')
  }
  return next()
}

export interface DocumentDto {
  id: string
  title: string
  createdAt: string
  updatedAt: string
}

export function toDto(record: DocumentRecord): DocumentDto {
  return {
    id: record.id,
    title: record.title,
    createdAt: record.createdAt.toISOString(),
    updatedAt: record.updatedAt.toISOString(),
  }
}

/** The `:id` parameter, refused before storage when it cannot be an id this server issued. */
function documentId(id: string, access: Access, allowed: (access: Access, id: string) => boolean): string {
  if (!isDocumentId(id)) throw notFound()
  if (!allowed(access, id)) throw forbidden()
  return id
}

/** Tiptap and its DOM are loaded with the first content conversion, not at start-up. */
const converters = () => import('../content/convert')

const CONTENT_TYPES = {
  html: 'text/html; charset=utf-8',
  markdown: 'text/markdown; charset=utf-8',
  text: 'text/plain; charset=utf-8',
} as const

export function documentRoutes(deps: DocumentRoutesDeps) {
  const { store, rooms, fanout } = deps
  return new Hono<AppEnv>()
    .post('/', requireJsonBody, zValidator('json', createBody, validationHook), async (c) => {
      if (!can.create(c.var.access)) throw forbidden('this token cannot create documents')
      const input = c.req.valid('json')
      const docTitle = input.title ?? 'Untitled'
      let update: Uint8Array
      try {
        update =
          input.content === undefined
            ? emptyDocumentUpdate(docTitle)
            : await (await converters()).initialUpdate(docTitle, input.content)
      } catch (error) {
        if (error instanceof InvalidContentError) throw new AppError(400, ErrorCode.invalidContent, error.message)
        throw error
      }
      if (update.length > deps.maxDocumentBytes) {
        throw new AppError(
          413,
          ErrorCode.payloadTooLarge,
          `content exceeds the document size quota (${deps.maxDocumentBytes} bytes)`,
        )
      }
      const record = await store.create({ id: newDocumentId(), title: docTitle, initialUpdate: update })
      c.header('Location', `/api/docs/${record.id}`)
      return c.json(toDto(record), 201)
    })
    .get('/', zValidator('query', listQuery, validationHook), async (c) => {
      if (!can.list(c.var.access)) throw forbidden('this token cannot list documents')
      const query = c.req.valid('query')
      try {
        const page = await store.list(query)
        return c.json({ items: page.items.map(toDto), nextCursor: page.nextCursor }, 200)
      } catch (error) {
        if (error instanceof InvalidCursorError) throw new AppError(400, ErrorCode.invalidCursor, error.message)
        throw error
      }
    })
    .get('/:id', async (c) => {
      const id = documentId(c.req.param('id'), c.var.access, can.read)
      const record = await store.get(id)
      if (record === null) throw notFound()
      return c.json(toDto(record), 200)
    })
    .patch('/:id', requireJsonBody, zValidator('json', renameBody, validationHook), async (c) => {
      const id = documentId(c.req.param('id'), c.var.access, can.edit)
      const { title: newTitle } = c.req.valid('json')
      const record = await store.rename(id, newTitle)
      if (record === null) throw notFound()
      await rooms.withRoom(id, (room) => room.writeAsServer((doc) => doc.getMap(META_FIELD).set(TITLE_KEY, newTitle)))
      return c.json(toDto(record), 200)
    })
    .delete('/:id', async (c) => {
      const id = documentId(c.req.param('id'), c.var.access, can.delete)
      if (!(await store.delete(id))) throw notFound()
      await rooms.documentDeleted(id)
      await fanout.publishDeleted(id)
      return c.body(null, 204)
    })
    .get('/:id/content', zValidator('query', contentQuery, validationHook), async (c) => {
      const id = documentId(c.req.param('id'), c.var.access, can.read)
      const { format } = c.req.valid('query')
      const state = await rooms.withRoom(id, (room) => room.encodeState())
      if (state === null) throw notFound()
      let content
      try {
        content = await (await converters()).exportContent(state, format)
      } catch (error) {
        if (error instanceof RangeError) {
          throw new AppError(422, ErrorCode.contentUnrenderable, 'the document is too deeply nested to export')
        }
        throw error
      }
      if (typeof content !== 'string') return c.json(content, 200)
      const headers: Record<string, string> = { 'Content-Type': CONTENT_TYPES[format as keyof typeof CONTENT_TYPES] }
      // A document rendered as a page of its own: no script, in a sandbox (see securityHeaders.ts).
      if (format === 'html') headers['Content-Security-Policy'] = HTML_EXPORT_CSP
      return c.body(content, 200, headers)
    })
    .post('/:id/share', requireJsonBody, zValidator('json', shareBody, validationHook), async (c) => {
      const { role, expiresIn } = c.req.valid('json')
      const id = documentId(c.req.param('id'), c.var.access, (access, docId) => can.share(access, docId, role))
      if ((await store.get(id)) === null) throw notFound()
      const url = new URL(`/d/${id}`, deps.publicUrl)
      let token: string | null = null
      let expiresAt: string | null = null
      if (deps.authSecret !== null) {
        token = await signToken({ doc: id, role, expiresInSeconds: expiresIn }, deps.authSecret)
        url.searchParams.set('token', token)
        expiresAt = new Date(Date.now() + expiresIn * 1000).toISOString()
      } else if (role === 'view') {
        url.searchParams.set('role', 'view')
      }
      return c.json({ url: url.toString(), role, token, expiresAt }, 201)
    })
}
