/**
 * The behaviour every {@link Fanout} must have, as one vitest suite run against the in-memory
 * bus and against Redis. A harness stands for a cluster: each `open` is another process.
 */
import { createHash, randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { waitFor } from '../test/waitFor'
import type { Fanout, FanoutHandlers } from './types'

export interface FanoutHarness {
  /** A fan-out as another server process would open it; all of one harness hear each other. */
  open(): Promise<Fanout>
  /** Takes a fan-out's link down and keeps it down; the returned function brings it back. */
  cut(fanout: Fanout): Promise<() => Promise<void>>
  /** Closes whatever `open` and `cut` created. */
  cleanup(): Promise<void>
}

interface Received {
  updates: Uint8Array[]
  awareness: Array<{ update: Uint8Array; source: string }>
  deleted: number
  resyncs: number
  presenceRequests: number
  revokedShares: string[]
}

function recorder(): { seen: Received; handlers: FanoutHandlers } {
  const seen: Received = { updates: [], awareness: [], deleted: 0, resyncs: 0, presenceRequests: 0, revokedShares: [] }
  return {
    seen,
    handlers: {
      update: (update) => seen.updates.push(update),
      awareness: (update, source) => seen.awareness.push({ update, source }),
      deleted: () => seen.deleted++,
      resync: () => seen.resyncs++,
      presenceRequested: () => seen.presenceRequests++,
      shareRevoked: (shareId) => seen.revokedShares.push(shareId),
    },
  }
}

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text)
const texts = (updates: Uint8Array[]): string[] => updates.map((update) => new TextDecoder().decode(update))
const digest = (update: Uint8Array): string => createHash('sha256').update(update).digest('hex')
const docId = (): string => randomBytes(9).toString('base64url')

