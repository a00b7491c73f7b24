/**
 * Someone else's keystroke costs what it changes, not what the document holds.
 *
 * Upstream behaviour (@tiptap/y-tiptap 3.0.9, `ProsemirrorBinding._typeChanged`): every remote
 * Yjs change is applied as one transaction whose single step replaces the *whole* document
 * (`tr.replace(0, doc.content.size, …)`) with nodes the binding has just rebuilt from Yjs (it
 * clears its Yjs→ProseMirror mapping first, so not one node object survives). Everything
 * downstream then works on the whole document, once per remote keystroke: ProseMirror's view
 * compares every top-level block with `eq` to find what to redraw, decorations are remapped
 * through a step that covers everything, and `appendTransaction` hooks that look for "what
 * changed" by node identity see everything as changed — prosemirror-tables' `fixTables`
 * (`changedDescendants`) walked every node of a 5,000-paragraph document on each keystroke,
 * 40 % of the page's time in `bench/typing.ts`.
 *
 * The fix, at Tiptap's `dispatchTransaction` seam (before the state sees the transaction): such a
 * whole-document replace is turned into a replace of only the blocks that differ. The old and new
 * top-level blocks are compared from both ends (`eq`); while exactly one non-textblock block
 * changed into one of the same type and attributes (a list, a table, a quote), the comparison
 * descends into it. The new transaction replaces just that range with the binding's new nodes,
 * so its document is `eq` to the binding's — the same content, with the unchanged blocks being
 * the very node objects the state already had. It carries everything else the binding put on its
 * transaction: the selection it restored from Yjs relative positions (the same positions, the
 * documents being equal), every meta (`ySyncPluginKey`'s, `addToHistory: false`), the time,
 * `scrollIntoView` and stored marks.
 *
 * The binding's own mapping (Yjs type → node) still points at the nodes it built; the next local
 * change compares through that mapping by identity (`updateYFragment`), and would otherwise fall
 * back to comparing the whole document with Yjs. So the mapping is pointed at the nodes the
 * document now holds.
 *
 * Left alone: anything else (local transactions, snapshots of the version history, a transaction
 * of several steps or of a state that has moved on) goes through untouched. Drop this once the
 * binding applies remote changes incrementally (`narrowRemoteChanges.test.ts` says so: its
 * "upstream" test fails then).
 */
import { Extension } from '@tiptap/core'
import { Fragment, type Node as ProseMirrorNode, Slice } from '@tiptap/pm/model'
import { type EditorState, Selection, type Transaction } from '@tiptap/pm/state'
import { ReplaceStep } from '@tiptap/pm/transform'
import { ySyncPluginKey } from '@tiptap/y-tiptap'
import * as Y from 'yjs'
import { type Mapped, showsLiveDocument, ySyncState } from './ySyncState'

/** Meta of a remote change asking for the binding's scroll to your caret, done in the next frame (see below). */
export const SCROLL_SOON = 'narrowRemoteChanges.scrollSoon'

/** The part of the binding used here. */
interface Binding {
  type: Y.XmlFragment
  mapping: Map<unknown, Mapped>
}

interface SyncMeta {
  isChangeOrigin?: boolean
  snapshot?: unknown
  prevSnapshot?: unknown
}

/** Children [start, oldEnd) of one node became children [start, newEnd) of the other. */
interface ChangedRange {
  start: number
  oldEnd: number
  newEnd: number
}

function same(a: ProseMirrorNode, b: ProseMirrorNode): boolean {
  return a === b || a.eq(b)
}

/** Where the children of `before` and `after` differ, or null when none does. */
export function changedChildren(before: ProseMirrorNode, after: ProseMirrorNode): ChangedRange | null {
  const oldCount = before.childCount
  const newCount = after.childCount
  const shorter = Math.min(oldCount, newCount)
  let start = 0
  while (start < shorter && same(before.child(start), after.child(start))) start++
  if (start === oldCount && start === newCount) return null
  let oldEnd = oldCount
  let newEnd = newCount
  while (oldEnd > start && newEnd > start && same(before.child(oldEnd - 1), after.child(newEnd - 1))) {
    oldEnd--
    newEnd--
  }
  return { start, oldEnd, newEnd }
}

/** Position of the `index`-th child's start, for a node whose content starts at `contentStart`. */
function childPosition(node: ProseMirrorNode, index: number, contentStart: number): number {
  let pos = contentStart
  for (let i = 0; i < index; i++) pos += node.child(i).nodeSize
  return pos
}

