/**
 * The one place where errors become answers: a {@link TandemError} gets the status of its code
 * and `{ "error": { "code": "…", "message": "…" } }`; anything else is logged and answered 500
 * without details. The sync endpoint's admission answers refused upgrades through
 * {@link statusOf} and {@link errorBody} too.
 */
import type { ErrorHandler, NotFoundHandler } from 'hono'
import { HTTPException } from 'hono/http-exception'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import type { Logger } from 'pino'
import type { ErrorBody } from '../../protocol/api'
import { ErrorCode, type ErrorCodeValue, TandemError } from '../common/errors'

const STATUS: Record<ErrorCodeValue, ContentfulStatusCode> = {
  invalid_request: 400,
  malformed_json: 400,
  invalid_cursor: 400,
  invalid_content: 400,
  unauthorized: 401,
  forbidden: 403,
  document_not_found: 404,
  share_not_found: 404,
  not_found: 404,
  version_not_found: 404,
  version_not_deletable: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  host_not_allowed: 421,
  content_unrenderable: 422,
  upgrade_required: 426,
  rate_limited: 429,
  internal_error: 500,
  server_busy: 503,
}

export function statusOf(code: ErrorCodeValue): ContentfulStatusCode {
  return STATUS[code]
}

export function errorBody(code: ErrorCodeValue, message: string): ErrorBody {
  return { error: { code, message } }
}

export function errorHandler(log: Logger): ErrorHandler {
  return (error, c) => {
    if (error instanceof TandemError) return c.json(errorBody(error.code, error.message), statusOf(error.code))
    // Hono's own middleware may throw these; ours throw typed errors instead.
    if (error instanceof HTTPException && error.status < 500) {
      return c.json(errorBody(ErrorCode.invalidRequest, error.message), error.status as ContentfulStatusCode)
    }
    log.error({ err: error, requestId: c.get('requestId' as never) }, 'unhandled error')
    return c.json(errorBody(ErrorCode.internal, 'internal error'), 500)
  }
}

export const notFoundHandler: NotFoundHandler = (c) =>
  c.json(errorBody(ErrorCode.notFound, `no route for ${c.req.method} ${c.req.path}`), 404)
