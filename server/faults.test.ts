/**
 * Faults: graceful restarts, crashes at random moments, random clients doing random things, and
 * a stream of hostile messages. Nothing any client saw is ever lost, and everyone converges.
 */
import { rmSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'
import { afterEach, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import * as Y from 'yjs'
import * as awarenessProtocol from 'y-protocols/awareness'
import { CloseCode } from '../protocol/closeCodes'
import { encodeAwareness, encodeUpdate } from './sync/wire'
import { DOCUMENT_FIELD } from '../protocol/fields'
import { type ChildServer, freePort, spawnServer } from './test/child'
import { type TestClient, connectClient } from './test/clients'
import { type TestServer, startTestServer, tempDataDir } from './test/server'
import { captureUpdate, cloneDoc } from './test/updates'
import { fuzzSeed, seededRandom } from './test/random'
import { waitFor } from './test/waitFor'

const clients: TestClient[] = []
const children: ChildServer[] = []
const servers: TestServer[] = []
const dirs: string[] = []

afterEach(async () => {
  for (const c of clients.splice(0)) c.destroy()
  for (const child of children.splice(0)) await child.kill('SIGKILL')
  for (const s of servers.splice(0)) await s.stop()
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

async function post(url: string, body: unknown): Promise<string> {
  const response = await fetch(`${url}/api/docs`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
  if (response.status !== 201) throw new Error(`create: ${response.status}`)
  return ((await response.json()) as { id: string }).id
}

async function contentText(url: string, id: string): Promise<string> {
  const response = await fetch(`${url}/api/docs/${id}/content?format=text`)
  if (response.status !== 200) throw new Error(`content of ${id}: ${response.status}`)
  return response.text()
}

function track(c: TestClient): TestClient {
  clients.push(c)
  return c
}

describe('SIGTERM', () => {
  it('stores everything, tells clients to come back with 1012, exits in time, and clients resume', async () => {
    const dataDir = tempDataDir()
    dirs.push(dataDir)
    const port = await freePort()
    const env = { DATA_DIR: dataDir, PORT: String(port) }
    const first = await spawnServer(env)
    children.push(first)
    const id = await post(first.url, { title: 'restart' })
    const a = track(connectClient(first.wsUrl, id))
    const b = track(connectClient(first.wsUrl, id))
    await Promise.all([a.synced(), b.synced()])
    for (let i = 0; i < 20; i++) a.appendParagraph(`before ${i}`)

    const started = Date.now()
    first.process.kill('SIGTERM')
    expect(await first.exited).toBe(0)
    expect(Date.now() - started).toBeLessThan(10_000)
    const toldToComeBack = (c: TestClient) => c.closes.some((close) => close.code === CloseCode.serviceRestart)
    await waitFor(() => toldToComeBack(a) && toldToComeBack(b), { what: 'both clients to see close 1012' })

    b.appendParagraph('while the server was down')
    const second = await spawnServer(env)
    children.push(second)
    await waitFor(() => a.provider.synced && b.provider.synced, { timeout: 15_000, what: 'both clients to come back' })
    // B may not have had all of A's paragraphs when it wrote its own (the server stores what it
    // received before it goes, but what was in flight to B comes with the resync): B's paragraph
    // then sits after the last one B had. Nothing may be missing, and A's stay in their order.
    const before = Array.from({ length: 20 }, (_, i) => `before ${i}`)
    const complete = (text: string): boolean => {
      const lines = text.split('\n')
      return (
        lines.length === 22 &&
        lines[0] === '' &&
        lines.includes('while the server was down') &&
        lines.filter((line) => line.startsWith('before ')).join('\n') === before.join('\n')
      )
    }
    await waitFor(() => a.text() === b.text() && complete(a.text()), { what: 'convergence after the restart' })
    const expected = a.text().split('\n').join('\n\n')
    await waitFor(async () => (await contentText(second.url, id)) === expected, {
      what: 'the server to hold everything',
    })
  })
})

describe('kill -9 at random moments', () => {
  const seed = fuzzSeed(7919)

  it(`never loses what an observer saw, never corrupts the database, and every document loads (seed ${seed})`, {
    timeout: 180_000,
  }, async () => {
    const random = seededRandom(seed).int
    const dataDir = tempDataDir()
    dirs.push(dataDir)
    const env = { DATA_DIR: dataDir, COMPACT_THRESHOLD: '8', MAX_MESSAGES_PER_SECOND: '10000' }
    let server = await spawnServer(env)
    children.push(server)
    const ids = [await post(server.url, {}), await post(server.url, {}), await post(server.url, {})]
    const seen = new Map<string, Set<string>>(ids.map((id) => [id, new Set<string>()]))

    for (let round = 1; round <= 8; round++) {
      const writers = ids.map((id) => track(connectClient(server.wsUrl, id)))
      const observers = ids.map((id) => track(connectClient(server.wsUrl, id)))
      await Promise.all([...writers, ...observers].map((c) => c.synced()))
      const victim = server
      const killAfter = 20 + random(200)
      let written = 0
      const writing = setInterval(() => {
        for (let burst = 0; burst < 3; burst++) {
          const index = random(writers.length)
          writers[index]?.appendParagraph(`round ${round} line ${written++}`)
        }
      }, 2)
      // The random moment is the fault injected, not a wait for something.
      setTimeout(() => victim.process.kill('SIGKILL'), killAfter)
      await victim.exited
      clearInterval(writing)
      ids.forEach((id, index) => {
        for (const line of (observers[index] as TestClient).text().split('\n')) if (line !== '') seen.get(id)?.add(line)
      })
      for (const c of [...writers, ...observers]) c.destroy()

      const db = new Database(join(dataDir, 'tandem.db'))
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok')
      db.close()
      server = await spawnServer(env)
      children.push(server)
      for (const id of ids) {
        const text = await contentText(server.url, id)
        const lines = new Set(text.split('\n\n'))
        for (const line of seen.get(id) ?? []) {
          expect(lines.has(line), `seed ${seed}, round ${round}: ${line} in ${id}`).toBe(true)
        }
      }
    }
    expect([...seen.values()].reduce((sum, lines) => sum + lines.size, 0)).toBeGreaterThan(50)
  })
})

describe('randomized convergence through the real server', () => {
  const seed = fuzzSeed(20261125)

  it(`ends with identical replicas and nothing pending after random edits, disconnects and restarts (seed ${seed})`, {
    timeout: 120_000,
  }, async () => {
    const random = seededRandom(seed).int
    const dataDir = tempDataDir()
    dirs.push(dataDir)
    const port = await freePort()
    const env = { DATA_DIR: dataDir, PORT: String(port), MAX_MESSAGES_PER_SECOND: '10000' }
    let server = await startTestServer(env)
    servers.push(server)
    const id = await server.createDocument({ content: { format: 'text', body: 'start' } })
    const replicas = Array.from({ length: 6 }, () => track(connectClient(server.wsUrl, id)))
    await Promise.all(replicas.map((r) => r.synced()))

    const edit = (doc: Y.Doc): void => {
      const body = doc.getXmlFragment(DOCUMENT_FIELD)
      const choice = random(10)
      if (choice === 0 || body.length === 0) {
        const paragraph = new Y.XmlElement('paragraph')
        paragraph.insert(0, [new Y.XmlText(`p${random(1000)}`)])
        body.insert(random(body.length + 1), [paragraph])
        return
      }
      const paragraph = body.get(random(body.length)) as Y.XmlElement
      if (choice === 1 && body.length > 1) {
        body.delete(random(body.length), 1)
        return
      }
      let text = paragraph.get(0) as Y.XmlText | undefined
      if (!(text instanceof Y.XmlText)) {
        text = new Y.XmlText()
        paragraph.insert(0, [text])
      }
      if (choice === 2 && text.length > 2) text.format(random(text.length - 1), 1, { bold: {} })
      else if (choice === 3 && text.length > 0) text.delete(random(text.length), 1)
      else text.insert(random(text.length + 1), String.fromCharCode(97 + random(26)))
    }

    for (let step = 0; step < 600; step++) {
      const replica = replicas[random(replicas.length)] as TestClient
      edit(replica.doc)
      const event = random(100)
      if (event < 3) {
        const target = replicas[random(replicas.length)] as TestClient
        if (target.provider.shouldConnect) target.provider.disconnect()
        else target.provider.connect()
      }
      if (step % 150 === 149) {
        await server.stop()
        server = await startTestServer(env)
        servers.push(server)
      }
      // Pauses of random length let the server interleave differently: the fault, not a wait.
      if (step % 8 === 0) await new Promise((resolve) => setTimeout(resolve, 2 + random(15)))
    }
    for (const replica of replicas) if (!replica.provider.shouldConnect) replica.provider.connect()

    const state = (doc: Y.Doc) => Buffer.from(Y.encodeStateVector(doc)).toString('base64')
    await waitFor(
      () => {
        const first = replicas[0] as TestClient
        return replicas.every(
          (r) =>
            r.provider.synced &&
            state(r.doc) === state(first.doc) &&
            r.doc.getXmlFragment(DOCUMENT_FIELD).toString() === first.doc.getXmlFragment(DOCUMENT_FIELD).toString(),
        )
      },
      { timeout: 60_000, interval: 50, what: 'all replicas to converge' },
    )
    for (const replica of replicas) {
      expect(replica.doc.store.pendingStructs).toBeNull()
      expect(replica.doc.store.pendingDs).toBeNull()
    }
    const fresh = track(connectClient(server.wsUrl, id))
    await fresh.synced()
    await waitFor(
      () =>
        fresh.doc.getXmlFragment(DOCUMENT_FIELD).toString() ===
        (replicas[0] as TestClient).doc.getXmlFragment(DOCUMENT_FIELD).toString(),
      {
        what: 'the server copy to match',
      },
    )
  })
})

describe('hostile message fuzzing', () => {
  const seed = fuzzSeed(1337)

  it(`survives 1,000+ hostile messages: no uncaught exception, document unchanged, others keep syncing (seed ${seed})`, {
    timeout: 120_000,
  }, async () => {
    const random = seededRandom(seed).int
    const server = await startTestServer({ MAX_MESSAGES_PER_SECOND: '100000', MAX_CONNECTIONS_PER_IP: '10000' })
    servers.push(server)
    const id = await server.createDocument({
      content: { format: 'markdown', body: '# Title\n\nbody text here\n\n- a\n- b' },
    })
    const witness = track(connectClient(server.wsUrl, id, { awareness: { user: { name: 'witness' } } }))
    await witness.synced()
    const before = witness.doc.getXmlFragment(DOCUMENT_FIELD).toString()

    const uncaught: unknown[] = []
    const onUncaught = (error: unknown) => uncaught.push(error)
    process.on('uncaughtException', onUncaught)
    process.on('unhandledRejection', onUncaught)

    const editor = cloneDoc(witness.doc)
    const body = editor.getXmlFragment(DOCUMENT_FIELD)
    const honest = Array.from({ length: 30 }, (_, i) =>
      captureUpdate(editor, () => {
        const paragraph = body.get(1) as Y.XmlElement
        ;(paragraph.get(0) as Y.XmlText).insert(random(5), `k${i}`)
      }),
    )
    const awareness = new awarenessProtocol.Awareness(editor)
    awareness.setLocalState({ user: { name: 'fuzzer', color: '#123456' } })
    const awarenessUpdate = awarenessProtocol.encodeAwarenessUpdate(awareness, [editor.clientID])

    /** Is this update something Yjs would apply cleanly, adding to the document? */
    const wouldChangeDocument = (update: Uint8Array): boolean => {
      const scratch = cloneDoc(witness.doc)
      const vector = Y.encodeStateVector(scratch)
      try {
        Y.applyUpdate(scratch, update)
      } catch {
        return false
      }
      const pending = scratch.store.pendingStructs !== null || scratch.store.pendingDs !== null
      return !pending && Buffer.compare(Buffer.from(Y.encodeStateVector(scratch)), Buffer.from(vector)) !== 0
    }
    /**
     * A flipped bit can leave a frame a valid update, e.g. the same insert under another client
     * id; the server rightly applies that, so such frames are not hostile input.
     */
    const carriesDocumentChange = (frame: Uint8Array): boolean => {
      try {
        const decoder = decoding.createDecoder(frame)
        if (decoding.readVarUint(decoder) !== 0) return false
        const type = decoding.readVarUint(decoder)
        return (type === 1 || type === 2) && wouldChangeDocument(decoding.readVarUint8Array(decoder))
      } catch {
        return false
      }
    }
    const mutate = (bytes: Uint8Array): Uint8Array => {
      const copy = Uint8Array.from(bytes)
      const kind = random(3)
      if (kind === 0) return copy.subarray(0, random(copy.length))
      for (let flips = 1 + random(4); flips > 0; flips--) {
        const at = random(copy.length)
        copy[at] = (copy[at] as number) ^ (1 << random(8))
      }
      return copy
    }
    const frameOf = (type: number, payload: Uint8Array): Uint8Array => {
      const e = encoding.createEncoder()
      encoding.writeVarUint(e, 0)
      encoding.writeVarUint(e, type)
      encoding.writeVarUint8Array(e, payload)
      return encoding.toUint8Array(e)
    }

    const messages: Uint8Array[] = []
    while (messages.length < 1200) {
      const kind = random(5)
      if (kind === 0) {
        messages.push(Uint8Array.from({ length: 1 + random(200) }, () => random(256)))
      } else if (kind === 1) {
        const frame = mutate(encodeUpdate(honest[random(honest.length)] as Uint8Array))
        if (!carriesDocumentChange(frame)) messages.push(frame)
      } else if (kind === 2) {
        const update = mutate(honest[random(honest.length)] as Uint8Array)
        if (!wouldChangeDocument(update)) messages.push(frameOf(random(2) === 0 ? 1 : 2, update))
      } else if (kind === 3) {
        messages.push(mutate(encodeAwareness(awarenessUpdate)))
      } else {
        messages.push(encodeAwareness(mutate(awarenessUpdate)))
      }
    }

    // After each hostile message a query (answered with presence) proves the server processed it.
    const query = Uint8Array.of(3)
    let socket: WebSocket | null = null
    let refused = 0
    const open = async (): Promise<WebSocket> => {
      if (socket !== null && socket.readyState === WebSocket.OPEN) return socket
      const ws = new WebSocket(`${server.wsUrl}/${id}`)
      ws.on('error', () => undefined)
      await new Promise((resolve) => ws.once('open', resolve))
      socket = ws
      return ws
    }
    for (const message of messages) {
      const ws = await open()
      const processed = new Promise<void>((resolve) => {
        const done = () => {
          ws.off('message', onMessage)
          resolve()
        }
        const onMessage = (data: Buffer) => {
          if (data[0] === 1) done()
        }
        ws.on('message', onMessage)
        ws.once('close', () => {
          refused++
          done()
        })
      })
      ws.send(message)
      ws.send(query)
      await processed
    }
    ;(socket as WebSocket | null)?.terminate()

    witness.appendParagraph('still alive')
    const checker = track(connectClient(server.wsUrl, id))
    await waitFor(() => checker.provider.synced && checker.text().endsWith('still alive'), {
      what: 'sync after the fuzz',
    })
    process.off('uncaughtException', onUncaught)
    process.off('unhandledRejection', onUncaught)
    expect(uncaught).toEqual([])
    expect(refused).toBeGreaterThan(300)
    const after = checker.doc.getXmlFragment(DOCUMENT_FIELD).toString()
    expect(after.replace('<paragraph>still alive</paragraph>', '')).toBe(before)
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200)
  })
})
