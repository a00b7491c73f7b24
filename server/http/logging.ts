import type { MiddlewareHandler } from 'hono'
import type { Logger } from 'pino'
import type { AppEnv } from './env'

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/

/** A caller's own request id when it is sane, else a fresh one. */
export function requestIdOf(header: string | string[] | undefined): string {
  return typeof header === 'string' && REQUEST_ID.test(header) ? header : crypto.randomUUID()
}

/** The one shape of a request's log line, for HTTP requests and WebSocket upgrades alike. */
export function logRequest(
  log: Logger,
  request: { requestId: string; method: string; path: string; status: number; startedAt: number },
  level: 'info' | 'debug' = 'info',
): void {
  const { requestId, method, path, status, startedAt } = request
  log[level]({ requestId, method, path, status, ms: Math.round((performance.now() - startedAt) * 10) / 10 }, 'request')
}

/**
 * One structured log line per request, with a request id that is echoed in `X-Request-Id` (a
 * caller's own id is kept when it is sane). Query strings are never logged: they carry tokens.
 */
export function requestLogging(log: Logger): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const requestId = requestIdOf(c.req.header('x-request-id'))
    c.set('requestId', requestId)
    // Set before the response exists: afterwards Hono would have to build a full copy of it.
    c.header('X-Request-Id', requestId)
    const startedAt = performance.now()
    await next()
    const quiet = c.req.path === '/healthz' || c.req.path === '/metrics'
    logRequest(
      log,
      { requestId, method: c.req.method, path: c.req.path, status: c.res.status, startedAt },
      quiet ? 'debug' : 'info',
    )
  }
}
