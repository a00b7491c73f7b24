/**
 * The servers under test, each started in its own process so that its CPU and memory are its
 * own: tandem (bundled, default SQLite store in a temp directory), Hocuspocus and the y-websocket
 * reference server as they ship (in memory), and the floor relay.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { pathToFileURL } from 'node:url'
import { buildDir, builtPath, projectRoot, workDir } from './build'
import type { Target } from './load/wire'
import type { ProbeStats } from './servers/probe'

export const SERVER_NAMES = [
  'tandem',
  'hocuspocus',
  'y-websocket',
  'floor',
  'floor-ws',
  'floor-join',
  'floor-presence',
] as const
export type ServerName = (typeof SERVER_NAMES)[number]
export const PEERS: ServerName[] = ['hocuspocus', 'y-websocket']

export interface RunningServer {
  name: ServerName
  pid: number
  target: Target
  /** A document ready to be joined: created over REST for tandem, just a fresh name elsewhere. */
  createDocument(): Promise<string>
  stats(): Promise<ProbeStats>
  /** Forces two full garbage collections, then reports. */
  collectGarbage(): Promise<ProbeStats>
  /** Starts sampling the CPU (every `intervalUs`) until {@link stopProfile}. */
  startProfile(intervalUs?: number): Promise<ProbeStats>
  /** Writes the profile since {@link startProfile} to `path` (a `.cpuprofile`). */
  stopProfile(path: string): Promise<ProbeStats>
  heapSnapshot(path: string): Promise<ProbeStats>
  /**
   * CPU time (user + system, all threads) read from /proc, microseconds, 10 ms resolution: unlike
   * {@link stats}, it answers even while the server's event loop is saturated for minutes.
   */
  procCpuMicros(): number
  /** Resets the kernel's high-water mark of resident memory (VmHWM). */
  resetPeakRss(): void
  /** Peak resident memory since start or the last reset, bytes. */
  peakRss(): number
  stop(): Promise<void>
  output(): string
}

export interface StartOptions {
  /** Extra `node` flags, e.g. `--cpu-prof`. */
  nodeFlags?: string[]
  /** Extra environment, overriding the defaults below. */
  env?: Record<string, string>
  /** Another bundle to run in place of the server's own, for A/B experiments. */
  script?: string
}

/** Limits lifted so that the benchmark measures speed, not the abuse limits. */
const TANDEM_ENV = {
  HOST: '127.0.0.1',
  LOG_LEVEL: 'warn',
  MAX_MESSAGES_PER_SECOND: '100000',
  MAX_CONNECTIONS_PER_IP: '100000',
  // Handshakes in flight count as plain HTTP connections: three load processes open 96 at once.
  MAX_HTTP_CONNECTIONS_PER_IP: '100000',
  MAX_ROOMS_PER_IP: '100000',
  MAX_PAYLOAD_BYTES: String(64 * 1024 * 1024),
  MAX_BODY_BYTES: String(64 * 1024 * 1024),
  ROOM_UNLOAD_GRACE_MS: '1000',
}

/** Linux's USER_HZ, the unit of /proc/<pid>/stat times (100 on every common build). */
const CLOCK_TICKS_PER_SECOND = 100

function procStatus(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
  if (match?.[1] === undefined) throw new Error(`no ${field} for ${pid}`)
  return Number(match[1]) * 1024
}

interface ProbeReply {
  stats: ProbeStats
  ports: number[]
}

/** Asks the server's probe until it listens; servers bind port 0, so no other process can hold their port. */
async function listeningPort(
  child: ChildProcess,
  ports: () => Promise<ProbeReply>,
  output: () => string,
): Promise<number> {
  const deadline = Date.now() + 20_000
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`server exited before listening:\n${output()}`)
    const [port] = (await ports()).ports
    if (port !== undefined) return port
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  throw new Error(`server did not listen within 20 s:\n${output()}`)
}

