/**
 * Making a document's body equal to another's (a version being restored) as one change that
 * touches only what differs: blocks equal on both sides are kept, so an editor who was offline
 * and changed one of them finds the change still there when it syncs; a block changed on one
 * side only is edited in place (attributes, and text by its common start and end), so an offline
 * edit elsewhere in it survives too. Anything else is deleted and inserted as a copy.
 * `restoreBody` checks the result and falls back to replacing the whole body if it differs.
 */
import { createHash } from 'node:crypto'
import * as Y from 'yjs'
import { DOCUMENT_FIELD } from '../../protocol/fields'

type Node = Y.XmlElement | Y.XmlText
type Parent = Y.XmlFragment | Y.XmlElement

/** Structural identity of a node (tag, sorted attributes, text with formatting). */
function keyOf(node: Node): string {
  return node.toString()
}

/** Indices of equal children kept in place: a longest common subsequence of the two key lists. */
function commonPairs(current: string[], target: string[]): Array<[number, number]> {
  const n = current.length
  const m = target.length
  // Bodies have hundreds of blocks at most; beyond a bound, match by common start and end only.
  if (n * m > 4_000_000) {
    const pairs: Array<[number, number]> = []
    let start = 0
    while (start < n && start < m && current[start] === target[start]) pairs.push([start, start++])
    let end = 0
    while (end < n - start && end < m - start && current[n - 1 - end] === target[m - 1 - end]) end++
    for (let k = end; k > 0; k--) pairs.push([n - k, m - k])
    return pairs
  }
  const lengths = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1))
  for (let i = n - 1; i >= 0; i--) {
    const row = lengths[i] as Uint32Array
    const next = lengths[i + 1] as Uint32Array
    for (let j = m - 1; j >= 0; j--) {
      row[j] =
        current[i] === target[j] ? (next[j + 1] as number) + 1 : Math.max(next[j] as number, row[j + 1] as number)
    }
  }
  const pairs: Array<[number, number]> = []
  let i = 0
  let j = 0
  while (i < n && j < m) {
    if (current[i] === target[j]) {
      pairs.push([i, j])
      i++
      j++
    } else if ((lengths[i + 1]?.[j] ?? 0) >= (lengths[i]?.[j + 1] ?? 0)) i++
    else j++
  }
  return pairs
}

function copyOf(node: Node): Node {
  return node.clone() as Node
}

interface Run {
  text: string
  attributes: Record<string, unknown> | undefined
}

function runsOf(text: Y.XmlText): Run[] {
  const runs: Run[] = []
  for (const op of text.toDelta() as Array<{ insert: unknown; attributes?: Record<string, unknown> }>) {
    if (typeof op.insert !== 'string') return []
    runs.push({ text: op.insert, attributes: op.attributes })
  }
  return runs
}

/** Per character, its formatting as a string, to compare two texts with their formatting. */
function charsOf(runs: Run[]): Array<{ ch: string; format: string; attributes: Record<string, unknown> }> {
  const chars = []
  for (const run of runs) {
    const format = JSON.stringify(run.attributes ?? {}, Object.keys(run.attributes ?? {}).sort())
    for (const ch of run.text) chars.push({ ch, format, attributes: run.attributes ?? {} })
  }
  return chars
}

/** Edits `current` into `target` between their common start and common end. */
function patchText(current: Y.XmlText, target: Y.XmlText): void {
  const from = charsOf(runsOf(current))
  const to = charsOf(runsOf(target))
  const same = (a: (typeof from)[number] | undefined, b: (typeof to)[number] | undefined) =>
    a !== undefined && b !== undefined && a.ch === b.ch && a.format === b.format
  let start = 0
  while (start < from.length && start < to.length && same(from[start], to[start])) start++
  let end = 0
  while (
    end < from.length - start &&
    end < to.length - start &&
    same(from[from.length - 1 - end], to[to.length - 1 - end])
  )
    end++
  // Code points, as Yjs counts UTF-16 units: lengths are summed in units.
  const units = (chars: typeof from, a: number, b: number) => chars.slice(a, b).reduce((sum, c) => sum + c.ch.length, 0)
  const at = units(from, 0, start)
  const removed = units(from, start, from.length - end)
  if (removed > 0) current.delete(at, removed)
  let position = at
  let index = start
  while (index < to.length - end) {
    const format = to[index]?.format
    let text = ''
    const attributes = to[index]?.attributes ?? {}
    while (index < to.length - end && to[index]?.format === format) text += to[index++]?.ch ?? ''
    current.insert(position, text, attributes)
    position += text.length
  }
}

