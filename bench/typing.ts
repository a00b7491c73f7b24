/**
 * Scenario 5 of issue 16: typing in a big document in the browser. For each size, a document of
 * N paragraphs is created on the server (REST, Markdown import), opened in Chromium, and for
 * `--seconds` both of these go on at once, after a warm-up:
 * - someone else (a Node y-websocket client with a caret, as a browser would send it) types into
 *   a paragraph a few blocks below the local caret at 10 keystrokes a second;
 * - the local user types at 10 keystrokes a second (Playwright's keyboard).
 * In the page (an init script, no app internals):
 * - remote apply: main-thread time of the WebSocket message handler for each document update
 *   (y-websocket applies it to the Y.Doc, the binding turns it into a ProseMirror transaction,
 *   the view updates its DOM — all synchronously in that handler);
 * - remote + frame: that plus the rendering of the next frame (from the start of the frame's
 *   animation callbacks to a message posted from one, i.e. style, layout and paint);
 * - local key → paint: from the keydown event's timeStamp to the same point after the next frame.
 *
 * Next to the app, each size is measured on a floor: a plain page with no ProseMirror and no Yjs,
 * the same N blocks as `<h2>`/`<p>` in a `contenteditable` with the app's stylesheet and the
 * editor's ancestors (same fonts, widths, viewport). Its "someone else" is a WebSocket message of
 * the same cadence whose handler appends one character to the text of the paragraph three blocks
 * below the caret; the local user types with Playwright's keyboard as in the app. Same init script,
 * same measurements: what Chromium itself needs on this machine for each figure. A second floor,
 * `editor`, is a bare Tiptap editor with the app's schema (`bench/typingEditorPage.ts`: no Yjs, no
 * binding, no carets, none of the app's fixes) holding the same blocks, whose "someone else"
 * inserts each character with one ProseMirror transaction: what ProseMirror itself adds.
 *
 *   npx tsx bench/typing.ts [--paragraphs 500,2000,5000] [--seconds 10] [--before dir] [--profile dir] [--trace dir]
 *                           [--watchers N] [--rounds N] [--no-floors]
 *
 * `--before dir`: also measure the app of another checkout (built there, e.g. the main branch),
 * with its own server, in the same run (rows "before", "after", "editor", "floor" per size).
 *
 * Prints a Markdown table for docs/benchmarks.md. `--profile` writes a CPU profile of the page
 * per size (Chrome DevTools protocol) and prints its top functions; `--trace` writes a Chrome
 * trace (timeline categories) and prints the main thread's time per event name (style, layout,
 * paint, script). `--watchers N`: N more people in the app's document (not the floor's), each a
 * y-websocket client moving its caret to a random place once a second — what a page pays per
 * caret move of the others. `--rounds N`: every size N times over, the variants alternating
 * (a row per round: the figures of one run move by tens of percent); `--no-floors`: the app only.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { type Browser, type CDPSession, type Locator, type Page, chromium } from '@playwright/test'
import { Awareness } from 'y-protocols/awareness'
import { WebsocketProvider } from 'y-websocket'
import WebSocket, { WebSocketServer } from 'ws'
import * as Y from 'yjs'
import { DOCUMENT_FIELD } from '../protocol/fields'
import { buildStale } from '../scripts/build.mjs'
import { type CpuProfile, cpuSummaryMarkdown, summariseCpuProfile } from './profileSummary'
import { percentile } from './stats'

const root = fileURLToPath(new URL('..', import.meta.url))

/** Launch flags as in e2e/playwright.config.ts. */
const CHROMIUM = {
  executablePath: '/usr/bin/chromium',
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
}

const WORDS = (
  'the of and to in a is that for it as was with be by on not he this are or his from at which but have an ' +
  'they you were her she there one all we their can been has more if will would who so what up when out ' +
  'document editor paragraph meeting draft review budget schedule customer release quarter notes change ' +
  'server people decision question answer follow agreed proposal figure estimate version plan team'
).split(' ')

