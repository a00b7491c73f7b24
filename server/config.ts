/**
 * Configuration, read from the environment once at start-up (in `main.ts`) and passed down.
 * Every default lives here and in the README's table; nothing else reads `process.env`.
 *
 * Every limit an operator may need to change is a variable here. Constants left in modules are
 * not limits but tuning measured on the hot paths (group commit interval, journal batches: see
 * docs/benchmarks.md) or bounds derived from a limit here or from a protocol (y-protocols'
 * presence timeout, RFC 6455's close reason length); each says so where it is defined.
 */
import { isIP } from 'node:net'
import { totalmem } from 'node:os'
import { resolve } from 'node:path'
import { z } from 'zod'
import { LOOPBACK_HOSTS, allowListEntry, bindAddressHostName } from './http/hosts'

const MiB = 1024 * 1024

const integer = (fallback: number, min = 0) => z.coerce.number().int().min(min).default(fallback)

const schema = z.object({
  PORT: integer(8080).pipe(z.number().max(65_535)),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATA_DIR: z.string().min(1).default('./data'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
    .optional(),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'must be a redis:// URL')
    .optional(),
  REDIS_PREFIX: z.string().min(1).max(100).default('tandem:'),
  AUTH_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
  ALLOWED_ORIGINS: z.string().optional(),
  ALLOWED_HOSTS: z
    .string()
    .optional()
    .transform((value, ctx) => {
      const entries: string[] = []
      for (const raw of value?.split(',') ?? []) {
        if (raw.trim() === '') continue
        const entry = allowListEntry(raw)
        if (entry === null)
          ctx.addIssue({ code: 'custom', message: `${JSON.stringify(raw.trim())} is not a host name` })
        else entries.push(entry)
      }
      return entries
    }),
  PUBLIC_URL: z.string().url().optional(),
  TRUST_PROXY: z.enum(['true', 'false']).default('false'),
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  MAX_PAYLOAD_BYTES: integer(2 * MiB, 1024),
  MAX_BODY_BYTES: integer(2 * MiB, 1024),
  MAX_DOCUMENT_BYTES: integer(64 * MiB, 1024),
  MAX_FILE_BYTES: integer(10 * MiB, 1024),
  MAX_MESSAGES_PER_SECOND: integer(200, 1),
  MAX_CONNECTIONS_PER_IP: integer(100, 1),
  MAX_HTTP_CONNECTIONS_PER_IP: integer(64),
  MAX_ROOMS_PER_IP: integer(50, 1),
  MAX_BUFFERED_BYTES: integer(8 * MiB, 1024),
  MAX_PRESENCE_CLIENTS_PER_SOCKET: integer(4, 1),
  MAX_PRESENCE_STATE_BYTES: integer(16 * 1024, 256),
  MAX_PENDING_BYTES: integer(4 * MiB, 1024),
  OWNER_PROBE_TIMEOUT_MS: integer(2_000, 100),
  PRESENCE_TICK_MS: integer(50),
  MAX_MEMORY_BYTES: integer(0),
  REQUEST_TIMEOUT_MS: integer(30_000, 1000),
  ROOM_UNLOAD_GRACE_MS: integer(10_000),
  COMPACT_THRESHOLD: integer(500, 1),
  TRASH_RETENTION_DAYS: integer(30, 1),
  SQLITE_SYNCHRONOUS: z.enum(['normal', 'full']).default('normal'),
  DATABASE_POOL_SIZE: integer(10, 1),
  DATABASE_QUERY_TIMEOUT_MS: integer(15_000, 100),
  HEARTBEAT_INTERVAL_MS: integer(30_000, 100),
  HANDSHAKE_TIMEOUT_MS: integer(10_000, 100),
  WS_PER_MESSAGE_DEFLATE: z.enum(['true', 'false']).default('false'),
  SHUTDOWN_TIMEOUT_MS: integer(8_000, 100),
  VERSION_IDLE_MS: integer(300_000, 10),
  VERSION_INTERVAL_MS: integer(1_800_000, 10),
  VERSION_KEEP_ALL_HOURS: integer(24, 1),
  VERSION_KEEP_HOURLY_DAYS: integer(30, 1),
})

/** Every environment variable tandem reads; the README's table documents each of them. */
export const CONFIG_VARIABLES = Object.keys(schema.shape)

