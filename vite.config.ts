import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

const projectRoot = fileURLToPath(new URL('.', import.meta.url))
const apiTarget = `http://127.0.0.1:${process.env.PORT ?? 8080}`

export default defineConfig({
  root: 'web',
  // Tiptap, ProseMirror and Yjs make one ~550 kB (175 kB gzipped) bundle, cached for a year.
  build: { outDir: '../dist/web', emptyOutDir: true, chunkSizeWarningLimit: 800 },
  // One copy of each: two copies of yjs break instanceof checks ("Unexpected content type").
  resolve: { dedupe: ['yjs', 'y-protocols', 'lib0', '@tiptap/pm'] },
  // The web app's components are Preact (docs/architecture.md says why): JSX without a plugin.
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  server: {
    port: 5173,
    // Trailing slashes: a bare '/api' prefix would also proxy the app's own /api.ts module.
    proxy: {
      '/api/': apiTarget,
      '/ws/': { target: apiTarget, ws: true },
    },
  },
  test: {
    root: projectRoot,
    include: [
      'architecture.test.ts',
      'protocol/**/*.test.ts',
      'server/**/*.test.ts',
      'web/**/*.test.{ts,tsx}',
      'e2e/**/*.test.ts',
      'bench/**/*.test.ts',
      'scripts/**/*.test.ts',
    ],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    maxWorkers: 2,
  },
})