/** N paragraphs of plausible prose (35–70 words each, a heading every 25), as Markdown. */
export function documentMarkdown(paragraphs: number, seed = 1): string {
  let state = seed
  const next = (): number => {
    state = (state * 1103515245 + 12345) % 2 ** 31
    return state / 2 ** 31
  }
  const blocks: string[] = []
  for (let i = 0; i < paragraphs; i++) {
    if (i % 25 === 0) {
      blocks.push(`## Section ${i / 25 + 1}`)
      continue
    }
    const count = 35 + Math.floor(next() * 36)
    const words: string[] = []
    for (let w = 0; w < count; w++) words.push(WORDS[Math.floor(next() * WORDS.length)] as string)
    const text = words.join(' ')
    blocks.push(`${text.charAt(0).toUpperCase()}${text.slice(1)}.`)
  }
  return blocks.join('\n\n')
}

/** Installed in the page before the app runs: timings into `window.__typing`. */
function instrument(): void {
  interface Timings {
    on: boolean
    remote: number[]
    remoteFrame: number[]
    local: number[]
  }
  const timings: Timings = { on: false, remote: [], remoteFrame: [], local: [] }
  ;(window as unknown as { __typing: Timings }).__typing = timings
  /** Calls `done` with the time once the frame after now has been rendered. */
  const afterNextFrame = (done: (at: number, frameStart: number) => void): void => {
    requestAnimationFrame(() => {
      const frameStart = performance.now()
      const channel = new MessageChannel()
      channel.port1.onmessage = () => done(performance.now(), frameStart)
      channel.port2.postMessage(0)
    })
  }
  const Native = window.WebSocket
  class TimedWebSocket extends Native {
    override set onmessage(handler: ((event: MessageEvent) => void) | null) {
      if (handler === null) {
        super.onmessage = null
        return
      }
      super.onmessage = (event: MessageEvent) => {
        const data = event.data as unknown
        // y-websocket: messageSync (0), then messageYjsUpdate (2).
        const bytes = data instanceof ArrayBuffer ? new Uint8Array(data, 0, Math.min(2, data.byteLength)) : null
        if (!timings.on || bytes === null || bytes[0] !== 0 || bytes[1] !== 2) {
          handler.call(this, event)
          return
        }
        const start = performance.now()
        try {
          handler.call(this, event)
        } finally {
          const end = performance.now()
          timings.remote.push(end - start)
          performance.measure('remote-keystroke', { start, end })
          afterNextFrame((at, frameStart) => timings.remoteFrame.push(end - start + (at - frameStart)))
        }
      }
    }
    override get onmessage(): ((event: MessageEvent) => void) | null {
      return super.onmessage as ((event: MessageEvent) => void) | null
    }
  }
  window.WebSocket = TimedWebSocket
  document.addEventListener(
    'keydown',
    (event) => {
      if (!timings.on) return
      const pressed = event.timeStamp
      afterNextFrame((at) => {
        timings.local.push(at - pressed)
        performance.measure('local-keystroke', { start: pressed, end: at })
      })
    },
    true,
  )
}

interface Server {
  url: string
  stop(): Promise<void>
}

export async function startServer(dataDir: string, appRoot = root): Promise<Server> {
  const child: ChildProcess = spawn(process.execPath, ['dist/server/main.js'], {
    cwd: appRoot,
    env: { ...process.env, PORT: '0', LOG_LEVEL: 'info', DATA_DIR: dataDir, MAX_BODY_BYTES: String(32 * 2 ** 20) },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const url = await new Promise<string>((resolve, reject) => {
    const collect = (chunk: Buffer): void => {
      if (output.length < 100_000) output += chunk.toString()
      const found = /"url":"(http:\/\/[^"]+)"/.exec(output)?.[1]
      if (found !== undefined) resolve(found)
    }
    child.stdout?.on('data', collect)
    child.stderr?.on('data', collect)
    child.once('exit', () => reject(new Error(`server exited:\n${output}`)))
  })
  return {
    url,
    async stop() {
      child.kill('SIGTERM')
      await gone
    },
  }
}

