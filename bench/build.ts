/**
 * Bundles what runs in child processes (tandem itself, the peer wrappers, the probe and the load
 * worker) into plain ESM, so that every server runs under bare `node` with no loader in the way
 * of its CPU and memory figures. Dependencies stay external, resolved from node_modules.
 */
import { rmSync } from 'node:fs'
import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'

export const projectRoot = fileURLToPath(new URL('..', import.meta.url))
export const workDir = `${projectRoot}.bench-tmp`
/** One directory per process, so that a benchmark and the smoke test never overwrite each other's bundles. */
export const buildDir = `${workDir}/build-${process.pid}`

const ENTRIES = {
  tandem: 'server/main.ts',
  hocuspocus: 'bench/servers/hocuspocus.ts',
  floor: 'bench/servers/floor.ts',
  probe: 'bench/servers/probe.ts',
  worker: 'bench/load/worker.ts',
} as const

export type BuiltEntry = keyof typeof ENTRIES

export function builtPath(entry: BuiltEntry): string {
  return `${buildDir}/${entry}.mjs`
}

/**
 * Bundles every entry; `tandemEntry` (a path) benchmarks another copy of tandem's `main.ts`, e.g.
 * a worktree with a proposed change.
 */
export async function buildAll(tandemEntry?: string): Promise<void> {
  process.once('exit', () => rmSync(buildDir, { recursive: true, force: true }))
  const entries: Record<string, string> = Object.fromEntries(Object.entries(ENTRIES).map(([name, path]) => [name, `${projectRoot}${path}`]))
  if (tandemEntry !== undefined) entries.tandem = resolve(tandemEntry)
  await build({
    entryPoints: entries,
    outdir: buildDir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    sourcemap: true,
    logLevel: 'warning',
  })
}
