/**
 * Who is here, from the awareness states. States come from other people's browsers, so each
 * is validated; several tabs of one person (same identity id) are shown once.
 */
import { MAX_NAME_LENGTH, isHexColor } from '../identity'

export interface PresenceUser {
  /** The identity id, or the client id for states without one. */
  key: string
  name: string
  color: string
  self: boolean
  /** Awareness client ids of this person (one per tab). */
  clientIds: number[]
}

const FALLBACK_COLOR = '#868e96'

interface UserState {
  id?: unknown
  name?: unknown
  color?: unknown
}

function readUser(state: unknown): UserState | null {
  if (typeof state !== 'object' || state === null) return null
  const user = (state as { user?: unknown }).user
  return typeof user === 'object' && user !== null ? (user as UserState) : null
}

export function presenceUsers(states: ReadonlyMap<number, unknown>, selfClientId: number): PresenceUser[] {
  const byKey = new Map<string, PresenceUser>()
  for (const [clientId, state] of states) {
    const user = readUser(state)
    if (user === null) continue
    const name =
      typeof user.name === 'string' && user.name.trim() !== ''
        ? user.name.trim().slice(0, MAX_NAME_LENGTH)
        : 'Anonymous'
    const key = typeof user.id === 'string' && user.id !== '' ? `id:${user.id}` : `client:${clientId}`
    const self = clientId === selfClientId
    const existing = byKey.get(key)
    if (existing !== undefined) {
      existing.clientIds.push(clientId)
      if (self)
        Object.assign(existing, { self: true, name, color: isHexColor(user.color) ? user.color : existing.color })
      continue
    }
    byKey.set(key, {
      key,
      name,
      color: isHexColor(user.color) ? user.color : FALLBACK_COLOR,
      self,
      clientIds: [clientId],
    })
  }
  return [...byKey.values()].sort(
    (a, b) => Number(b.self) - Number(a.self) || a.name.localeCompare(b.name) || a.key.localeCompare(b.key),
  )
}