/** Someone else: a Y.Doc synced over y-websocket, with a caret in the awareness as the editor sends it. */
class RemoteTypist {
  readonly doc = new Y.Doc()
  readonly awareness = new Awareness(this.doc)
  readonly provider: WebsocketProvider
  #text: Y.XmlText | null = null

  constructor(wsBase: string, docId: string) {
    this.provider = new WebsocketProvider(wsBase, docId, this.doc, {
      WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
      awareness: this.awareness,
      disableBc: true,
    })
    this.awareness.setLocalStateField('user', { id: 'remote-typist', name: 'Remote typist', color: '#2f9e44' })
  }

  async synced(): Promise<void> {
    if (this.provider.synced) return
    await new Promise<void>((resolve) => this.provider.once('sync', () => resolve()))
  }

  /** Types at the end of the `index`-th top-level block. */
  typeAt(index: number): void {
    const block = this.doc.getXmlFragment(DOCUMENT_FIELD).get(index)
    if (!(block instanceof Y.XmlElement)) throw new Error(`block ${index} is not an element`)
    const text = block.get(0)
    if (!(text instanceof Y.XmlText)) throw new Error(`block ${index} has no text`)
    this.#text = text
  }

  key(char: string): void {
    const text = this.#text
    if (text === null) throw new Error('typeAt first')
    text.insert(text.length, char)
    const at = Y.relativePositionToJSON(Y.createRelativePositionFromTypeIndex(text, text.length))
    this.awareness.setLocalStateField('cursor', { anchor: at, head: at })
  }

  destroy(): void {
    this.provider.destroy()
    this.awareness.destroy()
    this.doc.destroy()
  }
}

/** Someone else reading: a caret (awareness) moved to a random place in the document once a second. */
class Watcher {
  readonly doc = new Y.Doc()
  readonly awareness = new Awareness(this.doc)
  readonly provider: WebsocketProvider
  #timer: ReturnType<typeof setInterval> | null = null

  constructor(wsBase: string, docId: string, n: number) {
    this.provider = new WebsocketProvider(wsBase, docId, this.doc, {
      WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
      awareness: this.awareness,
      disableBc: true,
    })
    this.awareness.setLocalStateField('user', { id: `watcher-${n}`, name: `Watcher ${n}`, color: '#1971c2' })
  }

  async synced(): Promise<void> {
    if (this.provider.synced) return
    await new Promise<void>((resolve) => this.provider.once('sync', () => resolve()))
  }

  /** Moves once a second from `delayMs` on (staggered, so that N watchers move N times a second). */
  start(delayMs: number): void {
    const move = (): void => {
      const fragment = this.doc.getXmlFragment(DOCUMENT_FIELD)
      const block = fragment.get(Math.floor(Math.random() * fragment.length))
      const text = block instanceof Y.XmlElement ? block.get(0) : null
      if (!(text instanceof Y.XmlText)) return
      const at = Y.relativePositionToJSON(
        Y.createRelativePositionFromTypeIndex(text, Math.floor(Math.random() * (text.length + 1))),
      )
      this.awareness.setLocalStateField('cursor', { anchor: at, head: at })
    }
    this.#timer = setTimeout(() => {
      move()
      this.#timer = setInterval(move, 1000)
    }, delayMs)
  }

  destroy(): void {
    if (this.#timer !== null) clearTimeout(this.#timer)
    this.provider.destroy()
    this.awareness.destroy()
    this.doc.destroy()
  }
}

/** A document of `paragraphs` blocks, created on the server from Markdown (as an import is). */
export async function createDocument(serverUrl: string, paragraphs: number): Promise<string> {
  const created = await fetch(`${serverUrl}/api/docs`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      title: `${paragraphs} paragraphs`,
      content: { format: 'markdown', body: documentMarkdown(paragraphs) },
    }),
  })
  if (created.status !== 201) throw new Error(`create failed: ${created.status} ${await created.text()}`)
  return ((await created.json()) as { id: string }).id
}

interface Row {
  variant: string
  paragraphs: number
  remote: number[]
  remoteFrame: number[]
  local: number[]
  load: number
  /** The renderer's main thread: time in tasks, and in script, per second of typing (ms). */
  busy: { tasks: number; script: number }
}

