/**
 * Scenario 3: idle memory. Two fresh servers per run: one with 1,000 clients on 1,000 small
 * documents (each client writes one short paragraph, then idles), one with 1,000 clients on a
 * single document. The first gives memory per room-with-its-client, the second per connection;
 * the difference is the room. Memory is read after forced full collections, so it is what is
 * retained rather than what the collector had not reached yet.
 */
import type { ClientSpec, Role } from '../load/commands'
import type { Target } from '../load/wire'
import { type RunningServer, type ServerName, startServer } from '../servers'
import { type ScenarioContext, sleep, split } from './context'

export interface IdleRun {
  server: ServerName
  clients: number
  /** Resident memory per client when each has its own document (room + connection), KiB. */
  perRoomAndConnectionKb: number
  /** Resident memory per client when all share one document, KiB. */
  perConnectionKb: number
  /** The room alone: the two above subtracted, KiB. */
  perRoomKb: number
  baselineMb: number
  loadedMb: number
  /** After every client left and unused documents had time to unload. */
  afterDisconnectMb: number
  heapPerRoomAndConnectionKb: number
  heapPerConnectionKb: number
}

/** Clients connected and disconnected before the baseline, so that code compiled for the first
 * connections and pools grown for them count as baseline, not as per-connection memory. */
const WARMUP_CLIENTS = 50

async function createDocuments(create: () => Promise<string>, count: number): Promise<string[]> {
  const names: string[] = []
  for (let index = 0; index < count; index += 16) {
    names.push(...(await Promise.all(Array.from({ length: Math.min(16, count - index) }, create))))
  }
  return names
}

export async function runIdle(context: ScenarioContext, name: ServerName): Promise<IdleRun> {
  const { workers, sizes } = context
  const clients = sizes.idleClients
  const closeAll = (): Promise<unknown> =>
    Promise.all(workers.map((worker) => worker.ask({ cmd: 'close' }).catch(() => undefined)))
  const openAll = (target: Target, specs: ClientSpec[]): Promise<unknown> =>
    Promise.all(
      split(specs, workers.length).map((part, index) =>
        workers[index]?.ask({ cmd: 'open', target, clients: part, concurrency: 32 }),
      ),
    )
  const warmUp = async (server: RunningServer, docNames: string[], role: Role): Promise<void> => {
    const specs = Array.from(
      { length: Math.min(WARMUP_CLIENTS, clients) },
      (_, index): ClientSpec => ({
        docName: docNames[index % docNames.length] as string,
        role,
        sender: clients + index + 1,
      }),
    )
    await openAll(server.target, specs)
    await sleep(sizes.idleSettleMs)
    await closeAll()
    await sleep(sizes.idleUnloadMs)
  }

  const rooms = await startServer(name, context.startOptions(name))
  let baseline, loaded, afterDisconnect
  try {
    const docNames = await createDocuments(() => rooms.createDocument(), clients + Math.min(WARMUP_CLIENTS, clients))
    await warmUp(rooms, docNames.slice(clients), 'seeder')
    baseline = await rooms.collectGarbage()
    await openAll(
      rooms.target,
      docNames.slice(0, clients).map((docName, index): ClientSpec => ({ docName, role: 'seeder', sender: index + 1 })),
    )
    await sleep(sizes.idleSettleMs)
    loaded = await rooms.collectGarbage()
    await context.hooks?.loaded(rooms, `idle-rooms-${name}`)
    await closeAll()
    await sleep(sizes.idleUnloadMs)
    afterDisconnect = await rooms.collectGarbage()
  } finally {
    await closeAll()
    await rooms.stop()
  }

  const connections = await startServer(name, context.startOptions(name))
  let sharedBaseline, sharedLoaded
  try {
    const docName = await connections.createDocument()
    await warmUp(connections, [docName], 'reader')
    sharedBaseline = await connections.collectGarbage()
    await openAll(
      connections.target,
      Array.from({ length: clients }, (_, index): ClientSpec => ({ docName, role: 'reader', sender: index + 1 })),
    )
    await sleep(sizes.idleSettleMs)
    sharedLoaded = await connections.collectGarbage()
    await context.hooks?.loaded(connections, `idle-connections-${name}`)
  } finally {
    await closeAll()
    await connections.stop()
  }

  const perRoomAndConnectionKb = (loaded.rss - baseline.rss) / clients / 1024
  const perConnectionKb = (sharedLoaded.rss - sharedBaseline.rss) / clients / 1024
  return {
    server: name,
    clients,
    perRoomAndConnectionKb,
    perConnectionKb,
    perRoomKb: perRoomAndConnectionKb - perConnectionKb,
    baselineMb: baseline.rss / 2 ** 20,
    loadedMb: loaded.rss / 2 ** 20,
    afterDisconnectMb: afterDisconnect.rss / 2 ** 20,
    heapPerRoomAndConnectionKb: (loaded.heapUsed - baseline.heapUsed) / clients / 1024,
    heapPerConnectionKb: (sharedLoaded.heapUsed - sharedBaseline.heapUsed) / clients / 1024,
  }
}
