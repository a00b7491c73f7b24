/**
 * A load-generator process: opens the clients it is given and runs the commands of
 * {@link Command} one at a time, answering each over IPC.
 */
import * as encoding from 'lib0/encoding'
import * as Y from 'yjs'
import { BenchClient, Editor } from './client'
import type { ClientSpec, Collected, Command, JoinResult, Reply } from './commands'
import { now, scanStamps, stampText } from './stamp'
import type { Target } from './wire'
import { bodyTextLength } from '../trace'

interface Running {
  spec: ClientSpec
  client: BenchClient
  editor: Editor | Caret | null
  /** A peer that also moves its caret (the 10,000-editors scenario). */
  caret: Caret | null
  timer: NodeJS.Timeout | null
  caretTimer: NodeJS.Timeout | null
}

/**
 * A caret that moves: an awareness state shaped like CollaborationCaret's (user, and anchor and
 * head as relative positions), about 300 bytes, carrying a stamp so probes can time it.
 */
class Caret {
  readonly #clientId: number
  #clock = 0
  #offset = 0
  constructor(
    readonly client: BenchClient,
    readonly sender: number,
    /** False for carets nobody times (the editors' own): the same bytes, no stamp to find. */
    readonly stamped = true,
  ) {
    this.#clientId = (sender * 2654435761) >>> 2
  }

  begin(_initialText?: string): void {}

  edit(): number {
    const at = now()
    this.#clock++
    this.#offset = (this.#offset + 7) % 5000
    const position = (clock: number) => ({
      type: { client: 1234567890, clock: 17 },
      tname: null,
      item: { client: this.#clientId, clock },
      assoc: 0,
    })
    const state = JSON.stringify({
      user: { name: `Person ${this.sender}`, color: '#1f6feb' },
      cursor: { anchor: position(this.#offset), head: position(this.#offset + 3) },
      stamp: this.stamped ? stampText(this.sender, at) : stampText(this.sender, at).replaceAll('@', '#'),
    })
    const encoder = encoding.createEncoder()
    encoding.writeVarUint(encoder, 1)
    encoding.writeVarUint(encoder, this.#clientId)
    encoding.writeVarUint(encoder, this.#clock)
    encoding.writeVarString(encoder, state)
    this.client.sendAwareness(encoding.toUint8Array(encoder))
    return at
  }
}

let running: Running[] = []
let sentAt: number[] = []
let latency: number[] = []
let editTimes: number[] = []
let dropped = 0
let probeEditTimes: number[] = []
let byteTimes: number[] = []
let byteSizes: number[] = []

function record(self: number) {
  return (frame: Buffer, receivedAt: number): void => {
    scanStamps(frame, (sent, sender) => {
      if (sender === self) return
      sentAt.push(sent)
      latency.push(receivedAt - sent)
    })
  }
}

function openPresence(target: Target, spec: ClientSpec): Running {
  const probe = spec.probe === true ? record(spec.sender) : null
  const client = new BenchClient({
    target,
    docName: spec.docName,
    onAwareness: (frame, receivedAt) => {
      byteTimes.push(receivedAt)
      byteSizes.push(frame.length)
      probe?.(frame, receivedAt)
      if (spec.echo === true) client.sendFrame(frame)
    },
    onDropped: () => {
      dropped++
    },
  })
  return { spec, client, editor: new Caret(client, spec.sender), caret: null, timer: null, caretTimer: null }
}

function openOne(target: Target, spec: ClientSpec): Running {
  if (spec.role === 'presence') return openPresence(target, spec)
  const measures = spec.role === 'reader' || spec.role === 'peer'
  const edits = spec.role !== 'reader'
  const doc = edits ? new Y.Doc() : undefined
  const client = new BenchClient({
    target,
    docName: spec.docName,
    doc,
    onUpdate: measures ? record(spec.sender) : undefined,
    onDropped: () => {
      dropped++
    },
  })
  if (doc !== undefined) BenchClient.sendLocalChanges(doc, client)
  return {
    spec,
    client,
    editor: doc === undefined ? null : new Editor(doc, spec.sender),
    // Not stamped: an editor times edits only, and the floor relays carets as it relays updates.
    caret: spec.caretRate === undefined ? null : new Caret(client, spec.sender, false),
    timer: null,
    caretTimer: null,
  }
}

async function open(target: Target, clients: ClientSpec[], concurrency: number): Promise<number> {
  const started = now()
  let next = 0
  const lane = async (): Promise<void> => {
    while (next < clients.length) {
      const spec = clients[next++] as ClientSpec
      const one = openOne(target, spec)
      running.push(one)
      await one.client.synced
      if (spec.role === 'seeder') one.editor?.begin(`A small document, number ${spec.sender}.`)
      else one.editor?.begin()
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, clients.length) }, lane))
  return now() - started
}

/** A small deterministic generator, so that every server sees the same schedule. */
function seeded(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

function start(intervalMs: number): void {
  for (const one of running) {
    const editor = one.editor
    if (editor === null || one.spec.role === 'seeder') continue
    const probe = one.spec.probe === true
    const edit = (): void => {
      const at = editor.edit()
      editTimes.push(at)
      if (probe) probeEditTimes.push(at)
    }
    const ownRate = one.spec.role === 'peer' || one.spec.role === 'presence'
    const every = ownRate ? 1000 / (one.spec.rate ?? 5) : intervalMs
    const phase = ownRate ? seeded(one.spec.sender)() * every : 0
    one.timer = setTimeout(() => {
      edit()
      one.timer = setInterval(edit, every)
    }, phase)
    const caret = one.caret
    if (caret !== null) {
      // Half a period after its edits, so that a client's edit and caret move do not coincide.
      const caretEvery = 1000 / (one.spec.caretRate ?? 1)
      one.caretTimer = setTimeout(
        () => {
          caret.edit()
          one.caretTimer = setInterval(() => caret.edit(), caretEvery)
        },
        (phase + every / 2) % caretEvery,
      )
    }
  }
}

function stop(): number {
  for (const one of running) {
    if (one.timer !== null) clearTimeout(one.timer)
    if (one.caretTimer !== null) clearTimeout(one.caretTimer)
    one.timer = null
    one.caretTimer = null
  }
  return editTimes.length
}

function collect(from: number, to: number): Collected {
  const inWindow: number[] = []
  let delivered = 0
  for (let index = 0; index < sentAt.length; index++) {
    const sent = sentAt[index] as number
    if (sent < from || sent >= to) continue
    delivered++
    inWindow.push(latency[index] as number)
  }
  const edits = editTimes.filter((at) => at >= from && at < to).length
  let bytesReceived = 0
  for (let index = 0; index < byteTimes.length; index++) {
    const at = byteTimes[index] as number
    if (at >= from && at < to) bytesReceived += byteSizes[index] as number
  }
  const probeEdits = probeEditTimes.filter((at) => at >= from && at < to).length
  return { latencies: Float64Array.from(inWindow), delivered, edits, dropped, bytesReceived, probeEdits }
}

async function close(): Promise<void> {
  stop()
  await Promise.all(running.map((one) => one.client.close()))
  running = []
  sentAt = []
  latency = []
  editTimes = []
  dropped = 0
  byteTimes = []
  byteSizes = []
  probeEditTimes = []
}

interface Joined {
  ms: number
  client: BenchClient
  /** What the server sent as its state (every piece), kept by the one joiner per batch that checks it. */
  state: Uint8Array[] | null
}

async function joinOne(
  target: Target,
  docName: string,
  startedAt: number,
  keepState: boolean,
  timeoutMs: number,
): Promise<Joined> {
  let state: Uint8Array[] | null = null
  const client = new BenchClient({
    target,
    docName,
    onInitialState: keepState ? (received) => (state = received) : undefined,
  })
  let timer: NodeJS.Timeout | undefined
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`not synced within ${timeoutMs} ms`)), timeoutMs)
  })
  try {
    const syncedAt = await Promise.race([client.synced, deadline])
    return { ms: syncedAt - startedAt, client, state }
  } catch (error) {
    await client.close()
    throw error
  } finally {
    clearTimeout(timer)
  }
}