export interface Config {
  port: number
  host: string
  dataDir: string
  /** The SQLite file used when no `databaseUrl` is set. */
  sqlitePath: string
  logLevel: z.infer<typeof schema>['LOG_LEVEL']
  databaseUrl: string | null
  redisUrl: string | null
  /** Prefix of every Redis channel, so deployments can share one Redis. */
  redisPrefix: string
  authSecret: string | null
  /** Origins allowed to open sockets besides those of {@link allowedHosts}; `*` for any. */
  allowedOrigins: string[] | null
  /**
   * Host names requests may be addressed to (see `http/hosts.ts`): loopback names, `HOST`,
   * `PUBLIC_URL`'s host and `ALLOWED_HOSTS`. Anything else is answered 421.
   */
  allowedHosts: string[]
  /** Bearer token for `/metrics` (and detailed `/healthz`) besides an admin token for `*`. */
  metricsToken: string | null
  /** Base of share links; defaults to the address the server listens on. */
  publicUrl: string
  trustProxy: boolean
  limits: {
    maxPayloadBytes: number
    maxBodyBytes: number
    maxDocumentBytes: number
    /** Largest uploaded file (an image); it counts in its document's quota too. */
    maxFileBytes: number
    maxMessagesPerSecond: number
    maxConnectionsPerIp: number
    /** TCP connections from one address not (or not yet) upgraded to a WebSocket; 0: no cap. */
    maxHttpConnectionsPerIp: number
    maxRoomsPerIp: number
    maxBufferedBytes: number
    /** Awareness client ids one socket may speak for (a stock client uses one). */
    maxPresenceClientsPerSocket: number
    /** Largest awareness state, in bytes of JSON. */
    maxPresenceStateBytes: number
    /** Bytes of updates one socket may have held for missing dependencies (1013 beyond). */
    maxPendingBytes: number
  }
  /** How long a socket that owns a client id has to answer a ping before it is presumed dead. */
  ownerProbeTimeoutMs: number
  /**
   * Memory the open documents may take (estimated from their stored size); beyond it idle ones
   * are unloaded, then new ones refused with 1013. Unset or 0: half of the machine's memory.
   */
  maxMemoryBytes: number
  /** How long a room gathers presence changes before it sends them as one message (0: at once). */
  presenceTickMs: number
  /** Deadline for a whole HTTP request, body included (Node's `requestTimeout`). */
  requestTimeoutMs: number
  roomUnloadGraceMs: number
  compactThreshold: number
  /** Days a deleted document stays in the trash before it is purged for good. */
  trashRetentionDays: number
  sqliteSynchronous: 'normal' | 'full'
  /** PostgreSQL connections per process, and the client-side deadline of one statement. */
  postgres: { poolSize: number; queryTimeoutMs: number }
  heartbeatIntervalMs: number
  handshakeTimeoutMs: number
  /** permessage-deflate for WebSocket clients that offer it. */
  wsPerMessageDeflate: boolean
  shutdownTimeoutMs: number
  versions: {
    /** Quiet time after changes before the server records a version. */
    idleMs: number
    /** Longest time between versions while a document is edited without pause. */
    intervalMs: number
    /** Every version younger than this is kept; then one per hour. */
    keepAllMs: number
    /** One version per hour is kept up to this age; then one per day. */
    keepHourlyMs: number
  }
}

export class ConfigError extends Error {
  override name = 'ConfigError'
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || (isIP(host) === 4 && host.startsWith('127.'))
}

