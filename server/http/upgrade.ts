/**
 * WebSocket upgrades. Node hands an upgrade request to its `upgrade` event, not to the app, so
 * what is decided before a socket exists (host, origin, token, per-address limits) is one function,
 * {@link admitUpgrade}, called with the few fields of the request it needs. A refused upgrade gets
 * a real HTTP status (421, 401, 403, 404, 429) with the app's JSON error body, and no WebSocket; only
 * an admitted request reaches `ws`'s handshake. Upgrades do not go through the Hono app: a fetch
 * `Request` and `Response` per upgrade cost memory per connection (docs/benchmarks.md).
 */
import { type IncomingMessage, STATUS_CODES, type Server } from 'node:http'
import type { Duplex } from 'node:stream'
import { Hono } from 'hono'
import type { Logger } from 'pino'
import { OPEN_ACCESS, TokenError, can, verifyToken } from '../common/auth'
import {
  ErrorCode,
  Forbidden,
  InvalidRequest,
  NotFound,
  RateLimited,
  ShareNotFound,
  TandemError,
  UpgradeRequired,
} from '../common/errors'
import { isShareId } from '../model/ids'
import type { SocketTicket } from '../sync/connections'
import { type ServerWebSocket, type WebSocketOptions, createWebSocketServer } from '../sync/webSocket'
import type { AppEnv } from './env'
import { errorBody, statusOf } from './errors'
import { hostAllowed, hostRefusal, originAllowed } from './hosts'
import { logRequest, requestIdOf } from './logging'

export interface UpgradePolicy {
  authSecret: string | null
  /** Host names the server answers to (`http/hosts.ts`); browsers on them may open sockets too. */
  allowedHosts: readonly string[]
  /** Further origins whose pages may open sockets; `*` for any. */
  allowedOrigins: readonly string[] | null
  trustProxy: boolean
  /** Per-IP limits; returns a reason when this connection would exceed one. */
  admit: (ip: string, docId: string) => string | null
  /**
   * The document a share link opens and when the link stops working (ms since the epoch, or
   * null); null when there is no such link (never made, revoked, expired). Without it share
   * sockets are refused.
   */
  resolveShare?: (shareId: string) => Promise<{ docId: string; expiresAt: number | null } | null>
}

/** What {@link admitUpgrade} looks at; plain fields, so that it is tested without sockets. */
export interface UpgradeRequest {
  /** `/ws/:docId`; ignored when `shareId` is set. */
  docId: string
  /** `/ws/s/:shareId`: the socket opens the link's document, view only, with no token. */
  shareId?: string | undefined
  token: string | null
  /** The `name` query parameter: who the editor says it is, used only without `AUTH_SECRET`. */
  name?: string | null | undefined
  origin: string | undefined
  host: string | undefined
  forwardedFor: string | undefined
  remoteAddress: string | undefined
}

function clientIp(remoteAddress: string | undefined, forwardedFor: string | undefined, trustProxy: boolean): string {
  if (trustProxy && forwardedFor !== undefined) {
    const first = forwardedFor.split(',')[0]?.trim()
    if (first !== undefined && first !== '') return first
  }
  return remoteAddress ?? 'unknown'
}

/**
 * Everything decided before the socket exists; throws a {@link TandemError} (421, 401, 403, 429)
 * to refuse. The ticket tells the socket layer what the token allows, so it never reads tokens. The `Host` must be one the server answers to and a browser's `Origin` one of those
 * hosts or a listed origin: a DNS-rebinding page sends its own name in both.
 */
export async function admitUpgrade(policy: UpgradePolicy, request: UpgradeRequest): Promise<SocketTicket> {
  if (!hostAllowed(policy.allowedHosts, request.host)) throw hostRefusal(request.host)
  if (!originAllowed(request.origin, request.host, policy.allowedHosts, policy.allowedOrigins)) {
    throw new Forbidden('origin not allowed')
  }
  if (request.shareId !== undefined) return admitShare(policy, request, request.shareId)
  const { docId } = request
  let access = OPEN_ACCESS
  if (policy.authSecret !== null) {
    if (request.token === null || request.token === '') throw new TokenError('missing')
    access = await verifyToken(request.token, policy.authSecret)
    if (!can.read(access, docId)) throw new Forbidden('this token is for another document')
  }
  const ip = clientIp(request.remoteAddress, request.forwardedFor, policy.trustProxy)
  const refusal = policy.admit(ip, docId)
  if (refusal !== null) throw new RateLimited(refusal)
  // With tokens, the token says who writes and nothing the client sends changes it; without, the
  // editor's declared name is recorded as such (`sub` null).
  const author =
    policy.authSecret !== null
      ? { sub: access.sub ?? null, name: access.name ?? null }
      : { sub: null, name: declaredName(request.name) }
  return {
    docId,
    ip,
    canWrite: can.edit(access, docId),
    shareId: null,
    expiresAt: access.exp === null ? null : access.exp * 1000,
    author,
  }
}

/** Names as long as a token's `name` claim may be; blank is no name. */
const MAX_DECLARED_NAME = 200

function declaredName(name: string | null | undefined): string | null {
  const trimmed = name?.trim().slice(0, MAX_DECLARED_NAME) ?? ''
  return trimmed === '' ? null : trimmed
}

/**
 * A share link's socket: the link is the credential (no token, with or without a secret), the
 * server resolves it to its document, and the socket may read but never write (the room refuses
 * its changes, rule R6). Revoking the link closes it (`RoomManager.shareRevoked`).
 */