export async function startServer(name: ServerName, options: StartOptions = {}): Promise<RunningServer> {
  let script: string
  let target: (port: number) => Target
  let dataDir: string | null = null
  let env: Record<string, string> = { PORT: '0' }
  switch (name) {
    case 'tandem':
      dataDir = mkdtempSync(`${workDir}/tandem-data-`)
      script = builtPath('tandem')
      target = (port) => ({ protocol: 'yws', wsBase: `ws://127.0.0.1:${port}/ws/` })
      env = { ...env, ...TANDEM_ENV, DATA_DIR: dataDir }
      break
    case 'hocuspocus':
      script = builtPath('hocuspocus')
      target = (port) => ({ protocol: 'hocuspocus', wsBase: `ws://127.0.0.1:${port}/` })
      break
    case 'y-websocket':
      script = `${projectRoot}node_modules/@y/websocket-server/src/server.js`
      target = (port) => ({ protocol: 'yws', wsBase: `ws://127.0.0.1:${port}/` })
      env = { ...env, HOST: '127.0.0.1' }
      break
    case 'floor':
    case 'floor-ws':
      script = builtPath('floor')
      target = (port) => ({ protocol: 'floor', wsBase: `ws://127.0.0.1:${port}/` })
      if (name === 'floor-ws') env = { ...env, FLOOR_SEND: 'ws' }
      break
    case 'floor-join':
      script = builtPath('joinFloor')
      target = (port) => ({ protocol: 'yws', wsBase: `ws://127.0.0.1:${port}/` })
      break
    case 'floor-presence':
      script = builtPath('presenceFloor')
      target = (port) => ({ protocol: 'yws', wsBase: `ws://127.0.0.1:${port}/` })
      break
  }
  const flags = ['--expose-gc', '--import', pathToFileURL(builtPath('probe')).href, ...(options.nodeFlags ?? [])]
  const child = spawn(process.execPath, [...flags, options.script ?? script], {
    cwd: buildDir,
    env: { PATH: process.env.PATH ?? '', NODE_ENV: 'production', ...env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  })
  let output = ''
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString()).slice(-20_000)
  }
  child.stdout?.on('data', keep)
  child.stderr?.on('data', keep)
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const pending = new Map<number, (reply: ProbeReply) => void>()
  let nextId = 0
  child.on('message', (message: Partial<ProbeReply> & { probeReply?: number }) => {
    if (message.probeReply === undefined || message.stats === undefined || message.ports === undefined) return
    pending.get(message.probeReply)?.({ stats: message.stats, ports: message.ports })
    pending.delete(message.probeReply)
  })
  const call = (probe: string, extra: object = {}): Promise<ProbeReply> =>
    new Promise((resolve, reject) => {
      const id = ++nextId
      pending.set(id, resolve)
      child.send({ probe, id, ...extra }, (error) => {
        if (error !== null) reject(error)
      })
    })

  const ask = async (probe: string, extra: object = {}): Promise<ProbeStats> => (await call(probe, extra)).stats
  const port = await listeningPort(
    child,
    () => call('ports'),
    () => output,
  )
  const pid = child.pid as number
  let documents = 0
  return {
    name,
    pid,
    target: target(port),
    async createDocument() {
      if (name !== 'tandem') return `doc-${++documents}`
      const response = await fetch(`http://127.0.0.1:${port}/api/docs`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ title: `bench ${++documents}` }),
      })
      if (response.status !== 201)
        throw new Error(`POST /api/docs answered ${response.status}: ${await response.text()}`)
      return ((await response.json()) as { id: string }).id
    },
    stats: () => ask('stats'),
    collectGarbage: () => ask('gc'),
    startProfile: (intervalUs = 200) => ask('profile-start', { intervalUs }),
    stopProfile: (path) => ask('profile-stop', { path }),
    heapSnapshot: (path) => ask('heap-snapshot', { path }),
    procCpuMicros() {
      // Fields 14 and 15 of /proc/<pid>/stat, after the parenthesised command name: utime, stime.
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      return ((Number(fields[11]) + Number(fields[12])) * 1e6) / CLOCK_TICKS_PER_SECOND
    },
    resetPeakRss() {
      writeFileSync(`/proc/${pid}/clear_refs`, '5')
    },
    peakRss: () => procStatus(pid, 'VmHWM'),
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM')
        const timer = setTimeout(() => child.kill('SIGKILL'), 8000)
        await exited
        clearTimeout(timer)
      }
      if (dataDir !== null) rmSync(dataDir, { recursive: true, force: true })
    },
    output: () => output,
  }
}
