/**
 * The Hono app: every route, no listening. `main.ts` serves it; tests call `app.request()` or
 * serve it on port 0.
 */
import { Hono } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import type { ExtractSchema } from 'hono/types'
import type { Logger } from 'pino'
import type { DocumentsApi, SharesApi, TrashApi, VersionsApi } from '../../protocol/api'
import { PayloadTooLarge } from '../common/errors'
import type { Metrics } from '../common/metrics'
import type { DocumentService } from '../documents/service'
import type { VersionService } from '../documents/versions'
import { accessMiddleware } from './access'
import { documentRoutes } from './documents'
import { versionRoutes } from './versions'
import type { FileService } from '../documents/files'
import { fileRoutes } from './files'
import type { AppEnv } from './env'
import { errorHandler, notFoundHandler } from './errors'
import { hostCheck } from './hosts'
import { importRoutes } from './importExport'
import { requestLogging } from './logging'
import { type HealthProbes, operationsProtected, operationsRoutes } from './operations'
import { securityHeaders } from './securityHeaders'
import { SHARE_API_PREFIX, shareRoutes } from './shares'
import { serveWebApp } from './static'
import { trashRoutes } from './trash'
import { syncRoutes } from './upgrade'

export interface AppDeps {
  documents: DocumentService
  versions: VersionService
  files: FileService
  /** `MAX_FILE_BYTES`: uploads have this limit instead of `maxBodyBytes`. */
  maxFileBytes: number
  health: HealthProbes
  metrics: Metrics
  log: Logger
  authSecret: string | null
  /** Bearer token for `/metrics`; see `http/operations.ts`. */
  metricsToken: string | null
  /** Host names requests may name (`http/hosts.ts`); others are answered 421. */
  allowedHosts: readonly string[]
  maxBodyBytes: number
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
    // Before the API's middleware: uploads have their own limit, reading a file needs no token.
    .route('/api', fileRoutes(deps))
    .use(
      '/api/*',
      bodyLimit({
        maxSize: deps.maxBodyBytes,
        onError: () => {
          throw new PayloadTooLarge(`request body larger than ${deps.maxBodyBytes} bytes`)
        },
      }),
      accessMiddleware(deps.authSecret, (path) => path.startsWith(SHARE_API_PREFIX)),
    )
    .route('/api/docs', importRoutes(deps.documents))
    .route('/api/docs', documentRoutes(deps.documents))
    .route('/api/docs', versionRoutes(deps.versions))
    .route('/api/trash', trashRoutes(deps.documents))
    .route('/api/shares', shareRoutes(deps.documents))
    .route('/ws', syncRoutes())
  if (deps.webRoot !== null) routes.use(serveWebApp(deps.webRoot))
  routes.onError(errorHandler(deps.log))
  routes.notFound(notFoundHandler)
  return routes
}

export type AppType = ReturnType<typeof createApp>

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false
type Served = ExtractSchema<AppType>

/**
 * The routes serve exactly the REST contract the web app is typed against (`protocol/api.ts`):
 * when a route's input or answer changes and the contract does not, this line fails to
 * type-check.
 */
export const servesDocumentsApi: Same<Pick<Served, keyof DocumentsApi>, DocumentsApi> = true

/** The same for the versions' routes. */
export const servesVersionsApi: Same<Pick<Served, keyof VersionsApi>, VersionsApi> = true
/** The same for the trash's routes. */
export const servesTrashApi: Same<Pick<Served, keyof TrashApi>, TrashApi> = true
export const servesSharesApi: Same<Pick<Served, keyof SharesApi>, SharesApi> = true
