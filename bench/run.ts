/**
 * `npm run bench`: tandem side by side with Hocuspocus, the y-websocket reference server and a
 * bare relay (the floor, and for fan-out and many documents the same relay sending through
 * `ws.send`, floor-ws; for the join storm and presence, floors of their own), on the same load,
 * servers alternated run by run.
 *
 *   npm run bench                          every scenario, 3 runs each (~50 min)
 *   npm run bench -- --quick               tiny sizes, 1 run, docs untouched (smoke)
 *   npm run bench -- --scenario fanout     one scenario (fanout | manydocs | idle | coldjoin | presence |
 *                                          bigjoin | editors)
 *   npm run bench -- --runs 5              runs per scenario and server
 *   npm run bench -- --no-write            keep docs/benchmarks.md and bench/results as they are
 *   npm run bench -- --servers tandem,floor
 *   npm run bench -- --tandem-entry ../wt/server/main.ts   benchmark another copy of tandem
 *   npm run bench -- --scenario bigjoin --join-mb 4        the join storm at these sizes only
 *   npm run bench -- --scenario presence --presence-clients 100 --presence-echo
 *                                          presence at these sizes only; with --presence-echo every
 *                                          client sends what it receives back (stock y-websocket browsers)
 *   npm run bench -- --scenario presence --presence-tick 15
 *                                          tandem's PRESENCE_TICK_MS and the presence floor's tick
 *   npm run bench -- --profile             CPU profiles (fan-out 500, many documents, cold join) and heap
 *                                          snapshots (idle) of tandem, summarised in
 *                                          .bench-tmp/profiles/summary.md
 *
 * Raw results go to bench/results/latest.json (a partial run replaces only its own scenarios
 * there) and the tables and charts to docs/benchmarks.md and docs/benchmarks-*.svg.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { loadavg } from 'node:os'
import { parseArgs } from 'node:util'
import { buildAll, projectRoot, workDir } from './build'
import { type BenchResults, machineInfo, writeReport } from './report'
import { measureDocFloor, runBigJoin } from './scenarios/bigJoin'
import { runColdJoin } from './scenarios/coldJoin'
import { cpuSummaryMarkdown, heapSummaryMarkdown, summariseCpuProfile, summariseHeapSnapshot } from './profileSummary'
import type { ProbeHooks, ScenarioContext, Sizes } from './scenarios/context'
import { runFanout } from './scenarios/fanout'
import { editorsStepPassed, runEditors } from './scenarios/editors'
import { runIdle } from './scenarios/idle'
import { runManyDocs } from './scenarios/manyDocs'
import { runPresence } from './scenarios/presence'
import { SERVER_NAMES, type ServerName } from './servers'
import { bigDocumentPath, loadBigDocument, loadTraceDocument, replayTrace } from './trace'
import { TRACE_PATH } from '../server/test/trace'
import { LoadWorker } from './workers'

export const SCENARIOS = ['fanout', 'manydocs', 'idle', 'coldjoin', 'presence', 'bigjoin', 'editors'] as const
export type ScenarioName = (typeof SCENARIOS)[number]

export const FULL_SIZES: Sizes = {
  fanoutReaders: [10, 100, 500],
  fanoutIntervalMs: 20,
  manyDocs: { documents: 200, clientsPerDocument: 5, minRate: 2, maxRate: 8 },
  idleClients: 1000,
  coldJoin: { sequential: 20, simultaneous: 150 },
  presence: { clients: [100, 500, 1500], movesPerSecond: 1, probes: 6 },
  bigJoin: { megabytes: [4, 20], joiners: 150, timeoutMs: 300_000 },
  editors: {
    steps: [250, 500, 1000, 2000, 3000, 4000, 6000, 8000, 10000],
    clientsPerDocument: 5,
    editsPerSecond: 1,
    caretsPerSecond: 1,
    p99LimitMs: 50,
  },
  warmupSeconds: 2,
  measureSeconds: 8,
  drainMs: 1000,
  idleSettleMs: 2000,
  /** tandem unloads a room 1 s after its last client (ROOM_UNLOAD_GRACE_MS in the bench). */
  idleUnloadMs: 3000,
}