/** Someone else typing, as the page sees it. */
interface Typist {
  key(char: string): void
  /** The text the other side has of the local user's block. */
  localBlockText(): Promise<string>
  destroy(): void
}

/** A page of N blocks, opened with the local caret at the end of block `localIndex`'s text. */
interface Opened {
  /** The contenteditable whose children are the blocks. */
  editor: Locator
  /** Typing at the end of block `remoteIndex`. */
  typist: Typist
}

interface Variant {
  name: string
  open(page: Page, paragraphs: number, localIndex: number, remoteIndex: number): Promise<Opened>
}

/** The app, as served from `serverUrl`. */
function appVariant(name: string, serverUrl: string, watchers: number): Variant {
  return {
    name,
    async open(page, paragraphs, localIndex, remoteIndex) {
      const id = await createDocument(serverUrl, paragraphs)
      await page.goto(`${serverUrl}/d/${id}`)
      const editor = page.getByTestId('editor')
      await editor
        .locator(':scope > *')
        .nth(paragraphs - 1)
        .waitFor({ state: 'attached', timeout: 120_000 })
      await page.getByTestId('connection-status').and(page.locator('[data-state="connected"]')).waitFor()
      const remote = new RemoteTypist(`${serverUrl.replace(/^http/, 'ws')}/ws/`, id)
      const others = Array.from(
        { length: watchers },
        (_, n) => new Watcher(`${serverUrl.replace(/^http/, 'ws')}/ws/`, id, n),
      )
      await Promise.all([remote.synced(), ...others.map((watcher) => watcher.synced())])
      for (const [n, watcher] of others.entries()) watcher.start((n * 1000) / watchers)
      remote.typeAt(remoteIndex)
      return {
        editor,
        typist: {
          key: (char) => remote.key(char),
          async localBlockText() {
            const block = remote.doc.getXmlFragment(DOCUMENT_FIELD).get(localIndex)
            return block instanceof Y.XmlElement ? block.toString() : ''
          },
          destroy: () => {
            remote.destroy()
            for (const watcher of others) watcher.destroy()
          },
        },
      }
    },
  }
}

/** The document's blocks as HTML, as both floors hold them. */
function blocksHtml(paragraphs: number): string {
  return documentMarkdown(paragraphs)
    .split('\n\n')
    .map((block) => (block.startsWith('## ') ? `<h2>${block.slice(3)}</h2>` : `<p>${block}</p>`))
    .join('')
}

