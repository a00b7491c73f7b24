/**
 * What the orchestrator asks of a load worker over IPC, and what it answers. Workers are child
 * processes so that driving hundreds of sockets never competes with the orchestrator's clock.
 */
import type { Target } from './wire'

export type Role =
  /** Only receives. */
  | 'reader'
  /** Edits on a fixed interval (fan-out); receives nothing it measures. */
  | 'writer'
  /** Edits at its own rate and measures what the others write (many documents). */
  | 'peer'
  /** Writes one small paragraph once synced, then idles. */
  | 'seeder'
  /** Moves its caret (an awareness state shaped like CollaborationCaret's) at its rate; a probe measures. */
  | 'presence'

export interface ClientSpec {
  docName: string
  role: Role
  /** Unique across the whole run: tags the stamps this client writes. */
  sender: number
  /** Edits (or caret moves) per second, for peers and presence clients. */
  rate?: number
  /** Presence clients: measure the carets of the others (only a few do, to spare the load processes). */
  probe?: boolean
  /** Peers that also move a caret: moves per second. */
  caretRate?: number
  /** Presence clients: send every presence message received back, as stock y-websocket browsers do. */
  echo?: boolean
}

export type Command =
  | { cmd: 'open'; target: Target; clients: ClientSpec[]; concurrency: number }
  | { cmd: 'start'; intervalMs: number }
  | { cmd: 'stop' }
  | { cmd: 'collect'; from: number; to: number }
  | { cmd: 'close' }
  /** The load process's own CPU time (µs) and resident memory (bytes): what the generator used. */
  | { cmd: 'usage' }
  | {
      cmd: 'join'
      target: Target
      docName: string
      count: number
      /** Clock time at which simultaneous joiners start; null joins them one after another. */
      at: number | null
      /** Length of the text the first joiner must find, to prove it received everything. */
      expectTextLength: number
      /** A joiner not synced by then counts as failed (default 120 s). */
      timeoutMs?: number
    }

export interface Collected {
  /** Milliseconds from send to receipt, for stamps sent in the window. */
  latencies: Float64Array
  /** Stamps received, sent in the window. */
  delivered: number
  /** Edits this worker sent in the window. */
  edits: number
  /** Sockets the server closed while they were in use. */
  dropped: number
  /** Bytes of every frame received in the window (presence). */
  bytesReceived: number
  /** Caret moves the probes themselves made in the window (presence). */
  probeEdits: number
}

/** What a `join` command measured: milliseconds to synced per joiner that made it. */
export interface JoinResult {
  times: number[]
  failed: number
  /** The distinct reasons joiners failed. */
  errors: string[]
}

export type Reply = { ok: true; result: unknown } | { ok: false; error: string }
