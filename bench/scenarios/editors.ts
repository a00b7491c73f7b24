/**
 * Scenario 8: many editors on one machine. D documents × 5 clients, each client editing once a
 * second and moving its caret (a CollaborationCaret-shaped awareness state) once a second; every
 * client measures the edits of the others of its document. A document's clients live in one load
 * process, so sender and receiver read the same clock. Run as a ladder: more editors each step,
 * until a server's p99 reaches the limit or it loses deliveries; the load processes share the two
 * cores with the server, so what they used is reported beside it.
 */
import type { ClientSpec } from '../load/commands'
import { now } from '../load/stamp'
import { type ServerName, startServer } from '../servers'
import { percentile } from '../stats'
import { type ScenarioContext, measureLoadedWindow, split } from './context'

export interface EditorsRun {
  server: ServerName
  editors: number
  documents: number
  p50Ms: number
  p99Ms: number
  /** Delivered ÷ expected (every edit to the other clients of its document). */
  deliveredShare: number
  /** Server CPU, cores (1 = one core busy). */
  serverCpuShare: number
  peakRssMb: number
  /** What the load processes used meanwhile: CPU in cores, resident memory summed. */
  loadCpuShare: number
  loadRssMb: number
  /** Seconds it took to open every client. */
  openSeconds: number
  dropped: number
}

async function createDocuments(create: () => Promise<string>, count: number): Promise<string[]> {
  const names: string[] = []
  for (let index = 0; index < count; index += 16) {
    names.push(...(await Promise.all(Array.from({ length: Math.min(16, count - index) }, create))))
  }
  return names
}

export async function runEditors(context: ScenarioContext, name: ServerName, editors: number): Promise<EditorsRun> {
  const { workers, sizes } = context
  const { clientsPerDocument, editsPerSecond, caretsPerSecond } = sizes.editors
  const documents = Math.max(1, Math.round(editors / clientsPerDocument))
  const server = await startServer(name, context.startOptions(name))
  try {
    const docNames = await createDocuments(() => server.createDocument(), documents)
    let sender = 1
    const specs = split(docNames, workers.length).map((names) =>
      names.flatMap((docName) =>
        Array.from(
          { length: clientsPerDocument },
          (): ClientSpec => ({
            docName,
            role: 'peer',
            sender: sender++,
            rate: editsPerSecond,
            caretRate: caretsPerSecond,
          }),
        ),
      ),
    )
    const openStarted = now()
    await Promise.all(
      workers.map((worker, index) =>
        worker.ask({ cmd: 'open', target: server.target, clients: specs[index] ?? [], concurrency: 32 }),
      ),
    )
    const openSeconds = (now() - openStarted) / 1000
    const window = await measureLoadedWindow(context, server, `editors-${editors}-${name}`)
    const { collected, seconds } = window
    const latencies = collected.flatMap((part) => Array.from(part.latencies))
    const delivered = collected.reduce((sum, part) => sum + part.delivered, 0)
    const edits = collected.reduce((sum, part) => sum + part.edits, 0)
    return {
      server: name,
      editors: documents * clientsPerDocument,
      documents,
      p50Ms: percentile(latencies, 50),
      p99Ms: percentile(latencies, 99),
      deliveredShare: edits === 0 ? 0 : delivered / (edits * (clientsPerDocument - 1)),
      serverCpuShare: window.serverCpuMicros / (seconds * 1e6),
      peakRssMb: window.peakRss / 2 ** 20,
      loadCpuShare: window.loadCpuMicros / (seconds * 1e6),
      loadRssMb: window.loadRss / 2 ** 20,
      openSeconds,
      dropped: collected.reduce((sum, part) => sum + part.dropped, 0),
    }
  } finally {
    await Promise.all(workers.map((worker) => worker.ask({ cmd: 'close' }).catch(() => undefined)))
    await server.stop()
  }
}

/** Whether a step of the ladder met the target: p99 under the limit and (nearly) every edit delivered. */
export function editorsStepPassed(run: EditorsRun, p99LimitMs: number): boolean {
  return run.p99Ms < p99LimitMs && run.deliveredShare >= 0.99 && run.dropped === 0
}
