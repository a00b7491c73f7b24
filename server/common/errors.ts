/**
 * Errors the caller may see, one class per failure, each with a stable code from the API's list
 * (`protocol/api.ts`, docs/api.md). Any layer throws them; `http/errors.ts` is the one place that
 * turns them into a status and `{ "error": { "code": "…", "message": "…" } }`, and the sync
 * endpoint's admission answers a refused upgrade with the same. Their messages are safe to show.
 */
import { ErrorCode, type ErrorCodeValue } from '../../protocol/api'

export { ErrorCode, type ErrorCodeValue }

export abstract class TandemError extends Error {
  abstract readonly code: ErrorCodeValue
}

/** A field has the wrong type, is missing, empty, too long or unknown; a bad query parameter. */
export class InvalidRequest extends TandemError {
  override name = 'InvalidRequest'
  readonly code = ErrorCode.invalidRequest
}

export class MalformedJson extends TandemError {
  override name = 'MalformedJson'
  readonly code = ErrorCode.malformedJson
  constructor() {
    super('request body is not valid JSON')
  }
}

export class UnsupportedMediaType extends TandemError {
  override name = 'UnsupportedMediaType'
  readonly code = ErrorCode.unsupportedMediaType
}

/** A request body over `MAX_BODY_BYTES`. */
export class PayloadTooLarge extends TandemError {
  override name = 'PayloadTooLarge'
  readonly code = ErrorCode.payloadTooLarge
}

/** Content that would take a document over its size quota (`MAX_DOCUMENT_BYTES`). */
export class QuotaExceeded extends TandemError {
  override name = 'QuotaExceeded'
  readonly code = ErrorCode.payloadTooLarge
  constructor(maxDocumentBytes: number) {
    super(`content exceeds the document size quota (${maxDocumentBytes} bytes)`)
  }
}

/** No such document, or an id this server could never have issued. */
export class DocumentNotFound extends TandemError {
  override name = 'DocumentNotFound'
  readonly code = ErrorCode.documentNotFound
  constructor(readonly documentId: string) {
    super('document not found')
  }
}

/** No such share link: never made, revoked, expired, or its document is gone. */
export class ShareNotFound extends TandemError {
  override name = 'ShareNotFound'
  readonly code = ErrorCode.shareNotFound
  constructor() {
    super('share link not found: it was revoked, or its document was deleted')
  }
}

export class InvalidCursor extends TandemError {
  override name = 'InvalidCursor'
  readonly code = ErrorCode.invalidCursor
  constructor() {
    super('cursor is not one this server issued')
  }
}

/** Content the document schema cannot represent. */
export class InvalidContent extends TandemError {
  override name = 'InvalidContent'
  readonly code = ErrorCode.invalidContent
}

/** A stored document that cannot be exported (e.g. nested too deeply to render). */
export class ContentUnrenderable extends TandemError {
  override name = 'ContentUnrenderable'
  readonly code = ErrorCode.contentUnrenderable
}

/** No usable token: missing, expired, forged or malformed. */
export class Unauthorized extends TandemError {
  override name = 'Unauthorized'
  readonly code = ErrorCode.unauthorized
}

/** The token does not cover this document or action, or the socket's origin is not allowed. */
export class Forbidden extends TandemError {
  override name = 'Forbidden'
  readonly code = ErrorCode.forbidden
  constructor(message = 'this token does not allow that') {
    super(message)
  }
}

/** The request's `Host` is not a name this server answers to. */
export class HostNotAllowed extends TandemError {
  override name = 'HostNotAllowed'
  readonly code = ErrorCode.hostNotAllowed
}

/** Too many sockets or documents from one address. */
export class RateLimited extends TandemError {
  override name = 'RateLimited'
  readonly code = ErrorCode.rateLimited
}

export class UpgradeRequired extends TandemError {
  override name = 'UpgradeRequired'
  readonly code = ErrorCode.upgradeRequired
}

/** Opening the document would take the server over `MAX_MEMORY_BYTES`, even with idle documents unloaded. */
export class ServerBusy extends TandemError {
  override name = 'ServerBusy'
  readonly code = ErrorCode.serverBusy
  constructor() {
    super('the server is at its memory budget; try again later')
  }
}

/** No such route or endpoint. */
export class NotFound extends TandemError {
  override name = 'NotFound'
  readonly code = ErrorCode.notFound
}

/** No such version of this document. */
export class VersionNotFound extends TandemError {
  override name = 'VersionNotFound'
  readonly code = ErrorCode.versionNotFound
  constructor() {
    super('version not found')
  }
}

/** Only named versions are deleted by hand; the others follow the retention policy. */
export class VersionNotDeletable extends TandemError {
  override name = 'VersionNotDeletable'
  readonly code = ErrorCode.versionNotDeletable
  constructor() {
    super('only named versions can be deleted; the others are kept by the retention policy')
  }
}
