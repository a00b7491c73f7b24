/**
 * Tokens and what they allow.
 *
 * A token is a JWT signed HS256 with `AUTH_SECRET`, so that any system holding the secret can
 * mint tokens for tandem. Claims: `doc` (a document id or `"*"`), `role` (`view` < `edit` <
 * `admin`), `exp`, and optionally `sub` and `name`. Without a secret, tandem is open (and bound
 * to loopback by the config): everyone is an admin of every document.
 */
import { sign, verify } from 'hono/jwt'
import { JwtTokenExpired } from 'hono/utils/jwt/types'
import { z } from 'zod'
import { ROLES, type Role } from '../../protocol/api'
import { Unauthorized } from './errors'

export { ROLES, type Role }

export interface Access {
  /** A document id, or `*` for every document. */
  doc: string
  role: Role
  /** Seconds since the epoch; null for the open server. */
  exp: number | null
  sub?: string | undefined
  name?: string | undefined
}

export const OPEN_ACCESS: Access = { doc: '*', role: 'admin', exp: null }

/** Allows nothing (no document has an empty id): routes that read no token, such as a share link's. */
export const NO_ACCESS: Access = { doc: '', role: 'view', exp: null }

const claims = z.object({
  doc: z.string().min(1).max(64),
  role: z.enum(ROLES),
  exp: z.number().int(),
  sub: z.string().max(200).optional(),
  name: z.string().max(200).optional(),
})

/** A 401 with the reason, for the places that tell reasons apart. */
export class TokenError extends Unauthorized {
  override name = 'TokenError'
  constructor(readonly reason: 'missing' | 'expired' | 'invalid') {
    super(reason === 'missing' ? 'a token is required' : reason === 'expired' ? 'token expired' : 'token invalid')
  }
}

/** @throws {TokenError} */
export async function verifyToken(token: string, secret: string): Promise<Access> {
  let payload: unknown
  try {
    payload = await verify(token, secret, 'HS256')
  } catch (error) {
    throw new TokenError(error instanceof JwtTokenExpired ? 'expired' : 'invalid')
  }
  const parsed = claims.safeParse(payload)
  if (!parsed.success) throw new TokenError('invalid')
  return parsed.data
}

export interface TokenRequest {
  doc: string
  role: Role
  expiresInSeconds: number
  sub?: string | undefined
  name?: string | undefined
}

export function signToken(request: TokenRequest, secret: string, now = Date.now()): Promise<string> {
  const payload: Record<string, unknown> = {
    doc: request.doc,
    role: request.role,
    exp: Math.floor(now / 1000) + request.expiresInSeconds,
  }
  if (request.sub !== undefined) payload.sub = request.sub
  if (request.name !== undefined) payload.name = request.name
  return sign(payload, secret, 'HS256')
}

const rank: Record<Role, number> = { view: 0, edit: 1, admin: 2 }

export function roleAtLeast(role: Role, minimum: Role): boolean {
  return rank[role] >= rank[minimum]
}

/** Whether the token covers this document with at least `minimum`. */
export function allows(access: Access, docId: string, minimum: Role): boolean {
  return (access.doc === '*' || access.doc === docId) && roleAtLeast(access.role, minimum)
}

/**
 * What each token may do, in one place. A token for one document sees and does only that
 * document, whatever its role: listing and creating need a token for every document (`*`), and
 * creating more than `view`. View tokens never write; shares grant at most the sharer's own role.
 */
export const can = {
  list: (access: Access): boolean => access.doc === '*',
  create: (access: Access): boolean => access.doc === '*' && access.role !== 'view',
  read: (access: Access, docId: string): boolean => allows(access, docId, 'view'),
  edit: (access: Access, docId: string): boolean => allows(access, docId, 'edit'),
  delete: (access: Access, docId: string): boolean =>
    allows(access, docId, 'admin') || (access.doc === '*' && access.role !== 'view'),
  share: (access: Access, docId: string, role: Role): boolean => allows(access, docId, role),
  /** Named versions are removed by an admin of the document only. */
  deleteVersion: (access: Access, docId: string): boolean => allows(access, docId, 'admin'),
  /** Seeing the trash: an admin of every document. */
  listTrash: (access: Access): boolean => access.doc === '*' && access.role === 'admin',
  /** Restoring or purging a document in the trash: an admin of it (or of every document). */
  manageTrashed: (access: Access, docId: string): boolean => allows(access, docId, 'admin'),
  /** Revocable view links (`/s/<shareId>`): made, listed and revoked by editors and admins. */
  manageShares: (access: Access, docId: string): boolean => allows(access, docId, 'edit'),
  /** Metrics and health details: an operator's token, admin of every document. */
  operate: (access: Access): boolean => access.doc === '*' && access.role === 'admin',
}
