import { randomBytes } from 'node:crypto'

/** 16 random bytes: 128 bits, beyond guessing; base64url keeps ids URL-safe. */
export function newDocumentId(): string {
  return randomBytes(16).toString('base64url')
}

const DOCUMENT_ID = /^[A-Za-z0-9_-]{22}$/

/** Only ids this server could have issued reach storage; anything else is unknown by definition. */
export function isDocumentId(value: string): boolean {
  return DOCUMENT_ID.test(value)
}

/** 12 random bytes: unguessable within a document, 16 URL-safe characters. */
export function newVersionId(): string {
  return randomBytes(12).toString('base64url')
}

const VERSION_ID = /^[A-Za-z0-9_-]{16}$/

export function isVersionId(value: string): boolean {
  return VERSION_ID.test(value)
}

/** A stored file's id: 128 random bits like a document's, since the id alone lets anyone read the file. */
export function newFileId(): string {
  return randomBytes(16).toString('base64url')
}

/** Only ids this server could have issued reach storage. */
export function isFileId(value: string): boolean {
  return DOCUMENT_ID.test(value)
}

/**
 * A share link's id (`/s/<id>`): 16 random bytes like a document's, so it can neither be
 * guessed nor derived from the document it opens.
 */
export function newShareId(): string {
  return randomBytes(16).toString('base64url')
}

/** Share ids have the document ids' form; anything else is unknown without a lookup. */
export function isShareId(value: string): boolean {
  return DOCUMENT_ID.test(value)
}
