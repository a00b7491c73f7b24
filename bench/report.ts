/**
 * Turns benchmark results into the tables of docs/benchmarks.md (between two markers, so the
 * hand-written analysis around them survives a rerun) and latency charts in SVG: fan-out against
 * readers, presence against clients, the join storm against document size, the editor ladder.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, release, totalmem } from 'node:os'
import type { BigJoinRun, DocFloor } from './scenarios/bigJoin'
import type { ColdJoinRun } from './scenarios/coldJoin'
import type { Sizes } from './scenarios/context'
import type { FanoutRun } from './scenarios/fanout'
import { type EditorsRun, editorsStepPassed } from './scenarios/editors'
import type { IdleRun } from './scenarios/idle'
import type { ManyDocsRun } from './scenarios/manyDocs'
import type { PresenceRun } from './scenarios/presence'
import { PEERS, SERVER_NAMES, type ServerName } from './servers'
import { median } from './stats'

export interface Machine {
  cpu: string
  cores: number
  memoryGb: number
  node: string
  kernel: string
  /** 1-minute load average when the run started and ended: other work on the machine skews results. */
  loadAverage?: { start: number; end: number }
}

export interface BenchResults {
  machine: Machine
  command: string
  startedAt: string
  durationSeconds: number
  sizes: Sizes
  runs: number
  fanout: FanoutRun[]
  manyDocs: ManyDocsRun[]
  idle: IdleRun[]
  coldJoin: ColdJoinRun[]
  /** Absent in results from before the scenario existed. */
  presence: PresenceRun[]
  /** Absent in results from before these scenarios existed. */
  bigJoin?: BigJoinRun[]
  /** A process holding only the document, per size (absent before it was measured). */
  bigJoinFloor?: DocFloor[]
  editors?: EditorsRun[]
}

export function machineInfo(startLoad: number): Machine {
  const all = cpus()
  return {
    cpu: all[0]?.model ?? 'unknown',
    cores: all.length,
    memoryGb: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    kernel: release(),
    loadAverage: { start: startLoad, end: loadavg()[0] ?? 0 },
  }
}

export const RESULTS_START = '<!-- bench:results:start -->'
export const RESULTS_END = '<!-- bench:results:end -->'

type Numeric<T> = { [K in keyof T]: T[K] extends number ? K : never }[keyof T]

interface Column<T> {
  title: string
  key: Numeric<T>
  digits: number
  /** Higher is better (throughput); the ratio's best peer is then the highest. */
  higherIsBetter?: boolean
  /** Shown as a percentage of the value. */
  percent?: boolean
}

function medianOf<T extends { server: ServerName }>(runs: T[], server: ServerName, key: Numeric<T>): number {
  return median(runs.filter((run) => run.server === server).map((run) => run[key] as number))
}

function format(value: number, digits: number, percent = false): string {
  if (!Number.isFinite(value)) return '–'
  return percent ? `${(value * 100).toFixed(digits)} %` : value.toFixed(digits)
}

/** The better of the two peers' medians, for one column (NaN when neither ran). */
function bestPeer<T extends { server: ServerName }>(runs: T[], column: Column<T>): number {
  const peers = PEERS.map((peer) => medianOf(runs, peer, column.key)).filter((value) => Number.isFinite(value))
  if (peers.length === 0) return Number.NaN
  return column.higherIsBetter === true ? Math.max(...peers) : Math.min(...peers)
}

/** tandem ÷ the better of the two peers, for one column. */
export function ratioToBestPeer<T extends { server: ServerName }>(runs: T[], column: Column<T>): number {
  return medianOf(runs, 'tandem', column.key) / bestPeer(runs, column)
}

function table<T extends { server: ServerName }>(runs: T[], columns: Column<T>[]): string {
  const servers = SERVER_NAMES.filter((server) => runs.some((run) => run.server === server))
  const lines = [
    `| server | ${columns.map((column) => column.title).join(' | ')} |`,
    `|---|${columns.map(() => '---:').join('|')}|`,
  ]
  for (const server of servers) {
    lines.push(
      `| ${server} | ${columns.map((column) => format(medianOf(runs, server, column.key), column.digits, column.percent)).join(' | ')} |`,
    )
  }
  if (servers.includes('tandem') && PEERS.some((peer) => servers.includes(peer))) {
    lines.push(
      `| **tandem ÷ best peer** | ${columns.map((column) => `**${format(ratioToBestPeer(runs, column), 2)}**`).join(' | ')} |`,
    )
  }
  return lines.join('\n')
}

