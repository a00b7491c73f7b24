// Builds what `npm start` serves — the web app (dist/web) and the bundled server
// (dist/server/main.js) — when missing or older than anything it is built from. Each build runs in
// a child process, so the bundlers' memory leaves with it. Used by scripts/start.mjs and the tests.
import { spawn } from 'node:child_process'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'

const vite = join(dirname(createRequire(import.meta.url).resolve('vite/package.json')), 'bin/vite.js')
const shared = ['protocol', 'package-lock.json']
const steps = [
  { output: 'dist/web/index.html', sources: ['web', 'vite.config.ts', ...shared], args: [vite, 'build'] },
  {
    output: 'dist/server/main.js',
    sources: ['server', 'scripts/build-server.mjs', ...shared],
    args: ['scripts/build-server.mjs'],
  },
]

function newest(path) {
  const stats = statSync(path)
  if (!stats.isDirectory()) return stats.mtimeMs
  return readdirSync(path).reduce((latest, entry) => Math.max(latest, newest(join(path, entry))), stats.mtimeMs)
}

function isStale(root, { output, sources }) {
  const target = join(root, output)
  const builtAt = existsSync(target) ? statSync(target).mtimeMs : 0
  return sources.map((source) => join(root, source)).some((source) => existsSync(source) && newest(source) > builtAt)
}

/**
 * Runs the stale build steps one after the other in `root`; rejects when one fails or `signal`
 * aborts it (the running step is sent SIGTERM).
 */
export async function buildStale(root, { signal } = {}) {
  for (const step of steps) {
    if (!isStale(root, step)) continue
    signal?.throwIfAborted()
    console.log(`building ${step.output} …`)
    // NODE_ENV as set by a test runner (vitest sets `test`) would build a development web app:
    // Vite derives `import.meta.env.PROD` from it, and the service worker is registered only then.
    const env = { ...process.env, NODE_ENV: 'production' }
    const child = spawn(process.execPath, step.args, { cwd: root, env, stdio: 'inherit', signal })
    const [code, killedBy] = await new Promise((resolve, reject) => {
      // An abort is reported here at once; wait for 'exit' so that no build outlives this process.
      child.on('error', (error) => signal?.aborted || reject(error))
      child.once('exit', (exitCode, exitSignal) => resolve([exitCode, exitSignal]))
    })
    if (code !== 0) throw new Error(`building ${step.output} failed (${killedBy ?? `exit ${code}`})`)
  }
}
