/**
 * `npm start` as a supervisor runs it: one Node process under npm, which is the server, so the
 * supervisor's SIGTERM (sent to npm, which forwards it) shuts the server down gracefully and npm
 * exits with the server's code. POSIX only: npm runs scripts with `sh -c` there.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { readFileSync, readdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { type Server, type Socket, createConnection, createServer } from 'node:net'
import { fileURLToPath } from 'node:url'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { testRedisUrl, uniquePrefix } from '../server/test/redis'
import { tempDataDir } from '../server/test/server'
import { waitFor } from '../server/test/waitFor'
import { buildStale } from './build.mjs'

const projectRoot = fileURLToPath(new URL('..', import.meta.url))
const cleanups: Array<() => Promise<void> | void> = []

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

interface Exit {
  code: number | null
  signal: NodeJS.Signals | null
}

interface NpmStart {
  /** npm's pid; npm leads its own process group, as under a supervisor or a terminal. */
  pid: number
  url: string
  output(): string
  exited: Promise<Exit>
}

interface Watched {
  /** stdout and stderr so far, together. */
  output(): string
  exited: Promise<Exit>
  finished(): boolean
}

function watch(child: ChildProcess): Watched {
  let output = ''
  const collect = (chunk: Buffer): void => {
    output += chunk.toString()
  }
  child.stdout?.on('data', collect)
  child.stderr?.on('data', collect)
  let finished = false
  const exited = new Promise<Exit>((resolve) => {
    child.once('exit', (code, signal) => {
      finished = true
      resolve({ code, signal })
    })
  })
  return { output: () => output, exited, finished: () => finished }
}

/** The environment of a start on a fresh data directory (removed after the test), plus `env`. */
function startEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const dataDir = tempDataDir()
  cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }))
  return { ...process.env, PORT: '0', LOG_LEVEL: 'info', DATA_DIR: dataDir, ...env }
}

/** `node [nodeArgs] scripts/start.mjs`, what `npm start` runs, without npm; killed after the test. */
function startScript(nodeArgs: string[], env: Record<string, string>): Watched & { child: ChildProcess } {
  const child = spawn(process.execPath, [...nodeArgs, 'scripts/start.mjs'], {
    cwd: projectRoot,
    env: startEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  cleanups.push(() => void child.kill('SIGKILL'))
  return { child, ...watch(child) }
}

async function npmStart(env: Record<string, string>): Promise<NpmStart> {
  const child: ChildProcess = spawn('npm', ['start'], {
    cwd: projectRoot,
    env: startEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  })
  const pid = child.pid
  if (pid === undefined) throw new Error('npm did not start')
  // Whatever a failed assertion leaves behind goes with the group.
  cleanups.push(() => {
    try {
      process.kill(-pid, 'SIGKILL')
    } catch {
      // the group is gone already
    }
  })
  const { output, exited, finished } = watch(child)
  const url = await waitFor(
    () => {
      if (finished()) throw new Error(`npm start exited before listening:\n${output()}`)
      return /"url":"(http:\/\/[^"]+)"/.exec(output())?.[1]
    },
    { timeout: 20_000, what: 'npm start to listen' },
  )
  return { pid, url, output, exited }
}

interface ProcessInfo {
  pid: number
  args: string
}

/** Every process below `root`, children before grandchildren. */
function descendants(root: number): ProcessInfo[] {
  const rows = execFileSync('ps', ['-A', '-o', 'pid=,ppid=,args='], { encoding: 'utf8' })
    .split('\n')
    .map((line) => /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(line))
    .filter((match) => match !== null)
    .map(([, pid, ppid, args]) => ({ pid: Number(pid), ppid: Number(ppid), args: args ?? '' }))
  const found: ProcessInfo[] = []
  const parents = [root]
  for (let parent = parents.shift(); parent !== undefined; parent = parents.shift()) {
    for (const row of rows.filter((candidate) => candidate.ppid === parent)) {
      found.push({ pid: row.pid, args: row.args })
      parents.push(row.pid)
    }
  }
  return found
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

async function refusesConnections(url: string): Promise<boolean> {
  try {
    await fetch(`${url}/healthz`)
    return false
  } catch {
    return true
  }
}

/** A TCP proxy to the test Redis that, once frozen, stops forwarding but keeps every socket open. */
async function freezableRedis(): Promise<{ url: string; freeze(): void; close(): Promise<void> }> {
  const target = new URL(testRedisUrl())
  const sockets = new Set<Socket>()
  let frozen = false
  const server: Server = createServer((client) => {
    const redis = createConnection({ host: target.hostname, port: Number(target.port || 6379) })
    for (const socket of [client, redis]) {
      sockets.add(socket)
      socket.on('error', () => socket.destroy())
    }
    client.on('data', (chunk: Buffer) => frozen || redis.write(chunk))
    redis.on('data', (chunk: Buffer) => frozen || client.write(chunk))
  })
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready))
  const url = new URL(target)
  url.hostname = '127.0.0.1'
  url.port = String((server.address() as { port: number }).port)
  return {
    url: url.toString(),
    freeze() {
      frozen = true
    },
    async close() {
      for (const socket of sockets) socket.destroy()
      await new Promise<void>((closed) => server.close(() => closed()))
    },
  }
}

