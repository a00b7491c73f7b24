/**
 * Errors with stable, machine-readable codes. Every failure the API reports has the shape
 * `{ "error": { "code": "…", "message": "…" } }`; clients branch on `code`, people read `message`.
 */
import type { ErrorHandler, NotFoundHandler } from 'hono'
import { HTTPException } from 'hono/http-exception'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import type { Logger } from 'pino'

export const ErrorCode = {
  invalidRequest: 'invalid_request',
  malformedJson: 'malformed_json',
  unsupportedMediaType: 'unsupported_media_type',
  payloadTooLarge: 'payload_too_large',
  documentNotFound: 'document_not_found',
  invalidCursor: 'invalid_cursor',
  invalidContent: 'invalid_content',
  contentUnrenderable: 'content_unrenderable',
  unauthorized: 'unauthorized',
  forbidden: 'forbidden',
  hostNotAllowed: 'host_not_allowed',
  rateLimited: 'rate_limited',
  upgradeRequired: 'upgrade_required',
  notFound: 'not_found',
  internal: 'internal_error',
} as const

export type ErrorCodeValue = (typeof ErrorCode)[keyof typeof ErrorCode]

export interface ErrorBody {
  error: { code: ErrorCodeValue; message: string }
}

export class AppError extends Error {
  override name = 'AppError'
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: ErrorCodeValue,
    message: string,
  ) {
    super(message)
  }
}

export function errorBody(code: ErrorCodeValue, message: string): ErrorBody {
  return { error: { code, message } }
}

export const notFound = (what = 'document'): AppError =>
  new AppError(404, what === 'document' ? ErrorCode.documentNotFound : ErrorCode.notFound, `${what} not found`)

/** Hono's own 400s (e.g. unparsable JSON) keep their meaning under our error shape. */
function fromHttpException(error: HTTPException): AppError {
  if (error.status === 400 && /json/i.test(error.message)) {
    return new AppError(400, ErrorCode.malformedJson, 'request body is not valid JSON')
  }
  if (error.status === 413) return new AppError(413, ErrorCode.payloadTooLarge, 'request body too large')
  const status = error.status as ContentfulStatusCode
  return new AppError(status, status >= 500 ? ErrorCode.internal : ErrorCode.invalidRequest, error.message)
}

export function errorHandler(log: Logger): ErrorHandler {
  return (error, c) => {
    let appError: AppError
    if (error instanceof AppError) appError = error
    else if (error instanceof HTTPException) appError = fromHttpException(error)
    else {
      log.error({ err: error, requestId: c.get('requestId' as never) }, 'unhandled error')
      appError = new AppError(500, ErrorCode.internal, 'internal error')
    }
    return c.json(errorBody(appError.code, appError.message), appError.status)
  }
}

export const notFoundHandler: NotFoundHandler = (c) =>
  c.json(errorBody(ErrorCode.notFound, `no route for ${c.req.method} ${c.req.path}`), 404)