export const QUICK_SIZES: Sizes = {
  fanoutReaders: [2, 6],
  fanoutIntervalMs: 20,
  manyDocs: { documents: 4, clientsPerDocument: 3, minRate: 2, maxRate: 8 },
  idleClients: 12,
  coldJoin: { sequential: 2, simultaneous: 6 },
  presence: { clients: [6], movesPerSecond: 2, probes: 2 },
  bigJoin: { megabytes: [0.1], joiners: 6, timeoutMs: 60_000 },
  editors: { steps: [20, 40], clientsPerDocument: 5, editsPerSecond: 1, caretsPerSecond: 1, p99LimitMs: 50 },
  warmupSeconds: 0.3,
  measureSeconds: 1,
  drainMs: 500,
  idleSettleMs: 500,
  idleUnloadMs: 1500,
}

/** Patches of the trace replayed in quick runs: enough to be a real document, fast to build. */
const QUICK_TRACE_PATCHES = 5000

/** Run r starts with the r-th server, so that no server always runs first (or last). */
function rotate<T>(items: readonly T[], by: number): T[] {
  const shift = by % items.length
  return [...items.slice(shift), ...items.slice(0, shift)]
}

export interface BenchOptions {
  sizes: Sizes
  runs: number
  scenarios: readonly ScenarioName[]
  log: (message: string) => void
  /** Restricts the servers (tests); the floor runs only where a scenario has it. */
  servers?: readonly ServerName[]
  tracePath?: string
  traceMaxPatches?: number
  hooks?: ProbeHooks
  /** Another copy of tandem's server/main.ts to benchmark as `tandem`. */
  tandemEntry?: string
}

