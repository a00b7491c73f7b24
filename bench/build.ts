/**
 * Bundles what runs in child processes (tandem itself, the peer wrappers, the probe and the load
 * worker) into plain ESM, so that every server runs under bare `node` with no loader in the way
 * of its CPU and memory figures. Dependencies stay external, resolved from node_modules.
 */
import { existsSync, readdirSync, rmSync } from 'node:fs'
import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'

export const projectRoot = fileURLToPath(new URL('..', import.meta.url))
export const workDir = `${projectRoot}.bench-tmp`
/** One directory per process, so that a benchmark and the smoke test never overwrite each other's bundles. */
export const buildDir = `${workDir}/build-${process.pid}`

/** Bundled without code splitting: small scripts that load everything they use at once. */
const ENTRIES = {
  hocuspocus: 'bench/servers/hocuspocus.ts',
  floor: 'bench/servers/floor.ts',
  joinFloor: 'bench/servers/joinFloor.ts',
  presenceFloor: 'bench/servers/presenceFloor.ts',
  docHolder: 'bench/servers/docHolder.ts',
  probe: 'bench/servers/probe.ts',
  worker: 'bench/load/worker.ts',
} as const

export type BuiltEntry = keyof typeof ENTRIES | 'tandem'

export function builtPath(entry: BuiltEntry): string {
  return entry === 'tandem' ? `${buildDir}/tandem/main.mjs` : `${buildDir}/${entry}.mjs`
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

/** Build directories of processes that ended without cleaning up (e.g. test workers). */
function removeStaleBuilds(): void {
  if (!existsSync(workDir)) return
  for (const name of readdirSync(workDir)) {
    const pid = /^build-(\d+)$/.exec(name)?.[1]
    if (pid !== undefined && !isAlive(Number(pid))) rmSync(`${workDir}/${name}`, { recursive: true, force: true })
  }
}

const COMMON = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  sourcemap: true,
  logLevel: 'warning',
  outExtension: { '.js': '.mjs' },
} as const

/**
 * Bundles every entry; `tandemEntry` (a path) benchmarks another copy of tandem's `main.ts`, e.g.
 * a worktree with a proposed change. tandem is bundled as `scripts/build-server.mjs` does it,
 * with code splitting, so that what it loads on demand stays out of its start-up here too.
 */
export async function buildAll(tandemEntry?: string): Promise<void> {
  removeStaleBuilds()
  process.once('exit', () => rmSync(buildDir, { recursive: true, force: true }))
  await Promise.all([
    build({
      ...COMMON,
      entryPoints: { main: resolve(tandemEntry ?? `${projectRoot}server/main.ts`) },
      outdir: `${buildDir}/tandem`,
      splitting: true,
    }),
    build({
      ...COMMON,
      entryPoints: Object.fromEntries(Object.entries(ENTRIES).map(([name, path]) => [name, `${projectRoot}${path}`])),
      outdir: buildDir,
    }),
  ])
}
