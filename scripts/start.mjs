// `npm start`, or `node scripts/start.mjs` under a supervisor: builds what is missing or stale (in
// child processes), then this process becomes the server. One Node process serves, with the pid npm
// or the supervisor started, so their SIGTERM and SIGINT reach it and its exit code is theirs.
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { buildStale } from './build.mjs'

const root = fileURLToPath(new URL('..', import.meta.url))
const signals = ['SIGINT', 'SIGTERM']

// A signal during the build stops the build; then it ends this process as it would have by default.
const interrupt = new AbortController()
let received = null
const onSignal = (signal) => {
  received ??= signal
  interrupt.abort()
}
for (const signal of signals) process.on(signal, onSignal)
let failure = null
try {
  await buildStale(root, { signal: interrupt.signal })
} catch (error) {
  failure = error
}
for (const signal of signals) process.off(signal, onSignal)
if (received !== null) process.kill(process.pid, received)
else if (failure !== null) {
  console.error(failure instanceof Error ? failure.message : failure)
  process.exit(1)
} else {
  // What `node --enable-source-maps` does, for the bundle imported from here on.
  process.setSourceMapsEnabled(true)
  const { main } = await import(pathToFileURL(join(root, 'dist/server/main.js')).href)
  await main()
}
