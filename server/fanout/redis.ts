/**
 * Fan-out between tandem processes over Redis pub/sub, one channel per document.
 *
 * Pub/sub, not streams: every update is stored in the database before it is published, so the
 * database already is the durable, ordered log; Redis only has to make it fast. A message lost
 * to a broken link is recovered from storage: whenever a connection comes back, this process
 * subscribes again, reloads every document it holds (`resync`), and asks the other processes
 * holding them to do the same (they may have missed what it published meanwhile).
 *
 * Frames are binary: one kind byte, the 8-byte id of the publishing process (a process ignores
 * its own frames), then the payload as is.
 */
import { randomBytes } from 'node:crypto'
import { hostname } from 'node:os'
import { Redis } from 'ioredis'
import type { Logger } from 'pino'
import type { Fanout, FanoutHandlers, FanoutSubscription } from './types'

export interface RedisFanoutOptions {
  /** `redis://[user:password@]host:port[/db]`, or `rediss://` for TLS. */
  url: string
  /** Starts every channel name, so that several tandem clusters can share one Redis. */
  prefix?: string
  /** Names the connections in `CLIENT LIST` (suffixed `:pub` and `:sub`). */
  connectionName?: string
  /** How long start-up waits for Redis before going on without it (and catching up later). */
  connectTimeoutMs?: number
  log: Logger
}

const DEFAULT_PREFIX = 'tandem:'

// 11: kinds of other concerns may take the numbers in between; a number on the wire never changes.
const Kind = { update: 1, awareness: 2, deleted: 3, resync: 4, presenceRequested: 5, shareRevoked: 11 } as const
type KindValue = (typeof Kind)[keyof typeof Kind]

const SOURCE_BYTES = 8
const HEADER_BYTES = 1 + SOURCE_BYTES

interface Channel {
  docId: string
  handlers: Set<FanoutHandlers>
  /** Settles once Redis confirmed the subscription (or the link is down and will catch up). */
  active: Promise<void>
}

function reconnectDelay(attempt: number): number {
  return Math.min(attempt * 50, 1000)
}

/** Connects both links (publishing, subscribed) and resolves once they are up or the wait ran out. */
export async function connectRedisFanout(options: RedisFanoutOptions): Promise<Fanout> {
  const fanout = new RedisFanout(options)
  await fanout.ready(options.connectTimeoutMs ?? 5000)
  return fanout
}

export class RedisFanout implements Fanout {
  readonly #source = randomBytes(SOURCE_BYTES)
  readonly #sourceName = this.#source.toString('hex')
  readonly #prefix: string
  readonly #log: Logger
  readonly #pub: Redis
  readonly #sub: Redis
  readonly #channels = new Map<string, Channel>()
  #closed = false

  constructor(options: RedisFanoutOptions) {
    this.#prefix = options.prefix ?? DEFAULT_PREFIX
    this.#log = options.log
    const name = options.connectionName ?? `tandem:${hostname()}:${process.pid}`
    const common = {
      // Commands never wait for a link that is down: publishing is best effort (storage has
      // everything) and subscriptions are redone on reconnect, by this class, then resynced.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      autoResendUnfulfilledCommands: false,
      autoResubscribe: false,
      retryStrategy: reconnectDelay,
      commandTimeout: 5000,
      lazyConnect: true,
    }
    this.#pub = new Redis(options.url, { ...common, connectionName: `${name}:pub` })
    this.#sub = new Redis(options.url, { ...common, connectionName: `${name}:sub` })
    this.#watch(this.#pub, 'publishing', () => this.#announceResync())
    this.#watch(this.#sub, 'subscribed', () => void this.#resubscribe())
    this.#sub.on('messageBuffer', (channel: Buffer, message: Buffer) => this.#receive(channel.toString(), message))
    this.#pub.connect().catch(() => undefined)
    this.#sub.connect().catch(() => undefined)
  }