/** A page in the editor's ancestors with the app's stylesheet (CSS text), `host` inside `.editor-host`. */
function pageAround(title: string, stylesheet: string, host: string, scripts: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title>
<style>${stylesheet}</style></head><body><div class="doc-page"><main class="doc-main" id="main">
<div class="doc-body"><article class="sheet"><div class="editor-host">${host}</div></article></div></main></div>${scripts}</body></html>`
}

/** The floor page: N blocks in a plain contenteditable, the app's stylesheet (CSS text) and the editor's ancestors. */
export function floorPage(paragraphs: number, stylesheet: string, socketUrl: string, remoteIndex: number): string {
  // The handler appends the character a message carries ([0, 2, code]: the bytes the init script
  // takes for a document update) to the remote block's text.
  const script = `const target = document.querySelector('[data-testid=editor]').children[${remoteIndex}].firstChild
const socket = new WebSocket(${JSON.stringify(socketUrl)})
socket.binaryType = 'arraybuffer'
socket.onopen = () => { document.body.dataset.connected = 'true' }
socket.onmessage = (event) => { target.insertData(target.length, String.fromCharCode(new Uint8Array(event.data)[2])) }`
  const editor = `<div class="tiptap ProseMirror prose" contenteditable="true" translate="no" data-testid="editor" role="textbox" aria-multiline="true" spellcheck="true">${blocksHtml(paragraphs)}</div>`
  return pageAround('floor', stylesheet, editor, `<script>${script}</script>`)
}

/**
 * The "editor" floor's page: `bench/typingEditorPage.ts` (bundled, `bundle`) makes a Tiptap editor
 * with the app's schema alone in `.editor-host`, holding the same blocks.
 */
export function editorFloorPage(
  paragraphs: number,
  stylesheet: string,
  socketUrl: string,
  remoteIndex: number,
  bundle: string,
): string {
  const config = JSON.stringify({ html: blocksHtml(paragraphs), socketUrl, remoteIndex }).replaceAll('<', '\\u003c')
  // Neither may end its script element early.
  const script = bundle.replaceAll('</script', '<\\/script')
  return pageAround(
    'editor floor',
    stylesheet,
    '',
    `<script>window.floorConfig = ${config}</script><script>${script}</script>`,
  )
}

/** `bench/typingEditorPage.ts` bundled for the browser, as the app is (production mode). */
async function editorPageBundle(): Promise<string> {
  const { build } = await import('esbuild')
  const result = await build({
    entryPoints: [join(root, 'bench/typingEditorPage.ts')],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'error',
  })
  return result.outputFiles[0]?.text ?? ''
}

/**
 * A floor, served from here, its "someone else" a WebSocket of this process: `floor`, a plain
 * contenteditable (what Chromium needs), or `editor`, a bare Tiptap editor with the app's schema
 * (what ProseMirror adds to that).
 */
async function floorVariant(appUrl: string, kind: 'floor' | 'editor'): Promise<Variant & { close(): Promise<void> }> {
  const appPage = await (await fetch(`${appUrl}/`)).text()
  const css = /<link[^>]+href="([^"]+\.css)"/.exec(appPage)?.[1]
  if (css === undefined) throw new Error('no stylesheet in the app page')
  // Inlined: the app serves its assets to its own origin only.
  const stylesheet = await (await fetch(new URL(css, appUrl))).text()
  const bundle = kind === 'editor' ? await editorPageBundle() : ''
  let html = ''
  const http = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
    response.end(html)
  })
  const sockets = new WebSocketServer({ server: http })
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`
  return {
    name: kind,
    async open(page, paragraphs, localIndex, remoteIndex) {
      const socketUrl = url.replace(/^http/, 'ws')
      html =
        kind === 'editor'
          ? editorFloorPage(paragraphs, stylesheet, socketUrl, remoteIndex, bundle)
          : floorPage(paragraphs, stylesheet, socketUrl, remoteIndex)
      const connected = new Promise<WebSocket>((resolve) => sockets.once('connection', resolve))
      await page.goto(url)
      const socket = await connected
      await page.locator('body[data-connected="true"]').waitFor()
      const editor = page.getByTestId('editor')
      await editor
        .locator(':scope > *')
        .nth(paragraphs - 1)
        .waitFor({ state: 'attached' })
      return {
        editor,
        typist: {
          key: (char) => socket.send(Uint8Array.of(0, 2, char.charCodeAt(0))),
          localBlockText: async () => (await editor.locator(':scope > *').nth(localIndex).textContent()) ?? '',
          destroy: () => socket.close(),
        },
      }
    },
    async close() {
      for (const client of sockets.clients) client.terminate()
      await new Promise((resolve) => sockets.close(resolve))
      await new Promise((resolve) => http.close(resolve))
    },
  }
}

const SENTENCE = 'The quick brown fox jumps over the lazy dog while we keep on typing. '