/** Runs the chosen scenarios and returns every run's figures. */
export async function runBench(
  options: BenchOptions,
): Promise<Omit<BenchResults, 'machine' | 'command' | 'startedAt' | 'durationSeconds'>> {
  const { sizes, runs, log } = options
  await buildAll(options.tandemEntry)
  const workers: LoadWorker[] = []
  // Each scenario gets fresh load processes: ones that carried a thousand idle clients before were
  // slower to receive, which lengthened the cold joins of the fastest server most.
  const freshWorkers = (): void => {
    for (const worker of workers.splice(0)) worker.stop()
    workers.push(new LoadWorker('writer'), new LoadWorker('load-1'), new LoadWorker('load-2'))
  }
  const context: ScenarioContext = { sizes, workers, startOptions: () => ({}), log, hooks: options.hooks }
  const allowed = (names: ServerName[]): ServerName[] => names.filter((name) => options.servers?.includes(name) ?? true)
  const withFloor = allowed(['tandem', 'hocuspocus', 'y-websocket', 'floor'])
  // Fan-out and many documents also run the floor sending through `ws.send` (`floor-ws`).
  const withFloors = allowed(['tandem', 'hocuspocus', 'y-websocket', 'floor', 'floor-ws'])
  const withoutFloor = allowed(['tandem', 'hocuspocus', 'y-websocket'])
  // The join storm runs the join floor, a server that hands joiners the bytes it received.
  const withJoinFloor = allowed(['tandem', 'hocuspocus', 'y-websocket', 'floor-join'])
  // Presence runs the presence floor, a server that batches carets as tandem does and does nothing else.
  const withPresenceFloor = allowed(['tandem', 'hocuspocus', 'y-websocket', 'floor-presence'])
  const results: Omit<BenchResults, 'machine' | 'command' | 'startedAt' | 'durationSeconds'> = {
    sizes,
    runs,
    fanout: [],
    manyDocs: [],
    idle: [],
    coldJoin: [],
    presence: [],
    bigJoin: [],
    bigJoinFloor: [],
    editors: [],
  }
  try {
    if (options.scenarios.includes('fanout')) {
      freshWorkers()
      for (const readers of sizes.fanoutReaders) {
        for (let run = 0; run < runs; run++) {
          for (const name of rotate(withFloors, run)) {
            const result = await runFanout(context, name, readers)
            log(
              `fanout ${readers} readers, run ${run + 1}, ${name}: p50 ${result.p50Ms.toFixed(2)} ms, p99 ${result.p99Ms.toFixed(2)} ms, ${result.cpuPerUpdateUs.toFixed(1)} µs CPU/update, delivered ${(result.deliveredShare * 100).toFixed(1)}%`,
            )
            results.fanout.push(result)
          }
        }
      }
    }
    if (options.scenarios.includes('manydocs')) {
      freshWorkers()
      for (let run = 0; run < runs; run++) {
        for (const name of rotate(withFloors, run)) {
          const result = await runManyDocs(context, name)
          log(
            `many documents, run ${run + 1}, ${name}: ${result.deliveredPerSecond.toFixed(0)} updates/s, ${result.cpuPerUpdateUs.toFixed(1)} µs CPU/update, p99 ${result.p99Ms.toFixed(2)} ms`,
          )
          results.manyDocs.push(result)
        }
      }
    }
    if (options.scenarios.includes('idle')) {
      freshWorkers()
      for (let run = 0; run < runs; run++) {
        for (const name of rotate(withoutFloor, run)) {
          const result = await runIdle(context, name)
          log(
            `idle, run ${run + 1}, ${name}: ${result.perConnectionKb.toFixed(1)} KiB/connection, ${result.perRoomKb.toFixed(1)} KiB/room, ${result.afterDisconnectMb.toFixed(1)} MiB after disconnect`,
          )
          results.idle.push(result)
        }
      }
    }
    if (options.scenarios.includes('coldjoin')) {
      freshWorkers()
      const tracePath = options.tracePath ?? TRACE_PATH
      const trace =
        options.traceMaxPatches === undefined
          ? loadTraceDocument(tracePath, workDir)
          : replayTrace(tracePath, options.traceMaxPatches)
      // A burst has no warm-up of its own: without this discarded round, the load processes would
      // compile their joining code during the first server's burst, which is always tandem's.
      const [warmUp] = withoutFloor.slice(-1)
      if (warmUp !== undefined) {
        await runColdJoin(context, warmUp, trace)
        log(`cold join, warm-up round against ${warmUp} (discarded)`)
      }
      for (let run = 0; run < runs; run++) {
        for (const name of rotate(withoutFloor, run)) {
          const result = await runColdJoin(context, name, trace)
          log(
            `cold join, run ${run + 1}, ${name}: sequential ${result.sequentialMedianMs.toFixed(1)} ms, 150 at once p99 ${result.simultaneousP99Ms.toFixed(1)} ms, peak ${result.peakRssMb.toFixed(0)} MiB`,
          )
          results.coldJoin.push(result)
        }
      }
    }
    if (options.scenarios.includes('presence')) {
      freshWorkers()
      for (const clients of sizes.presence.clients) {
        for (let run = 0; run < runs; run++) {
          for (const name of rotate(withPresenceFloor, run)) {
            const result = await runPresence(context, name, clients)
            log(
              `presence ${clients} clients, run ${run + 1}, ${name}: ${result.cpuPerEntryUs.toFixed(2)} µs CPU/entry, delivered ${(result.deliveredShare * 100).toFixed(1)}%, p99 ${result.p99Ms.toFixed(1)} ms, ${result.sentMbPerSecond.toFixed(1)} MiB/s`,
            )
            results.presence.push(result)
          }
        }
      }
    }
    if (options.scenarios.includes('bigjoin')) {
      for (const megabytes of sizes.bigJoin.megabytes) {
        log(`join storm: building (or reading the cached) ${megabytes} MB document`)
        const bytes = Math.round(megabytes * 2 ** 20)
        const big = loadBigDocument(options.tracePath ?? TRACE_PATH, bytes, workDir)
        const floor = await measureDocFloor(bigDocumentPath(workDir, bytes), megabytes)
        log(
          `join storm ${megabytes} MB: a process holding only the document keeps ${floor.rssMb.toFixed(0)} MiB resident`,
        )
        results.bigJoinFloor?.push(floor)
        for (let run = 0; run < runs; run++) {
          for (const name of rotate(withJoinFloor, run)) {
            // Fresh load processes each run: a storm leaves hundreds of megabytes in them.
            freshWorkers()
            const result = await runBigJoin(
              context,
              name,
              big,
              megabytes,
              sizes.bigJoin.joiners,
              sizes.bigJoin.timeoutMs,
            )
            log(
              `join storm ${result.documentMb.toFixed(1)} MiB, run ${run + 1}, ${name}: p50 ${result.p50Ms.toFixed(0)} ms, p99 ${result.p99Ms.toFixed(0)} ms, max ${result.maxMs.toFixed(0)} ms, ${result.failed} failed${result.errors.length > 0 ? ` (${result.errors.join('; ')})` : ''}, peak ${result.peakRssMb.toFixed(0)} MiB`,
            )
            results.bigJoin?.push(result)
          }
        }
      }
    }
    if (options.scenarios.includes('editors')) {
      // One climb per server (a step is minutes of sockets): up the ladder until a step fails. The
      // floor shows how many editors this machine can relay at all.
      for (const name of withFloor) {
        for (const editors of sizes.editors.steps) {
          freshWorkers()
          const result = await runEditors(context, name, editors)
          log(
            `editors ${result.editors}, ${name}: p50 ${result.p50Ms.toFixed(1)} ms, p99 ${result.p99Ms.toFixed(1)} ms, delivered ${(result.deliveredShare * 100).toFixed(1)}%, server ${result.serverCpuShare.toFixed(2)} cores, load processes ${result.loadCpuShare.toFixed(2)} cores, opened in ${result.openSeconds.toFixed(0)} s`,
          )
          results.editors?.push(result)
          if (!editorsStepPassed(result, sizes.editors.p99LimitMs)) break
        }
      }
    }
  } finally {
    for (const worker of workers) worker.stop()
  }
  return results
}

