/**
 * Routes for files (images) of documents. Thin: check the token, read the body within its
 * limit, ask the file service, shape the answer.
 *
 * - `POST /api/docs/:id/files`: the raw bytes as the body. Refused early: a `Content-Length`
 *   over `MAX_FILE_BYTES` before a byte is read, a body that grows past it as soon as it does
 *   (never more than the limit is held), a body whose first bytes are no accepted image as soon
 *   as they arrived. The type is sniffed; the request's `Content-Type` is not trusted.
 * - `GET /api/files/:fileId`: the bytes, without a token (the random id is the capability, so
 *   `<img src>` works), as the sniffed type with `nosniff` and a CSP that allows nothing, so a
 *   file can never be run as a page or a script (docs/security.md). Files never change: cached
 *   for a year, `immutable`.
 *
 * Mounted before the API's own body limit and token middleware (`app.ts`): uploads have their
 * own limit, and reading a file needs no token.
 */
import { Hono } from 'hono'
import type { FileDto } from '../../protocol/api'
import { can } from '../common/auth'
import { PayloadTooLarge, UnsupportedMediaType } from '../common/errors'
import type { DocumentService } from '../documents/service'
import { type FileRecord, type FileService, NOT_AN_IMAGE } from '../documents/files'
import { SNIFF_BYTES, sniffImageType } from '../model/imageType'
import { accessMiddleware } from './access'
import { documentId } from './documents'
import type { AppEnv } from './env'
import { API_CSP } from './securityHeaders'

export interface FileRoutesDeps {
  documents: DocumentService
  files: FileService
  authSecret: string | null
  /** `MAX_FILE_BYTES`. */
  maxFileBytes: number
}

/** A year: the longest `max-age` caches honour. File ids are never reused, so this is safe. */
const CACHE_CONTROL = 'private, max-age=31536000, immutable'

export function fileUrl(id: string): string {
  return `/api/files/${id}`
}

function toDto(record: FileRecord): FileDto {
  return { id: record.id, url: fileUrl(record.id), contentType: record.contentType, size: record.size }
}

function tooLarge(maxFileBytes: number): PayloadTooLarge {
  return new PayloadTooLarge(`file larger than ${maxFileBytes} bytes`)
}

/**
 * The body, held only while it stays within `maxBytes` and starts like an image.
 *
 * @throws {PayloadTooLarge}
 * @throws {UnsupportedMediaType}
 */
async function readImageBody(request: Request, maxBytes: number): Promise<Uint8Array> {
  const declared = request.headers.get('content-length')
  if (declared !== null && Number(declared) > maxBytes) throw tooLarge(maxBytes)
  if (request.body === null) return new Uint8Array()
  const reader = request.body.getReader()
  const chunks: Uint8Array[] = []
  let total = 0
  let sniffed = false
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      total += value.length
      if (total > maxBytes) throw tooLarge(maxBytes)
      chunks.push(value)
      if (!sniffed && total >= SNIFF_BYTES) {
        sniffed = true
        if (sniffImageType(Buffer.concat(chunks, total)) === null) throw new UnsupportedMediaType(NOT_AN_IMAGE)
      }
    }
  } catch (error) {
    await reader.cancel().catch(() => undefined)
    throw error
  }
  return Buffer.concat(chunks, total)
}

export function fileRoutes(deps: FileRoutesDeps) {
  return new Hono<AppEnv>()
    .post('/docs/:id/files', accessMiddleware(deps.authSecret), async (c) => {
      const id = documentId(c.req.param('id'), c.var.access, can.edit)
      // Before reading what may be megabytes: the document must exist.
      await deps.documents.get(id)
      const data = await readImageBody(c.req.raw, deps.maxFileBytes)
      const record = await deps.files.upload(id, data)
      c.header('Location', fileUrl(record.id))
      return c.json(toDto(record), 201)
    })
    .get('/files/:fileId', async (c) => {
      const file = await deps.files.get(c.req.param('fileId'))
      const etag = `"${file.id}"`
      const headers = {
        'Content-Type': file.contentType,
        'X-Content-Type-Options': 'nosniff',
        'Content-Security-Policy': API_CSP,
        'Cache-Control': CACHE_CONTROL,
        ETag: etag,
      }
      if (c.req.header('if-none-match') === etag) return c.body(null, 304, headers)
      return c.body(file.data as Uint8Array<ArrayBuffer>, 200, { ...headers, 'Content-Length': String(file.size) })
    })
}
