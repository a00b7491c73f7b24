/**
 * A real tandem on port 0 with its own SQLite file in a temp dir, for integration tests.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pino } from 'pino'
import { loadConfig } from '../config'
import { type RunningTandem, startTandem } from '../main'

export interface TestServer {
  url: string
  /** `ws://host:port/ws`, the base URL a `WebsocketProvider` takes. */
  wsUrl: string
  dataDir: string
  tandem: RunningTandem
  /** Creates a document over REST; returns its id. */
  createDocument(body?: Record<string, unknown>, headers?: Record<string, string>): Promise<string>
  /** Stops the server (gracefully); the data directory stays for a restart. */
  stop(): Promise<void>
  /** Stops the server and removes its data. */
  dispose(): Promise<void>
}

export function tempDataDir(): string {
  return mkdtempSync(join(tmpdir(), 'tandem-test-'))
}

export async function startTestServer(env: Record<string, string> = {}): Promise<TestServer> {
  const dataDir = env.DATA_DIR ?? tempDataDir()
  const config = loadConfig({ PORT: '0', LOG_LEVEL: 'silent', ROOM_UNLOAD_GRACE_MS: '200', ...env, DATA_DIR: dataDir })
  const log = pino({ level: config.logLevel })
  const tandem = await startTandem(config, log)
  let stopped = false
  const stop = async (): Promise<void> => {
    if (stopped) return
    stopped = true
    await tandem.shutdown()
  }
  return {
    url: tandem.url,
    wsUrl: `${tandem.url.replace(/^http/, 'ws')}/ws`,
    dataDir,
    tandem,
    async createDocument(body = {}, headers = {}) {
      const response = await fetch(`${tandem.url}/api/docs`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
      })
      if (response.status !== 201) throw new Error(`create failed: ${response.status} ${await response.text()}`)
      return ((await response.json()) as { id: string }).id
    },
    stop,
    async dispose() {
      await stop()
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}
