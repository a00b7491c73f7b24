/**
 * Scenario 1 (and 5 with the floor): one writer, N readers on one document, an edit every
 * 20 ms. The writer has a load process to itself so that its timer is not delayed by readers.
 */
import type { ClientSpec, Collected } from '../load/commands'
import { now } from '../load/stamp'
import { type ServerName, startServer } from '../servers'
import { percentile } from '../stats'
import { type ScenarioContext, sleep, split } from './context'

export interface FanoutRun {
  server: ServerName
  readers: number
  p50Ms: number
  p99Ms: number
  /** Server CPU time per update delivered to a reader, microseconds. */
  cpuPerUpdateUs: number
  /** Share of one core the server used while measured. */
  cpuShare: number
  peakRssMb: number
  delivered: number
  /** Delivered ÷ (edits × readers): below 1 means updates were lost or arrived after the window. */
  deliveredShare: number
  dropped: number
}

export async function runFanout(context: ScenarioContext, name: ServerName, readers: number): Promise<FanoutRun> {
  const { workers, sizes } = context
  const [writerWorker, ...readerWorkers] = workers
  if (writerWorker === undefined || readerWorkers.length === 0)
    throw new Error('fan-out needs at least two load workers')
  const server = await startServer(name, context.startOptions(name))
  try {
    const docName = await server.createDocument()
    const specs: ClientSpec[] = Array.from({ length: readers }, (_, index) => ({
      docName,
      role: 'reader',
      sender: index + 1,
    }))
    await Promise.all(
      split(specs, readerWorkers.length).map((clients, index) =>
        readerWorkers[index]?.ask({ cmd: 'open', target: server.target, clients, concurrency: 32 }),
      ),
    )
    await writerWorker.ask({
      cmd: 'open',
      target: server.target,
      clients: [{ docName, role: 'writer', sender: 0 }],
      concurrency: 1,
    })
    await writerWorker.ask({ cmd: 'start', intervalMs: sizes.fanoutIntervalMs })
    await sleep(sizes.warmupSeconds * 1000)
    server.resetPeakRss()
    const from = now()
    const before = await server.stats()
    await context.hooks?.beginWindow(server)
    await sleep(sizes.measureSeconds * 1000)
    const to = now()
    const after = await server.stats()
    await context.hooks?.endWindow(server, `fanout-${readers}-${name}`)
    const peakRss = server.peakRss()
    await writerWorker.ask({ cmd: 'stop' })
    await sleep(sizes.drainMs)
    const collected = await Promise.all(workers.map((worker) => worker.ask<Collected>({ cmd: 'collect', from, to })))
    await Promise.all(workers.map((worker) => worker.ask({ cmd: 'close' })))
    const latencies = collected.flatMap((part) => Array.from(part.latencies))
    const delivered = collected.reduce((sum, part) => sum + part.delivered, 0)
    const edits = collected.reduce((sum, part) => sum + part.edits, 0)
    const cpuMicros = after.cpuMicros - before.cpuMicros
    return {
      server: name,
      readers,
      p50Ms: percentile(latencies, 50),
      p99Ms: percentile(latencies, 99),
      cpuPerUpdateUs: delivered === 0 ? Number.NaN : cpuMicros / delivered,
      cpuShare: cpuMicros / ((to - from) * 1000),
      peakRssMb: peakRss / 2 ** 20,
      delivered,
      deliveredShare: edits === 0 ? 0 : delivered / (edits * readers),
      dropped: collected.reduce((sum, part) => sum + part.dropped, 0),
    }
  } finally {
    await Promise.all(workers.map((worker) => worker.ask({ cmd: 'close' }).catch(() => undefined)))
    await server.stop()
  }
}
