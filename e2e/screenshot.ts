/**
 * Takes docs/screenshot.png: two people editing one document side by side, each in their own
 * browser, with the other's caret, avatars and connection status visible.
 *
 *   npx tsx e2e/screenshot.ts [output.png] [--dark]
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { type Page, chromium, expect } from '@playwright/test'
import buildIfStale from './globalSetup'
import config from './playwright.config'
import { startServer } from './server'

const root = fileURLToPath(new URL('..', import.meta.url))
const output = process.argv.slice(2).find((arg) => !arg.startsWith('--')) ?? join(root, 'docs/screenshot.png')
const colorScheme = process.argv.includes('--dark') ? 'dark' : 'light'

const CONTENT = `## Goals

- Ship the **public beta** by the end of the month
- Keep every edit *live* for everyone in the document

## Open questions

> Do we need comments in the first release?
`

async function main(): Promise<void> {
  buildIfStale()
  const dataDir = mkdtempSync(join(tmpdir(), 'tandem-shot-'))
  const server = await startServer({ DATA_DIR: dataDir })
  const browser = await chromium.launch(config.use?.launchOptions)
  try {
    const created = await fetch(`${server.url}/api/docs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'Launch plan', content: { format: 'markdown', body: CONTENT } }),
    })
    const { id } = (await created.json()) as { id: string }
    const viewport = { width: 960, height: 640 }
    const people = [
      { id: 'shot-ada', name: 'Ada Lovelace', color: '#c2255c' },
      { id: 'shot-grace', name: 'Grace Hopper', color: '#1971c2' },
    ]
    const pages: Page[] = []
    for (const person of people) {
      const context = await browser.newContext({ baseURL: server.url, viewport, colorScheme, deviceScaleFactor: 1 })
      await context.addInitScript((value) => localStorage.setItem('tandem:identity', value), JSON.stringify(person))
      const page = await context.newPage()
      await page.goto(`/d/${id}`)
      await expect(page.getByTestId('connection-status')).toHaveAttribute('data-state', 'connected')
      pages.push(page)
    }
    const [ada, grace] = pages as [Page, Page]
    await ada.getByTestId('editor').locator('li').first().click()
    await ada.keyboard.press('End')
    await ada.keyboard.type(', with the docs site')
    await grace.getByTestId('editor').focus()
    await grace.keyboard.press('Control+End')
    await grace.keyboard.press('Enter')
    await grace.keyboard.press('Enter')
    await grace.keyboard.type('Not for the beta. Inline notes are enough for now')
    await grace.keyboard.press('Shift+Home')
    await ada.keyboard.press('Shift+ArrowLeft')
    const counts = () => Promise.all(pages.map((page) => page.getByTestId('word-count').textContent()))
    await expect.poll(async () => new Set(await counts()).size).toBe(1)
    for (const page of pages) {
      await expect(page.getByTestId('presence-user')).toHaveCount(2)
      await expect(page.getByTestId('connection-status')).toHaveAttribute('data-pending', 'false')
      await expect(page.getByTestId('remote-caret')).toHaveCount(1)
    }
    const shots = await Promise.all(pages.map((page) => page.screenshot()))
    const canvas = await (
      await browser.newContext({
        viewport: { width: viewport.width * 2 + 24, height: viewport.height + 16 },
        colorScheme,
      })
    ).newPage()
    await canvas.setContent(
      `<body style="margin:0;padding:8px;display:flex;gap:8px;background:${colorScheme === 'dark' ? '#000' : '#c9ced6'}">` +
        shots
          .map((shot) => `<img style="border-radius:6px" src="data:image/png;base64,${shot.toString('base64')}">`)
          .join('') +
        '</body>',
    )
    await canvas.screenshot({ path: output })
    console.log(`wrote ${output}`)
  } finally {
    await browser.close()
    await server.stop()
    rmSync(dataDir, { recursive: true, force: true })
  }
}

await main()
