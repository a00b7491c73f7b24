/**
 * Files in over HTTP: `POST /api/docs/import`, the file as the body. Thin: the conversion is
 * `content/import.ts` (and `content/docx.ts`), behind the document service. Downloads are
 * `download.ts`.
 */
import { Hono } from 'hono'
import { z } from 'zod'
import { can } from '../common/auth'
import { Forbidden } from '../common/errors'
import type { DocumentService } from '../documents/service'
import { toDto } from './documents'
import type { AppEnv } from './env'
import { validQuery } from './validate'

const importQuery = z.object({ filename: z.string().max(1000).optional() })

export function importRoutes(documents: DocumentService) {
  return new Hono<AppEnv>().post('/import', validQuery(importQuery), async (c) => {
    if (!can.create(c.var.access)) throw new Forbidden('this token cannot create documents')
    // The body limit (`MAX_BODY_BYTES`, app.ts) refuses a larger file from its Content-Length
    // before reading, and stops reading one sent without a length once it grows past it.
    const bytes = new Uint8Array(await c.req.arrayBuffer())
    const record = await documents.import({
      bytes,
      contentType: c.req.header('content-type'),
      filename: c.req.valid('query').filename,
    })
    c.header('Location', `/api/docs/${record.id}`)
    return c.json(toDto(record), 201)
  })
}
