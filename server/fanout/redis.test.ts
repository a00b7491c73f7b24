import { pino } from 'pino'
import { describe, expect, it } from 'vitest'
import { type LinkProxy, killRedisClients, startLinkProxy, testRedisUrl, uniquePrefix } from '../test/redis'
import { waitFor } from '../test/waitFor'
import { describeFanoutContract } from './contract'
import { connectRedisFanout } from './redis'
import type { Fanout, FanoutHandlers } from './types'

const log = pino({ level: 'silent' })

describeFanoutContract('Redis', () => {
  const prefix = uniquePrefix()
  const proxies = new Map<Fanout, LinkProxy>()
  return {
    async open() {
      const proxy = await startLinkProxy()
      const fanout = await connectRedisFanout({ url: proxy.url, prefix, log })
      proxies.set(fanout, proxy)
      return fanout
    },
    async cut(fanout) {
      const proxy = proxies.get(fanout)
      if (proxy === undefined) throw new Error('not opened by this harness')
      proxy.cut()
      return async () => proxy.restore()
    },
    async cleanup() {
      await Promise.all([...proxies.values()].map((proxy) => proxy.close()))
    },
  }
})

describe('Redis fan-out', () => {
  const counting = () => {
    const seen = { updates: 0, resyncs: 0 }
    const handlers: FanoutHandlers = {
      update: () => seen.updates++,
      awareness: () => undefined,
      deleted: () => undefined,
      resync: () => seen.resyncs++,
    }
    return { seen, handlers }
  }

  it('resubscribes and resyncs after its connections are killed on the server', async () => {
    const prefix = uniquePrefix()
    const name = `${prefix}killed`
    const [a, b] = await Promise.all([
      connectRedisFanout({ url: testRedisUrl(), prefix, log }),
      connectRedisFanout({ url: testRedisUrl(), prefix, log, connectionName: name }),
    ])
    try {
      const atA = counting()
      const atB = counting()
      const fromA = await a.subscribe('doc', atA.handlers)
      const fromB = await b.subscribe('doc', atB.handlers)
      expect(await killRedisClients((client) => client.startsWith(name))).toBe(2)
      await waitFor(() => atB.seen.resyncs > 0 && atA.seen.resyncs > 0, { what: 'both sides to resync' })
      fromA.publishUpdate(new Uint8Array([1]))
      fromB.publishUpdate(new Uint8Array([2]))
      await waitFor(() => atA.seen.updates === 1 && atB.seen.updates === 1, { what: 'updates to flow again' })
    } finally {
      await Promise.all([a.close(), b.close()])
    }
  })

  it('resolves subscribe only once Redis confirmed it, even over a slow link', async () => {
    const proxy = await startLinkProxy({ latencyMs: 50 })
    const prefix = uniquePrefix()
    const [a, b] = await Promise.all([
      connectRedisFanout({ url: testRedisUrl(), prefix, log }),
      connectRedisFanout({ url: proxy.url, prefix, log }),
    ])
    try {
      const fromA = await a.subscribe('doc', counting().handlers)
      const atB = counting()
      await b.subscribe('doc', atB.handlers)
      fromA.publishUpdate(new Uint8Array([1]))
      await waitFor(() => atB.seen.updates === 1, { what: 'the update published right after subscribing' })
    } finally {
      await Promise.all([a.close(), b.close()])
      await proxy.close()
    }
  })

  it('starts while Redis is unreachable, serves subscriptions, and catches up once it is', async () => {
    const proxy = await startLinkProxy()
    proxy.cut()
    const prefix = uniquePrefix()
    const a = await connectRedisFanout({ url: testRedisUrl(), prefix, log })
    const b = await connectRedisFanout({ url: proxy.url, prefix, log, connectTimeoutMs: 100 })
    try {
      await expect(b.ping()).rejects.toThrow()
      const atB = counting()
      await b.subscribe('doc', atB.handlers)
      proxy.restore()
      await waitFor(() => atB.seen.resyncs === 1, { what: 'the resync once connected' })
      const fromA = await a.subscribe('doc', counting().handlers)
      fromA.publishUpdate(new Uint8Array([1]))
      await waitFor(() => atB.seen.updates === 1, { what: 'the update' })
    } finally {
      await Promise.all([a.close(), b.close()])
      await proxy.close()
    }
  })

  it('keeps delivering to other documents when one handler throws', async () => {
    const prefix = uniquePrefix()
    const [a, b] = await Promise.all([
      connectRedisFanout({ url: testRedisUrl(), prefix, log }),
      connectRedisFanout({ url: testRedisUrl(), prefix, log }),
    ])
    try {
      const healthy = counting()
      await b.subscribe('doc', {
        ...counting().handlers,
        update: () => {
          throw new Error('broken room')
        },
      })
      await b.subscribe('doc', healthy.handlers)
      const fromA = await a.subscribe('doc', counting().handlers)
      fromA.publishUpdate(new Uint8Array([1]))
      await waitFor(() => healthy.seen.updates === 1, { what: 'the healthy handler to get the update' })
    } finally {
      await Promise.all([a.close(), b.close()])
    }
  })
})
