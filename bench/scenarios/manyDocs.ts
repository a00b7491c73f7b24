/**
 * Scenario 2: many documents, every client both writing (at its own steady rate between the
 * minimum and maximum) and reading what the other clients of its document write. A document's
 * clients live in one load process, so sender and receiver read the same clock.
 */
import type { ClientSpec, Collected } from '../load/commands'
import { now } from '../load/stamp'
import { type ServerName, startServer } from '../servers'
import { percentile } from '../stats'
import { type ScenarioContext, sleep, split } from './context'

export interface ManyDocsRun {
  server: ServerName
  deliveredPerSecond: number
  cpuShare: number
  cpuPerUpdateUs: number
  p50Ms: number
  p99Ms: number
  peakRssMb: number
  deliveredShare: number
  dropped: number
}

/** The same rates for every server: derived from the client's number alone. */
function rateOf(sender: number, min: number, max: number): number {
  const fraction = ((sender * 2654435761) >>> 0) / 4294967296
  return min + fraction * (max - min)
}

async function createDocuments(create: () => Promise<string>, count: number): Promise<string[]> {
  const names: string[] = []
  for (let index = 0; index < count; index += 8) {
    names.push(...(await Promise.all(Array.from({ length: Math.min(8, count - index) }, create))))
  }
  return names
}

export async function runManyDocs(context: ScenarioContext, name: ServerName): Promise<ManyDocsRun> {
  const { workers, sizes } = context
  const { documents, clientsPerDocument, minRate, maxRate } = sizes.manyDocs
  const server = await startServer(name, context.startOptions(name))
  try {
    const docNames = await createDocuments(() => server.createDocument(), documents)
    const perWorker = split(docNames, workers.length)
    let sender = 1
    const specs = perWorker.map((names) =>
      names.flatMap((docName) =>
        Array.from({ length: clientsPerDocument }, (): ClientSpec => {
          const id = sender++
          return { docName, role: 'peer', sender: id, rate: rateOf(id, minRate, maxRate) }
        }),
      ),
    )
    await Promise.all(
      workers.map((worker, index) =>
        worker.ask({ cmd: 'open', target: server.target, clients: specs[index] ?? [], concurrency: 32 }),
      ),
    )
    await Promise.all(workers.map((worker) => worker.ask({ cmd: 'start', intervalMs: 0 })))
    await sleep(sizes.warmupSeconds * 1000)
    server.resetPeakRss()
    const from = now()
    const before = await server.stats()
    await context.hooks?.beginWindow(server)
    await sleep(sizes.measureSeconds * 1000)
    const to = now()
    const after = await server.stats()
    await context.hooks?.endWindow(server, `manydocs-${name}`)
    const peakRss = server.peakRss()
    await Promise.all(workers.map((worker) => worker.ask({ cmd: 'stop' })))
    await sleep(sizes.drainMs)
    const collected = await Promise.all(workers.map((worker) => worker.ask<Collected>({ cmd: 'collect', from, to })))
    const latencies = collected.flatMap((part) => Array.from(part.latencies))
    const delivered = collected.reduce((sum, part) => sum + part.delivered, 0)
    const edits = collected.reduce((sum, part) => sum + part.edits, 0)
    const cpuMicros = after.cpuMicros - before.cpuMicros
    const seconds = (to - from) / 1000
    return {
      server: name,
      deliveredPerSecond: delivered / seconds,
      cpuShare: cpuMicros / (seconds * 1e6),
      cpuPerUpdateUs: delivered === 0 ? Number.NaN : cpuMicros / delivered,
      p50Ms: percentile(latencies, 50),
      p99Ms: percentile(latencies, 99),
      peakRssMb: peakRss / 2 ** 20,
      deliveredShare: edits === 0 ? 0 : delivered / (edits * (clientsPerDocument - 1)),
      dropped: collected.reduce((sum, part) => sum + part.dropped, 0),
    }
  } finally {
    await Promise.all(workers.map((worker) => worker.ask({ cmd: 'close' }).catch(() => undefined)))
    await server.stop()
  }
}
