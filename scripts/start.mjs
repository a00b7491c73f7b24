// `npm start`: builds whatever is missing or older than its sources, then serves the app.
import { spawnSync, spawn } from 'node:child_process'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'

function newestMtime(path) {
  const stats = statSync(path)
  if (!stats.isDirectory()) return stats.mtimeMs
  let newest = stats.mtimeMs
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)))
  return newest
}

function stale(output, sources) {
  if (!existsSync(output)) return true
  const built = statSync(output).mtimeMs
  return sources.some((source) => existsSync(source) && newestMtime(source) > built)
}

const shared = ['server/content', 'package-lock.json']
const steps = [
  ['dist/web/index.html', ['web', 'vite.config.ts', ...shared], ['npx', 'vite', 'build']],
  ['dist/server/main.js', ['server', ...shared], ['node', 'scripts/build-server.mjs']],
]
for (const [output, sources, command] of steps) {
  if (!stale(output, sources)) continue
  console.log(`building ${output} …`)
  const result = spawnSync(command[0], command.slice(1), { stdio: 'inherit' })
  if (result.status !== 0) process.exit(result.status ?? 1)
}

const server = spawn(process.execPath, ['--enable-source-maps', 'dist/server/main.js'], { stdio: 'inherit' })
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => server.kill(signal))
server.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)))
