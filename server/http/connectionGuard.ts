/**
 * Limits on TCP connections before HTTP sees them. Node starts its headers deadline only at a
 * request's first byte, so a connection that never sends one would be held forever; here it is
 * destroyed at the handshake deadline. And one peer address may hold at most `maxPerIp`
 * connections that are not WebSockets: an upgrade request leaves this count at once (an admitted
 * socket is then counted by `MAX_CONNECTIONS_PER_IP`, a refused one is destroyed), so the two caps
 * never apply to the same connection.
 */
import type { Server } from 'node:http'
import type { Socket } from 'node:net'
import type { Duplex } from 'node:stream'
import { ErrorCode } from '../common/errors'
import { errorBody } from './errors'

export interface ConnectionGuardOptions {
  /** A connection that has sent nothing by then is destroyed. */
  firstByteTimeoutMs: number
  /** Plain HTTP connections per peer address; 0 for no cap. */
  maxPerIp: number
  /** Told why a connection was refused (`http_connections_per_ip`, `no_request`). */
  onRefused: (reason: string) => void
}

const tooManyBody = JSON.stringify(errorBody(ErrorCode.rateLimited, 'too many connections from this address'))
const TOO_MANY =
  'HTTP/1.1 429 Too Many Requests\r\nContent-Type: application/json\r\nConnection: close\r\n' +
  `Content-Length: ${Buffer.byteLength(tooManyBody)}\r\n\r\n${tooManyBody}`

/** Installs the guard on `server`; call before it listens. */
export function guardConnections(server: Server, options: ConnectionGuardOptions): void {
  const open = new Map<string, number>()
  /** The address each counted connection is counted under; upgraded ones leave the map. */
  const counted = new WeakMap<Duplex, string>()

  /** One listener function for every socket: a closure per socket would live as long as a WebSocket. */
  function release(this: Duplex): void {
    const address = counted.get(this)
    if (address === undefined) return
    counted.delete(this)
    this.removeListener('close', release)
    const remaining = (open.get(address) ?? 1) - 1
    if (remaining > 0) open.set(address, remaining)
    else open.delete(address)
  }

  const destroyIfSilent = (socket: Socket): void => {
    if (socket.bytesRead > 0 || socket.destroyed) return
    options.onRefused('no_request')
    socket.destroy()
  }

  server.on('connection', (socket: Socket) => {
    setTimeout(destroyIfSilent, options.firstByteTimeoutMs, socket).unref()
    const address = socket.remoteAddress
    if (options.maxPerIp === 0 || address === undefined) return
    const current = open.get(address) ?? 0
    if (current >= options.maxPerIp) {
      options.onRefused('http_connections_per_ip')
      socket.once('finish', socket.destroy)
      socket.end(TOO_MANY)
      return
    }
    open.set(address, current + 1)
    counted.set(socket, address)
    socket.on('close', release)
  })
  server.on('upgrade', (_request, socket: Duplex) => release.call(socket))
}