const FANOUT_COLUMNS: Column<FanoutRun>[] = [
  { title: 'p50 latency (ms)', key: 'p50Ms', digits: 2 },
  { title: 'p99 latency (ms)', key: 'p99Ms', digits: 2 },
  { title: 'server CPU per delivered update (µs)', key: 'cpuPerUpdateUs', digits: 2 },
  { title: 'server CPU (share of a core)', key: 'cpuShare', digits: 0, percent: true },
  { title: 'peak RSS (MiB)', key: 'peakRssMb', digits: 1 },
  { title: 'delivered', key: 'deliveredShare', digits: 1, percent: true, higherIsBetter: true },
]

const PRESENCE_COLUMNS: Column<PresenceRun>[] = [
  { title: 'server CPU per delivered caret (µs)', key: 'cpuPerEntryUs', digits: 3 },
  { title: 'server CPU (share of a core)', key: 'cpuShare', digits: 0, percent: true },
  { title: 'delivered', key: 'deliveredShare', digits: 1, percent: true, higherIsBetter: true },
  { title: 'p50 latency (ms)', key: 'p50Ms', digits: 1 },
  { title: 'p99 latency (ms)', key: 'p99Ms', digits: 1 },
  { title: 'sent (MiB/s)', key: 'sentMbPerSecond', digits: 1 },
  { title: 'peak RSS (MiB)', key: 'peakRssMb', digits: 1 },
  { title: 'load processes CPU (cores)', key: 'loadCpuShare', digits: 2 },
]

const MANY_COLUMNS: Column<ManyDocsRun>[] = [
  { title: 'delivered updates/s', key: 'deliveredPerSecond', digits: 0, higherIsBetter: true },
  { title: 'server CPU (share of a core)', key: 'cpuShare', digits: 0, percent: true },
  { title: 'server CPU per delivered update (µs)', key: 'cpuPerUpdateUs', digits: 2 },
  { title: 'p50 latency (ms)', key: 'p50Ms', digits: 2 },
  { title: 'p99 latency (ms)', key: 'p99Ms', digits: 2 },
  { title: 'peak RSS (MiB)', key: 'peakRssMb', digits: 1 },
  { title: 'delivered', key: 'deliveredShare', digits: 1, percent: true, higherIsBetter: true },
]

const IDLE_COLUMNS: Column<IdleRun>[] = [
  { title: 'RSS per connection (KiB)', key: 'perConnectionKb', digits: 1 },
  { title: 'RSS per room (KiB)', key: 'perRoomKb', digits: 1 },
  { title: 'RSS per room + its client (KiB)', key: 'perRoomAndConnectionKb', digits: 1 },
  { title: 'JS heap per connection (KiB)', key: 'heapPerConnectionKb', digits: 1 },
  { title: 'JS heap per room + client (KiB)', key: 'heapPerRoomAndConnectionKb', digits: 1 },
  { title: 'RSS before (MiB)', key: 'baselineMb', digits: 1 },
  { title: 'RSS with clients (MiB)', key: 'loadedMb', digits: 1 },
  { title: 'RSS after all left (MiB)', key: 'afterDisconnectMb', digits: 1 },
]

const COLD_COLUMNS: Column<ColdJoinRun>[] = [
  { title: 'loading the trace (ms)', key: 'loadMs', digits: 0 },
  { title: 'one joiner at a time: median (ms)', key: 'sequentialMedianMs', digits: 1 },
  { title: 'one at a time: p99 (ms)', key: 'sequentialP99Ms', digits: 1 },
  { title: 'simultaneous: p50 (ms)', key: 'simultaneousP50Ms', digits: 0 },
  { title: 'simultaneous: p99 (ms)', key: 'simultaneousP99Ms', digits: 0 },
  { title: 'simultaneous: server CPU (ms)', key: 'simultaneousCpuMs', digits: 0 },
  { title: 'peak RSS (MiB)', key: 'peakRssMb', digits: 1 },
  { title: 'RSS before (MiB)', key: 'rssBeforeMb', digits: 1 },
  { title: 'RSS added by the burst (MiB)', key: 'rssGrowthMb', digits: 1 },
]