/** The one replace step that turns `before` into a document equal to `after`, or null if equal. */
export function narrowStep(before: ProseMirrorNode, after: ProseMirrorNode): ReplaceStep | null {
  let oldParent = before
  let newParent = after
  let contentStart = 0
  let range = changedChildren(oldParent, newParent)
  if (range === null) return null
  for (;;) {
    if (range.oldEnd - range.start !== 1 || range.newEnd - range.start !== 1) break
    const oldChild = oldParent.child(range.start)
    const newChild = newParent.child(range.start)
    if (oldChild.isTextblock || oldChild.isLeaf || !oldChild.sameMarkup(newChild)) break
    const inner = changedChildren(oldChild, newChild)
    if (inner === null) break
    contentStart = childPosition(oldParent, range.start, contentStart) + 1
    oldParent = oldChild
    newParent = newChild
    range = inner
  }
  const from = childPosition(oldParent, range.start, contentStart)
  let to = from
  for (let i = range.start; i < range.oldEnd; i++) to += oldParent.child(i).nodeSize
  const nodes: ProseMirrorNode[] = []
  for (let i = range.start; i < range.newEnd; i++) nodes.push(newParent.child(i))
  return new ReplaceStep(from, to, new Slice(Fragment.from(nodes), 0, 0))
}

/**
 * `again`, a transaction made anew in place of `tr`, given `tr`'s metadata and time. ProseMirror
 * keeps a transaction's metadata by key name (its `meta` field, not public API).
 */
export function withMetadataOf(tr: Transaction, again: Transaction): Transaction {
  const metas = (tr as unknown as { meta: Record<string, unknown> }).meta
  for (const key of Object.keys(metas)) again.setMeta(key, metas[key])
  return again.setTime(tr.time)
}

/**
 * A remote change narrowed to the blocks it changed, or null to dispatch it as it is. With
 * `scroll: false` the binding's `scrollIntoView` is left for the caller to do.
 */
export function narrowRemoteChange(state: EditorState, tr: Transaction, scroll = true): Transaction | null {
  const meta = tr.getMeta(ySyncPluginKey) as SyncMeta | undefined
  if (meta?.isChangeOrigin !== true || meta.snapshot != null || meta.prevSnapshot != null) return null
  if (!showsLiveDocument(ySyncState<Binding>(state))) return null
  if (tr.before !== state.doc || tr.steps.length !== 1) return null
  const whole = tr.steps[0]
  if (
    !(whole instanceof ReplaceStep) ||
    whole.from !== 0 ||
    whole.to !== state.doc.content.size ||
    whole.slice.openStart !== 0 ||
    whole.slice.openEnd !== 0
  ) {
    return null
  }
  const narrowed = state.tr
  const step = narrowStep(state.doc, tr.doc)
  if (step !== null && narrowed.maybeStep(step).failed !== null) return null
  if (narrowed.doc.content.size !== tr.doc.content.size) return null
  if (tr.selectionSet) {
    try {
      narrowed.setSelection(Selection.fromJSON(narrowed.doc, tr.selection.toJSON()))
    } catch {
      return null
    }
  }
  withMetadataOf(tr, narrowed)
  if (tr.storedMarksSet) narrowed.setStoredMarks(tr.storedMarks)
  if (tr.scrolledIntoView && scroll) narrowed.scrollIntoView()
  return narrowed
}

/** ProseMirror children as the binding pairs them with Yjs children: runs of text nodes grouped. */
function bindingContent(node: ProseMirrorNode): Mapped[] {
  const content: Mapped[] = []
  let run: ProseMirrorNode[] | null = null
  node.forEach((child) => {
    if (child.isText) {
      if (run === null) {
        run = []
        content.push(run)
      }
      run.push(child)
    } else {
      run = null
      content.push(child)
    }
  })
  return content
}

function sameRun(a: Mapped | undefined, b: ProseMirrorNode[]): boolean {
  return Array.isArray(a) && a.length === b.length && a.every((node, i) => node === b[i])
}

/**
 * Points the binding's mapping at the nodes of `node` (which is `eq` to what the binding built
 * for `type`), down to textblocks. Subtrees already mapped to the very nodes (those the narrowed
 * step inserted) are skipped; where the shapes disagree, or below a textblock, the old entry is
 * left, which costs the binding only its slower comparison by content of what it compares.
 *
 * With `before`, the node this one replaced, only the children that differ from its children
 * are visited (blocks have no text runs, so their children and the type's pair up one to one):
 * the others are the very nodes the mapping already holds, and visiting every block of the
 * document per remote keystroke is what this is for avoiding.
 */
export function adoptNodes(
  mapping: Map<unknown, Mapped>,
  type: Y.XmlFragment | Y.XmlElement,
  node: ProseMirrorNode,
  before: ProseMirrorNode | null = null,
): void {
  mapping.set(type, node)
  if (before !== null && !before.inlineContent && !node.inlineContent && type.length === node.childCount) {
    const range = changedChildren(before, node)
    if (range === null) return
    const oneChild = range.oldEnd - range.start === 1 && range.newEnd - range.start === 1
    for (let i = range.start; i < range.newEnd; i++) {
      adoptChild(mapping, type.get(i), node.child(i), oneChild ? before.child(i) : null)
    }
    return
  }
  const children = type.toArray()
  const content = bindingContent(node)
  if (children.length !== content.length) return
  for (let i = 0; i < children.length; i++) adoptChild(mapping, children[i], content[i], null)
}

