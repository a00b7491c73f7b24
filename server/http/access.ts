import type { MiddlewareHandler } from 'hono'
import { NO_ACCESS, OPEN_ACCESS, TokenError, verifyToken } from '../common/auth'
import type { AppEnv } from './env'

/** The token of an `Authorization: Bearer …` header, if there is one. */
export function bearerToken(header: string | undefined): string | undefined {
  return header?.match(/^Bearer\s+(\S+)$/i)?.[1]
}

/**
 * Resolves the caller's token into `c.var.access`. With no secret configured every caller is an
 * admin of everything; with one, a missing, expired or forged token is a 401. Exempt paths (a
 * share link's own API, whose id is its credential) read no token and get an access that
 * allows nothing: their routes check what they serve themselves.
 */
export function accessMiddleware(
  secret: string | null,
  exempt: (path: string) => boolean = () => false,
): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (exempt(c.req.path)) {
      c.set('access', NO_ACCESS)
      return next()
    }
    if (secret === null) {
      c.set('access', OPEN_ACCESS)
      return next()
    }
    const token = bearerToken(c.req.header('authorization'))
    if (token === undefined) throw new TokenError('missing')
    c.set('access', await verifyToken(token, secret))
    return next()
  }
}