const BIG_JOIN_COLUMNS: Column<BigJoinRun>[] = [
  { title: 'upload in 1 MiB pieces (ms)', key: 'loadMs', digits: 0 },
  { title: 'p50 to synced (ms)', key: 'p50Ms', digits: 0 },
  { title: 'p99 to synced (ms)', key: 'p99Ms', digits: 0 },
  { title: 'max (ms)', key: 'maxMs', digits: 0 },
  { title: 'failed joiners', key: 'failed', digits: 0 },
  { title: 'server CPU (ms)', key: 'cpuMs', digits: 0 },
  { title: 'RSS before (MiB)', key: 'rssBeforeMb', digits: 0 },
  { title: 'peak RSS (MiB)', key: 'peakRssMb', digits: 0 },
]

/** The editor ladder: one row per server and step (a step runs once). */
function editorsTable(runs: EditorsRun[], p99LimitMs: number): string {
  const lines = [
    '| server | editors | documents | p50 (ms) | p99 (ms) | delivered | server CPU (cores) | server peak RSS (MiB) | load processes CPU (cores) | load processes RSS (MiB) | p99 < limit |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|',
  ]
  for (const server of SERVER_NAMES) {
    for (const run of runs.filter((one) => one.server === server).sort((a, b) => a.editors - b.editors)) {
      lines.push(
        `| ${server} | ${run.editors} | ${run.documents} | ${format(run.p50Ms, 1)} | ${format(run.p99Ms, 1)} | ${format(run.deliveredShare, 1, true)} | ${format(run.serverCpuShare, 2)} | ${format(run.peakRssMb, 0)} | ${format(run.loadCpuShare, 2)} | ${format(run.loadRssMb, 0)} | ${editorsStepPassed(run, p99LimitMs) ? 'yes' : 'no'} |`,
      )
    }
  }
  return lines.join('\n')
}

/** The most editors a server served with p99 under the limit (0 if none). */
export function mostEditors(runs: EditorsRun[], server: ServerName, p99LimitMs: number): number {
  return Math.max(
    0,
    ...runs.filter((run) => run.server === server && editorsStepPassed(run, p99LimitMs)).map((run) => run.editors),
  )
}

/** Issue 16's presence targets: against the best peer at 500 clients, p99 ≤ 250 ms at 1,500. */
const PRESENCE_TARGET_CLIENTS = 500
const PRESENCE_LARGE_CLIENTS = 1500
const PRESENCE_LARGE_P99_MS = 250

interface Target {
  what: string
  ratio: number
  limit: number
  against: string
}

function column<T>(columns: Column<T>[], key: Numeric<T>): Column<T> {
  const found = columns.find((candidate) => candidate.key === key)
  if (found === undefined) throw new Error(`no column ${String(key)}`)
  return found
}

/**
 * Issue 16: CPU per delivered update against the floor (a relay doing no Yjs work; the best-peer
 * target is retired), and beside it, when measured, the same relay through `ws.send` — not a
 * target: what a server that keeps to `ws`'s API can reach at best.
 */
function againstFloor(
  runs: { server: ServerName; cpuPerUpdateUs: number }[],
  scenario: string,
  limit: number,
): Target[] {
  const floor = medianOf(runs, 'floor', 'cpuPerUpdateUs')
  const rows: Target[] = [
    {
      what: `server CPU per delivered update, ${scenario}`,
      ratio: medianOf(runs, 'tandem', 'cpuPerUpdateUs') / floor,
      limit,
      against: 'floor',
    },
  ]
  if (runs.some((run) => run.server === 'floor-ws')) {
    rows.push({
      what: `floor through \`ws.send\`: CPU per delivered update, ${scenario}`,
      ratio: medianOf(runs, 'floor-ws', 'cpuPerUpdateUs') / floor,
      limit,
      against: 'floor',
    })
  }
  return rows
}