async function measureSize(
  page: Page,
  variant: Variant,
  paragraphs: number,
  seconds: number,
  profileDir: string | undefined,
  traceDir?: string,
): Promise<Row> {
  // Local caret at the end of a paragraph in the middle; the other person three blocks below.
  const localIndex = Math.floor(paragraphs / 2) + 1
  const remoteIndex = localIndex + 3
  const { editor, typist } = await variant.open(page, paragraphs, localIndex, remoteIndex)
  // The same layout work on every variant: the editor's box and font, printed for comparison.
  const box = await editor.evaluate((element) => {
    const style = getComputedStyle(element.children[1] as Element)
    return `${element.clientWidth}×${element.scrollHeight} px, ${style.fontSize}/${style.lineHeight} ${style.fontFamily.split(',')[0]}`
  })
  process.stdout.write(`${variant.name}, ${paragraphs} paragraphs: editor ${box}\n`)
  const local = editor.locator(':scope > *').nth(localIndex)
  await local.scrollIntoViewIfNeeded()
  await local.click()
  await page.keyboard.press('End')

  const label = `${variant.name}-${paragraphs}`
  const session = profileDir === undefined ? null : await page.context().newCDPSession(page)
  let localTyped = ''
  let remoteTyped = ''
  const run = async (ms: number): Promise<void> => {
    const started = performance.now()
    let i = 0
    const timer = setInterval(() => {
      const char = SENTENCE.charAt(i % SENTENCE.length)
      typist.key(char)
      remoteTyped += char
      i++
    }, 100)
    let k = 0
    // Local keys at 10 a second too, each on its own schedule (a key press waits for its round trip).
    while (performance.now() - started < ms) {
      const due = started + k * 100 + 50
      const wait = due - performance.now()
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait))
      const char = SENTENCE.charAt(k % SENTENCE.length)
      await page.keyboard.type(char)
      localTyped += char
      k++
    }
    clearInterval(timer)
  }
  await run(2000) // warm-up: JIT, caret rendering, first frames
  await page.evaluate(() => {
    const t = (window as unknown as { __typing: { on: boolean } }).__typing
    t.on = true
  })
  if (session !== null) {
    await session.send('Profiler.enable')
    await session.send('Profiler.setSamplingInterval', { interval: 200 })
    await session.send('Profiler.start')
  }
  const load = loadavg()[0] ?? Number.NaN
  const metrics = await page.context().newCDPSession(page)
  await metrics.send('Performance.enable')
  const busyBefore = await mainThreadTime(metrics)
  const runStarted = performance.now()
  const browser = page.context().browser()
  if (traceDir !== undefined && browser !== null) {
    await browser.startTracing(page, {
      categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'blink.user_timing'],
    })
  }
  await run(seconds * 1000)
  const busyAfter = await mainThreadTime(metrics)
  const perSecond = 1000 / (performance.now() - runStarted)
  const busy = {
    tasks: (busyAfter.tasks - busyBefore.tasks) * perSecond,
    script: (busyAfter.script - busyBefore.script) * perSecond,
  }
  await metrics.detach()
  if (traceDir !== undefined && browser !== null) {
    const trace = await browser.stopTracing()
    writeFileSync(join(traceDir, `typing-${label}.trace.json`), trace)
    process.stdout.write(`${traceSummary(trace.toString(), seconds)}\n\n${remoteApplyThreadTime(trace.toString())}\n`)
  }
  if (session !== null && profileDir !== undefined) {
    const { profile } = (await session.send('Profiler.stop')) as { profile: CpuProfile }
    writeFileSync(join(profileDir, `typing-${label}.cpuprofile`), JSON.stringify(profile))
    process.stdout.write(`${cpuSummaryMarkdown(`page, ${label}`, summariseCpuProfile(profile, 25))}\n`)
    await session.detach()
  }
  await new Promise((resolve) => setTimeout(resolve, 500))
  const timings = await page.evaluate(() => {
    const t = (
      window as unknown as { __typing: { on: boolean; remote: number[]; remoteFrame: number[]; local: number[] } }
    ).__typing
    t.on = false
    return { remote: t.remote, remoteFrame: t.remoteFrame, local: t.local }
  })

  // Both sides' keystrokes arrived: the page shows the other person's, the other person has ours.
  const remoteText = await editor.locator(':scope > *').nth(remoteIndex).textContent()
  if (remoteText?.endsWith(remoteTyped.slice(-20)) !== true) throw new Error('the page lacks the remote keystrokes')
  // A page that fell behind (many people moving carets, before the fixes) catches up in its own time.
  const deadline = Date.now() + 60_000
  for (;;) {
    const text = await typist.localBlockText()
    if (text.includes(localTyped.slice(-20).replace(/ +$/, ''))) break
    if (Date.now() > deadline) throw new Error('the other person lacks the local keystrokes')
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  typist.destroy()
  return { variant: variant.name, paragraphs, ...timings, load, busy }
}

