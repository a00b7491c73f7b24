/**
 * The Hono app: every route, no listening. `main.ts` serves it; tests call `app.request()` or
 * serve it on port 0.
 */
import { Hono } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import type { Logger } from 'pino'
import { AppError, ErrorCode, errorHandler, notFoundHandler } from '../common/errors'
import type { Fanout } from '../fanout/types'
import { accessMiddleware } from './access'
import { documentRoutes } from './documents'
import type { AppEnv } from './env'
import { hostCheck } from './hosts'
import { requestLogging } from './logging'
import { operationsProtected, operationsRoutes } from './operations'
import { securityHeaders } from './securityHeaders'
import { serveWebApp } from './static'
import type { Metrics } from '../common/metrics'
import type { DocumentStore } from '../storage/types'
import type { RoomManager } from '../sync/roomManager'
import { syncRoutes } from './upgrade'

export interface AppDeps {
  store: DocumentStore
  rooms: RoomManager
  fanout: Fanout
  metrics: Metrics
  log: Logger
  authSecret: string | null
  /** Bearer token for `/metrics`; see `http/operations.ts`. */
  metricsToken: string | null
  /** Host names requests may name (`http/hosts.ts`); others are answered 421. */
  allowedHosts: readonly string[]
  publicUrl: string
  maxBodyBytes: number
  maxDocumentBytes: number
  /** The built web app, or null to serve the API only. */
  webRoot: string | null
}

export function createApp(deps: AppDeps) {
  // Health checks and Prometheus address the server by IP, not by name: /healthz tells nothing
  // worth rebinding for, and /metrics is exempt only while it needs a token.
  const metricsProtected = operationsProtected(deps)
  const hostExempt = (path: string): boolean => path === '/healthz' || (metricsProtected && path === '/metrics')
  const routes = new Hono<AppEnv>()
    .use(securityHeaders())
    .use(requestLogging(deps.log))
    .use(hostCheck(deps.allowedHosts, hostExempt))
    .route('/', operationsRoutes(deps))
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
