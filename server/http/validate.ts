/**
 * Validation at the edge: a route's JSON body and query are parsed and checked here, and a
 * failure throws the typed error the API documents (415, `malformed_json`, `invalid_request`).
 * The JSON body is parsed here rather than by Hono, so that malformed JSON is our own error.
 */
import { zValidator } from '@hono/zod-validator'
import type { MiddlewareHandler } from 'hono'
import type { z } from 'zod'
import { InvalidRequest, MalformedJson, UnsupportedMediaType } from '../common/errors'
import type { AppEnv } from './env'

const JSON_MEDIA_TYPE = /^application\/([\w.-]+\+)?json$/

function describe(error: z.core.$ZodError): string {
  return error.issues
    .map((issue) => (issue.path.length === 0 ? issue.message : `${issue.path.join('.')}: ${issue.message}`))
    .join('; ')
}

/**
 * The body, as JSON matching `schema`. A body that is present must be JSON: a form or plain text
 * is a 415, not a silent `{}`; no body at all reads as `{}`.
 */
export function validJson<T extends z.ZodType>(
  schema: T,
): MiddlewareHandler<AppEnv, string, { in: { json: z.input<T> }; out: { json: z.output<T> } }> {
  return async (c, next) => {
    const mediaType = c.req.header('content-type')?.split(';')[0]?.trim().toLowerCase()
    const length = c.req.header('content-length')
    const hasBody =
      mediaType !== undefined ||
      (length !== undefined && length !== '0') ||
      c.req.header('transfer-encoding') !== undefined
    let body: unknown = {}
    if (hasBody) {
      if (mediaType === undefined || !JSON_MEDIA_TYPE.test(mediaType)) {
        throw new UnsupportedMediaType('send the body as application/json')
      }
      const text = await c.req.text()
      try {
        body = JSON.parse(text)
      } catch {
        throw new MalformedJson()
      }
    }
    const result = schema.safeParse(body)
    if (!result.success) throw new InvalidRequest(describe(result.error))
    c.req.addValidatedData('json', result.data as object)
    await next()
  }
}

/** The query string, matching `schema`. */
export const validQuery = <T extends z.ZodType>(schema: T) =>
  zValidator('query', schema, (result) => {
    if (!result.success) throw new InvalidRequest(describe(result.error as z.core.$ZodError))
  })
