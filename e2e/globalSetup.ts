/**
 * Builds what `npm start` runs — the web app (`dist/web`) and the bundled server
 * (`dist/server/main.js`) — when missing or older than anything it is built from.
 */
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const shared = ['server/content', 'server/sync', 'package-lock.json']
const steps: Array<{ output: string; sources: string[]; command: string[] }> = [
  { output: 'dist/web/index.html', sources: ['web', 'vite.config.ts', ...shared], command: ['npx', 'vite', 'build'] },
  { output: 'dist/server/main.js', sources: ['server', 'scripts/build-server.mjs', ...shared], command: ['node', 'scripts/build-server.mjs'] },
]

function newest(path: string): number {
  const stats = statSync(path)
  if (!stats.isDirectory()) return stats.mtimeMs
  return readdirSync(path).reduce((latest, entry) => Math.max(latest, newest(join(path, entry))), stats.mtimeMs)
}

export default function globalSetup(): void {
  for (const step of steps) {
    const output = join(root, step.output)
    const builtAt = existsSync(output) ? statSync(output).mtimeMs : 0
    const stale = step.sources.map((source) => join(root, source)).some((source) => existsSync(source) && newest(source) > builtAt)
    if (!stale) continue
    const [command, ...args] = step.command as [string, ...string[]]
    const result = spawnSync(command, args, { cwd: root, stdio: 'inherit' })
    if (result.status !== 0) throw new Error(`${step.command.join(' ')} failed (exit ${result.status})`)
  }
}