function adoptChild(
  mapping: Map<unknown, Mapped>,
  child: Y.XmlElement | Y.XmlText | Y.XmlHook | undefined,
  mapped: Mapped | undefined,
  before: ProseMirrorNode | null,
): void {
  if (child instanceof Y.XmlText) {
    if (Array.isArray(mapped) && !sameRun(mapping.get(child), mapped)) mapping.set(child, mapped)
  } else if (child instanceof Y.XmlElement && mapped !== undefined && !Array.isArray(mapped)) {
    if (child.nodeName !== mapped.type.name || mapping.get(child) === mapped) return
    // A paragraph's text runs are compared by content when it changes (one paragraph's worth);
    // walking them for every block of the document is what would cost.
    if (mapped.isTextblock) mapping.set(child, mapped)
    else adoptNodes(mapping, child, mapped, before)
  }
}

/**
 * Points the mapping at the blocks the narrowed document `doc` kept where the binding's document
 * `built` holds equal ones built anew: blocks a change deleted and made again (a local edit far
 * away may rewrite a run of blocks in Yjs, `updateYFragment`). Their mapping entries point at the
 * binding's new nodes, which the narrowed document never holds: the next local change there would
 * be compared by content, and `remoteInPlace.ts` would not find them. The comparison is by
 * identity, a few microseconds for 5,000 blocks; the Yjs list is read only when one differs.
 */
export function adoptKeptBlocks(
  mapping: Map<unknown, Mapped>,
  fragment: Y.XmlFragment,
  built: ProseMirrorNode,
  doc: ProseMirrorNode,
): void {
  if (built.childCount !== doc.childCount) return
  let types: ReturnType<Y.XmlFragment['toArray']> | null = null
  for (let i = 0; i < doc.childCount; i++) {
    const node = doc.child(i)
    if (built.child(i) === node) continue
    types ??= fragment.toArray()
    const type = types[i]
    if (type instanceof Y.XmlElement && mapping.get(type) !== node) adoptNodes(mapping, type, node)
  }
}

/** ProseMirror's own "scroll the selection into view" (`EditorView.scrollToSelection`, internal). */
interface ScrollingView {
  scrollToSelection?: () => void
}

export const NarrowRemoteChanges = Extension.create<Record<string, never>, { scrollFrame: number | null }>({
  name: 'narrowRemoteChanges',
  addStorage() {
    return { scrollFrame: null }
  },
  dispatchTransaction({ transaction, next }) {
    const { editor, storage } = this
    const state = editor.state
    // Link's autolink (an appendTransaction) looks for URLs typed before a space in every change:
    // it replays the change's steps on the old document, which at 5,000 paragraphs cost 13 % of a
    // remote keystroke's time (`bench/typing.ts --profile`). Someone else's typing is autolinked
    // by their own editor, and the link comes with it. An editor that autolinked others' text
    // showed a link the shared document did not have (the binding does not write back while it
    // applies a remote change), until its own next edit wrote it into Yjs as its change.
    if ((transaction.getMeta(ySyncPluginKey) as SyncMeta | undefined)?.isChangeOrigin === true) {
      transaction.setMeta('preventAutolink', true)
    }
    // The binding asks to scroll your caret into view when it was in view before the change.
    // ProseMirror does that right after updating the DOM, which forces a synchronous layout of the
    // whole document for every remote keystroke (a fifth of the page's time at 5,000 paragraphs).
    // It is done once in the next animation frame instead, before that frame is drawn: the same
    // scroll, seen at the same moment, with one layout however many changes arrived.
    // (`remoteInPlace.ts` asks for that scroll with `SCROLL_SOON`.)
    const deferScroll = typeof requestAnimationFrame === 'function'
    const scrollSoon = transaction.getMeta(SCROLL_SOON) === true
    if (scrollSoon && !deferScroll) transaction.scrollIntoView()
    const narrowed = narrowRemoteChange(state, transaction, !deferScroll)
    if (narrowed === null) {
      next(transaction)
    } else {
      const binding = ySyncState<Binding>(state)?.binding
      if (binding !== undefined) {
        adoptNodes(binding.mapping, binding.type, narrowed.doc, state.doc)
        adoptKeptBlocks(binding.mapping, binding.type, transaction.doc, narrowed.doc)
      }
      next(narrowed)
    }
    const scroll = scrollSoon || (narrowed !== null && transaction.scrolledIntoView)
    if (deferScroll && scroll && storage.scrollFrame === null) {
      storage.scrollFrame = requestAnimationFrame(() => {
        storage.scrollFrame = null
        if (editor.isDestroyed) return
        const view = editor.view as unknown as ScrollingView
        if (typeof view.scrollToSelection === 'function') view.scrollToSelection()
        else editor.view.dispatch(editor.state.tr.scrollIntoView())
      })
    }
  },
  onDestroy() {
    if (this.storage.scrollFrame !== null) cancelAnimationFrame(this.storage.scrollFrame)
    this.storage.scrollFrame = null
  },
})