export function describeFanoutContract(name: string, harness: () => FanoutHarness): void {
  describe(`Fanout contract: ${name}`, () => {
    const withCluster = (size: number, run: (processes: Fanout[], h: FanoutHarness) => Promise<void>) => async () => {
      const h = harness()
      const processes: Fanout[] = []
      try {
        for (let i = 0; i < size; i++) processes.push(await h.open())
        await run(processes, h)
      } finally {
        await Promise.allSettled(processes.map((fanout) => fanout.close()))
        await h.cleanup()
      }
    }

    it(
      'delivers updates to every other process holding the document, in order and byte for byte, never to the sender or to other documents',
      withCluster(4, async ([a, b, c, d]) => {
        const doc = docId()
        const other = docId()
        const atA = recorder()
        const atB = recorder()
        const atC = recorder()
        const atD = recorder()
        const fromA = await a!.subscribe(doc, atA.handlers)
        const fromB = await b!.subscribe(doc, atB.handlers)
        await c!.subscribe(doc, atC.handlers)
        await d!.subscribe(other, atD.handlers)
        const everyByte = Uint8Array.from({ length: 256 }, (_, i) => i)
        const large = new Uint8Array(randomBytes(1024 * 1024))
        const sent = [everyByte, ...Array.from({ length: 200 }, (_, i) => bytes(`update ${i}`)), large]
        for (const update of sent) fromA.publishUpdate(update)
        await waitFor(() => atB.seen.updates.length === sent.length && atC.seen.updates.length === sent.length, {
          what: 'every update at B and C',
        })
        for (const seen of [atB.seen, atC.seen]) {
          expect(seen.updates.map(digest)).toEqual(sent.map(digest))
        }
        fromB.publishUpdate(bytes('marker'))
        const fromAOther = await a!.subscribe(other, recorder().handlers)
        fromAOther.publishUpdate(bytes('other marker'))
        await waitFor(() => atA.seen.updates.length > 0 && atD.seen.updates.length > 0, { what: 'the markers' })
        expect(texts(atA.seen.updates)).toEqual(['marker'])
        expect(texts(atD.seen.updates)).toEqual(['other marker'])
      }),
    )

    it(
      'delivers awareness with a source that names the sending process',
      withCluster(3, async ([a, b, c]) => {
        const doc = docId()
        const atA = recorder()
        const fromA = await a!.subscribe(doc, atA.handlers)
        const fromB = await b!.subscribe(doc, recorder().handlers)
        const fromC = await c!.subscribe(doc, recorder().handlers)
        fromB.publishAwareness(bytes('b1'))
        fromB.publishAwareness(bytes('b2'))
        fromC.publishAwareness(bytes('c1'))
        fromA.publishAwareness(bytes('a1'))
        await waitFor(() => atA.seen.awareness.length === 3, { what: 'three awareness updates at A' })
        const bySource = new Map<string, string[]>()
        for (const { update, source } of atA.seen.awareness) {
          bySource.set(source, [...(bySource.get(source) ?? []), new TextDecoder().decode(update)])
        }
        expect([...bySource.values()].sort()).toEqual([['b1', 'b2'], ['c1']])
      }),
    )

    it(
      'passes a request for presence to the other processes holding the document',
      withCluster(3, async ([a, b, c]) => {
        const doc = docId()
        const atA = recorder()
        const atB = recorder()
        await a!.subscribe(doc, atA.handlers)
        await b!.subscribe(doc, atB.handlers)
        const fromC = await c!.subscribe(doc, recorder().handlers)
        fromC.requestPresence()
        await waitFor(() => atA.seen.presenceRequests === 1 && atB.seen.presenceRequests === 1, {
          what: 'the request at A and B',
        })
      }),
    )

    it(
      'tells every process holding a document that it was deleted, also from a process that does not hold it',
      withCluster(3, async ([a, b, c]) => {
        const doc = docId()
        const atB = recorder()
        const atC = recorder()
        await b!.subscribe(doc, atB.handlers)
        const fromC = await c!.subscribe(doc, atC.handlers)
        await a!.publishDeleted(doc)
        await waitFor(() => atB.seen.deleted === 1 && atC.seen.deleted === 1, { what: 'the deletion from A' })
        fromC.publishDeleted()
        await waitFor(() => atB.seen.deleted === 2, { what: 'the deletion from C' })
        expect(atC.seen.deleted).toBe(1)
      }),
    )

    it(
      'tells every process holding a document that one of its share links was revoked',
      withCluster(3, async ([a, b, c]) => {
        const doc = docId()
        const atB = recorder()
        const atC = recorder()
        await b!.subscribe(doc, atB.handlers)
        await c!.subscribe(doc, atC.handlers)
        await a!.publishShareRevoked(doc, 'share-1')
        await waitFor(() => atB.seen.revokedShares.length === 1 && atC.seen.revokedShares.length === 1, {
          what: 'the revocation from A',
        })
        expect(atB.seen.revokedShares).toEqual(['share-1'])
        expect(atC.seen.deleted).toBe(0)
      }),
    )

    it(
      'is listening by the time subscribe resolves, so nothing published afterwards is missed',
      withCluster(2, async ([a, b]) => {
        const docs = Array.from({ length: 20 }, docId)
        const publishers = await Promise.all(docs.map((doc) => a!.subscribe(doc, recorder().handlers)))
        const received = docs.map(() => recorder())
        await Promise.all(
          docs.map(async (doc, i) => {
            await b!.subscribe(doc, received[i]!.handlers)
            publishers[i]!.publishUpdate(bytes(doc))
          }),
        )
        await waitFor(() => received.every(({ seen }) => seen.updates.length === 1), {
          what: 'one update per document',
        })
        expect(received.map(({ seen }) => texts(seen.updates)[0])).toEqual(docs)
      }),
    )

    it(
      'keeps each subscription until it unsubscribes, also several for one document in one process',
      withCluster(2, async ([a, b]) => {
        const doc = docId()
        const probe = docId()
        const fromA = await a!.subscribe(doc, recorder().handlers)
        const fromAProbe = await a!.subscribe(probe, recorder().handlers)
        const first = recorder()
        const second = recorder()
        const atProbe = recorder()
        const firstSubscription = await b!.subscribe(doc, first.handlers)
        const secondSubscription = await b!.subscribe(doc, second.handlers)
        await b!.subscribe(probe, atProbe.handlers)

        await firstSubscription.unsubscribe()
        fromA.publishUpdate(bytes('x'))
        await waitFor(() => second.seen.updates.length === 1, { what: 'x at the remaining subscription' })

        await secondSubscription.unsubscribe()
        fromA.publishUpdate(bytes('y'))
        fromAProbe.publishUpdate(bytes('probe'))
        await waitFor(() => atProbe.seen.updates.length === 1, { what: 'the probe, published after y' })
        expect(texts(first.seen.updates)).toEqual([])
        expect(texts(second.seen.updates)).toEqual(['x'])

        const third = recorder()
        await b!.subscribe(doc, third.handlers)
        fromA.publishUpdate(bytes('z'))
        await waitFor(() => third.seen.updates.length === 1, { what: 'z after subscribing again' })
        expect(texts(third.seen.updates)).toEqual(['z'])
      }),
    )

    it(
      'survives its link going down: keeps working locally, then resynchronises every document it holds',
      withCluster(2, async ([a, b], h) => {
        const [held, alsoHeld, openedDuringOutage] = [docId(), docId(), docId()]
        const atA = recorder()
        const fromA = await a!.subscribe(held, atA.handlers)
        const fromAOpenedLater = await a!.subscribe(openedDuringOutage, recorder().handlers)
        const atB = recorder()
        const atBAlso = recorder()
        const fromB = await b!.subscribe(held, atB.handlers)
        await b!.subscribe(alsoHeld, atBAlso.handlers)

        const restore = await h.cut(b!)
        await waitFor(
          () =>
            b!.ping().then(
              () => false,
              () => true,
            ),
          { what: 'ping to report the outage' },
        )
        fromB.publishUpdate(bytes('lost from B'))
        fromA.publishUpdate(bytes('lost from A'))
        const atBLater = recorder()
        await b!.subscribe(openedDuringOutage, atBLater.handlers)
        expect([atA.seen.resyncs, atB.seen.resyncs, atBAlso.seen.resyncs, atBLater.seen.resyncs]).toEqual([0, 0, 0, 0])

        await restore()
        await waitFor(() => atB.seen.resyncs > 0 && atBAlso.seen.resyncs > 0 && atBLater.seen.resyncs > 0, {
          what: 'B to resynchronise each document it holds',
        })
        await waitFor(() => atA.seen.resyncs > 0, { what: 'A to resynchronise what B may have told nobody' })
        await b!.ping()

        fromA.publishUpdate(bytes('after A'))
        fromB.publishUpdate(bytes('after B'))
        fromAOpenedLater.publishUpdate(bytes('later'))
        await waitFor(
          () =>
            texts(atB.seen.updates).includes('after A') &&
            texts(atA.seen.updates).includes('after B') &&
            texts(atBLater.seen.updates).includes('later'),
          { what: 'messages to flow both ways again' },
        )
      }),
    )

    it(
      'answers ping while connected and stops delivering once closed',
      withCluster(3, async ([a, b, c]) => {
        const doc = docId()
        await expect(a!.ping()).resolves.toBeUndefined()
        const atB = recorder()
        const atC = recorder()
        const fromB = await b!.subscribe(doc, atB.handlers)
        await c!.subscribe(doc, atC.handlers)
        await b!.close()
        const fromA = await a!.subscribe(doc, recorder().handlers)
        fromA.publishUpdate(bytes('after close'))
        expect(() => fromB.publishUpdate(bytes('from a closed process'))).not.toThrow()
        await waitFor(() => atC.seen.updates.length === 1, { what: 'the update at C' })
        await expect(b!.ping()).rejects.toThrow()
        expect(atB.seen.updates).toEqual([])
        expect(texts(atC.seen.updates)).toEqual(['after close'])
      }),
    )
  })
}