export function targets(results: BenchResults): Target[] {
  const list: Target[] = []
  const largest = Math.max(...results.sizes.fanoutReaders)
  const fanoutLargest = results.fanout.filter((run) => run.readers === largest)
  if (fanoutLargest.length > 0) {
    list.push(...againstFloor(fanoutLargest, `fan-out ${largest} readers`, 1.15))
    list.push({
      what: `fan-out p99 latency at ${largest} readers`,
      ratio: ratioToBestPeer(fanoutLargest, column(FANOUT_COLUMNS, 'p99Ms')),
      limit: 1.0,
      against: 'best peer',
    })
  }
  if (results.manyDocs.length > 0) list.push(...againstFloor(results.manyDocs, 'many documents', 1.8))
  if (results.idle.length > 0) {
    // Parity: tandem speaks WebSockets through `ws` again, as the reference server does (issue 11).
    list.push({
      what: 'RSS per idle connection',
      ratio: ratioToBestPeer(results.idle, column(IDLE_COLUMNS, 'perConnectionKb')),
      limit: 1.0,
      against: 'best peer',
    })
  }
  if (results.coldJoin.length > 0) {
    list.push({
      what: 'cold join of the trace, one joiner at a time (median)',
      ratio: ratioToBestPeer(results.coldJoin, column(COLD_COLUMNS, 'sequentialMedianMs')),
      limit: 0.5,
      against: 'best peer',
    })
    list.push({
      what: `${results.sizes.coldJoin.simultaneous} simultaneous joiners, p99 time to synced`,
      ratio: ratioToBestPeer(results.coldJoin, column(COLD_COLUMNS, 'simultaneousP99Ms')),
      limit: 0.3,
      against: 'best peer',
    })
    list.push({
      what: `${results.sizes.coldJoin.simultaneous} simultaneous joiners, peak RSS`,
      ratio: ratioToBestPeer(results.coldJoin, column(COLD_COLUMNS, 'peakRssMb')),
      limit: 0.5,
      against: 'best peer',
    })
  }
  const presence = results.presence ?? []
  // Issue 16: the relative targets at 500 clients; at 1,500, a p99 of 250 ms at most.
  const large = presence.filter((run) => run.clients === PRESENCE_LARGE_CLIENTS)
  if (large.some((run) => run.server === 'tandem')) {
    list.push({
      what: `presence, ${PRESENCE_LARGE_CLIENTS} clients: p99 send-to-receipt`,
      ratio: medianOf(large, 'tandem', 'p99Ms') / PRESENCE_LARGE_P99_MS,
      limit: 1.0,
      against: `${PRESENCE_LARGE_P99_MS} ms`,
    })
  }
  if (large.some((run) => run.server === 'floor-presence')) {
    // Not a target: the same limit for a server that batches carets as tandem does and does nothing else.
    list.push({
      what: `presence, ${PRESENCE_LARGE_CLIENTS} clients: the presence floor (\`floor-presence\`), p99`,
      ratio: medianOf(large, 'floor-presence', 'p99Ms') / PRESENCE_LARGE_P99_MS,
      limit: 1.0,
      against: `${PRESENCE_LARGE_P99_MS} ms`,
    })
  }
  for (const clients of results.sizes.presence?.clients ?? []) {
    const runs = presence.filter((run) => run.clients === clients)
    if (runs.length === 0 || clients !== PRESENCE_TARGET_CLIENTS) continue
    list.push({
      what: `presence, ${clients} clients: server CPU per delivered caret`,
      ratio: ratioToBestPeer(runs, column(PRESENCE_COLUMNS, 'cpuPerEntryUs')),
      limit: 0.25,
      against: 'best peer',
    })
    list.push({
      what: `presence, ${clients} clients: p99 send-to-receipt`,
      ratio: ratioToBestPeer(runs, column(PRESENCE_COLUMNS, 'p99Ms')),
      limit: 1.0,
      against: 'best peer',
    })
    if (runs.some((run) => run.server === 'floor-presence')) {
      // Not targets: where both limits sit against a server that only batches and sends.
      for (const [key, limit, what] of [
        ['cpuPerEntryUs', 0.25, 'CPU per delivered caret'],
        ['p99Ms', 1.0, 'p99'],
      ] as const) {
        list.push({
          what: `presence, ${clients} clients: the presence floor (\`floor-presence\`), ${what}`,
          ratio: medianOf(runs, 'floor-presence', key) / bestPeer(runs, column(PRESENCE_COLUMNS, key)),
          limit,
          against: 'best peer',
        })
      }
    }
  }
  for (const megabytes of results.sizes.bigJoin?.megabytes ?? []) {
    const runs = (results.bigJoin ?? []).filter((run) => run.targetMb === megabytes)
    if (runs.length === 0) continue
    list.push({
      what: `${megabytes} MB document, ${results.sizes.bigJoin.joiners} simultaneous joiners: p99 to synced`,
      ratio: ratioToBestPeer(runs, column(BIG_JOIN_COLUMNS, 'p99Ms')),
      limit: 0.1,
      against: 'best peer',
    })
    if (runs.some((run) => run.server === 'floor-join')) {
      // Not a target: where the p99 limit sits against a server that only hands out the bytes.
      list.push({
        what: `${megabytes} MB document: the join floor (\`floor-join\`), p99 to synced`,
        ratio: medianOf(runs, 'floor-join', 'p99Ms') / bestPeer(runs, column(BIG_JOIN_COLUMNS, 'p99Ms')),
        limit: 0.1,
        against: 'best peer',
      })
    }
    list.push({
      what: `${megabytes} MB document, ${results.sizes.bigJoin.joiners} simultaneous joiners: peak RSS`,
      ratio: ratioToBestPeer(runs, column(BIG_JOIN_COLUMNS, 'peakRssMb')),
      limit: 0.5,
      against: 'best peer',
    })
    const floor = results.bigJoinFloor?.find((one) => one.targetMb === megabytes)
    if (floor !== undefined) {
      // Not a target: where the peak-RSS limit sits against a process holding only the document.
      list.push({
        what: `${megabytes} MB document: a process holding only the document, RSS`,
        ratio: floor.rssMb / bestPeer(runs, column(BIG_JOIN_COLUMNS, 'peakRssMb')),
        limit: 0.5,
        against: "best peer's peak",
      })
    }
  }
  const editors = results.editors ?? []
  if (editors.length > 0) {
    const limitMs = results.sizes.editors.p99LimitMs
    const bestPeer = Math.max(...PEERS.map((peer) => mostEditors(editors, peer, limitMs)))
    list.push({
      what: `most editors served with p99 < ${limitMs} ms, the best peer's`,
      ratio: bestPeer / mostEditors(editors, 'tandem', limitMs),
      limit: 0.5,
      against: "tandem's",
    })
  }
  return list
}

