/**
 * The app wired to a real SQLite file, without listening: for `app.request()` route tests.
 */
import { rmSync } from 'node:fs'
import { pino } from 'pino'
import { loadConfig } from '../config'
import { type Tandem, buildTandem, closeTandem } from '../main'
import { tempDataDir } from './server'

export interface TestApp {
  tandem: Tandem
  request(path: string, init?: RequestInit): Promise<Response>
  /** POSTs JSON and returns the parsed body of a 201. */
  create(body?: Record<string, unknown>, headers?: Record<string, string>): Promise<{ id: string; title: string }>
  dispose(): Promise<void>
}

export async function createTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  const dataDir = tempDataDir()
  const config = loadConfig({ LOG_LEVEL: 'silent', ROOM_UNLOAD_GRACE_MS: '50', ...env, DATA_DIR: dataDir })
  const tandem = await buildTandem(config, pino({ level: 'silent' }))
  const request = (path: string, init?: RequestInit): Promise<Response> =>
    Promise.resolve(tandem.app.request(path, init))
  return {
    tandem,
    request,
    async create(body = {}, headers = {}) {
      const response = await request('/api/docs', {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
      })
      if (response.status !== 201) throw new Error(`create failed: ${response.status} ${await response.text()}`)
      return (await response.json()) as { id: string; title: string }
    },
    async dispose() {
      await closeTandem(tandem)
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}
