/**
 * Reads the CPU profiles and heap snapshots the probe writes and says where the time and the
 * memory went: top functions by self time and by total time, time per package, and the heap's
 * largest object groups.
 */

interface CallFrame {
  functionName: string
  url: string
  lineNumber: number
}

interface ProfileNode {
  id: number
  callFrame: CallFrame
  children?: number[]
}

export interface CpuProfile {
  nodes: ProfileNode[]
  samples: number[]
  timeDeltas: number[]
}

export interface Share {
  name: string
  ms: number
  share: number
}

export interface CpuSummary {
  totalMs: number
  /** Time that was not idle. */
  busyMs: number
  self: Share[]
  total: Share[]
  byPackage: Share[]
}

function shortUrl(url: string): string {
  if (url === '') return ''
  const inModules = /node_modules\/((?:@[^/]+\/)?[^/]+)\/(.*)$/.exec(url)
  if (inModules !== null) return `${inModules[1]}/${inModules[2]}`
  if (url.startsWith('node:')) return url
  return url.replace(/^.*\//, '')
}

function packageOf(frame: CallFrame): string {
  if (frame.functionName === '(garbage collector)') return 'garbage collector'
  if (frame.functionName === '(idle)') return 'idle'
  if (frame.functionName === '(program)') return 'program (native, unattributed)'
  const inModules = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(frame.url)
  if (inModules?.[1] !== undefined) return inModules[1]
  if (frame.url.startsWith('node:')) return 'node internals'
  if (frame.url === '') return 'native (C++ bindings, e.g. sockets, SQLite)'
  return shortUrl(frame.url)
}

function keyOf(frame: CallFrame): string {
  const name = frame.functionName === '' ? '(anonymous)' : frame.functionName
  const url = shortUrl(frame.url)
  return url === '' ? name : `${name} (${url}:${frame.lineNumber + 1})`
}

const NOT_WORK = new Set(['(idle)', '(root)'])

function ranked(times: Map<string, number>, busyMs: number, limit: number): Share[] {
  return [...times]
    .sort((a, b) => b[1] - a[1])
    .slice(0, limit)
    .map(([name, ms]) => ({ name, ms, share: ms / busyMs }))
}

export function summariseCpuProfile(profile: CpuProfile, limit = 25): CpuSummary {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]))
  const parent = new Map<number, number>()
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id)
  const self = new Map<string, number>()
  const total = new Map<string, number>()
  const byPackage = new Map<string, number>()
  let totalMs = 0
  let busyMs = 0
  profile.samples.forEach((sample, index) => {
    const ms = (profile.timeDeltas[index + 1] ?? profile.timeDeltas[index] ?? 0) / 1000
    totalMs += ms
    const node = byId.get(sample)
    if (node === undefined || NOT_WORK.has(node.callFrame.functionName)) return
    busyMs += ms
    const key = keyOf(node.callFrame)
    self.set(key, (self.get(key) ?? 0) + ms)
    const pkg = packageOf(node.callFrame)
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + ms)
    const seen = new Set<string>()
    for (let id: number | undefined = sample; id !== undefined; id = parent.get(id)) {
      const frame = byId.get(id)?.callFrame
      if (frame === undefined || frame.functionName === '(root)') continue
      const frameKey = keyOf(frame)
      if (seen.has(frameKey)) continue
      seen.add(frameKey)
      total.set(frameKey, (total.get(frameKey) ?? 0) + ms)
    }
  })
  return {
    totalMs,
    busyMs,
    self: ranked(self, busyMs, limit),
    total: ranked(total, busyMs, limit),
    byPackage: ranked(byPackage, busyMs, 15),
  }
}

interface HeapSnapshot {
  snapshot: { meta: { node_fields: string[]; node_types: unknown[] } }
  nodes: number[]
  strings: string[]
}

export interface HeapGroup {
  name: string
  count: number
  bytes: number
}

/** Self sizes grouped by constructor (objects) or by kind (strings, code, arrays…). */
export function summariseHeapSnapshot(snapshot: HeapSnapshot, limit = 25): { totalBytes: number; groups: HeapGroup[] } {
  const fields = snapshot.snapshot.meta.node_fields
  const types = snapshot.snapshot.meta.node_types[0] as string[]
  const width = fields.length
  const typeAt = fields.indexOf('type')
  const nameAt = fields.indexOf('name')
  const sizeAt = fields.indexOf('self_size')
  const groups = new Map<string, HeapGroup>()
  let totalBytes = 0
  for (let offset = 0; offset < snapshot.nodes.length; offset += width) {
    const type = types[snapshot.nodes[offset + typeAt] as number] ?? 'unknown'
    const size = snapshot.nodes[offset + sizeAt] as number
    totalBytes += size
    const name =
      type === 'object' || type === 'closure'
        ? `${snapshot.strings[snapshot.nodes[offset + nameAt] as number]} (${type})`
        : `(${type})`
    const group = groups.get(name) ?? { name, count: 0, bytes: 0 }
    group.count++
    group.bytes += size
    groups.set(name, group)
  }
  return { totalBytes, groups: [...groups.values()].sort((a, b) => b.bytes - a.bytes).slice(0, limit) }
}

export function cpuSummaryMarkdown(title: string, summary: CpuSummary): string {
  const rows = (shares: Share[]): string =>
    shares
      .map(
        (share) =>
          `| ${share.name.replace(/\|/g, '\\|')} | ${share.ms.toFixed(0)} | ${(share.share * 100).toFixed(1)} % |`,
      )
      .join('\n')
  return [
    `#### ${title}`,
    `Profiled ${(summary.totalMs / 1000).toFixed(1)} s, busy ${(summary.busyMs / 1000).toFixed(1)} s (shares below are of busy time).`,
    '| by package | ms | share |\n|---|---:|---:|',
    rows(summary.byPackage),
    '',
    '| top self time | ms | share |\n|---|---:|---:|',
    rows(summary.self),
    '',
    '| top total time (self + callees) | ms | share |\n|---|---:|---:|',
    rows(summary.total),
  ].join('\n')
}

export function heapSummaryMarkdown(
  title: string,
  summary: { totalBytes: number; groups: HeapGroup[] },
  perUnit: number,
): string {
  return [
    `#### ${title}`,
    `Heap ${(summary.totalBytes / 2 ** 20).toFixed(1)} MiB; per client: ${(summary.totalBytes / perUnit / 1024).toFixed(1)} KiB.`,
    '| group | count | KiB | per client (bytes) |\n|---|---:|---:|---:|',
    summary.groups
      .map(
        (group) =>
          `| ${group.name.replace(/\|/g, '\\|')} | ${group.count} | ${(group.bytes / 1024).toFixed(0)} | ${(group.bytes / perUnit).toFixed(0)} |`,
      )
      .join('\n'),
  ].join('\n')
}
