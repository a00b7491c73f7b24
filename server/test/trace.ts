/**
 * The automerge-paper editing trace (260k real keystrokes of one author writing a paper).
 */
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { gunzipSync } from 'node:zlib'

export interface EditingTrace {
  startContent: string
  endContent: string
  /** Each patch is [position, characters deleted, text inserted]. */
  txns: Array<{ patches: Array<[number, number, string]> }>
}

export const TRACE_PATH = fileURLToPath(new URL('./fixtures/automerge-paper.json.gz', import.meta.url))

export function loadTrace(path = TRACE_PATH): EditingTrace {
  return JSON.parse(gunzipSync(readFileSync(path)).toString('utf8')) as EditingTrace
}
