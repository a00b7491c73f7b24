/**
 * What changed between two states of a document, for the History panel: blocks (paragraphs,
 * headings, list items, …) are matched by their text, and a block changed in place is compared
 * word by word. Plain text only: formatting changes are not shown.
 */

/** ProseMirror JSON as the REST API and Tiptap's `getJSON()` give it. */
export interface ContentNode {
  type?: string
  text?: string
  attrs?: Record<string, unknown>
  content?: ContentNode[]
}

export interface Block {
  /** `paragraph`, `heading`, `codeBlock`, … (the innermost block holding text). */
  type: string
  /** Heading level, when a heading. */
  level?: number | undefined
  text: string
}

export type Segment = { kind: 'same' | 'inserted' | 'deleted'; text: string }

export interface DiffBlock {
  type: string
  level?: number | undefined
  /** `inserted`: only in the version shown; `deleted`: only in the one compared with. */
  kind: 'same' | 'changed' | 'inserted' | 'deleted'
  segments: Segment[]
}

const INLINE = new Set(['text', 'hardBreak', 'image', 'mention'])

function inlineText(node: ContentNode): string {
  if (node.type === 'text') return node.text ?? ''
  if (node.type === 'hardBreak') return '\n'
  if (node.type === 'image') return '[image]'
  return (node.content ?? []).map(inlineText).join('')
}

/** The blocks holding text, in reading order. */
export function blocksOf(doc: ContentNode | null | undefined): Block[] {
  const blocks: Block[] = []
  const walk = (node: ContentNode): void => {
    const children = node.content ?? []
    const holdsText = children.length > 0 && children.every((child) => INLINE.has(child.type ?? ''))
    const isLeafBlock = node.type !== 'doc' && (holdsText || children.length === 0)
    if (isLeafBlock && node.type !== undefined && !INLINE.has(node.type)) {
      const level = typeof node.attrs?.level === 'number' ? node.attrs.level : undefined
      blocks.push({ type: node.type, level, text: children.map(inlineText).join('') })
      return
    }
    for (const child of children) walk(child)
  }
  if (doc !== null && doc !== undefined) walk(doc)
  return blocks
}

/** Longest common subsequence of two lists, as index pairs, in order. */
function commonPairs<T>(a: readonly T[], b: readonly T[], same: (x: T, y: T) => boolean): Array<[number, number]> {
  let start = 0
  while (start < a.length && start < b.length && same(a[start] as T, b[start] as T)) start++
  let end = 0
  while (
    end < a.length - start &&
    end < b.length - start &&
    same(a[a.length - 1 - end] as T, b[b.length - 1 - end] as T)
  )
    end++
  const pairs: Array<[number, number]> = []
  for (let i = 0; i < start; i++) pairs.push([i, i])
  const n = a.length - start - end
  const m = b.length - start - end
  // Beyond this the middle is shown as replaced whole: a bound on work, not a limit anyone meets.
  if (n > 0 && m > 0 && n * m <= 2_000_000) {
    const lengths = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1))
    for (let i = n - 1; i >= 0; i--) {
      const row = lengths[i] as Uint32Array
      const next = lengths[i + 1] as Uint32Array
      for (let j = m - 1; j >= 0; j--) {
        row[j] = same(a[start + i] as T, b[start + j] as T)
          ? (next[j + 1] as number) + 1
          : Math.max(next[j] as number, row[j + 1] as number)
      }
    }
    let i = 0
    let j = 0
    while (i < n && j < m) {
      if (same(a[start + i] as T, b[start + j] as T)) {
        pairs.push([start + i, start + j])
        i++
        j++
      } else if ((lengths[i + 1]?.[j] ?? 0) >= (lengths[i]?.[j + 1] ?? 0)) i++
      else j++
    }
  }
  for (let k = end; k > 0; k--) pairs.push([a.length - k, b.length - k])
  return pairs
}

/** Words and the spaces between them, so that a diff keeps the text's spacing. */
function tokens(text: string): string[] {
  return text.match(/\s+|[^\s]+/g) ?? []
}

