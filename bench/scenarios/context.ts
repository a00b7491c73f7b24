/** What every scenario gets from the runner. */
import type { Collected } from '../load/commands'
import { now } from '../load/stamp'
import type { RunningServer, ServerName, StartOptions } from '../servers'
import type { LoadWorker } from '../workers'

export interface Sizes {
  fanoutReaders: number[]
  fanoutIntervalMs: number
  manyDocs: { documents: number; clientsPerDocument: number; minRate: number; maxRate: number }
  idleClients: number
  coldJoin: { sequential: number; simultaneous: number }
  /**
   * Presence: clients in one document (each size a run), caret moves per second, probe clients;
   * `echo`: every client sends each presence message it receives back, as stock y-websocket
   * browsers do (tandem's browser app does not); `tickMs`: tandem's PRESENCE_TICK_MS and the
   * presence floor's tick (their default, 50 ms, when absent).
   */
  presence: { clients: number[]; movesPerSecond: number; probes: number; echo?: boolean; tickMs?: number }
  /** Join storm on big documents: encoded sizes (MiB), simultaneous joiners, per-joiner deadline. */
  bigJoin: { megabytes: number[]; joiners: number; timeoutMs: number }
  /**
   * Many editors: a ladder of editor counts (5 per document, each editing and moving its caret at
   * the given rates), climbed per server until p99 reaches the limit.
   */
  editors: {
    steps: number[]
    clientsPerDocument: number
    editsPerSecond: number
    caretsPerSecond: number
    p99LimitMs: number
  }
  /** Seconds of load before measuring, and of measuring. */
  warmupSeconds: number
  measureSeconds: number
  /** After the writers stop, time for the last updates of the window to arrive. */
  drainMs: number
  /** Idle memory: time for the clients' last messages to be handled before memory is read. */
  idleSettleMs: number
  /** Idle memory: time for servers to unload documents after every client left. */
  idleUnloadMs: number
}

export interface ScenarioContext {
  sizes: Sizes
  /** Three load processes; scenarios spread clients over all of them. */
  workers: LoadWorker[]
  /** How to start a server for one run (e.g. with `--cpu-prof` when profiling tandem). */
  startOptions(name: ServerName): StartOptions
  log(message: string): void
  /** Profiling: called at the start and end of a measured window, and once idle clients are all in. */
  hooks?: ProbeHooks
}

export interface ProbeHooks {
  beginWindow(server: RunningServer): Promise<void>
  endWindow(server: RunningServer, label: string): Promise<void>
  loaded(server: RunningServer, label: string): Promise<void>
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

/** Splits `items` into `parts` contiguous, nearly equal slices. */
export function split<T>(items: T[], parts: number): T[][] {
  const slices: T[][] = []
  for (let part = 0; part < parts; part++) {
    slices.push(items.slice(Math.floor((part * items.length) / parts), Math.floor(((part + 1) * items.length) / parts)))
  }
  return slices
}

/** What one measured window of load gave: the clients' figures and what server and load used. */
export interface LoadWindow {
  /** Send-time bounds of the window (load-process clock), and its length in seconds. */
  from: number
  to: number
  seconds: number
  collected: Collected[]
  /** Server CPU over the window, read from /proc: a saturated server answers its probe only minutes later. */
  serverCpuMicros: number
  peakRss: number
  /** What the load processes used over the window: CPU summed, resident memory at its end. */
  loadCpuMicros: number
  loadRss: number
}

/**
 * Starts the opened clients, warms up, measures one window (server CPU and peak memory, the load
 * processes' own CPU), stops them, lets the last messages arrive and collects what they saw.
 */
export async function measureLoadedWindow(
  context: ScenarioContext,
  server: RunningServer,
  label: string,
): Promise<LoadWindow> {
  const { workers, sizes } = context
  const usage = () =>
    Promise.all(workers.map((worker) => worker.ask<{ cpuMicros: number; rss: number }>({ cmd: 'usage' })))
  await Promise.all(workers.map((worker) => worker.ask({ cmd: 'start', intervalMs: 0 })))
  await sleep(sizes.warmupSeconds * 1000)
  server.resetPeakRss()
  const loadBefore = await usage()
  const from = now()
  const cpuBefore = server.procCpuMicros()
  await context.hooks?.beginWindow(server)
  await sleep(sizes.measureSeconds * 1000)
  const to = now()
  const cpuAfter = server.procCpuMicros()
  const loadAfter = await usage()
  await context.hooks?.endWindow(server, label)
  const peakRss = server.peakRss()
  await Promise.all(workers.map((worker) => worker.ask({ cmd: 'stop' })))
  await sleep(sizes.drainMs)
  const collected = await Promise.all(workers.map((worker) => worker.ask<Collected>({ cmd: 'collect', from, to })))
  return {
    from,
    to,
    seconds: (to - from) / 1000,
    collected,
    serverCpuMicros: cpuAfter - cpuBefore,
    peakRss,
    loadCpuMicros: loadAfter.reduce((sum, one, index) => sum + one.cpuMicros - (loadBefore[index]?.cpuMicros ?? 0), 0),
    loadRss: loadAfter.reduce((sum, one) => sum + one.rss, 0),
  }
}