export function renderResults(results: BenchResults): string {
  const { machine, sizes } = results
  const parts: string[] = []
  parts.push(
    `Measured ${results.startedAt.slice(0, 16).replace('T', ' ')} UTC on ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGb} GiB RAM, ` +
      `Node ${machine.node}, Linux ${machine.kernel}. Command: \`${results.command}\` (${Math.round(results.durationSeconds / 60)} min). ` +
      (machine.loadAverage === undefined
        ? ''
        : `Load average (1 min) of the machine: ${machine.loadAverage.start.toFixed(1)} at the start, ${machine.loadAverage.end.toFixed(1)} at the end. `) +
      `Every figure is the median of ${results.runs} runs (the editor ladder: one run per step); servers alternate run by run; each run starts a fresh server process.`,
  )
  parts.push('### Targets (tandem ÷ best peer, or ÷ floor)')
  parts.push(
    '`floor` frames each message once and writes it to the sockets behind `ws`\'s back; `floor-ws` is the same relay sending through `ws.send`, as tandem and the peers do. `floor-join` hands joiners the update frames it received and nothing else; `floor-presence` batches carets as tandem does (same tick) and does nothing else. The `floor through ws.send`, join floor, presence floor and "process holding only the document" rows are not targets: they show where a target sits against what a server that does no Yjs work reaches with `ws`\'s API, or what holding the document alone takes.',
  )
  parts.push(
    ['| target | ratio | limit | met? |', '|---|---:|---:|---|']
      .concat(
        targets(results).map(
          (target) =>
            `| ${target.what} (÷ ${target.against}) | ${format(target.ratio, 2)} | ≤ ${target.limit.toFixed(Number.isInteger(target.limit * 10) ? 1 : 2)} | ${target.ratio <= target.limit ? 'met' : '**not met**'} |`,
        ),
      )
      .join('\n'),
  )
  if (results.fanout.length > 0) {
    parts.push(`### 1 and 5. Fan-out: one writer, N readers, an edit every ${sizes.fanoutIntervalMs} ms`)
    parts.push('![p99 and p50 latency against readers](benchmarks-latency.svg)')
    for (const readers of sizes.fanoutReaders) {
      const runs = results.fanout.filter((run) => run.readers === readers)
      if (runs.length === 0) continue
      parts.push(`**${readers} readers**\n\n${table(runs, FANOUT_COLUMNS)}`)
    }
  }
  if (results.manyDocs.length > 0) {
    const { documents, clientsPerDocument, minRate, maxRate } = sizes.manyDocs
    parts.push(
      `### 2. Many documents: ${documents} documents × ${clientsPerDocument} clients, each editing ${minRate}–${maxRate} times a second`,
    )
    parts.push(table(results.manyDocs, MANY_COLUMNS))
  }
  if (results.idle.length > 0) {
    parts.push(
      `### 3. Idle memory: ${sizes.idleClients} clients on ${sizes.idleClients} small documents (and on one document)`,
    )
    parts.push(table(results.idle, IDLE_COLUMNS))
  }
  if (results.coldJoin.length > 0) {
    parts.push(
      `### 4. Cold join of the automerge-paper trace: ${sizes.coldJoin.sequential} joiners one after another, then ${sizes.coldJoin.simultaneous} at once`,
    )
    parts.push(table(results.coldJoin, COLD_COLUMNS))
  }
  if ((results.presence ?? []).length > 0) {
    const { movesPerSecond, probes } = sizes.presence
    parts.push(
      `### 6. Presence: N clients in one document, each moving its caret ${movesPerSecond}× a second (~300-byte CollaborationCaret-shaped states; ${probes} probe clients time them)`,
      chartLink(PRESENCE_CHART),
    )
    for (const clients of sizes.presence.clients) {
      const runs = results.presence.filter((run) => run.clients === clients)
      if (runs.length > 0) parts.push(`**${clients} clients**\n\n${table(runs, PRESENCE_COLUMNS)}`)
    }
  }
  const bigJoin = results.bigJoin ?? []
  if (bigJoin.length > 0) {
    parts.push(
      `### 7. Join storm on big documents: ${sizes.bigJoin.joiners} clients opening a document built from many edits at the same moment`,
      chartLink(JOIN_CHART),
    )
    for (const megabytes of sizes.bigJoin.megabytes) {
      const runs = bigJoin.filter((run) => run.targetMb === megabytes)
      if (runs.length > 0) parts.push(`**${megabytes} MB**\n\n${table(runs, BIG_JOIN_COLUMNS)}`)
      const floor = results.bigJoinFloor?.find((one) => one.targetMb === megabytes)
      if (runs.length > 0 && floor !== undefined) {
        parts.push(
          `A Node.js process holding this document as a Y.Doc and nothing else (Yjs and \`ws\` loaded, after two full collections, \`bench/servers/docHolder.ts\`): ${format(floor.rssMb, 0)} MiB resident, ${format(floor.heapMb, 0)} MiB of JS heap.`,
        )
      }
    }
  }
  const editors = results.editors ?? []
  if (editors.length > 0) {
    const { clientsPerDocument, editsPerSecond, caretsPerSecond, p99LimitMs } = sizes.editors
    parts.push(
      `### 8. Many editors: documents × ${clientsPerDocument} clients, each editing ${editsPerSecond}× and moving its caret ${caretsPerSecond}× a second (a ladder, climbed per server until p99 reaches ${p99LimitMs} ms)`,
      chartLink(EDITORS_CHART),
    )
    parts.push(editorsTable(editors, p99LimitMs))
    parts.push(
      SERVER_NAMES.filter((server) => editors.some((run) => run.server === server))
        .map((server) => `${server}: ${mostEditors(editors, server, p99LimitMs)} editors with p99 < ${p99LimitMs} ms`)
        .join('; '),
    )
  }
  return parts.join('\n\n')
}

