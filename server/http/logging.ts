import type { MiddlewareHandler } from 'hono'
import type { Logger } from 'pino'
import type { AppEnv } from './env'

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/

/**
 * One structured log line per request, with a request id that is echoed in `X-Request-Id` (a
 * caller's own id is kept when it is sane). Query strings are never logged: they carry tokens.
 */
export function requestLogging(log: Logger): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const incoming = c.req.header('x-request-id')
    const requestId = incoming !== undefined && REQUEST_ID.test(incoming) ? incoming : crypto.randomUUID()
    const requestLog = log.child({ requestId })
    c.set('requestId', requestId)
    c.set('log', requestLog)
    const started = performance.now()
    await next()
    c.header('X-Request-Id', requestId)
    const quiet = c.req.path === '/healthz' || c.req.path === '/metrics'
    const entry = {
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
      ms: Math.round((performance.now() - started) * 10) / 10,
    }
    if (quiet) requestLog.debug(entry, 'request')
    else requestLog.info(entry, 'request')
  }
}
