import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Hono } from 'hono'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type TestApp, createTestApp } from '../test/app'
import type { AppEnv } from './env'
import { API_CSP, HTML_EXPORT_CSP, appCsp, securityHeaders } from './securityHeaders'
import { serveWebApp } from './static'

function expectFrameAndSniffing(response: Response): void {
  expect(response.headers.get('x-frame-options')).toBe('DENY')
  expect(response.headers.get('x-content-type-options')).toBe('nosniff')
  expect(response.headers.get('referrer-policy')).toBe('no-referrer')
}

describe('security headers on the API', () => {
  let t: TestApp
  beforeAll(async () => {
    t = await createTestApp()
  })
  afterAll(async () => {
    await t.dispose()
  })

  it('send a CSP that allows nothing, no framing and no sniffing on every answer, errors included', async () => {
    const { id } = await t.create({ title: 'h' })
    for (const response of [
      await t.request('/api/docs'),
      await t.request(`/api/docs/${id}/content?format=markdown`),
      await t.request('/api/docs/nope'),
      await t.request('/api/nowhere'),
      await t.request('http://rebind.evil.example/api/docs'),
      await t.request('/healthz'),
      await t.request('/metrics'),
    ]) {
      expect(response.headers.get('content-security-policy')).toBe(API_CSP)
      expectFrameAndSniffing(response)
    }
  })

  it('send the HTML export with a strict CSP: no script, no style, sandboxed', async () => {
    const { id } = await t.create({ content: { format: 'html', body: '<p>hi</p>' } })
    const response = await t.request(`/api/docs/${id}/content?format=html`)
    expect(response.status).toBe(200)
    expect(response.headers.get('content-security-policy')).toBe(HTML_EXPORT_CSP)
    expect(HTML_EXPORT_CSP).toMatch(/^default-src 'none';/)
    expect(HTML_EXPORT_CSP).toMatch(/\bsandbox\b/)
    expect(HTML_EXPORT_CSP).not.toMatch(/script-src|style-src|unsafe/)
    expectFrameAndSniffing(response)
  })
})

describe('security headers on the web app', () => {
  let root: string
  const app = () => new Hono<AppEnv>().use(securityHeaders()).use(serveWebApp(root))
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'tandem-web-'))
    writeFileSync(join(root, 'index.html'), '<!doctype html><title>t</title>')
    writeFileSync(join(root, 'sw.js'), 'self.addEventListener("fetch", () => {})')
    mkdirSync(join(root, 'assets'))
    writeFileSync(join(root, 'assets', 'main-abc.js'), 'console.log(1)')
  })
  afterAll(() => {
    rmSync(root, { recursive: true, force: true })
  })

  it('send the app’s CSP with the page, its assets and the service worker', async () => {
    for (const path of ['/', '/d/some-document', '/sw.js', '/assets/main-abc.js']) {
      const response = await app().request(`http://docs.example.test:8080${path}`)
      expect(response.status, path).toBe(200)
      expect(response.headers.get('content-security-policy'), path).toBe(appCsp('docs.example.test:8080'))
      expectFrameAndSniffing(response)
    }
  })

  it('allow the app’s own scripts, styles, API and socket only, and no framing', () => {
    const directives = Object.fromEntries(
      appCsp('docs.example.test:8080')
        .split('; ')
        .map((directive) => {
          const [name, ...values] = directive.split(' ')
          return [name, values.join(' ')]
        }),
    )
    expect(directives['script-src']).toBe("'self'")
    expect(directives['style-src']).toBe("'self'")
    expect(directives['connect-src']).toBe("'self' ws://docs.example.test:8080 wss://docs.example.test:8080")
    expect(directives['img-src']).toBe("'self' https: http:")
    expect(directives['object-src']).toBe("'none'")
    expect(directives['frame-ancestors']).toBe("'none'")
    expect(appCsp(undefined)).toContain("connect-src 'self';")
    expect(appCsp('bad host\r\nx')).toContain("connect-src 'self';")
  })
})
