import { describe, expect, it } from 'vitest'
import { type BenchResults, renderChart, renderResults, scenarioCharts, targets } from './report'
import type { EditorsRun } from './scenarios/editors'
import type { FanoutRun } from './scenarios/fanout'
import type { PresenceRun } from './scenarios/presence'
import { QUICK_SIZES } from './run'
import { median, percentile } from './stats'

function fanout(server: FanoutRun['server'], readers: number, p99Ms: number, cpuPerUpdateUs: number): FanoutRun {
  return {
    server,
    readers,
    p50Ms: p99Ms / 2,
    p99Ms,
    cpuPerUpdateUs,
    cpuShare: 0.1,
    peakRssMb: 60,
    delivered: 100,
    deliveredShare: 1,
    dropped: 0,
  }
}

const results: BenchResults = {
  machine: { cpu: 'test cpu', cores: 2, memoryGb: 8, node: 'v20', kernel: '6' },
  command: 'npm run bench',
  startedAt: '2025-01-01T00:00:00.000Z',
  durationSeconds: 60,
  sizes: { ...QUICK_SIZES, fanoutReaders: [10, 500] },
  runs: 3,
  fanout: [
    ...[4, 5, 6].map((p99) => fanout('tandem', 500, p99, 8)),
    ...[9, 10, 11].map((p99) => fanout('hocuspocus', 500, p99, 10)),
    ...[7, 8, 30].map((p99) => fanout('y-websocket', 500, p99, 12)),
    ...[1, 2, 3].map((p99) => fanout('floor', 500, p99, 4)),
    fanout('tandem', 10, 1, 50),
    fanout('hocuspocus', 10, 2, 60),
  ],
  manyDocs: [],
  idle: [],
  coldJoin: [],
  presence: [],
}

function editorsStep(server: EditorsRun['server'], editors: number, p99Ms: number): EditorsRun {
  return {
    server,
    editors,
    documents: editors / 5,
    p50Ms: p99Ms / 3,
    p99Ms,
    deliveredShare: 1,
    serverCpuShare: 0.5,
    peakRssMb: 100,
    loadCpuShare: 1,
    loadRssMb: 300,
    openSeconds: 3,
    dropped: 0,
  }
}

describe('report', () => {
  it('compares tandem with the better peer, medians first', () => {
    const [cpu, p99] = targets(results)
    // Fan-out CPU is compared with the floor (issue 16), latency with the better peer.
    expect(cpu?.ratio).toBeCloseTo(8 / 4)
    expect(p99?.ratio).toBeCloseTo(5 / 8)
    expect(renderResults(results)).not.toContain('Cold join')
  })

  it('marks targets met or not met', () => {
    const text = renderResults(results)
    expect(text).toMatch(/fan-out 500 readers \(÷ floor\) \| 2\.00 \| ≤ 1\.15 \| \*\*not met\*\*/)
    expect(text).toMatch(/p99 latency at 500 readers \(÷ best peer\) \| 0\.63 \| ≤ 1\.0 \| met/)
    expect(text).toContain('| **tandem ÷ best peer** |')
  })

  it('reads the editor ladder: the most editors under the p99 limit, against the best peer', () => {
    const ladder: BenchResults = {
      ...results,
      editors: [
        editorsStep('tandem', 1000, 5),
        editorsStep('tandem', 4000, 20),
        editorsStep('tandem', 6000, 80),
        editorsStep('hocuspocus', 1000, 30),
        editorsStep('hocuspocus', 2000, 60),
        editorsStep('y-websocket', 1000, 70),
      ],
    }
    const target = targets(ladder).find((one) => one.what.startsWith('most editors'))
    expect(target?.ratio).toBeCloseTo(1000 / 4000)
    const text = renderResults(ladder)
    expect(text).toContain('tandem: 4000 editors with p99 < 50 ms; hocuspocus: 1000 editors')
    expect(text).toContain('y-websocket: 0 editors')
  })

  it('draws one solid and one dashed line per server', () => {
    const svg = renderChart(results.fanout)
    expect(svg.match(/<polyline/g)).toHaveLength(8)
    expect(svg.match(/stroke-dasharray/g)).toHaveLength(4)
    expect(svg).toContain('>floor</text>')
  })
})

function presence(server: PresenceRun['server'], clients: number, p99Ms: number): PresenceRun {
  return {
    server,
    clients,
    cpuPerEntryUs: 1,
    cpuShare: 0.2,
    deliveredShare: 1,
    p50Ms: p99Ms / 2,
    p99Ms,
    sentMbPerSecond: 10,
    peakRssMb: 100,
    dropped: 0,
    loadCpuShare: 0.5,
  }
}

describe('charts of the issue-16 scenarios', () => {
  const measured: BenchResults = {
    ...results,
    presence: [
      presence('tandem', 100, 20),
      presence('tandem', 500, 60),
      presence('hocuspocus', 100, 10),
      presence('hocuspocus', 500, 30),
      presence('floor-presence', 100, 15),
      presence('floor-presence', 500, 55),
    ],
    editors: [editorsStep('tandem', 1000, 5), editorsStep('tandem', 2000, 80), editorsStep('hocuspocus', 1000, 70)],
  }

  it('draws presence against clients, with its floor, and the editor ladder up to the last step of each server, with the limit', () => {
    const charts = scenarioCharts(measured)
    expect(charts.map((chart) => chart.file)).toEqual(['benchmarks-presence.svg', 'benchmarks-editors.svg'])
    const [presenceChart, editorsChart] = charts.map((chart) => chart.svg)
    expect(presenceChart?.match(/<polyline/g)).toHaveLength(6)
    expect(presenceChart).toContain('>floor-presence</text>')
    expect(presenceChart).toContain('>clients</text>')
    expect(presenceChart).not.toContain('limit')
    // hocuspocus stopped at its first step: its lines hold one point each, not a point at 2,000.
    const hocuspocusLines = editorsChart?.match(/<polyline[^>]*stroke="#1c7ed6"[^>]*points="[^"]*"/g) ?? []
    expect(hocuspocusLines.map((line) => line.replace(/.*points="/, '').split(' ').length)).toEqual([1, 1])
    expect(editorsChart).toContain('limit 50 ms')
  })

  it('links each chart under its scenario', () => {
    const text = renderResults(measured)
    expect(text).toContain('(benchmarks-presence.svg)')
    expect(text).toContain('(benchmarks-editors.svg)')
    expect(text).not.toContain('(benchmarks-join.svg)')
  })
})

describe('stats', () => {
  it('takes nearest-rank percentiles and medians', () => {
    const samples = Array.from({ length: 100 }, (_, index) => index + 1)
    expect(percentile(samples, 50)).toBe(50)
    expect(percentile(samples, 99)).toBe(99)
    expect(median([3, 1, 2, Number.NaN])).toBe(2)
    expect(median([4, 1, 3, 2])).toBe(2.5)
  })
})
