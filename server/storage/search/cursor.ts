/**
 * Keyset cursors of a search: a position in its order (tier — title match or not — then score,
 * lower first, then id). Opaque to clients, and distinct from the list's cursors
 * (`../cursor.ts`): one passed to the other is an {@link InvalidCursor}.
 */
import { InvalidCursor } from '../../common/errors'

export interface SearchPosition {
  tier: 0 | 1
  /** Finite; its shortest decimal form reads back as the same double. */
  score: number
  id: string
}

const PREFIX = 'search:'

export function encodeSearchCursor(position: SearchPosition): string {
  return Buffer.from(`${PREFIX}${position.tier}:${position.score}:${position.id}`, 'utf8').toString('base64url')
}

/** @throws {InvalidCursor} */
export function decodeSearchCursor(cursor: string): SearchPosition {
  const text = Buffer.from(cursor, 'base64url').toString('utf8')
  const match = /^search:([01]):(-?\d+(?:\.\d+)?(?:e[+-]?\d+)?):([A-Za-z0-9_-]{1,64})$/.exec(text)
  if (match === null) throw new InvalidCursor()
  const score = Number(match[2])
  if (!Number.isFinite(score)) throw new InvalidCursor()
  return { tier: match[1] === '0' ? 0 : 1, score, id: match[3] as string }
}