function sameAttributes(a: Y.XmlElement, b: Y.XmlElement): boolean {
  return (
    JSON.stringify(a.getAttributes(), Object.keys(a.getAttributes()).sort()) ===
    JSON.stringify(b.getAttributes(), Object.keys(b.getAttributes()).sort())
  )
}

/** Edits `current` in place into `target` where they are of a kind, else false. */
function patchNode(current: Node, target: Node): boolean {
  if (current instanceof Y.XmlText && target instanceof Y.XmlText) {
    if (runsOf(current).length === 0 && current.length > 0) return false
    if (runsOf(target).length === 0 && target.length > 0) return false
    patchText(current, target)
    return true
  }
  if (current instanceof Y.XmlElement && target instanceof Y.XmlElement && current.nodeName === target.nodeName) {
    if (!sameAttributes(current, target)) {
      const wanted = target.getAttributes() as Record<string, unknown>
      for (const name of Object.keys(current.getAttributes())) if (!(name in wanted)) current.removeAttribute(name)
      for (const [name, value] of Object.entries(wanted)) current.setAttribute(name, value as string)
    }
    patchChildren(current, target)
    return true
  }
  return false
}

/** Children of `current` made equal to those of `target`. */
function patchChildren(current: Parent, target: Parent): void {
  const have = current.toArray() as Node[]
  const want = target.toArray() as Node[]
  const pairs = commonPairs(have.map(keyOf), want.map(keyOf))
  // Walk the gaps between kept pairs from the end, so indices before a gap stay valid.
  const bounds: Array<[number, number]> = [[-1, -1], ...pairs, [have.length, want.length]]
  for (let k = bounds.length - 1; k > 0; k--) {
    const [haveEnd, wantEnd] = bounds[k] as [number, number]
    const [haveStart, wantStart] = bounds[k - 1] as [number, number]
    const oldNodes = have.slice(haveStart + 1, haveEnd)
    const newNodes = want.slice(wantStart + 1, wantEnd)
    const at = haveStart + 1
    const paired = Math.min(oldNodes.length, newNodes.length)
    // Extra old nodes go, missing new ones come, after the paired ones (from the end first).
    if (oldNodes.length > paired) current.delete(at + paired, oldNodes.length - paired)
    if (newNodes.length > paired) current.insert(at + paired, newNodes.slice(paired).map(copyOf))
    for (let p = paired - 1; p >= 0; p--) {
      const oldNode = oldNodes[p] as Node
      const newNode = newNodes[p] as Node
      if (!patchNode(oldNode, newNode)) {
        current.delete(at + p, 1)
        current.insert(at + p, [copyOf(newNode)])
      }
    }
  }
}

/**
 * Makes `doc`'s body equal to `target`'s, inside the caller's transaction. Only the body: the
 * title and anything else stay.
 */
export function restoreBody(doc: Y.Doc, target: Y.Doc): void {
  const body = doc.getXmlFragment(DOCUMENT_FIELD)
  const wanted = target.getXmlFragment(DOCUMENT_FIELD)
  patchChildren(body, wanted)
  if (body.toString() !== wanted.toString()) {
    body.delete(0, body.length)
    body.insert(0, (wanted.toArray() as Node[]).map(copyOf))
  }
}

/**
 * Identifies a document's state: a hash of its state vector and delete set, both encoded in a
 * deterministic order by Yjs, so that two processes holding the same state compute the same key.
 */
export function stateKey(doc: Y.Doc): string {
  return createHash('sha256')
    .update(Y.encodeSnapshot(Y.snapshot(doc)))
    .digest('base64url')
}
