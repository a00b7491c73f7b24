/**
 * Scenario 6: presence at hundreds of users. N clients in one document, each moving its caret
 * once a second (an awareness state shaped like CollaborationCaret's, ~300 bytes). A few probe
 * clients time every caret they receive; every client counts the bytes it receives.
 */
import type { ClientSpec, Collected } from '../load/commands'
import { now } from '../load/stamp'
import { type ServerName, startServer } from '../servers'
import { percentile } from '../stats'
import { type ScenarioContext, sleep, split } from './context'

export interface PresenceRun {
  server: ServerName
  clients: number
  /** Server CPU time per awareness entry delivered to a client, microseconds. */
  cpuPerEntryUs: number
  cpuShare: number
  /** Delivered ÷ expected at the probes: below 1 means carets were lost or late beyond the window. */
  deliveredShare: number
  p50Ms: number
  p99Ms: number
  /** Bytes the server sent to all clients per second, MiB. */
  sentMbPerSecond: number
  peakRssMb: number
  dropped: number
  /** What the load processes used meanwhile, cores: at 1,500 clients they must receive everything too. */
  loadCpuShare: number
}

interface Usage {
  cpuMicros: number
  rss: number
}

export async function runPresence(context: ScenarioContext, name: ServerName, clients: number): Promise<PresenceRun> {
  const { workers, sizes } = context
  const probes = Math.min(sizes.presence.probes, clients)
  const server = await startServer(name, context.startOptions(name))
  try {
    const docName = await server.createDocument()
    const specs: ClientSpec[] = Array.from({ length: clients }, (_, index) => ({
      docName,
      role: 'presence',
      sender: index + 1,
      rate: sizes.presence.movesPerSecond,
      // Probes spread over the load processes.
      probe: index % Math.ceil(clients / probes) === 0,
    }))
    await Promise.all(
      split(specs, workers.length).map((part, index) =>
        workers[index]?.ask({ cmd: 'open', target: server.target, clients: part, concurrency: 32 }),
      ),
    )
    await Promise.all(workers.map((worker) => worker.ask({ cmd: 'start', intervalMs: 0 })))
    await sleep(sizes.warmupSeconds * 1000)
    server.resetPeakRss()
    const loadBefore = await Promise.all(workers.map((worker) => worker.ask<Usage>({ cmd: 'usage' })))
    const from = now()
    const cpuBefore = server.procCpuMicros()
    await context.hooks?.beginWindow(server)
    await sleep(sizes.measureSeconds * 1000)
    const to = now()
    // Not the probe: a saturated server answers it only minutes later.
    const cpuAfter = server.procCpuMicros()
    const loadAfter = await Promise.all(workers.map((worker) => worker.ask<Usage>({ cmd: 'usage' })))
    await context.hooks?.endWindow(server, `presence-${clients}-${name}`)
    const peakRss = server.peakRss()
    await Promise.all(workers.map((worker) => worker.ask({ cmd: 'stop' })))
    await sleep(sizes.drainMs)
    const collected = await Promise.all(workers.map((worker) => worker.ask<Collected>({ cmd: 'collect', from, to })))
    const latencies = collected.flatMap((part) => Array.from(part.latencies))
    const delivered = collected.reduce((sum, part) => sum + part.delivered, 0)
    const moves = collected.reduce((sum, part) => sum + part.edits, 0)
    const bytes = collected.reduce((sum, part) => sum + part.bytesReceived, 0)
    const probeCount = specs.filter((spec) => spec.probe === true).length
    // Each probe should receive every move but its own.
    const expected = moves * probeCount - collected.reduce((sum, part) => sum + part.probeEdits, 0)
    const deliveredShare = expected === 0 ? 0 : delivered / expected
    const cpuMicros = cpuAfter - cpuBefore
    const seconds = (to - from) / 1000
    const entriesToEveryone = moves * (clients - 1) * Math.min(deliveredShare, 1)
    return {
      server: name,
      clients,
      cpuPerEntryUs: entriesToEveryone === 0 ? Number.NaN : cpuMicros / entriesToEveryone,
      cpuShare: cpuMicros / (seconds * 1e6),
      deliveredShare,
      p50Ms: percentile(latencies, 50),
      p99Ms: percentile(latencies, 99),
      sentMbPerSecond: bytes / seconds / 2 ** 20,
      peakRssMb: peakRss / 2 ** 20,
      dropped: collected.reduce((sum, part) => sum + part.dropped, 0),
      loadCpuShare:
        loadAfter.reduce((sum, usage, index) => sum + usage.cpuMicros - (loadBefore[index]?.cpuMicros ?? 0), 0) /
        (seconds * 1e6),
    }
  } finally {
    await Promise.all(workers.map((worker) => worker.ask({ cmd: 'close' }).catch(() => undefined)))
    await server.stop()
  }
}