describe.skipIf(process.platform === 'win32')('npm start', () => {
  // A fresh clone has no dist/ yet: build it once here, so each test measures the start alone.
  beforeAll(() => buildStale(projectRoot), 240_000)

  it('builds a production web app even from inside a test runner (NODE_ENV=test): the service worker is registered', () => {
    // Vite derives import.meta.env.PROD from NODE_ENV; a development build leaves the app without offline support.
    expect(process.env.NODE_ENV).toBe('test')
    const assets = join(projectRoot, 'dist/web/assets')
    const bundle = readdirSync(assets)
      .filter((name) => name.endsWith('.js'))
      .map((name) => readFileSync(join(assets, name), 'utf8'))
      .join('\n')
    expect(bundle).toMatch(/serviceWorker\.register\(.\/sw\.js.\)/)
  })

  it('runs one Node process under npm, the server; SIGTERM to npm stops it gracefully and npm exits 0', async () => {
    const npm = await npmStart({})
    const processes = descendants(npm.pid)
    expect(processes.map((p) => p.args)).toEqual([expect.stringMatching(/node .*scripts\/start\.mjs/)])
    process.kill(npm.pid, 'SIGTERM')
    expect(await npm.exited).toEqual({ code: 0, signal: null })
    expect(npm.output()).toContain('"signal":"SIGTERM","msg":"shutting down"')
    expect(await refusesConnections(npm.url)).toBe(true)
    await waitFor(() => processes.every((p) => !alive(p.pid)), { what: 'every process npm started to be gone' })
  })

  it('Ctrl-C (SIGINT to the whole group, so twice to the server) shuts down once, gracefully', async () => {
    const npm = await npmStart({})
    process.kill(-npm.pid, 'SIGINT')
    expect(await npm.exited).toEqual({ code: 0, signal: null })
    expect(npm.output().match(/"msg":"shutting down"/g)).toHaveLength(1)
    expect(await refusesConnections(npm.url)).toBe(true)
  })

  // A supervisor may signal as soon as it reads the line that says the server listens: the
  // handlers must be in place by then (they were installed just after it, so a signal in between
  // killed the server outright).
  it('a signal the moment it says it is listening still shuts it down gracefully', async () => {
    const preload = new URL('./fixtures/signalOnListening.mjs', import.meta.url).href
    const start = startScript(['--import', preload], {})
    expect(await start.exited, start.output()).toEqual({ code: 0, signal: null })
    expect(start.output()).toContain('"signal":"SIGINT","msg":"shutting down"')
  })

  it('a signal while it starts (here: a database that never answers) ends it as by default', async () => {
    const silent = createServer(() => {})
    const held: Socket[] = []
    silent.on('connection', (socket) => held.push(socket))
    await new Promise<void>((ready) => silent.listen(0, '127.0.0.1', ready))
    cleanups.push(async () => {
      for (const socket of held) socket.destroy()
      await new Promise<void>((closed) => silent.close(() => closed()))
    })
    const port = (silent.address() as { port: number }).port
    const start = startScript([], { DATABASE_URL: `postgres://postgres@127.0.0.1:${port}/tandem` })
    await waitFor(() => held.length > 0 || undefined, { what: 'the server to connect to the database' })
    start.child.kill('SIGTERM')
    expect(await start.exited).toEqual({ code: null, signal: 'SIGTERM' })
  })

  // The fan-out's goodbye to Redis is never answered, so the shutdown lasts until the deadline, and
  // a second signal arrives while it runs (one Ctrl-C under npm reaches the server twice: from the
  // terminal and forwarded by npm); it must not cut the shutdown short.
  it.for([
    { how: 'SIGTERM to npm', send: (pid: number) => process.kill(pid, 'SIGTERM') },
    { how: 'Ctrl-C', send: (pid: number) => process.kill(-pid, 'SIGINT') },
  ])(
    'a shutdown that hangs ends at SHUTDOWN_TIMEOUT_MS despite a second signal, and npm exits 1 ($how)',
    async ({ send }) => {
      const redis = await freezableRedis()
      cleanups.push(() => redis.close())
      const npm = await npmStart({ REDIS_URL: redis.url, REDIS_PREFIX: uniquePrefix(), SHUTDOWN_TIMEOUT_MS: '1000' })
      redis.freeze()
      const signalledAt = Date.now()
      send(npm.pid)
      await waitFor(() => npm.output().includes('"msg":"shutting down"'), { what: 'the shutdown to begin' })
      send(npm.pid)
      expect(await npm.exited).toEqual({ code: 1, signal: null })
      expect(Date.now() - signalledAt).toBeGreaterThanOrEqual(1000)
      expect(npm.output().match(/"msg":"shutting down"/g)).toHaveLength(1)
      expect(npm.output()).toContain('shutdown took too long')
      expect(await refusesConnections(npm.url)).toBe(true)
    },
  )

  it('exits with the server’s code when it cannot start (2: invalid settings)', async () => {
    const dataDir = tempDataDir()
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }))
    const child = spawn('npm', ['start'], {
      cwd: projectRoot,
      env: { ...process.env, PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'loud' },
      stdio: ['ignore', 'ignore', 'pipe'],
    })
    let stderr = ''
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    const code = await new Promise<number | null>((resolve) => child.once('exit', (exitCode) => resolve(exitCode)))
    expect(code).toBe(2)
    expect(stderr).toContain('LOG_LEVEL')
  })
})
