/**
 * Smoke test of the benchmark: every scenario at a tiny size against real servers, so that a
 * change to tandem's protocol or to a peer's package cannot silently break `npm run bench`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { buildAll } from './build'
import { runBigJoin } from './scenarios/bigJoin'
import { runColdJoin } from './scenarios/coldJoin'
import type { ScenarioContext, Sizes } from './scenarios/context'
import { runEditors } from './scenarios/editors'
import { runFanout } from './scenarios/fanout'
import { runIdle } from './scenarios/idle'
import { runManyDocs } from './scenarios/manyDocs'
import { runPresence } from './scenarios/presence'
import { SERVER_NAMES } from './servers'
import type { TraceDocument } from './trace'
import { LoadWorker } from './workers'
import { DOCUMENT_FIELD } from '../protocol/fields'

const TINY: Sizes = {
  fanoutReaders: [3],
  fanoutIntervalMs: 20,
  manyDocs: { documents: 2, clientsPerDocument: 3, minRate: 4, maxRate: 8 },
  idleClients: 6,
  coldJoin: { sequential: 2, simultaneous: 4 },
  presence: { clients: [5], movesPerSecond: 4, probes: 2 },
  bigJoin: { megabytes: [0.1], joiners: 4, timeoutMs: 30_000 },
  editors: { steps: [10], clientsPerDocument: 5, editsPerSecond: 4, caretsPerSecond: 4, p99LimitMs: 50 },
  warmupSeconds: 0.2,
  measureSeconds: 0.6,
  drainMs: 500,
  idleSettleMs: 200,
  idleUnloadMs: 200,
}

/** A few thousand characters in the trace's shape: one paragraph in `default`. */
function smallTrace(): TraceDocument {
  const doc = new Y.Doc()
  const paragraph = new Y.XmlElement('paragraph')
  const text = new Y.XmlText()
  const content = 'The quick brown fox jumps over the lazy dog. '.repeat(100)
  doc.transact(() => {
    paragraph.insert(0, [text])
    doc.getXmlFragment(DOCUMENT_FIELD).insert(0, [paragraph])
    text.insert(0, content)
  })
  return { update: Y.encodeStateAsUpdate(doc), endContent: content }
}

/** Over 1 MiB, so that tandem sends it to joiners in pieces: 3,000 prepended runs of text. */
function piecewiseDocument(): { update: Uint8Array; textLength: number } {
  const doc = new Y.Doc()
  const paragraph = new Y.XmlElement('paragraph')
  const text = new Y.XmlText()
  doc.transact(() => {
    paragraph.insert(0, [text])
    doc.getXmlFragment(DOCUMENT_FIELD).insert(0, [paragraph])
  })
  for (let run = 0; run < 3000; run++) text.insert(0, `${run} `.padEnd(400, 'x'))
  return { update: Y.encodeStateAsUpdate(doc), textLength: text.length }
}

let context: ScenarioContext

beforeAll(async () => {
  await buildAll()
  const workers = [new LoadWorker('writer'), new LoadWorker('load-1'), new LoadWorker('load-2')]
  context = { sizes: TINY, workers, startOptions: () => ({}), log: () => undefined }
})

afterAll(() => {
  for (const worker of context?.workers ?? []) worker.stop()
})

describe('bench scenarios at a tiny size', () => {
  it('fan-out delivers every edit to every reader on every server and floor', async () => {
    // The presence floor relays presence only.
    for (const name of SERVER_NAMES.filter((server) => server !== 'floor-presence')) {
      const result = await runFanout(context, name, 3)
      expect({ name, deliveredShare: result.deliveredShare, dropped: result.dropped }).toEqual({
        name,
        deliveredShare: 1,
        dropped: 0,
      })
      expect(result.p99Ms).toBeGreaterThan(0)
      expect(result.cpuPerUpdateUs).toBeGreaterThan(0)
    }
  })

  it('many documents: every client receives what the others of its document write (tandem)', async () => {
    const result = await runManyDocs(context, 'tandem')
    expect(result.deliveredShare).toBe(1)
    expect(result.deliveredPerSecond).toBeGreaterThan(0)
    expect(result.dropped).toBe(0)
  })

  it('presence: probes receive every caret of the others (tandem, Hocuspocus, the y-websocket server and the presence floor)', async () => {
    for (const name of ['tandem', 'hocuspocus', 'y-websocket', 'floor-presence'] as const) {
      const result = await runPresence(context, name, 5)
      expect({ name, deliveredShare: result.deliveredShare, dropped: result.dropped }).toEqual({
        name,
        deliveredShare: 1,
        dropped: 0,
      })
      expect(result.sentMbPerSecond).toBeGreaterThan(0)
    }
  })

  it('idle memory reads the server before, with and after its clients (tandem)', async () => {
    const result = await runIdle(context, 'tandem')
    expect(result.clients).toBe(TINY.idleClients)
    expect(result.baselineMb).toBeGreaterThan(10)
    expect(Number.isFinite(result.perConnectionKb) && Number.isFinite(result.perRoomKb)).toBe(true)
  })

  it('cold join: joiners receive the whole document (tandem and Hocuspocus)', async () => {
    const trace = smallTrace()
    for (const name of ['tandem', 'hocuspocus'] as const) {
      const result = await runColdJoin(context, name, trace)
      expect(result.sequentialMedianMs).toBeGreaterThan(0)
      expect(result.simultaneousP99Ms).toBeGreaterThanOrEqual(result.simultaneousP50Ms)
      expect(result.simultaneousCpuMs).toBeGreaterThan(0)
      expect(result.peakRssMb).toBeGreaterThan(10)
    }
  })

  it('join storm: a document uploaded in pieces reaches every joiner (tandem, Hocuspocus, the y-websocket server and the join floor)', async () => {
    const trace = smallTrace()
    const big = { update: trace.update, textLength: trace.endContent.length }
    for (const name of ['tandem', 'hocuspocus', 'y-websocket', 'floor-join'] as const) {
      const result = await runBigJoin(context, name, big, 0.1, 4, 30_000)
      expect({ name, failed: result.failed, errors: result.errors }).toEqual({ name, failed: 0, errors: [] })
      expect(result.maxMs).toBeGreaterThanOrEqual(result.p50Ms)
      expect(result.peakRssMb).toBeGreaterThan(10)
    }
  })

  it('join storm: a document above 1 MiB, which tandem sends in pieces, reaches every joiner whole (and from the join floor)', async () => {
    const big = piecewiseDocument()
    expect(big.update.length).toBeGreaterThan(2 ** 20)
    for (const name of ['tandem', 'floor-join'] as const) {
      const result = await runBigJoin(context, name, big, 1.2, 3, 30_000)
      expect({ name, failed: result.failed, errors: result.errors }).toEqual({ name, failed: 0, errors: [] })
    }
  })

  it('many editors: every client receives the edits of the others while carets move (tandem)', async () => {
    const result = await runEditors(context, 'tandem', 10)
    expect({ deliveredShare: result.deliveredShare, dropped: result.dropped, documents: result.documents }).toEqual({
      deliveredShare: 1,
      dropped: 0,
      documents: 2,
    })
    expect(result.loadCpuShare).toBeGreaterThan(0)
    expect(result.serverCpuShare).toBeGreaterThan(0)
  })
})
