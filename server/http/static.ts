/**
 * Serves the built web app. Hashed files under `/assets/` are cached for a year; every other
 * path that is not a file gets `index.html`, so that client-side routes (`/d/:id`) survive a
 * reload. Everything it serves carries the app's Content-Security-Policy (the service worker
 * script included: its own fetches are governed by it).
 */
import { readFile, stat } from 'node:fs/promises'
import { extname, join, normalize, sep } from 'node:path'
import type { MiddlewareHandler } from 'hono'
import type { AppEnv } from './env'
import { appCsp } from './securityHeaders'

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
}

async function fileAt(root: string, path: string): Promise<string | null> {
  const candidate = normalize(join(root, decodeURIComponent(path)))
  if (candidate !== root && !candidate.startsWith(root + sep)) return null
  try {
    return (await stat(candidate)).isFile() ? candidate : null
  } catch {
    return null
  }
}

export function serveWebApp(root: string): MiddlewareHandler<AppEnv> {
  const index = join(root, 'index.html')
  return async (c, next) => {
    if (c.req.method !== 'GET' && c.req.method !== 'HEAD') return next()
    if (c.req.path.startsWith('/api/') || c.req.path.startsWith('/ws/')) return next()
    let path: string | null
    try {
      path = await fileAt(root, c.req.path)
    } catch {
      path = null
    }
    const file = path ?? index
    let body: Buffer
    try {
      body = await readFile(file)
    } catch {
      return next()
    }
    const immutable = path !== null && c.req.path.startsWith('/assets/')
    return c.body(new Uint8Array(body), 200, {
      'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
      'Cache-Control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
      'X-Content-Type-Options': 'nosniff',
      'Content-Security-Policy': appCsp(c.req.header('host') ?? new URL(c.req.url).host),
    })
  }
}
