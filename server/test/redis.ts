/**
 * Redis for tests: unique channel prefixes so that concurrent tests never hear each other, a
 * TCP proxy that can take a process's link to Redis down (the shared server stays up), and a
 * way to kill one process's connections by name.
 */
import { randomBytes } from 'node:crypto'
import { type Server, type Socket, createConnection, createServer } from 'node:net'
import { Redis } from 'ioredis'

const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379'

export function testRedisUrl(): string {
  return process.env.TANDEM_TEST_REDIS_URL ?? DEFAULT_REDIS_URL
}

export function uniquePrefix(): string {
  return `tandem-test:${randomBytes(6).toString('hex')}:`
}

export interface LinkProxy {
  /** A redis:// URL that reaches Redis through the proxy. */
  url: string
  /** Drops every connection through the proxy and refuses new ones until `restore`. */
  cut(): void
  restore(): void
  close(): Promise<void>
}

/**
 * A TCP proxy in front of the test Redis, for outages that affect one process only, and for a
 * slow link (`latencyMs` delays what the process sends, keeping its order).
 */
export async function startLinkProxy({ latencyMs = 0 }: { latencyMs?: number } = {}): Promise<LinkProxy> {
  const target = testRedisUrl()
  const upstream = new URL(target)
  const sockets = new Set<Socket>()
  let down = false
  const track = (socket: Socket): void => {
    sockets.add(socket)
    socket.once('close', () => sockets.delete(socket))
    socket.on('error', () => socket.destroy())
  }
  const server: Server = createServer((client) => {
    track(client)
    if (down) {
      client.destroy()
      return
    }
    const redis = createConnection({ host: upstream.hostname, port: Number(upstream.port || 6379) })
    track(redis)
    if (latencyMs === 0) client.pipe(redis)
    else client.on('data', (chunk: Buffer) => setTimeout(() => redis.write(chunk), latencyMs))
    redis.pipe(client)
    client.once('close', () => redis.destroy())
    redis.once('close', () => client.destroy())
  })
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready))
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('proxy did not bind a port')
  const url = new URL(target)
  url.hostname = '127.0.0.1'
  url.port = String(address.port)
  return {
    url: url.toString(),
    cut() {
      down = true
      for (const socket of sockets) socket.destroy()
    },
    restore() {
      down = false
    },
    async close() {
      for (const socket of sockets) socket.destroy()
      await new Promise<void>((closed) => server.close(() => closed()))
    },
  }
}

/**
 * Kills, on the shared Redis, the connections whose client name matches; returns how many.
 * tandem names its connections `tandem:<host>:<pid>:pub|sub`.
 */
export async function killRedisClients(matches: (name: string) => boolean): Promise<number> {
  const admin = new Redis(testRedisUrl(), { lazyConnect: true, maxRetriesPerRequest: 1 })
  await admin.connect()
  try {
    const list = String(await admin.client('LIST'))
    const ids = list
      .split('\n')
      .map((line) => ({ id: /(?:^| )id=(\d+)/.exec(line)?.[1], name: /(?:^| )name=(\S*)/.exec(line)?.[1] ?? '' }))
      .filter((client) => client.id !== undefined && matches(client.name))
      .map((client) => client.id as string)
    for (const id of ids) await admin.client('KILL', 'ID', id)
    return ids.length
  } finally {
    admin.disconnect()
  }
}
