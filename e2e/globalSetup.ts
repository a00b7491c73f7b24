/**
 * Builds what `npm start` runs — the web app (`dist/web`) and the bundled server
 * (`dist/server/main.js`) — when missing or older than anything it is built from, with the same
 * rules as `npm start` (scripts/build.mjs).
 */
import { fileURLToPath } from 'node:url'
import { buildStale } from '../scripts/build.mjs'

const root = fileURLToPath(new URL('..', import.meta.url))

export default async function globalSetup(): Promise<void> {
  await buildStale(root)
}