function pushSegment(segments: Segment[], kind: Segment['kind'], text: string): void {
  if (text === '') return
  const last = segments.at(-1)
  if (last?.kind === kind) last.text += text
  else segments.push({ kind, text })
}

/** Word by word: what `shown` has that `base` has not (inserted), and the reverse (deleted). */
export function diffText(base: string, shown: string): Segment[] {
  const from = tokens(base)
  const to = tokens(shown)
  const segments: Segment[] = []
  let i = 0
  let j = 0
  for (const [pi, pj] of [...commonPairs(from, to, (x, y) => x === y), [from.length, to.length] as [number, number]]) {
    pushSegment(segments, 'deleted', from.slice(i, pi).join(''))
    pushSegment(segments, 'inserted', to.slice(j, pj).join(''))
    if (pi < from.length) pushSegment(segments, 'same', from[pi] as string)
    i = pi + 1
    j = pj + 1
  }
  return segments
}

/** Blocks alike enough to be shown as one block changed: of a kind, sharing half their words. */
function similar(a: Block, b: Block): boolean {
  if (a.type !== b.type) return false
  const words = (text: string) => text.split(/\s+/).filter((word) => word !== '')
  const left = new Set(words(a.text))
  const right = words(b.text)
  if (left.size === 0 || right.length === 0) return left.size === 0 && right.length === 0
  const shared = right.filter((word) => left.has(word)).length
  return shared * 2 >= Math.min(left.size, right.length)
}

/** Between two equal blocks: similar ones as changed, the others as deleted or inserted, in order. */
function emitGap(result: DiffBlock[], removed: readonly Block[], added: readonly Block[]): void {
  let i = 0
  let j = 0
  const whole = (block: Block, kind: 'inserted' | 'deleted'): DiffBlock => ({
    type: block.type,
    level: block.level,
    kind,
    segments: [{ kind, text: block.text }],
  })
  for (const [pi, pj] of [
    ...commonPairs(removed, added, similar),
    [removed.length, added.length] as [number, number],
  ]) {
    for (const block of removed.slice(i, pi)) result.push(whole(block, 'deleted'))
    for (const block of added.slice(j, pj)) result.push(whole(block, 'inserted'))
    const before = removed[pi]
    const after = added[pj]
    if (before !== undefined && after !== undefined) {
      result.push({
        type: after.type,
        level: after.level,
        kind: 'changed',
        segments: diffText(before.text, after.text),
      })
    }
    i = pi + 1
    j = pj + 1
  }
}

/**
 * The blocks of `shown`, with those of `base` it lacks put back where they were, marked: equal
 * blocks are `same`, a block changed in place `changed` with its words marked.
 */
export function diffBlocks(base: readonly Block[], shown: readonly Block[]): DiffBlock[] {
  const key = (block: Block): string => `${block.type}:${block.level ?? ''}:${block.text}`
  const pairs = commonPairs(base, shown, (x, y) => key(x) === key(y))
  const result: DiffBlock[] = []
  let i = 0
  let j = 0
  for (const [pi, pj] of [...pairs, [base.length, shown.length] as [number, number]]) {
    emitGap(result, base.slice(i, pi), shown.slice(j, pj))
    const same = shown[pj]
    if (same !== undefined)
      result.push({ type: same.type, level: same.level, kind: 'same', segments: [{ kind: 'same', text: same.text }] })
    i = pi + 1
    j = pj + 1
  }
  return result
}

/** How many words were inserted and deleted, for a summary people (and screen readers) read first. */
export function countChanges(blocks: readonly DiffBlock[]): { inserted: number; deleted: number } {
  let inserted = 0
  let deleted = 0
  for (const block of blocks) {
    for (const segment of block.segments) {
      const words = segment.text.split(/\s+/).filter((word) => word !== '').length
      if (segment.kind === 'inserted') inserted += words
      if (segment.kind === 'deleted') deleted += words
    }
  }
  return { inserted, deleted }
}