/** The renderer main thread's time so far in tasks and in script (ms), from Chromium's own counters. */
async function mainThreadTime(session: CDPSession): Promise<{ tasks: number; script: number }> {
  const { metrics } = (await session.send('Performance.getMetrics')) as { metrics: { name: string; value: number }[] }
  const seconds = (name: string): number => metrics.find((metric) => metric.name === name)?.value ?? Number.NaN
  return { tasks: seconds('TaskDuration') * 1000, script: seconds('ScriptDuration') * 1000 }
}

/** Main-thread time of the page's renderer by trace event (style, layout, paint, script…), per second. */
function traceSummary(json: string, seconds: number): string {
  const { traceEvents } = JSON.parse(json) as {
    traceEvents: { name: string; ph: string; dur?: number; pid: number; tid: number }[]
  }
  // The renderer's main thread is the one with the most FunctionCall/RunTask time; take the busiest thread.
  const busy = new Map<string, number>()
  for (const event of traceEvents) {
    if (event.ph === 'X' && event.name === 'RunTask') {
      const key = `${event.pid}:${event.tid}`
      busy.set(key, (busy.get(key) ?? 0) + (event.dur ?? 0))
    }
  }
  const main = [...busy.entries()].sort((a, b) => b[1] - a[1])[0]?.[0]
  const byName = new Map<string, number>()
  for (const event of traceEvents) {
    if (event.ph !== 'X' || `${event.pid}:${event.tid}` !== main) continue
    byName.set(event.name, (byName.get(event.name) ?? 0) + (event.dur ?? 0))
  }
  const rows = [...byName.entries()].sort((a, b) => b[1] - a[1]).slice(0, 15)
  return ['| trace event (main thread, nested) | ms per second |', '|---|---:|']
    .concat(rows.map(([name, us]) => `| ${name} | ${(us / 1000 / seconds).toFixed(1)} |`))
    .join('\n')
}

interface TraceEvent {
  name: string
  ph: string
  ts: number
  dur?: number
  tdur?: number
  pid: number
  tid: number
  args?: { data?: { functionName?: string } }
}

/**
 * Remote apply as wall time and as the main thread's own CPU time (the trace's `tdur`): each
 * `remote-keystroke` measure of the page is matched with the `onmessage` call that holds it. Where
 * the two differ, the thread was not running — on a machine whose cores Chromium shares with the
 * server and the typist, the tail of the wall times is partly the operating system's.
 */
const MARK_SLACK_US = 200

export function remoteApplyThreadTime(json: string): string {
  const { traceEvents } = JSON.parse(json) as { traceEvents: TraceEvent[] }
  const calls = traceEvents.filter(
    (event) => event.ph === 'X' && event.name === 'FunctionCall' && event.args?.data?.functionName === 'onmessage',
  )
  const marks = traceEvents.filter(
    (event) => event.name === 'remote-keystroke' && (event.ph === 'b' || event.ph === 'R' || event.ph === 'X'),
  )
  const wall: number[] = []
  const thread: number[] = []
  for (const mark of marks) {
    // The measure's start is the page's clock (coarsened to 0.1 ms), so it may fall just before the call.
    const call = calls.find((c) => c.ts - MARK_SLACK_US <= mark.ts && mark.ts <= c.ts + (c.dur ?? 0))
    if (call?.tdur === undefined) continue
    wall.push((call.dur ?? 0) / 1000)
    thread.push(call.tdur / 1000)
  }
  const row = (label: string, values: number[]): string =>
    `| ${label} | ${ms(percentile(values, 50))} | ${ms(percentile(values, 99))} | ${ms(Math.max(...values))} |`
  return [
    `| remote apply (trace, ${wall.length} of ${marks.length} matched) | p50 | p99 | max |`,
    '|---|---:|---:|---:|',
    row('wall time', wall),
    row('main thread CPU time', thread),
  ].join('\n')
}

