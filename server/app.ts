/**
 * The Hono app: every route, no listening. `main.ts` serves it; tests call `app.request()` or
 * serve it on port 0.
 */
import { Hono } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import type { Logger } from 'pino'
import { AppError, ErrorCode, errorHandler, notFoundHandler } from './errors'
import type { Fanout } from './fanout/types'
import { accessMiddleware } from './http/access'
import { documentRoutes } from './http/documents'
import type { AppEnv } from './http/env'
import { hostCheck } from './http/hosts'
import { requestLogging } from './http/logging'
import { serveWebApp } from './http/static'
import type { Metrics } from './metrics'
import type { DocumentStore } from './storage/types'
import type { RoomManager } from './sync/roomManager'
import { syncRoutes } from './sync/upgrade'

export interface AppDeps {
  store: DocumentStore
  rooms: RoomManager
  fanout: Fanout
  metrics: Metrics
  log: Logger
  authSecret: string | null
  /** Host names requests may name (`http/hosts.ts`); others are answered 421. */
  allowedHosts: readonly string[]
  publicUrl: string
  maxBodyBytes: number
  maxDocumentBytes: number
  /** The built web app, or null to serve the API only. */
  webRoot: string | null
}

async function check(probe: () => Promise<void>): Promise<'ok' | 'unavailable'> {
  try {
    await probe()
    return 'ok'
  } catch {
    return 'unavailable'
  }
}

export function createApp(deps: AppDeps) {
  const routes = new Hono<AppEnv>()
    .use(requestLogging(deps.log))
    // Health checks from load balancers address the server by IP; /healthz tells nothing worth
    // rebinding for.
    .use(hostCheck(deps.allowedHosts, (path) => path === '/healthz'))
    .get('/healthz', async (c) => {
      const [storage, fanout] = await Promise.all([check(() => deps.store.ping()), check(() => deps.fanout.ping())])
      const healthy = storage === 'ok' && fanout === 'ok'
      return c.json({ status: healthy ? 'ok' : 'degraded', storage, fanout }, healthy ? 200 : 503)
    })
    .get('/metrics', async (c) =>
      c.body(await deps.metrics.registry.metrics(), 200, { 'Content-Type': deps.metrics.registry.contentType }),
    )
    .use(
      '/api/*',
      bodyLimit({
        maxSize: deps.maxBodyBytes,
        onError: () => {
          throw new AppError(413, ErrorCode.payloadTooLarge, `request body larger than ${deps.maxBodyBytes} bytes`)
        },
      }),
      accessMiddleware(deps.authSecret),
    )
    .route(
      '/api/docs',
      documentRoutes({
        store: deps.store,
        rooms: deps.rooms,
        fanout: deps.fanout,
        authSecret: deps.authSecret,
        publicUrl: deps.publicUrl,
        maxDocumentBytes: deps.maxDocumentBytes,
      }),
    )
    .route('/ws', syncRoutes())
  if (deps.webRoot !== null) routes.use(serveWebApp(deps.webRoot))
  routes.onError(errorHandler(deps.log))
  routes.notFound(notFoundHandler)
  return routes
}

/** The app's type, for the web client's typed `hc` calls. */
export type AppType = ReturnType<typeof createApp>
