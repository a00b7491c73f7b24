/**
 * The composition root: configuration is read here, once, and everything is built from it.
 * `startTandem` is exported for tests that run a real server in-process; running this file
 * starts one from the environment and shuts it down gracefully on SIGTERM/SIGINT.
 */
import { existsSync } from 'node:fs'
import { type Server, createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { dirname, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { getRequestListener } from '@hono/node-server'
import { type Logger, pino } from 'pino'
import { createApp } from './http/app'
import { type Config, ConfigError, configWarnings, loadConfig } from './config'
import { schemaRules } from './content/rules'
import { guardConnections } from './http/connectionGuard'
import { DocumentService } from './documents/service'
import { TrashSweep } from './documents/trashSweep'
import { MemoryBus } from './fanout/memory'
import type { Fanout } from './fanout/types'
import { type Metrics, createMetrics } from './common/metrics'
import type { ShareStore } from './storage/shares'
import { SqliteDocumentStore } from './storage/sqlite/documents'
import { SqliteVersionStore } from './storage/sqlite/versions'
import { SqliteFileStore } from './storage/sqlite/files'
import type { FileStore } from './storage/files'
import { FileService } from './documents/files'
import { SqliteSearchIndex } from './storage/sqlite/search'
import type { SearchIndex } from './storage/search/types'
import { DocumentSearch } from './documents/search'
import { SqliteShareStore } from './storage/sqlite/shares'
import type { DocumentStore } from './storage/types'
import type { VersionStore } from './storage/versions'
import { VersionService } from './documents/versions'
import { CloseCode } from '../protocol/closeCodes'
import { ConnectionHub } from './sync/connections'
import { RoomManager } from './sync/roomManager'
import { handleUpgrades } from './http/upgrade'

export interface RunningTandem {
  /** `http://host:port` actually bound (port 0 resolved). */
  url: string
  port: number
  store: DocumentStore
  rooms: RoomManager
  /** Graceful stop: refuse new work, store everything, close sockets with 1012. */
  shutdown(): Promise<void>
}

/** The stores of a process, on one database handle (the document store owns and closes it). */
interface Stores {
  store: DocumentStore
  versions: VersionStore
  files: FileStore
  searchIndex: SearchIndex
  shares: ShareStore
}

/** PostgreSQL and Redis clients are loaded only when configured: a single machine never needs them. */
async function createStores(config: Config, log: Logger): Promise<Stores> {
  if (config.databaseUrl !== null) {
    const { PostgresDocumentStore } = await import('./storage/postgres/documents')
    const { PostgresVersionStore } = await import('./storage/postgres/versions')
    const { PostgresFileStore } = await import('./storage/postgres/files')
    const { PostgresSearchIndex } = await import('./storage/postgres/search')
    const { PostgresShareStore } = await import('./storage/postgres/shares')
    const store = await PostgresDocumentStore.open({
      connectionString: config.databaseUrl,
      ...config.postgres,
      compactThreshold: config.compactThreshold,
      log: log.child({ component: 'storage' }),
    })
    return {
      store,
      versions: new PostgresVersionStore(store.database),
      files: new PostgresFileStore(store.database.pool),
      searchIndex: new PostgresSearchIndex(store.database),
      shares: new PostgresShareStore(store.database),
    }
  }
  const store = new SqliteDocumentStore({
    path: config.sqlitePath,
    compactThreshold: config.compactThreshold,
    synchronous: config.sqliteSynchronous,
    log: log.child({ component: 'storage' }),
  })
  return {
    store,
    versions: new SqliteVersionStore(store.database),
    files: new SqliteFileStore(store.database),
    searchIndex: new SqliteSearchIndex(store.database),
    shares: new SqliteShareStore(store.database),
  }
}

/**
 * Search follows socket edits 1 s after a document's last change, or 4 s after its first one
 * not yet indexed while it keeps changing (plus the time indexing takes): a burst of keystrokes
 * is indexed once, a document edited without pause every 4 s. Tuning, not a setting (docs/api.md
 * promises "within 5 seconds").
 */
const SEARCH_INDEX_DELAY_MS = 1000
const SEARCH_INDEX_MAX_DELAY_MS = 4000

/** Without Redis this process is the only one: a bus with a single member tells no one. */
async function createFanout(config: Config, log: Logger): Promise<Fanout> {
  if (config.redisUrl === null) return new MemoryBus().join()
  const { connectRedisFanout } = await import('./fanout/redis')
  return connectRedisFanout({
    url: config.redisUrl,
    prefix: config.redisPrefix,
    log: log.child({ component: 'fanout' }),
  })
}

/**
 * The built web app: `../web` next to the bundle (dist/server/main.js), or `dist/web` when running
 * from source, where `../web` is the unbuilt app.
 */
function findWebRoot(): string | null {
  const here = dirname(fileURLToPath(import.meta.url))
  const fromSource = existsSync(resolve(here, 'main.ts'))
  const root = fromSource ? resolve(here, '../dist/web') : resolve(here, '../web')
  return existsSync(resolve(root, 'index.html')) ? root : null
}

export interface Tandem {
  app: ReturnType<typeof createApp>
  store: DocumentStore
  /** Files (images) of the documents, in the store's database. */
  fileStore: FileStore
  fanout: Fanout
  rooms: RoomManager
  hub: ConnectionHub
  versions: VersionService
  search: DocumentSearch
  documents: DocumentService
  metrics: Metrics
  config: Config
  log: Logger
  /** Purges the trash past its retention; started by {@link startTandem}, not by building. */
  trashSweep: TrashSweep
}

/** Everything wired, nothing listening: `app.request()` tests use this directly. */
export async function buildTandem(config: Config, log: Logger): Promise<Tandem> {
  const metrics = createMetrics()
  const { store, versions: versionStore, files: fileStore, searchIndex, shares } = await createStores(config, log)
  const fanout = await createFanout(config, log)
  // The recorder needs the rooms and the rooms report to it: built right after them.
  let versions: VersionService | null = null
  // The room manager tells search of stored updates; search reads the rooms: bound once both exist.
  let search: DocumentSearch | null = null
  const rooms = new RoomManager({
    store,
    fanout,
    changes: { changed: (docId, author) => versions?.changed(docId, author) ?? null },
    unloadGraceMs: config.roomUnloadGraceMs,
    maxMemoryBytes: config.maxMemoryBytes,
    log,
    onStored: (docId) => search?.changed(docId),
    room: {
      rules: schemaRules(),
      awareness: {
        maxClientsPerOwner: config.limits.maxPresenceClientsPerSocket,
        maxStateBytes: config.limits.maxPresenceStateBytes,
      },
      maxPendingBytes: config.limits.maxPendingBytes,
      ownerProbeTimeoutMs: config.ownerProbeTimeoutMs,
      presenceTickMs: config.presenceTickMs,
      maxDocumentBytes: config.limits.maxDocumentBytes,
      log,
      metrics,
    },
  })
  const hub = new ConnectionHub(
    rooms,
    {
      maxMessagesPerSecond: config.limits.maxMessagesPerSecond,
      maxBufferedBytes: config.limits.maxBufferedBytes,
      maxConnectionsPerIp: config.limits.maxConnectionsPerIp,
      maxRoomsPerIp: config.limits.maxRoomsPerIp,
      heartbeatIntervalMs: config.heartbeatIntervalMs,
      handshakeTimeoutMs: config.handshakeTimeoutMs,
      // A stock client sends a step 1 and its presence on open, and maybe one edit: one message's worth.
      maxEarlyBytes: config.limits.maxPayloadBytes,
    },
    log,
    metrics,
  )
  metrics.observe({ openSockets: () => hub.count, openRooms: () => rooms.roomCount })
  versions = new VersionService({
    versions: versionStore,
    documents: store,
    rooms,
    idleMs: config.versions.idleMs,
    intervalMs: config.versions.intervalMs,
    retention: { keepAllMs: config.versions.keepAllMs, keepHourlyMs: config.versions.keepHourlyMs },
    log: log.child({ component: 'versions' }),
  })
  versions.start()
  search = new DocumentSearch({
    index: searchIndex,
    store,
    rooms,
    delayMs: SEARCH_INDEX_DELAY_MS,
    maxDelayMs: SEARCH_INDEX_MAX_DELAY_MS,
    log: log.child({ component: 'search' }),
  })
  void search.catchUp()
  const files = new FileService({ files: fileStore, rooms, maxDocumentBytes: config.limits.maxDocumentBytes })
  const documents = new DocumentService({
    store,
    shares,
    rooms,
    fanout,
    maxDocumentBytes: config.limits.maxDocumentBytes,
    publicUrl: config.publicUrl,
    authSecret: config.authSecret,
    trashRetentionDays: config.trashRetentionDays,
    search,
    images: files.documentImages(),
  })
  const trashSweep = new TrashSweep({
    purgeExpired: () => documents.purgeExpired(),
    log: log.child({ component: 'trash' }),
  })
  const app = createApp({
    documents,
    versions,
    files,
    maxFileBytes: config.limits.maxFileBytes,
    health: { storage: () => store.ping(), fanout: () => fanout.ping() },
    metrics,
    log,
    authSecret: config.authSecret,
    metricsToken: config.metricsToken,
    allowedHosts: config.allowedHosts,
    maxBodyBytes: config.limits.maxBodyBytes,
    webRoot: findWebRoot(),
  })
  return { app, store, fileStore, fanout, rooms, hub, versions, search, documents, metrics, config, log, trashSweep }
}

/** Stops taking work, stores everything, tells clients to come back (1012). */
export async function closeTandem(tandem: Tandem): Promise<void> {
  tandem.hub.stop()
  await tandem.trashSweep.stop()
  await tandem.rooms.closeAll(CloseCode.serviceRestart, 'server restarting')
  tandem.hub.closeAll(CloseCode.serviceRestart, 'server restarting')
  await tandem.versions.close()
  await tandem.search.close()
  await tandem.store.close()
  await tandem.fanout.close()
}

export async function startTandem(config: Config, log: Logger): Promise<RunningTandem> {
  const tandem = await buildTandem(config, log)
  tandem.trashSweep.start()
  const server: Server = createServer(
    {
      // Half-finished requests and upgrades are cut off: Node checks the deadline on this interval.
      headersTimeout: config.handshakeTimeoutMs,
      requestTimeout: config.requestTimeoutMs,
      connectionsCheckingInterval: Math.min(1000, config.handshakeTimeoutMs),
    },
    getRequestListener(tandem.app.fetch),
  )
  // Node's headers deadline starts at the first byte: connections that send none are cut here.
  guardConnections(server, {
    firstByteTimeoutMs: config.handshakeTimeoutMs,
    maxPerIp: config.limits.maxHttpConnectionsPerIp,
    onRefused: (reason) => tandem.metrics.connectionRefused(reason),
  })
  handleUpgrades(server, {
    policy: {
      authSecret: config.authSecret,
      allowedOrigins: config.allowedOrigins,
      allowedHosts: config.allowedHosts,
      trustProxy: config.trustProxy,
      admit: (ip, docId) => tandem.hub.admit(ip, docId),
      resolveShare: async (shareId) => {
        const share = await tandem.documents.resolveShare(shareId)
        return share === null ? null : { docId: share.docId, expiresAt: share.expiresAt?.getTime() ?? null }
      },
    },
    webSocket: { maxPayloadBytes: config.limits.maxPayloadBytes, perMessageDeflate: config.wsPerMessageDeflate },
    log,
    onSocket: (ws, ticket) => tandem.hub.accept(ws, ticket),
  })
  await new Promise<void>((ready, fail) => {
    server.once('error', fail)
    server.listen(config.port, config.host, () => ready())
  })
  const port = (server.address() as AddressInfo).port
  const host = config.host.includes(':') ? `[${config.host}]` : config.host
  let stopping: Promise<void> | null = null
  return {
    url: `http://${host}:${port}`,
    port,
    store: tandem.store,
    rooms: tandem.rooms,
    shutdown() {
      stopping ??= (async () => {
        server.close()
        await closeTandem(tandem)
        server.closeAllConnections()
      })()
      return stopping
    },
  }
}

/**
 * Runs tandem from the environment until SIGTERM or SIGINT, then stops gracefully and exits 0 (1 if
 * that fails or takes longer than SHUTDOWN_TIMEOUT_MS; 2 for invalid settings). Called when this
 * file is run, and by `scripts/start.mjs` in its own process once the build is up to date.
 */
export async function main(): Promise<void> {
  let config: Config
  try {
    config = loadConfig(process.env)
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error
    process.stderr.write(`${error.message}\n`)
    process.exit(2)
  }
  const log = pino({ level: config.logLevel, base: { service: 'tandem' } })
  for (const warning of configWarnings(config)) log.warn(warning)
  // Handlers go in before the server starts, so that a signal sent as soon as the "listening"
  // line is read is handled (they used to go in just after it, and such a signal killed the
  // server). A signal while it starts ends the process as by default: a start may hang (an
  // unreachable database) and there is nothing to shut down yet. Once started they stay
  // installed: a second signal must not kill the process mid-shutdown, and one Ctrl-C under
  // `npm start` arrives twice (from the terminal, and forwarded by npm).
  let tandem: RunningTandem | null = null
  let stopping = false
  const stop = (signal: NodeJS.Signals): void => {
    if (tandem === null) {
      process.removeAllListeners(signal)
      process.kill(process.pid, signal)
      return
    }
    if (stopping) return
    stopping = true
    log.info({ signal }, 'shutting down')
    const deadline = setTimeout(() => {
      log.error('shutdown took too long; exiting')
      process.exit(1)
    }, config.shutdownTimeoutMs)
    deadline.unref()
    tandem.shutdown().then(
      () => process.exit(0),
      (error: unknown) => {
        log.error({ err: error }, 'shutdown failed')
        process.exit(1)
      },
    )
  }
  process.on('SIGTERM', () => stop('SIGTERM'))
  process.on('SIGINT', () => stop('SIGINT'))
  tandem = await startTandem(config, log)
  log.info(
    { url: tandem.url, storage: config.databaseUrl === null ? config.sqlitePath : 'postgres' },
    'tandem listening',
  )
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  void main()
}
