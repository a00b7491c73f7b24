/**
 * tandem as `npm start` runs it: the bundled server (`dist/server/main.js`) serving the built
 * web app, as a child process so that a test can kill and restart it on the same port.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { expect } from '@playwright/test'

const root = fileURLToPath(new URL('..', import.meta.url))

export interface ServerProcess {
  url: string
  port: number
  output(): string
  /** Resolves once the process is gone. */
  stop(signal?: NodeJS.Signals): Promise<void>
}

export async function startServer(env: Record<string, string>): Promise<ServerProcess> {
  const child: ChildProcess = spawn(process.execPath, ['--enable-source-maps', 'dist/server/main.js'], {
    cwd: root,
    env: { ...process.env, PORT: '0', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  const collect = (chunk: Buffer): void => {
    output += chunk.toString()
  }
  child.stdout?.on('data', collect)
  child.stderr?.on('data', collect)
  let exited = false
  const gone = new Promise<void>((resolve) => {
    child.once('exit', () => {
      exited = true
      resolve()
    })
  })
  let url = ''
  await expect
    .poll(
      () => {
        if (exited) throw new Error(`server exited before listening:\n${output}`)
        url = /"url":"(http:\/\/[^"]+)"/.exec(output)?.[1] ?? ''
        return url
      },
      { message: 'the server to listen', timeout: 45_000, intervals: [25] },
    )
    .not.toBe('')
  return {
    url,
    port: Number(new URL(url).port),
    output: () => output,
    async stop(signal = 'SIGTERM') {
      if (!exited) child.kill(signal)
      await gone
    },
  }
}