async function admitShare(policy: UpgradePolicy, request: UpgradeRequest, shareId: string): Promise<SocketTicket> {
  const share = isShareId(shareId) ? ((await policy.resolveShare?.(shareId)) ?? null) : null
  if (share === null) throw new ShareNotFound()
  const ip = clientIp(request.remoteAddress, request.forwardedFor, policy.trustProxy)
  const refusal = policy.admit(ip, share.docId)
  if (refusal !== null) throw new RateLimited(refusal)
  // A view link writes nothing, so it has no author.
  return {
    docId: share.docId,
    ip,
    canWrite: false,
    shareId,
    expiresAt: share.expiresAt,
    author: { sub: null, name: null },
  }
}

/** `GET /ws/:docId` (or `/ws/s/:shareId`) that is not an upgrade: the endpoint speaks WebSockets only. */
export function syncRoutes() {
  const refuse = (): never => {
    throw new UpgradeRequired('this endpoint speaks the y-websocket protocol')
  }
  return new Hono<AppEnv>().get('/:docId', refuse).get('/s/:shareId', refuse)
}

const SYNC_PATH = /^\/ws\/([^/?#]+)(?:\?([^#]*))?$/

/**
 * The document id, token and declared name of an upgrade to `/ws/:docId?token=…&name=…`, or
 * null for any other path.
 */
export function parseSyncTarget(
  url: string | undefined,
): { docId: string; token: string | null; name: string | null } | null {
  const match = SYNC_PATH.exec(url ?? '')
  if (match === null) return null
  const segment = match[1] as string
  let docId: string
  try {
    docId = decodeURIComponent(segment)
  } catch {
    // Not decodable, so not an id tandem minted: the room manager closes it with 4404.
    docId = segment
  }
  const params = new URLSearchParams(match[2] ?? '')
  return { docId, token: params.get('token'), name: params.get('name') }
}

const SHARE_SYNC_PATH = /^\/ws\/s\/([A-Za-z0-9_-]+)(?:\?[^#]*)?$/

/** The share id of an upgrade to `/ws/s/:shareId`, or null for any other path. */
export function parseShareSyncTarget(url: string | undefined): { shareId: string } | null {
  const match = SHARE_SYNC_PATH.exec(url ?? '')
  return match === null ? null : { shareId: match[1] as string }
}

export interface UpgradeHandlerOptions {
  policy: UpgradePolicy
  webSocket: WebSocketOptions
  log: Logger
  onSocket: (ws: ServerWebSocket, ticket: SocketTicket) => void
}

/**
 * The one `error` listener an upgrade socket needs until `ws` takes it over, shared by every socket
 * (a closure per socket would keep what it closes over alive). Without one a reset would throw.
 */
function destroyOnError(this: Duplex): void {
  this.destroy()
}

/**
 * Answers a refused upgrade and destroys the socket once the answer is written, as `ws` does: a
 * socket only ended would stay half-open as long as the peer keeps its side, holding a file
 * descriptor that no limit counts.
 */
/** `null`: something failed that the caller is not told about (500). */
function refuse(socket: Duplex, error: TandemError | null): void {
  const code = error?.code ?? ErrorCode.internal
  const status = statusOf(code)
  const body = JSON.stringify(errorBody(code, error?.message ?? 'internal error'))
  socket.once('finish', socket.destroy)
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\n` +
      'Content-Type: application/json\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      'Connection: close\r\n\r\n' +
      body,
  )
}

/** Answers a Node server's upgrade requests: admitted ones become sockets, the rest get a status. */
export function handleUpgrades(server: Server, options: UpgradeHandlerOptions): void {
  const { log } = options
  /** How each pending upgrade logs its outcome, for the refusals `ws` reports out of band. */
  const finishers = new WeakMap<IncomingMessage, (status: number) => void>()
  const webSockets = createWebSocketServer(options.webSocket, (socket, incoming, reason) => {
    refuse(socket, new InvalidRequest(reason))
    finishers.get(incoming)?.(400)
  })
  server.on('upgrade', (incoming: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', destroyOnError)
    const startedAt = performance.now()
    const finish = (status: number, path: string): void => {
      if (!log.isLevelEnabled('info')) return
      const requestId = requestIdOf(incoming.headers['x-request-id'])
      logRequest(log, { requestId, method: incoming.method ?? 'GET', path, status, startedAt })
    }
    const shared = parseShareSyncTarget(incoming.url)
    const target = shared === null ? parseSyncTarget(incoming.url) : { docId: '', token: null, name: null }
    if (target === null) {
      const requested = (incoming.url ?? '/').split('?')[0] as string
      refuse(socket, new NotFound(`no WebSocket endpoint at ${requested}`))
      finish(404, requested)
      return
    }
    const path = shared === null ? `/ws/${target.docId}` : `/ws/s/${shared.shareId}`
    const { headers } = incoming
    admitUpgrade(options.policy, {
      docId: target.docId,
      shareId: shared?.shareId,
      token: target.token,
      name: target.name,
      origin: headers.origin,
      host: headers.host,
      forwardedFor: typeof headers['x-forwarded-for'] === 'string' ? headers['x-forwarded-for'] : undefined,
      remoteAddress: incoming.socket.remoteAddress,
    }).then(
      (ticket) => {
        if (socket.destroyed) return
        finishers.set(incoming, (status) => finish(status, path))
        webSockets.upgrade(incoming, socket, head, (ws) => {
          // `ws` has its own error listener on the socket from here on.
          socket.removeListener('error', destroyOnError)
          options.onSocket(ws, ticket)
          finish(101, path)
        })
        finishers.delete(incoming)
      },
      (error: unknown) => {
        const refusal = error instanceof TandemError ? error : null
        if (refusal === null) log.error({ err: error }, 'upgrade handling failed')
        if (!socket.destroyed) refuse(socket, refusal)
        finish(statusOf(refusal?.code ?? ErrorCode.internal), path)
      },
    )
  })
}
