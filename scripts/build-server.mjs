// Bundles the server into dist/server/ (entry main.js); dependencies stay in node_modules.
// Code splitting keeps what is loaded on demand (the content converters, with Tiptap and
// happy-dom) out of start-up.
import { rmSync } from 'node:fs'
import { build } from 'esbuild'

rmSync('dist/server', { recursive: true, force: true })
await build({
  entryPoints: ['server/main.ts'],
  outdir: 'dist/server',
  bundle: true,
  splitting: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  sourcemap: true,
  logLevel: 'warning',
})