type PartialResults = Omit<BenchResults, 'machine' | 'command' | 'startedAt' | 'durationSeconds'>

/** A partial run keeps the other scenarios of the last full results. */
function mergeWithPrevious(path: string, results: PartialResults, scenarios: readonly ScenarioName[]): PartialResults {
  if (scenarios.length === SCENARIOS.length || !existsSync(path)) return results
  const previous = JSON.parse(readFileSync(path, 'utf8')) as BenchResults
  return {
    ...results,
    fanout: scenarios.includes('fanout') ? results.fanout : previous.fanout,
    manyDocs: scenarios.includes('manydocs') ? results.manyDocs : previous.manyDocs,
    idle: scenarios.includes('idle') ? results.idle : previous.idle,
    coldJoin: scenarios.includes('coldjoin') ? results.coldJoin : previous.coldJoin,
    presence: scenarios.includes('presence') ? results.presence : (previous.presence ?? []),
    bigJoin: scenarios.includes('bigjoin') ? results.bigJoin : (previous.bigJoin ?? []),
    editors: scenarios.includes('editors') ? results.editors : (previous.editors ?? []),
  }
}

const PROFILE_DIR = `${workDir}/profiles`

function profileHooks(): ProbeHooks {
  mkdirSync(PROFILE_DIR, { recursive: true })
  return {
    beginWindow: async (server) => {
      await server.startProfile()
    },
    endWindow: async (server, label) => {
      await server.stopProfile(`${PROFILE_DIR}/${label}.cpuprofile`)
    },
    loaded: async (server, label) => {
      await server.heapSnapshot(`${PROFILE_DIR}/${label}.heapsnapshot`)
    },
  }
}

