/**
 * Scenario 4: cold join. The automerge-paper trace, replayed locally into one paragraph of the
 * `default` fragment, is sent to the server as one update by one client; a second client seeing
 * it broadcast proves the server accepted (and for tandem, stored) it. Then fresh clients join:
 * one after another, and all at the same moment.
 */
import { BenchClient } from '../load/client'
import type { JoinResult } from '../load/commands'
import type { Target } from '../load/wire'
import { now } from '../load/stamp'
import { type ServerName, startServer } from '../servers'
import { median, percentile } from '../stats'
import type { TraceDocument } from '../trace'
import { type ScenarioContext, split } from './context'

export interface ColdJoinRun {
  server: ServerName
  /** From sending the whole trace to another client receiving it. */
  loadMs: number
  sequentialMedianMs: number
  sequentialP99Ms: number
  simultaneousP50Ms: number
  simultaneousP99Ms: number
  /** Server CPU time (user + system) from just before the simultaneous joiners until all synced. */
  simultaneousCpuMs: number
  /** Peak resident memory while the simultaneous joiners synced. */
  peakRssMb: number
  /** Resident memory just before they started. */
  rssBeforeMb: number
  /** What the burst added: peak minus before. */
  rssGrowthMb: number
}

/** Lead time so that every load process starts its joiners at the same clock time. */
const START_LEAD_MS = 300

export async function loadDocument(
  target: Target,
  docName: string,
  trace: TraceDocument,
): Promise<{ ms: number; clients: BenchClient[] }> {
  let seenAt = 0
  let received: () => void = () => undefined
  const arrived = new Promise<void>((resolve) => {
    received = resolve
  })
  const observer = new BenchClient({
    target,
    docName,
    onUpdate: (frame, receivedAt) => {
      if (frame.length >= trace.update.length) {
        seenAt = receivedAt
        received()
      }
    },
  })
  const uploader = new BenchClient({ target, docName })
  await Promise.all([observer.synced, uploader.synced])
  const sentAt = now()
  uploader.send(trace.update)
  const deadline = new Promise<never>((_, reject) =>
    setTimeout(() => reject(new Error('the trace was not broadcast within 60 s')), 60_000).unref(),
  )
  await Promise.race([arrived, deadline])
  return { ms: seenAt - sentAt, clients: [observer, uploader] }
}

/**
 * `count` fresh clients, spread over the load processes, open the document at the same clock
 * time (a short lead from now); per process, what each measured.
 */
export function joinAtOnce(
  context: ScenarioContext,
  join: { target: Target; docName: string; count: number; expectTextLength: number; timeoutMs?: number },
  leadMs = START_LEAD_MS,
): Promise<JoinResult[]> {
  const { workers } = context
  const at = now() + leadMs
  const counts = split(
    Array.from({ length: join.count }, (_, index) => index),
    workers.length,
  ).map((part) => part.length)
  return Promise.all(
    workers.map((worker, index) => worker.ask<JoinResult>({ cmd: 'join', ...join, count: counts[index] ?? 0, at })),
  )
}

export async function runColdJoin(
  context: ScenarioContext,
  name: ServerName,
  trace: TraceDocument,
): Promise<ColdJoinRun> {
  const { workers, sizes } = context
  const server = await startServer(name, context.startOptions(name))
  let holders: BenchClient[] = []
  try {
    const docName = await server.createDocument()
    const loaded = await loadDocument(server.target, docName, trace)
    holders = loaded.clients
    const expectTextLength = trace.endContent.length
    const [first] = workers
    if (first === undefined) throw new Error('no load worker')
    const { times: sequential } = await first.ask<JoinResult>({
      cmd: 'join',
      target: server.target,
      docName,
      count: sizes.coldJoin.sequential,
      at: null,
      expectTextLength,
    })

    await server.collectGarbage()
    const before = await server.stats()
    server.resetPeakRss()
    await context.hooks?.beginWindow(server)
    const joined = await joinAtOnce(context, {
      target: server.target,
      docName,
      count: sizes.coldJoin.simultaneous,
      expectTextLength,
    })
    const failed = joined.reduce((sum, part) => sum + part.failed, 0)
    if (failed > 0)
      throw new Error(`${failed} simultaneous joiners failed: ${joined.flatMap((part) => part.errors).join('; ')}`)
    const simultaneous = joined.flatMap((part) => part.times)
    const after = await server.stats()
    await context.hooks?.endWindow(server, `coldjoin-${name}`)
    const peakRss = server.peakRss()
    return {
      server: name,
      loadMs: loaded.ms,
      sequentialMedianMs: median(sequential),
      sequentialP99Ms: percentile(sequential, 99),
      simultaneousP50Ms: percentile(simultaneous, 50),
      simultaneousP99Ms: percentile(simultaneous, 99),
      simultaneousCpuMs: (after.cpuMicros - before.cpuMicros) / 1000,
      peakRssMb: peakRss / 2 ** 20,
      rssBeforeMb: before.rss / 2 ** 20,
      rssGrowthMb: (peakRss - before.rss) / 2 ** 20,
    }
  } finally {
    await Promise.all(holders.map((client) => client.close()))
    await server.stop()
  }
}
