import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium } from '@playwright/test'
import { createDocument, startServer } from './typing'
const server = await startServer(mkdtempSync(join(tmpdir(), 'exp-')))
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] })
const n = 5000
const id = await createDocument(server.url, n)
const page = await browser.newPage({ viewport: { width: 1280, height: 800 } })
await page.goto(`${server.url}/d/${id}`)
await page.getByTestId('editor').locator(':scope > *').nth(n - 1).waitFor({ state: 'attached', timeout: 120000 })
await page.waitForTimeout(1000)
const measure = () => page.evaluate(async (n) => {
  const ed = document.querySelector('[data-testid=editor]') as HTMLElement
  const target = ed.children[Math.floor(n / 2)] as HTMLElement
  target.scrollIntoView()
  await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 50)))
  const layout: number[] = [], frame: number[] = []
  const span = document.createElement('span'); target.append(span)
  for (let i = 0; i < 20; i++) {
    span.textContent += 'x'
    const t0 = performance.now(); target.getClientRects(); document.body.offsetHeight; layout.push(performance.now() - t0)
    await new Promise<void>((r) => requestAnimationFrame(() => { const s = performance.now(); const c = new MessageChannel(); c.port1.onmessage = () => { frame.push(performance.now() - s); r() }; c.port2.postMessage(0) }))
  }
  span.remove()
  layout.sort((a, b) => a - b); frame.sort((a, b) => a - b)
  return { layout: layout[10], frame: frame[10], frameMax: frame[19] }
}, n)
console.log('app as is', JSON.stringify(await measure()))
await page.evaluate(() => document.querySelector('[data-testid=editor]')?.setAttribute('spellcheck', 'false'))
console.log('spellcheck off', JSON.stringify(await measure()))
await page.evaluate(() => { for (const s of document.styleSheets) for (let i = s.cssRules.length - 1; i >= 0; i--) if (s.cssRules[i].cssText.includes(':has(')) s.deleteRule(i) })
console.log('no :has', JSON.stringify(await measure()))
await page.evaluate(() => { for (const s of [...document.styleSheets]) s.disabled = true })
console.log('no styles', JSON.stringify(await measure()))
await browser.close(); await server.stop()
