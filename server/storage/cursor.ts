/**
 * Keyset pagination cursors shared by every adapter: a position in the list's order
 * (`updatedAt` descending, then `id` descending), opaque to clients.
 */
import { InvalidCursor } from '../common/errors'

export interface ListPosition {
  updatedAt: number
  id: string
}

export function encodeCursor(position: ListPosition): string {
  return Buffer.from(`${position.updatedAt}:${position.id}`, 'utf8').toString('base64url')
}

/** @throws {InvalidCursor} */
export function decodeCursor(cursor: string): ListPosition {
  const text = Buffer.from(cursor, 'base64url').toString('utf8')
  const match = /^(\d{1,16}):([A-Za-z0-9_-]{1,64})$/.exec(text)
  if (match === null) throw new InvalidCursor()
  return { updatedAt: Number(match[1]), id: match[2] as string }
}

/** The trash's order (`deletedAt` descending, then `id` descending), in the same encoding. */
export interface TrashPosition {
  deletedAt: number
  id: string
}

export function encodeTrashCursor(position: TrashPosition): string {
  return encodeCursor({ updatedAt: position.deletedAt, id: position.id })
}

/** @throws {InvalidCursor} */
export function decodeTrashCursor(cursor: string): TrashPosition {
  const { updatedAt, id } = decodeCursor(cursor)
  return { deletedAt: updatedAt, id }
}

/** Escapes `%`, `_` and `\` so that a search term matches literally in a LIKE pattern. */
export function likePattern(term: string): string {
  return `%${term.replace(/[\\%_]/g, (c) => `\\${c}`)}%`
}