function ms(value: number): string {
  return Number.isFinite(value) ? `${value.toFixed(1)} ms` : '–'
}

function cells(samples: number[]): string {
  return `${ms(percentile(samples, 50))} | ${ms(percentile(samples, 99))} | ${ms(Math.max(...samples))}`
}

export function markdownTable(rows: Row[]): string {
  const lines = [
    '| paragraphs | | remote apply p50 | p99 | max | remote + frame p50 | p99 | max | local key → paint p50 | p99 | max | main thread busy (script) per s | samples (remote/local) | load avg |',
    '|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ]
  for (const row of rows) {
    lines.push(
      `| ${row.paragraphs.toLocaleString('en')} | ${row.variant} | ${cells(row.remote)} | ${cells(row.remoteFrame)} | ${cells(row.local)} | ${ms(row.busy.tasks)} (${ms(row.busy.script)}) | ${row.remote.length}/${row.local.length} | ${row.load.toFixed(1)} |`,
    )
  }
  return lines.join('\n')
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      paragraphs: { type: 'string' },
      seconds: { type: 'string' },
      before: { type: 'string' },
      profile: { type: 'string' },
      trace: { type: 'string' },
      watchers: { type: 'string' },
      rounds: { type: 'string' },
      'no-floors': { type: 'boolean' },
    },
  })
  const rounds = Number(values.rounds ?? 1)
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error('--rounds takes a count, e.g. 3')
  const watchers = Number(values.watchers ?? 0)
  if (!Number.isInteger(watchers) || watchers < 0) throw new Error('--watchers takes a count of people, e.g. 20')
  const sizes = (values.paragraphs ?? '500,2000,5000').split(',').map(Number)
  const seconds = Number(values.seconds ?? 10)
  const profileDir = values.profile
  if (profileDir !== undefined) mkdirSync(profileDir, { recursive: true })
  const traceDir = values.trace
  if (traceDir !== undefined) mkdirSync(traceDir, { recursive: true })
  const roots: [string, string][] = values.before === undefined ? [] : [['before', values.before]]
  roots.push([roots.length === 0 ? 'app' : 'after', root])
  const servers: Server[] = []
  const dataDirs: string[] = []
  const variants: Variant[] = []
  const floors: Awaited<ReturnType<typeof floorVariant>>[] = []
  let browser: Browser | null = null
  const rows: Row[] = []
  try {
    for (const [name, appRoot] of roots) {
      await buildStale(appRoot)
      const dataDir = mkdtempSync(join(tmpdir(), 'tandem-typing-'))
      dataDirs.push(dataDir)
      const server = await startServer(dataDir, appRoot)
      servers.push(server)
      variants.push(appVariant(name, server.url, watchers))
    }
    if (values['no-floors'] !== true) {
      for (const kind of ['editor', 'floor'] as const)
        floors.push(await floorVariant((servers.at(-1) as Server).url, kind))
    }
    variants.push(...floors)
    browser = await chromium.launch(CHROMIUM)
    for (const paragraphs of sizes.flatMap((size) => Array<number>(rounds).fill(size))) {
      for (const variant of variants) {
        const context = await browser.newContext({ viewport: { width: 1280, height: 800 } })
        // tsx keeps function names with a `__name` helper the page does not have.
        await context.addInitScript({ content: `var __name = (f) => f;(${instrument.toString()})()` })
        const page = await context.newPage()
        try {
          rows.push(await measureSize(page, variant, paragraphs, seconds, profileDir, traceDir))
          process.stdout.write(`${markdownTable(rows.slice(-1)).split('\n').at(-1)}\n`)
        } finally {
          await context.close()
        }
      }
    }
  } finally {
    await browser?.close()
    for (const floor of floors) await floor.close()
    for (const server of servers) await server.stop()
    for (const dataDir of dataDirs) rmSync(dataDir, { recursive: true, force: true })
  }
  process.stdout.write(`\n${markdownTable(rows)}\n`)
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
    process.exit(1)
  })
}