/** After the timing: the joiner that kept the server's state must have received the whole text. */
function verifyJoined(joined: Joined, expectTextLength: number): void {
  if (joined.state === null) throw new Error('the checking joiner kept no state')
  const doc = new Y.Doc()
  for (const piece of joined.state) Y.applyUpdate(doc, piece)
  const length = bodyTextLength(doc)
  doc.destroy()
  if (length !== expectTextLength) throw new Error(`joiner received ${length} characters, expected ${expectTextLength}`)
}

/** Joins one after another (failing on the first failure) or all at once (counting failures). */
async function join(command: Extract<Command, { cmd: 'join' }>): Promise<JoinResult> {
  const { target, docName, count, at, expectTextLength } = command
  const timeoutMs = command.timeoutMs ?? 120_000
  const times: number[] = []
  if (at === null) {
    for (let index = 0; index < count; index++) {
      const joined = await joinOne(target, docName, now(), index === 0, timeoutMs)
      times.push(joined.ms)
      await joined.client.close()
      if (index === 0) verifyJoined(joined, expectTextLength)
    }
    return { times, failed: 0, errors: [] }
  }
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, at - now())))
  // Every joiner keeps the state until the checking one succeeds: the first to sync is checked.
  const settled = await Promise.allSettled(
    Array.from({ length: count }, (_, index) => joinOne(target, docName, at, index === 0, timeoutMs)),
  )
  const joined = settled.flatMap((one) => (one.status === 'fulfilled' ? [one.value] : []))
  const errors = settled.flatMap((one) =>
    one.status === 'rejected' ? [one.reason instanceof Error ? one.reason.message : String(one.reason)] : [],
  )
  await Promise.all(joined.map((one) => one.client.close()))
  const checker = joined.find((one) => one.state !== null)
  if (checker !== undefined) verifyJoined(checker, expectTextLength)
  return { times: joined.map((one) => one.ms), failed: errors.length, errors: [...new Set(errors)] }
}

async function run(command: Command): Promise<unknown> {
  switch (command.cmd) {
    case 'open':
      return open(command.target, command.clients, command.concurrency)
    case 'start':
      start(command.intervalMs)
      return null
    case 'stop':
      return stop()
    case 'collect':
      return collect(command.from, command.to)
    case 'close':
      await close()
      return null
    case 'join':
      return join(command)
    case 'usage': {
      const cpu = process.cpuUsage()
      return { cpuMicros: cpu.user + cpu.system, rss: process.memoryUsage().rss }
    }
  }
}

process.on('message', (message: { id: number; command: Command }) => {
  run(message.command).then(
    (result) => process.send?.({ id: message.id, reply: { ok: true, result } satisfies Reply }),
    (error: unknown) =>
      process.send?.({
        id: message.id,
        reply: { ok: false, error: error instanceof Error ? error.message : String(error) } satisfies Reply,
      }),
  )
})
process.on('disconnect', () => process.exit(0))