  /** Resolves once both links are up, or after `timeoutMs` with a warning (they keep trying). */
  async ready(timeoutMs: number): Promise<void> {
    const up = (redis: Redis): Promise<void> =>
      redis.status === 'ready' ? Promise.resolve() : new Promise((resolve) => redis.once('ready', () => resolve()))
    let timer: NodeJS.Timeout | undefined
    const timedOut = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(true), timeoutMs)
    })
    const late = await Promise.race([Promise.all([up(this.#pub), up(this.#sub)]).then(() => false), timedOut])
    clearTimeout(timer)
    if (late) this.#log.warn('Redis is not reachable yet; serving local clients only until it is')
  }

  async subscribe(docId: string, handlers: FanoutHandlers): Promise<FanoutSubscription> {
    if (this.#closed) throw new Error('fan-out closed')
    const name = this.#channelName(docId)
    let channel = this.#channels.get(name)
    if (channel === undefined) {
      channel = { docId, handlers: new Set(), active: this.#activate(name) }
      this.#channels.set(name, channel)
    }
    channel.handlers.add(handlers)
    await channel.active
    const subscribed = channel
    let active = true
    return {
      publishUpdate: (update) => this.#publish(name, Kind.update, update),
      publishAwareness: (update) => this.#publish(name, Kind.awareness, update),
      publishDeleted: () => this.#publish(name, Kind.deleted),
      requestPresence: () => this.#publish(name, Kind.presenceRequested),
      unsubscribe: async () => {
        if (!active) return
        active = false
        subscribed.handlers.delete(handlers)
        if (subscribed.handlers.size > 0 || this.#channels.get(name) !== subscribed) return
        this.#channels.delete(name)
        if (this.#sub.status === 'ready') await this.#sub.unsubscribe(name).catch(() => undefined)
      },
    }
  }

  async publishDeleted(docId: string): Promise<void> {
    this.#publish(this.#channelName(docId), Kind.deleted)
  }

  /** The payload is the share id, as UTF-8. */
  async publishShareRevoked(docId: string, shareId: string): Promise<void> {
    this.#publish(this.#channelName(docId), Kind.shareRevoked, Buffer.from(shareId, 'utf8'))
  }

  async ping(): Promise<void> {
    if (this.#closed) throw new Error('fan-out closed')
    await Promise.all([this.#pub.ping(), this.#sub.ping()])
  }

  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    this.#channels.clear()
    await Promise.all(
      [this.#pub, this.#sub].map((redis) =>
        redis.quit().then(
          () => undefined,
          () => redis.disconnect(),
        ),
      ),
    )
  }

  #channelName(docId: string): string {
    return `${this.#prefix}doc:${docId}`
  }

  /**
   * Subscribes now if the link is up. If it is down (or goes down meanwhile), the subscription
   * still counts as active: the reconnect subscribes it and resyncs it from storage.
   */
  async #activate(name: string): Promise<void> {
    if (this.#sub.status !== 'ready') return
    await this.#sub.subscribe(name).catch((error: unknown) => {
      this.#log.debug({ err: error, channel: name }, 'subscribe interrupted; the reconnect will redo it')
    })
  }

  /** On every (re)connection of the subscribed link: listen again, then catch up from storage. */
  async #resubscribe(): Promise<void> {
    const channels = [...this.#channels]
    if (channels.length === 0) return
    try {
      await this.#sub.subscribe(...channels.map(([name]) => name))
    } catch (error) {
      this.#log.debug({ err: error }, 'resubscribing interrupted; the next reconnect will redo it')
      return
    }
    this.#log.info({ documents: channels.length }, 'resynchronising documents after the Redis link came back')
    for (const [name, channel] of channels) {
      if (this.#channels.get(name) !== channel) continue
      for (const handlers of [...channel.handlers]) this.#call('resync', () => handlers.resync())
    }
  }

  /** On every (re)connection of the publishing link: what this process published may be lost. */
  #announceResync(): void {
    for (const name of this.#channels.keys()) this.#publish(name, Kind.resync)
  }

  #publish(name: string, kind: KindValue, payload?: Uint8Array): void {
    if (this.#closed || this.#pub.status !== 'ready') return
    const header = Buffer.allocUnsafe(HEADER_BYTES)
    header[0] = kind
    this.#source.copy(header, 1)
    const frame = payload === undefined ? header : Buffer.concat([header, payload])
    this.#pub.publish(name, frame).catch((error: unknown) => {
      this.#log.debug({ err: error, channel: name }, 'publish lost; the reconnect resyncs the other processes')
    })
  }

  #receive(name: string, frame: Buffer): void {
    const channel = this.#channels.get(name)
    if (channel === undefined || frame.length < HEADER_BYTES) return
    const source = frame.subarray(1, HEADER_BYTES)
    if (source.equals(this.#source)) return
    const kind = frame[0]
    const payload = frame.subarray(HEADER_BYTES)
    for (const handlers of [...channel.handlers]) {
      switch (kind) {
        case Kind.update:
          this.#call('update', () => handlers.update(payload))
          break
        case Kind.awareness:
          this.#call('awareness', () => handlers.awareness(payload, source.toString('hex')))
          break
        case Kind.deleted:
          this.#call('deleted', () => handlers.deleted())
          break
        case Kind.resync:
          this.#call('resync', () => handlers.resync())
          break
        case Kind.presenceRequested:
          this.#call('presenceRequested', () => handlers.presenceRequested?.())
          break
        case Kind.shareRevoked:
          this.#call('shareRevoked', () => handlers.shareRevoked?.(payload.toString('utf8')))
          break
        default:
          this.#log.warn({ channel: name, kind }, 'unknown fan-out frame ignored')
      }
    }
  }

  /** One room's failure must not stop delivery to the others. */
  #call(what: string, run: () => void): void {
    try {
      run()
    } catch (error) {
      this.#log.error({ err: error, what, source: this.#sourceName }, 'fan-out handler failed')
    }
  }

  /** Logs losing and regaining a link once each, and runs `onReady` on every (re)connection. */
  #watch(redis: Redis, role: string, onReady: () => void): void {
    let lost = false
    redis.on('ready', () => {
      if (lost) this.#log.info({ link: role }, 'Redis link restored')
      lost = false
      onReady()
    })
    redis.on('close', () => {
      if (this.#closed || lost) return
      lost = true
      this.#log.warn({ link: role }, 'Redis link lost; serving local clients, will resynchronise on reconnect')
    })
    redis.on('error', (error: Error) => {
      if (!lost) this.#log.warn({ err: error, link: role }, 'Redis error')
    })
  }
}
