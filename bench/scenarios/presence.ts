/**
 * Scenario 6: presence at hundreds of users. N clients in one document, each moving its caret
 * once a second (an awareness state shaped like CollaborationCaret's, ~300 bytes). A few probe
 * clients time every caret they receive; every client counts the bytes it receives.
 */
import type { ClientSpec } from '../load/commands'
import { type ServerName, startServer } from '../servers'
import { percentile } from '../stats'
import { type ScenarioContext, measureLoadedWindow, split } from './context'

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

export async function runPresence(context: ScenarioContext, name: ServerName, clients: number): Promise<PresenceRun> {
  const { workers, sizes } = context
  const probes = Math.min(sizes.presence.probes, clients)
  const options = context.startOptions(name)
  const tick = sizes.presence.tickMs
  const tickVariable = name === 'tandem' ? 'PRESENCE_TICK_MS' : name === 'floor-presence' ? 'FLOOR_TICK_MS' : null
  const server = await startServer(
    name,
    tick === undefined || tickVariable === null
      ? options
      : { ...options, env: { ...options.env, [tickVariable]: String(tick) } },
  )
  try {
    const docName = await server.createDocument()
    const specs: ClientSpec[] = Array.from({ length: clients }, (_, index) => ({
      docName,
      role: 'presence',
      sender: index + 1,
      rate: sizes.presence.movesPerSecond,
      // Probes spread over the load processes.
      probe: index % Math.ceil(clients / probes) === 0,
      echo: sizes.presence.echo === true,
    }))
    await Promise.all(
      split(specs, workers.length).map((part, index) =>
        workers[index]?.ask({ cmd: 'open', target: server.target, clients: part, concurrency: 32 }),
      ),
    )
    const window = await measureLoadedWindow(context, server, `presence-${clients}-${name}`)
    const { collected, seconds } = window
    const latencies = collected.flatMap((part) => Array.from(part.latencies))
    const delivered = collected.reduce((sum, part) => sum + part.delivered, 0)
    const moves = collected.reduce((sum, part) => sum + part.edits, 0)
    const bytes = collected.reduce((sum, part) => sum + part.bytesReceived, 0)
    const probeCount = specs.filter((spec) => spec.probe === true).length
    // Each probe should receive every move but its own.
    const expected = moves * probeCount - collected.reduce((sum, part) => sum + part.probeEdits, 0)
    const deliveredShare = expected === 0 ? 0 : delivered / expected
    const cpuMicros = window.serverCpuMicros
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
      peakRssMb: window.peakRss / 2 ** 20,
      dropped: collected.reduce((sum, part) => sum + part.dropped, 0),
      loadCpuShare: window.loadCpuMicros / (seconds * 1e6),
    }
  } finally {
    await Promise.all(workers.map((worker) => worker.ask({ cmd: 'close' }).catch(() => undefined)))
    await server.stop()
  }
}
