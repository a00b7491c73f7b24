/**
 * WebSocket upgrades that go through Hono: the `/ws/:docId` route decides (origin, token, limits)
 * with ordinary middleware and `app.request()`-testable code, and only an accepted request
 * completes the WebSocket handshake. A refused one gets a real HTTP status (401, 403, 429) before
 * any WebSocket exists.
 */
import { type IncomingMessage, STATUS_CODES, type Server } from 'node:http'
import type { Socket } from 'node:net'
import type { Duplex } from 'node:stream'
import { Hono } from 'hono'
import type { Logger } from 'pino'
import { type Access, OPEN_ACCESS, TokenError, can, verifyToken } from '../auth'
import { AppError, ErrorCode, errorBody } from '../errors'
import type { AppEnv } from '../http/env'
import { forbidden } from '../http/access'
import { type ServerWebSocket, acceptWebSocket } from './webSocket'

export interface UpgradeTicket {
  docId: string
  access: Access
  ip: string
}

export interface SyncRouteDeps {
  authSecret: string | null
  /** Null: same-origin browsers only (and clients that send no Origin). */
  allowedOrigins: string[] | null
  trustProxy: boolean
  /** Per-IP limits; returns a reason when this connection would exceed one. */
  admit: (ip: string, docId: string) => string | null
}

export function clientIp(incoming: IncomingMessage | undefined, forwardedFor: string | undefined, trustProxy: boolean): string {
  if (trustProxy && forwardedFor !== undefined) {
    const first = forwardedFor.split(',')[0]?.trim()
    if (first !== undefined && first !== '') return first
  }
  return incoming?.socket.remoteAddress ?? 'unknown'
}

function originAllowed(origin: string | undefined, host: string | undefined, allowed: string[] | null): boolean {
  if (origin === undefined) return true
  let originHost: string
  try {
    originHost = new URL(origin).host
  } catch {
    return false
  }
  if (originHost === host) return true
  return allowed !== null && (allowed.includes('*') || allowed.includes(origin))
}

/** `GET /ws/:docId?token=…`: everything that can be decided before the socket exists. */
export function syncRoutes(deps: SyncRouteDeps) {
  return new Hono<AppEnv>().get('/:docId', async (c) => {
    const accept = c.env?.acceptUpgrade
    if (accept === undefined || c.req.header('upgrade')?.toLowerCase() !== 'websocket') {
      throw new AppError(426, ErrorCode.upgradeRequired, 'this endpoint speaks the y-websocket protocol')
    }
    if (!originAllowed(c.req.header('origin'), c.req.header('host'), deps.allowedOrigins)) {
      throw new AppError(403, ErrorCode.forbidden, 'origin not allowed')
    }
    const docId = c.req.param('docId')
    let access = OPEN_ACCESS
    if (deps.authSecret !== null) {
      try {
        const token = c.req.query('token')
        if (token === undefined || token === '') throw new TokenError('missing')
        access = await verifyToken(token, deps.authSecret)
      } catch (error) {
        if (error instanceof TokenError) throw new AppError(401, ErrorCode.unauthorized, error.message)
        throw error
      }
      if (!can.read(access, docId)) throw forbidden('this token is for another document')
    }
    const ip = clientIp(c.env.incoming, c.req.header('x-forwarded-for'), deps.trustProxy)
    const refusal = deps.admit(ip, docId)
    if (refusal !== null) throw new AppError(429, ErrorCode.rateLimited, refusal)
    accept({ docId, access, ip })
    return c.body(null, 200)
  })
}

export interface UpgradeHandlerOptions {
  fetch: (request: Request, env: AppEnv['Bindings']) => Response | Promise<Response>
  maxPayloadBytes: number
  log: Logger
  onSocket: (ws: ServerWebSocket, ticket: UpgradeTicket) => void
}

function refuse(socket: Duplex, status: number, body: string): void {
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\n` +
      'Content-Type: application/json\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      'Connection: close\r\n\r\n' +
      body,
  )
}

/**
 * Declared apart on purpose: a listener created inside the upgrade handler would keep the whole
 * request (headers and all) alive for as long as the socket lives.
 */
function destroySocket(this: Duplex): void {
  this.destroy()
}

/** Routes a Node server's upgrade requests through the app, then completes the accepted ones. */
export function handleUpgrades(server: Server, options: UpgradeHandlerOptions): void {
  server.on('upgrade', (incoming: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', destroySocket)
    void (async () => {
      let ticket: UpgradeTicket | null = null
      let response: Response
      try {
        const headers = new Headers()
        for (const [name, value] of Object.entries(incoming.headers)) {
          if (typeof value === 'string') headers.set(name, value)
          else if (Array.isArray(value)) for (const item of value) headers.append(name, item)
        }
        const request = new Request(new URL(incoming.url ?? '/', 'http://upgrade.invalid'), { headers })
        response = await options.fetch(request, {
          incoming,
          acceptUpgrade: (accepted) => {
            ticket = accepted
          },
        })
      } catch (error) {
        options.log.error({ err: error }, 'upgrade handling failed')
        response = Response.json(errorBody(ErrorCode.internal, 'internal error'), { status: 500 })
      }
      if (socket.destroyed) return
      if (ticket === null) {
        refuse(socket, response.status, await response.text())
        return
      }
      // An HTTP server's upgrade socket is a net.Socket; Node types it as any Duplex.
      const handshake = acceptWebSocket(incoming, socket as Socket, head, options.maxPayloadBytes)
      if ('problem' in handshake) {
        refuse(socket, 400, JSON.stringify(errorBody(ErrorCode.invalidRequest, handshake.problem)))
        return
      }
      options.onSocket(handshake.socket, ticket)
    })()
  })
}