function summariseProfiles(clientsPerSnapshot: number): string {
  const parts = ['# Profiles', '']
  for (const file of readdirSync(PROFILE_DIR).sort()) {
    const path = `${PROFILE_DIR}/${file}`
    if (file.endsWith('.cpuprofile')) {
      parts.push(cpuSummaryMarkdown(file, summariseCpuProfile(JSON.parse(readFileSync(path, 'utf8')))), '')
    } else if (file.endsWith('.heapsnapshot')) {
      parts.push(
        heapSummaryMarkdown(file, summariseHeapSnapshot(JSON.parse(readFileSync(path, 'utf8'))), clientsPerSnapshot),
        '',
      )
    }
  }
  return parts.join('\n')
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      scenario: { type: 'string', multiple: true },
      runs: { type: 'string' },
      servers: { type: 'string' },
      'no-write': { type: 'boolean', default: false },
      profile: { type: 'boolean', default: false },
      'tandem-entry': { type: 'string' },
      'join-mb': { type: 'string' },
      'presence-clients': { type: 'string' },
      'presence-echo': { type: 'boolean', default: false },
      'presence-tick': { type: 'string' },
    },
  })
  const quick = values.quick === true
  const profile = values.profile === true
  const scenarios = (values.scenario ?? (profile ? ['fanout', 'manydocs', 'idle', 'coldjoin'] : [...SCENARIOS]))
    .flatMap((value) => value.split(','))
    .map((value) => value.trim().toLowerCase())
  for (const scenario of scenarios) {
    if (!(SCENARIOS as readonly string[]).includes(scenario))
      throw new Error(`unknown scenario ${scenario}; one of ${SCENARIOS.join(', ')}`)
  }
  const servers = values.servers?.split(',').map((value) => value.trim()) ?? (profile ? ['tandem'] : undefined)
  for (const server of servers ?? []) {
    if (!(SERVER_NAMES as readonly string[]).includes(server))
      throw new Error(`unknown server ${server}; one of ${SERVER_NAMES.join(', ')}`)
  }
  const runs = values.runs === undefined ? (quick || profile ? 1 : 3) : Number(values.runs)
  if (!Number.isInteger(runs) || runs < 1) throw new Error('--runs must be a positive integer')
  const startedAt = new Date()
  const startLoad = loadavg()[0] ?? 0
  const log = (message: string): void => {
    const seconds = ((Date.now() - startedAt.getTime()) / 1000).toFixed(0).padStart(4)
    process.stdout.write(`[${seconds}s] ${message}\n`)
  }
  mkdirSync(workDir, { recursive: true })
  const base = quick ? QUICK_SIZES : FULL_SIZES
  const profiled = profile ? { ...base, fanoutReaders: [Math.max(...base.fanoutReaders)] } : base
  const joinMb = values['join-mb']?.split(',').map(Number)
  if (joinMb?.some((value) => !(value > 0))) throw new Error('--join-mb takes sizes in MB, e.g. 4 or 4,20')
  const presenceClients = values['presence-clients']?.split(',').map(Number)
  if (presenceClients?.some((value) => !Number.isInteger(value) || value < 2))
    throw new Error('--presence-clients takes client counts, e.g. 100 or 100,500')
  const echo = values['presence-echo'] === true
  const tickMs = values['presence-tick'] === undefined ? undefined : Number(values['presence-tick'])
  if (tickMs !== undefined && !(tickMs >= 0)) throw new Error('--presence-tick takes milliseconds, e.g. 15')
  const sizes: Sizes = {
    ...profiled,
    bigJoin: joinMb === undefined ? profiled.bigJoin : { ...profiled.bigJoin, megabytes: joinMb },
    presence: {
      ...profiled.presence,
      ...(presenceClients === undefined ? {} : { clients: presenceClients }),
      echo,
      ...(tickMs === undefined ? {} : { tickMs }),
    },
  }
  const results = await runBench({
    sizes,
    runs,
    scenarios: scenarios as ScenarioName[],
    servers: servers as ServerName[] | undefined,
    log,
    traceMaxPatches: quick ? QUICK_TRACE_PATCHES : undefined,
    hooks: profile ? profileHooks() : undefined,
    tandemEntry: values['tandem-entry'],
  })
  if (profile) {
    writeFileSync(`${PROFILE_DIR}/summary.md`, summariseProfiles(sizes.idleClients))
    log(`profiles and their summary: ${PROFILE_DIR}/summary.md`)
    return
  }
  const exploratory =
    quick ||
    servers !== undefined ||
    joinMb !== undefined ||
    presenceClients !== undefined ||
    echo ||
    tickMs !== undefined ||
    values['tandem-entry'] !== undefined ||
    values['no-write'] === true
  const resultsPath = exploratory ? `${workDir}/results-partial.json` : `${projectRoot}bench/results/latest.json`
  const full: BenchResults = {
    ...mergeWithPrevious(resultsPath, results, scenarios as ScenarioName[]),
    machine: machineInfo(startLoad),
    command: ['npm run bench', ...(process.argv.length > 2 ? ['--', ...process.argv.slice(2)] : [])].join(' '),
    startedAt: startedAt.toISOString(),
    durationSeconds: (Date.now() - startedAt.getTime()) / 1000,
  }
  mkdirSync(resultsPath.replace(/\/[^/]+$/, ''), { recursive: true })
  writeFileSync(resultsPath, `${JSON.stringify(full, null, 2)}\n`)
  log(`raw results: ${resultsPath}`)
  if (!exploratory) {
    writeReport(full, projectRoot)
    log('wrote docs/benchmarks.md and its charts (docs/benchmarks-*.svg)')
  }
}

if (process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].replace(/^.*\//, '/'))) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
    process.exit(1)
  })
}