const COLORS: Record<ServerName, string> = {
  tandem: '#d9480f',
  hocuspocus: '#1c7ed6',
  'y-websocket': '#2f9e44',
  floor: '#868e96',
  'floor-ws': '#adb5bd',
  // One floor per chart at most besides fan-out's two, so the scenario floors share a darker grey.
  'floor-join': '#495057',
  'floor-presence': '#495057',
}

interface LatencyRun {
  server: ServerName
  p50Ms: number
  p99Ms: number
}

interface ChartSpec<T extends LatencyRun> {
  title: string
  /** What the x axis counts, and each run's value on it. */
  xLabel: string
  x: (run: T) => number
  /** A limit drawn across the chart, e.g. a target's p99. */
  limitMs?: number
}

/** Fan-out latency against readers. */
export function renderChart(runs: FanoutRun[]): string {
  return renderLatencyChart(runs, { title: 'Fan-out latency vs readers', xLabel: 'readers', x: (run) => run.readers })
}

/** The charts of issue 16's scenarios beside the fan-out one: file name and SVG, for those measured. */
export function scenarioCharts(results: BenchResults): { file: string; alt: string; svg: string }[] {
  const charts: { file: string; alt: string; svg: string }[] = []
  const add = <T extends LatencyRun>(chart: ScenarioChart, runs: T[], x: (run: T) => number, limitMs?: number) => {
    if (runs.length === 0) return
    const { file, alt, title, xLabel } = chart
    charts.push({ file, alt, svg: renderLatencyChart(runs, { title, xLabel, x, limitMs }) })
  }
  add(PRESENCE_CHART, results.presence ?? [], (run) => run.clients)
  add(JOIN_CHART, results.bigJoin ?? [], (run) => run.targetMb)
  add(EDITORS_CHART, results.editors ?? [], (run) => run.editors, results.sizes.editors.p99LimitMs)
  return charts
}

