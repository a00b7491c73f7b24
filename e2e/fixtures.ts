/**
 * Fixtures: a tandem server per worker (a child process, so a test can also have one of its
 * own to restart), documents created over REST per test, and simulated users — each its own
 * browser context with its own name, colour, storage and service worker.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type Browser, type BrowserContext, type Page, test as base, expect } from '@playwright/test'
import { DocumentPage } from './pages/documentPage'
import { type ServerProcess, startServer } from './server'

export { expect }

/** A running tandem and what tests do with it over REST. */
export class Tandem {
  #server: ServerProcess
  readonly dataDir: string
  readonly #env: Record<string, string>

  private constructor(server: ServerProcess, dataDir: string, env: Record<string, string>) {
    this.#server = server
    this.dataDir = dataDir
    this.#env = env
  }

  static async start(env: Record<string, string> = {}): Promise<Tandem> {
    const dataDir = mkdtempSync(join(tmpdir(), 'tandem-e2e-'))
    const fullEnv = { DATA_DIR: dataDir, ROOM_UNLOAD_GRACE_MS: '500', ...env }
    return new Tandem(await startServer(fullEnv), dataDir, fullEnv)
  }

  get url(): string {
    return this.#server.url
  }

  async createDoc(title = 'Untitled', markdown?: string): Promise<string> {
    const body = markdown === undefined ? { title } : { title, content: { format: 'markdown', body: markdown } }
    const response = await fetch(`${this.url}/api/docs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    })
    if (response.status !== 201) throw new Error(`create failed: ${response.status} ${await response.text()}`)
    return ((await response.json()) as { id: string }).id
  }

  async rename(id: string, title: string): Promise<void> {
    const response = await fetch(`${this.url}/api/docs/${id}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ title }),
    })
    if (!response.ok) throw new Error(`rename failed: ${response.status}`)
  }

  /** The document as the server has it, as plain text. */
  async text(id: string): Promise<string> {
    const response = await fetch(`${this.url}/api/docs/${id}/content?format=text`)
    if (!response.ok) throw new Error(`content failed: ${response.status}`)
    return response.text()
  }

  /** Stops the process (SIGTERM: graceful, or SIGKILL: a crash) and starts it again on the same port and data. */
  async restart(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    await this.pause(signal)
    await this.resume()
  }

  /** Stops the process and leaves it stopped (the server is away) until `resume()`. */
  async pause(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    await this.#server.stop(signal)
  }

  /** Starts the process again on the same port and data. */
  async resume(): Promise<void> {
    this.#server = await startServer({ ...this.#env, PORT: String(this.#server.port) })
  }

  async stop(): Promise<void> {
    await this.#server.stop('SIGTERM')
    rmSync(this.dataDir, { recursive: true, force: true })
  }
}

export interface User {
  name: string
  context: BrowserContext
  page: Page
  /** Opens document `id` and waits until it is editable (or read-only) and connected. */
  open(id: string, query?: string): Promise<DocumentPage>
  /** What the page's Content-Security-Policy blocked so far; `close()` fails unless empty. */
  cspViolations: readonly string[]
  close(): Promise<void>
}

export type UserFactory = (
  name: string,
  /** `touch`: a phone's touch screen (taps, no mouse hover). */
  options?: { color?: string; viewport?: { width: number; height: number }; touch?: boolean },
) => Promise<User>

export async function createUser(
  browser: Browser,
  baseURL: string,
  name: string,
  options: Parameters<UserFactory>[1] = {},
): Promise<User> {
  const context = await browser.newContext({
    baseURL,
    ...(options.viewport === undefined ? {} : { viewport: options.viewport }),
    ...(options.touch === true ? { hasTouch: true, isMobile: true } : {}),
  })
  const identity = { id: `e2e-${name.toLowerCase().replace(/\W+/g, '-')}`, name, color: options.color ?? '#1971c2' }
  await context.addInitScript((value) => {
    if (localStorage.getItem('tandem:identity') === null) localStorage.setItem('tandem:identity', value)
  }, JSON.stringify(identity))
  // The app runs under a Content-Security-Policy: anything it blocks is a bug, in every test.
  const violations: string[] = []
  await context.exposeBinding('__tandemCspViolation', (_source, report: string) => {
    violations.push(report)
  })
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      const report = `${event.violatedDirective} blocked ${event.blockedURI || 'inline'} at ${event.sourceFile}:${event.lineNumber}`
      ;(window as unknown as { __tandemCspViolation(report: string): void }).__tandemCspViolation(report)
    })
  })
  const page = await context.newPage()
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) violations.push(message.text())
  })
  let closed = false
  return {
    name,
    context,
    page,
    cspViolations: violations,
    async open(id, query = '') {
      const doc = new DocumentPage(page)
      await doc.goto(id, query)
      return doc
    },
    async close() {
      if (closed) return
      closed = true
      await context.close()
      expect(violations, `Content-Security-Policy violations in ${name}'s browser`).toEqual([])
    },
  }
}

const COLORS = ['#c2255c', '#1971c2', '#2b8a3e', '#e67700', '#6741d9']

export const test = base.extend<{ tandem: Tandem; user: UserFactory }, { workerTandem: Tandem }>({
  workerTandem: [
    // biome-ignore lint/correctness/noEmptyPattern: Playwright reads a fixture's dependencies from this pattern
    async ({}, use) => {
      const tandem = await Tandem.start()
      await use(tandem)
      await tandem.stop()
    },
    { scope: 'worker' },
  ],
  tandem: async ({ workerTandem }, use) => {
    await use(workerTandem)
  },
  baseURL: async ({ tandem }, use) => {
    await use(tandem.url)
  },
  user: async ({ browser, tandem }, use) => {
    const users: User[] = []
    await use(async (name, options = {}) => {
      const created = await createUser(browser, tandem.url, name, {
        color: COLORS[users.length % COLORS.length],
        ...options,
      })
      users.push(created)
      return created
    })
    for (const created of users) await created.close()
  },
})
