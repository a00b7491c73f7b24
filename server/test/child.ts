/**
 * tandem as a separate process (`node --import tsx server/main.ts`), for tests that kill it with
 * SIGKILL or SIGTERM, or run several processes side by side.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { createServer } from 'node:net'
import { fileURLToPath } from 'node:url'
import { waitFor } from './waitFor'

const projectRoot = fileURLToPath(new URL('../..', import.meta.url))

export interface ChildServer {
  url: string
  wsUrl: string
  port: number
  process: ChildProcess
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string
  /** Resolves with the exit code (or signal) once the process is gone. */
  exited: Promise<number | NodeJS.Signals>
  kill(signal?: NodeJS.Signals): Promise<number | NodeJS.Signals>
}

/**
 * Starts a server with `env` (PORT defaults to 0: the bound port is read from its log) and
 * resolves once it listens.
 */
export async function spawnServer(env: Record<string, string>): Promise<ChildServer> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    cwd: projectRoot,
    env: { ...process.env, PORT: '0', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString()
  })
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString()
  })
  const exited = new Promise<number | NodeJS.Signals>((resolve) => {
    child.once('exit', (code, signal) => resolve(signal ?? code ?? 0))
  })
  let finished = false
  void exited.then(() => {
    finished = true
  })
  const url = await waitFor(
    () => {
      if (finished) throw new Error(`server exited before listening:\n${output}`)
      return /"url":"(http:\/\/[^"]+)","storage"/.exec(output)?.[1]
    },
    { timeout: 20_000, what: 'the server to listen' },
  )
  return {
    url,
    wsUrl: `${url.replace(/^http/, 'ws')}/ws`,
    port: Number(new URL(url).port),
    process: child,
    output: () => output,
    exited,
    kill(signal = 'SIGKILL') {
      if (!finished) child.kill(signal)
      return exited
    },
  }
}

/** A port that was free a moment ago, for a server that must come back on the same address. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer()
    probe.once('error', reject)
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number }
      probe.close(() => resolve(port))
    })
  })
}