/** The Markdown image of one of {@link scenarioCharts}. */
function chartLink(chart: ScenarioChart): string {
  return `![${chart.alt}](${chart.file})`
}

interface ScenarioChart {
  file: string
  alt: string
  title: string
  xLabel: string
}

const PRESENCE_CHART: ScenarioChart = {
  file: 'benchmarks-presence.svg',
  alt: 'p99 and p50 caret latency against clients in one document',
  title: 'Presence latency vs clients in one document',
  xLabel: 'clients',
}
const JOIN_CHART: ScenarioChart = {
  file: 'benchmarks-join.svg',
  alt: 'p99 and p50 time to synced of the simultaneous joiners against the document size',
  title: 'Join storm: time to synced vs document size',
  xLabel: 'document (MB)',
}
const EDITORS_CHART: ScenarioChart = {
  file: 'benchmarks-editors.svg',
  alt: 'p99 and p50 delivery latency against editors on the machine, with the p99 limit',
  title: 'Many editors: delivery latency vs editors',
  xLabel: 'editors',
}

/** Latency against `spec.x`, log–log, p99 solid and p50 dashed, one line per server. */
function renderLatencyChart<T extends LatencyRun>(runs: T[], spec: ChartSpec<T>): string {
  const width = 760
  const height = 440
  const margin = { left: 70, right: 170, top: 40, bottom: 55 }
  const xs = [...new Set(runs.map(spec.x))].sort((a, b) => a - b)
  const servers = SERVER_NAMES.filter((server) => runs.some((run) => run.server === server))
  const series = servers.flatMap((server) =>
    (['p99Ms', 'p50Ms'] as const).map((key) => ({
      server,
      key,
      // A median of no runs is NaN, left out when drawn: a ladder stops at a server's first failed step.
      points: xs.map((count) => ({
        x: count,
        y: median(runs.filter((run) => run.server === server && spec.x(run) === count).map((run) => run[key])),
      })),
    })),
  )
  const values = [...series.flatMap((line) => line.points.map((point) => point.y)), spec.limitMs ?? Number.NaN].filter(
    (value) => Number.isFinite(value) && value > 0,
  )
  const low = 10 ** Math.floor(Math.log10(Math.min(...values, 1)))
  const high = 10 ** Math.ceil(Math.log10(Math.max(...values, 1)))
  const minX = Math.min(...xs)
  const maxX = Math.max(...xs)
  const x = (value: number): number =>
    margin.left +
    (maxX === minX ? 0.5 : Math.log10(value / minX) / Math.log10(maxX / minX)) * (width - margin.left - margin.right)
  const y = (value: number): number =>
    height - margin.bottom - (Math.log10(value / low) / Math.log10(high / low)) * (height - margin.top - margin.bottom)
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<title>${spec.title}</title>`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="${margin.left}" y="22" font-size="15" font-weight="bold">${spec.title} (log–log; solid p99, dashed p50)</text>`,
  ]
  for (let decade = low; decade <= high * 1.0001; decade *= 10) {
    for (const step of [1, 2, 5]) {
      const value = decade * step
      if (value > high * 1.0001) continue
      out.push(
        `<line x1="${margin.left}" x2="${width - margin.right}" y1="${y(value)}" y2="${y(value)}" stroke="#e9ecef"/>`,
      )
      out.push(
        `<text x="${margin.left - 8}" y="${y(value) + 4}" text-anchor="end">${value >= 1 ? value.toFixed(0) : value.toPrecision(1)}</text>`,
      )
    }
  }
  for (const value of xs) {
    out.push(
      `<line x1="${x(value)}" x2="${x(value)}" y1="${margin.top}" y2="${height - margin.bottom}" stroke="#e9ecef"/>`,
    )
    out.push(`<text x="${x(value)}" y="${height - margin.bottom + 18}" text-anchor="middle">${value}</text>`)
  }
  out.push(
    `<text x="${(margin.left + width - margin.right) / 2}" y="${height - 12}" text-anchor="middle">${spec.xLabel}</text>`,
  )
  if (spec.limitMs !== undefined) {
    const at = y(spec.limitMs).toFixed(1)
    out.push(
      `<line x1="${margin.left}" x2="${width - margin.right}" y1="${at}" y2="${at}" stroke="#c92a2a" stroke-dasharray="2 3"/>`,
      `<text x="${margin.left + 4}" y="${Number(at) - 5}" fill="#c92a2a">limit ${spec.limitMs} ms</text>`,
    )
  }
  out.push(
    `<text transform="translate(18 ${(margin.top + height - margin.bottom) / 2}) rotate(-90)" text-anchor="middle">latency (ms)</text>`,
  )
  for (const line of series) {
    const points = line.points.filter((point) => Number.isFinite(point.y) && point.y > 0)
    if (points.length === 0) continue
    const dash = line.key === 'p50Ms' ? ' stroke-dasharray="5 4"' : ''
    out.push(
      `<polyline fill="none" stroke="${COLORS[line.server]}" stroke-width="2"${dash} points="${points.map((point) => `${x(point.x).toFixed(1)},${y(point.y).toFixed(1)}`).join(' ')}"/>`,
    )
    for (const point of points)
      out.push(
        `<circle cx="${x(point.x).toFixed(1)}" cy="${y(point.y).toFixed(1)}" r="3" fill="${COLORS[line.server]}"/>`,
      )
  }
  servers.forEach((server, index) => {
    const top = margin.top + 10 + index * 22
    out.push(
      `<line x1="${width - margin.right + 15}" x2="${width - margin.right + 45}" y1="${top}" y2="${top}" stroke="${COLORS[server]}" stroke-width="3"/>`,
    )
    out.push(`<text x="${width - margin.right + 52}" y="${top + 4}">${server}</text>`)
  })
  out.push('</svg>')
  return `${out.join('\n')}\n`
}

const SKELETON = `# Benchmarks

tandem side by side with Hocuspocus and the y-websocket reference server, on the same load, in
the same run. Rerun with \`npm run bench\` (see bench/run.ts for options).

## Results

${RESULTS_START}
${RESULTS_END}
`

/** Rewrites the generated block of docs/benchmarks.md and the charts beside it. */
export function writeReport(results: BenchResults, projectRoot: string): void {
  const path = `${projectRoot}docs/benchmarks.md`
  const current = existsSync(path) ? readFileSync(path, 'utf8') : SKELETON
  const start = current.indexOf(RESULTS_START)
  const end = current.indexOf(RESULTS_END)
  if (start === -1 || end === -1 || end < start)
    throw new Error(`${path} lost its ${RESULTS_START} / ${RESULTS_END} markers`)
  const next = `${current.slice(0, start + RESULTS_START.length)}\n${renderResults(results)}\n${current.slice(end)}`
  writeFileSync(path, next)
  if (results.fanout.length > 0) writeFileSync(`${projectRoot}docs/benchmarks-latency.svg`, renderChart(results.fanout))
  for (const chart of scenarioCharts(results)) writeFileSync(`${projectRoot}docs/${chart.file}`, chart.svg)
}
