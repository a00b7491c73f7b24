/**
 * Scenario 7: join storm on big documents. A Tiptap-shaped document of 4 or 20 MB built from many
 * edits (the trace replayed paragraph after paragraph, each by its own client) is uploaded in
 * pieces of at most 1 MiB by one client; a second client receiving all of it proves the server
 * accepted (and for tandem, stored) it. Then 150 fresh clients open it at the same moment: time
 * from socket open to fully synced, failures, and the server's peak resident memory.
 */
import { spawn } from 'node:child_process'
import * as Y from 'yjs'
import { splitUpdate } from '../../server/model/updateFormat'
import { builtPath } from '../build'
import { BenchClient } from '../load/client'
import { now } from '../load/stamp'
import { type Target, readServerMessage } from '../load/wire'
import { type ServerName, startServer } from '../servers'
import { percentile } from '../stats'
import { type BigDocument, bodyTextLength } from '../trace'
import type { ScenarioContext } from './context'
import { joinAtOnce } from './coldJoin'

export interface BigJoinRun {
  server: ServerName
  /** The size asked for, MB (the document is built up to at least that many MiB). */
  targetMb: number
  /** Encoded size of the document, MiB. */
  documentMb: number
  joiners: number
  /** From the first piece sent to the observer holding the whole document. */
  loadMs: number
  p50Ms: number
  p99Ms: number
  maxMs: number
  /** Joiners that were closed, failed or not synced before the deadline. */
  failed: number
  errors: string[]
  /** Server CPU from just before the joiners until all synced. */
  cpuMs: number
  rssBeforeMb: number
  peakRssMb: number
}

/** Lead before the joiners start: longer than the cold join's, a big upload has just ended. */
const START_LEAD_MS = 500
const PIECE_BYTES = 2 ** 20

/** Uploads the document in pieces; resolves once another client has received all of it. */
async function upload(
  target: Target,
  docName: string,
  big: BigDocument,
  timeoutMs: number,
): Promise<{ ms: number; clients: BenchClient[] }> {
  const seen = new Y.Doc()
  let done: () => void = () => undefined
  const complete = new Promise<void>((resolve) => {
    done = resolve
  })
  let doneAt = 0
  const observer = new BenchClient({
    target,
    docName,
    onUpdate: (frame, receivedAt) => {
      const message = readServerMessage(target.protocol, frame)
      if (message.kind !== 'update' || message.payload === undefined) return
      Y.applyUpdate(seen, message.payload)
      if (doneAt === 0 && bodyTextLength(seen) === big.textLength) {
        doneAt = receivedAt
        done()
      }
    },
  })
  const uploader = new BenchClient({ target, docName })
  await Promise.all([observer.synced, uploader.synced])
  const sentAt = now()
  for (const piece of splitUpdate(big.update, PIECE_BYTES)) uploader.send(piece)
  let timer: NodeJS.Timeout | undefined
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the document was not broadcast within ${timeoutMs} ms`)), timeoutMs)
  })
  try {
    await Promise.race([complete, deadline])
  } finally {
    clearTimeout(timer)
    seen.destroy()
  }
  return { ms: doneAt - sentAt, clients: [observer, uploader] }
}

export async function runBigJoin(
  context: ScenarioContext,
  name: ServerName,
  big: BigDocument,
  targetMb: number,
  joiners: number,
  timeoutMs: number,
): Promise<BigJoinRun> {
  const server = await startServer(name, context.startOptions(name))
  let holders: BenchClient[] = []
  try {
    const docName = await server.createDocument()
    const loaded = await upload(server.target, docName, big, timeoutMs)
    holders = loaded.clients
    await server.collectGarbage()
    const before = await server.stats()
    server.resetPeakRss()
    await context.hooks?.beginWindow(server)
    const results = await joinAtOnce(
      context,
      {
        target: server.target,
        docName,
        count: joiners,
        expectTextLength: big.textLength,
        timeoutMs,
      },
      START_LEAD_MS,
    )
    const after = await server.stats()
    await context.hooks?.endWindow(server, `bigjoin-${name}`)
    const times = results.flatMap((part) => part.times)
    return {
      server: name,
      targetMb,
      documentMb: big.update.length / 2 ** 20,
      joiners,
      loadMs: loaded.ms,
      p50Ms: percentile(times, 50),
      p99Ms: percentile(times, 99),
      maxMs: times.length === 0 ? Number.NaN : Math.max(...times),
      failed: results.reduce((sum, part) => sum + part.failed, 0),
      errors: [...new Set(results.flatMap((part) => part.errors))],
      cpuMs: (after.cpuMicros - before.cpuMicros) / 1000,
      rssBeforeMb: before.rss / 2 ** 20,
      peakRssMb: server.peakRss() / 2 ** 20,
    }
  } finally {
    await Promise.all(holders.map((client) => client.close()))
    await server.stop()
  }
}

/** What a process holding the document as a Y.Doc, and nothing else, keeps resident. */
export interface DocFloor {
  targetMb: number
  rssMb: number
  heapMb: number
}

/**
 * The join storm's memory floor: every server under test holds the open document as a Y.Doc, so
 * none can peak below a bare process holding it (`servers/docHolder.ts`, after full collections).
 * `path`: the document as one encoded update (the join storm's cached copy).
 */
export async function measureDocFloor(path: string, targetMb: number): Promise<DocFloor> {
  const child = spawn(process.execPath, ['--expose-gc', builtPath('docHolder')], {
    env: { PATH: process.env.PATH ?? '', NODE_ENV: 'production', DOC_PATH: path },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  let output = ''
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString()
  })
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve))
  if (code !== 0) throw new Error(`the document holder exited with ${code}`)
  const { rss, heapUsed } = JSON.parse(output) as { rss: number; heapUsed: number }
  return { targetMb, rssMb: rss / 2 ** 20, heapMb: heapUsed / 2 ** 20 }
}