/**
 * Validates the environment.
 *
 * @throws {ConfigError} listing every invalid variable, so that an operator fixes them at once.
 */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''))
  const parsed = schema.safeParse(present)
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`)
    throw new ConfigError(`invalid configuration:\n  ${problems.join('\n  ')}`)
  }
  const e = parsed.data
  if (e.AUTH_SECRET === undefined && !isLoopback(e.HOST)) {
    throw new ConfigError(
      `HOST=${e.HOST} would expose an open server: set AUTH_SECRET to require tokens, or keep HOST=127.0.0.1`,
    )
  }
  const dataDir = resolve(e.DATA_DIR)
  const publicUrl = (e.PUBLIC_URL ?? `http://${e.HOST.includes(':') ? `[${e.HOST}]` : e.HOST}:${e.PORT}`).replace(
    /\/$/,
    '',
  )
  const allowedHosts = [
    ...LOOPBACK_HOSTS,
    bindAddressHostName(e.HOST),
    bindAddressHostName(new URL(publicUrl).hostname),
    ...e.ALLOWED_HOSTS,
  ]
  const origins = e.ALLOWED_ORIGINS?.split(',')
    .map((origin) => origin.trim())
    .filter((origin) => origin !== '')
  return {
    port: e.PORT,
    host: e.HOST,
    dataDir,
    sqlitePath: resolve(dataDir, 'tandem.db'),
    logLevel: e.LOG_LEVEL,
    databaseUrl: e.DATABASE_URL ?? null,
    redisUrl: e.REDIS_URL ?? null,
    redisPrefix: e.REDIS_PREFIX,
    authSecret: e.AUTH_SECRET ?? null,
    allowedOrigins: origins === undefined || origins.length === 0 ? null : origins,
    allowedHosts: [...new Set(allowedHosts.filter((host): host is string => host !== null))],
    metricsToken: e.METRICS_TOKEN ?? null,
    publicUrl,
    trustProxy: e.TRUST_PROXY === 'true',
    limits: {
      maxPayloadBytes: e.MAX_PAYLOAD_BYTES,
      maxBodyBytes: e.MAX_BODY_BYTES,
      maxDocumentBytes: e.MAX_DOCUMENT_BYTES,
      maxFileBytes: e.MAX_FILE_BYTES,
      maxMessagesPerSecond: e.MAX_MESSAGES_PER_SECOND,
      maxConnectionsPerIp: e.MAX_CONNECTIONS_PER_IP,
      maxHttpConnectionsPerIp: e.MAX_HTTP_CONNECTIONS_PER_IP,
      maxRoomsPerIp: e.MAX_ROOMS_PER_IP,
      maxBufferedBytes: e.MAX_BUFFERED_BYTES,
      maxPresenceClientsPerSocket: e.MAX_PRESENCE_CLIENTS_PER_SOCKET,
      maxPresenceStateBytes: e.MAX_PRESENCE_STATE_BYTES,
      maxPendingBytes: e.MAX_PENDING_BYTES,
    },
    ownerProbeTimeoutMs: e.OWNER_PROBE_TIMEOUT_MS,
    presenceTickMs: e.PRESENCE_TICK_MS,
    maxMemoryBytes: e.MAX_MEMORY_BYTES > 0 ? e.MAX_MEMORY_BYTES : Math.floor(totalmem() / 2),
    requestTimeoutMs: e.REQUEST_TIMEOUT_MS,
    roomUnloadGraceMs: e.ROOM_UNLOAD_GRACE_MS,
    compactThreshold: e.COMPACT_THRESHOLD,
    trashRetentionDays: e.TRASH_RETENTION_DAYS,
    sqliteSynchronous: e.SQLITE_SYNCHRONOUS,
    postgres: { poolSize: e.DATABASE_POOL_SIZE, queryTimeoutMs: e.DATABASE_QUERY_TIMEOUT_MS },
    heartbeatIntervalMs: e.HEARTBEAT_INTERVAL_MS,
    handshakeTimeoutMs: e.HANDSHAKE_TIMEOUT_MS,
    wsPerMessageDeflate: e.WS_PER_MESSAGE_DEFLATE === 'true',
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    versions: {
      idleMs: e.VERSION_IDLE_MS,
      intervalMs: e.VERSION_INTERVAL_MS,
      keepAllMs: e.VERSION_KEEP_ALL_HOURS * 3_600_000,
      keepHourlyMs: Math.max(e.VERSION_KEEP_HOURLY_DAYS * 86_400_000, e.VERSION_KEEP_ALL_HOURS * 3_600_000),
    },
  }
}

/**
 * Settings that start but are probably not what the operator meant; logged at start-up.
 */
export function configWarnings(config: Config): string[] {
  const warnings: string[] = []
  if (
    bindAddressHostName(config.host) === null &&
    config.allowedHosts.every((host) => (LOOPBACK_HOSTS as readonly string[]).includes(host))
  ) {
    warnings.push(
      `HOST=${config.host} listens on every interface, but only loopback host names are allowed: ` +
        'set PUBLIC_URL or ALLOWED_HOSTS to the names clients use, or they are answered 421',
    )
  }
  return warnings
}
