/**
 * Your selection is kept across someone else's change without two walks over the document before
 * it and two after.
 *
 * Upstream behaviour (@tiptap/y-tiptap 3.0.9, `ProsemirrorBinding`): at the start of every Yjs
 * transaction (`beforeAllTransactions`) the binding saves your selection as Yjs relative positions
 * (`getRelativeSelection`: `absolutePositionToRelativePosition` walks the top-level blocks from the
 * start, adding up their sizes, once for the anchor and once for the head); after a remote change
 * `_typeChanged` turns them back (`restoreRelativeSelection`: `relativePositionToAbsolutePosition`
 * walks the blocks before each again). At 5,000 paragraphs those four walks were the largest cost
 * of a remote keystroke left in the binding (`bench/typing.ts`, docs/benchmarks.md).
 *
 * Here, for a text selection whose ends lie inside textblocks (not at a textblock's start):
 * - **saving** finds the top-level block of each end at once (ProseMirror resolves the position;
 *   the block's Yjs type comes from an index kept beside the binding's mapping, node → type) and
 *   makes the relative position inside that block: `absolutePositionToRelativePosition(offset in
 *   the block, block's type)`. Upstream's walk, once it reaches that block, descends into it and
 *   goes on exactly as this one does (the position is inside it), so the result is the same
 *   relative position (a test compares them through random edits);
 * - **restoring**, when neither end's block was touched by the remote transaction (its type is not
 *   among the changed types or their ancestors, nor deleted), is left to the dispatch seam: such a
 *   block's node is the very object in the binding's new document (`keepUntouchedNodes.ts`), so
 *   each end is that block's new start plus the same offset — which is where upstream's relative
 *   position resolves, and upstream's misresolution checks (`recoverSelectionEndpoint`) keep it (the
 *   same textblock, text and offset). The binding is shown no saved selection while it applies such
 *   a change, so it neither walks nor restores; the seam sets the selection and, as upstream,
 *   asks for a scroll when your caret was in view.
 * Anything else — node, range or all selections, an end at a textblock's start, a touched block,
 * the undo manager's saved selections — goes through upstream as before.
 *
 * Drop this once the binding stops walking the document per change (the "upstream" test beside
 * this file then fails).
 */
import { Extension } from '@tiptap/core'
import type { Node as ProseMirrorNode } from '@tiptap/pm/model'
import { type EditorState, TextSelection, type Transaction } from '@tiptap/pm/state'
import type { EditorView } from '@tiptap/pm/view'
import {
  absolutePositionToRelativePosition,
  getRelativeSelection,
  isMisresolvedTextPosition,
  relativePositionToAbsolutePosition,
  ySyncPluginKey,
} from '@tiptap/y-tiptap'
import * as Y from 'yjs'
import {
  type BindingObserver,
  aroundBindingObserver,
  aroundSelectionSave,
  bindingPlugin,
  findBlock,
  type Mapped,
  showsLiveDocument,
  topLevelOf,
  touched,
  ySyncState,
} from './ySyncState'

/** Upstream's saved selection (`getRelativeSelection`). */
interface RelativeSelection {
  type: string
  depth: number | undefined
  anchor: Y.RelativePosition | null
  head: Y.RelativePosition | null
  absAnchor: number
  absHead: number
}

/** The part of `ProsemirrorBinding` used here. */
interface Binding {
  type: Y.XmlFragment
  doc: Y.Doc
  mapping: Map<unknown, Mapped>
  prosemirrorView: EditorView | null
  beforeTransactionSelection: RelativeSelection | null
  beforeAllTransactions: () => void
  _observeFunction: BindingObserver
  _isLocalCursorInView(): boolean
}

/** The part of `ProsemirrorBinding` that {@link saveSelection} reads. */
export type SelectionBinding = Binding

/** One end of a saved selection, inside top-level block `node` (Yjs type `type`), `offset` into its content. */
interface End {
  node: ProseMirrorNode
  type: Y.XmlElement
  offset: number
}

/** What this module knows of a selection it saved: the state it was saved from, both ends. */
interface Saved {
  doc: ProseMirrorNode
  anchor: End
  head: End
}

/** A restore the seam is to do for the transaction the binding is about to dispatch. */
interface Pending {
  saved: Saved
  relative: RelativeSelection
}

const AMBIGUOUS = Symbol('two types map to this node')

interface Kept {
  /** Node → the Yjs type whose mapping entry is that node (or AMBIGUOUS). */
  types: WeakMap<ProseMirrorNode, Y.AbstractType<unknown> | typeof AMBIGUOUS>
  pending: Pending | null
}

const kept = new WeakMap<Binding, Kept>()
const saved = new WeakMap<RelativeSelection, Saved>()

/** Keeps `types` (node → type) up to date with every entry written into `mapping`. */
function indexMapping(mapping: Map<unknown, Mapped>, types: Kept['types']): void {
  const note = (type: unknown, node: Mapped): void => {
    if (Array.isArray(node) || !(type instanceof Y.AbstractType)) return
    const before = types.get(node)
    // The same node object may sit in the document twice (pasted twice): such a node gives no answer.
    const shared = before !== undefined && before !== type && (before === AMBIGUOUS || mapping.get(before) === node)
    types.set(node, shared ? AMBIGUOUS : type)
  }
  for (const [type, node] of mapping) note(type, node)
  mapping.set = (type: unknown, node: Mapped) => {
    note(type, node)
    return Map.prototype.set.call(mapping, type, node) as Map<unknown, Mapped>
  }
}

/** The end at `pos` as a top-level block and an offset into it, when it is inside a textblock past its start. */
function endAt(binding: Binding, types: Kept['types'], doc: ProseMirrorNode, pos: number): End | null {
  const $pos = doc.resolve(pos)
  if ($pos.depth < 1 || !$pos.parent.isTextblock || $pos.parentOffset === 0) return null
  const node = $pos.node(1)
  const type = types.get(node)
  if (!(type instanceof Y.XmlElement) || binding.mapping.get(type) !== node) return null
  const item = type._item
  if (item === null || item.deleted || item.parent !== binding.type) return null
  return { node, type, offset: pos - $pos.before(1) - 1 }
}

/** Upstream's `getRelativeSelection`, with each end inside a textblock found without a walk. */
export function saveSelection(binding: Binding, state: EditorState): RelativeSelection {
  const selection = state.selection
  const types = kept.get(binding)?.types
  // Upstream keys the kind of selection by its JSON id, as here (a subclass of TextSelection is not 'text').
  if (types === undefined || (selection as unknown as { jsonID?: string }).jsonID !== 'text') {
    return getRelativeSelection(binding as never, state) as RelativeSelection
  }
  const anchor = endAt(binding, types, state.doc, selection.anchor)
  const head = selection.head === selection.anchor ? anchor : endAt(binding, types, state.doc, selection.head)
  const relative = (end: End | null, pos: number): Y.RelativePosition =>
    end === null
      ? absolutePositionToRelativePosition(pos, binding.type, binding.mapping as never)
      : absolutePositionToRelativePosition(end.offset, end.type, binding.mapping as never)
  const anchorPosition = relative(anchor, selection.anchor)
  const result: RelativeSelection = {
    type: 'text',
    depth: undefined,
    anchor: anchorPosition,
    head: selection.head === selection.anchor ? anchorPosition : relative(head, selection.head),
    absAnchor: selection.anchor,
    absHead: selection.head,
  }
  if (anchor !== null && head !== null) saved.set(result, { doc: state.doc, anchor, head })
  return result
}

/** Whether `transaction` left the block of `end` as it was: not deleted, moved, changed, nor anything in it. */
function untouched(end: End, binding: Binding, transaction: Y.Transaction): boolean {
  const item = end.type._item
  return item !== null && !item.deleted && item.parent === binding.type && !touched(end.type, transaction)
}

/** Makes `binding` save selections with {@link saveSelection} and leave untouched ones to {@link restoreSelection}. */
export function keepSelectionCheaply(binding: Binding): void {
  if (kept.has(binding)) return
  const state: Kept = { types: new WeakMap(), pending: null }
  kept.set(binding, state)
  indexMapping(binding.mapping, state.types)
  aroundSelectionSave(binding, (previous) => () => {
    // The binding's own writes are left to what was there (upstream, or `narrowLocalChanges.ts`,
    // which saves nothing for them): only a change from elsewhere restores a saved selection.
    if (binding.doc._transaction?.origin === ySyncPluginKey) {
      previous()
      return
    }
    const view = binding.prosemirrorView
    if (binding.beforeTransactionSelection === null && view !== null) {
      binding.beforeTransactionSelection = saveSelection(binding, view.state)
    }
  })

  aroundBindingObserver(binding, (upstream) => (events, transaction) => {
    const relative = binding.beforeTransactionSelection
    const mine = relative === null ? undefined : saved.get(relative)
    const view = binding.prosemirrorView
    const takeOver =
      relative !== null &&
      mine !== undefined &&
      events.length > 0 &&
      view !== null &&
      view.state.doc === mine.doc &&
      showsLiveDocument(ySyncState(view.state)) &&
      untouched(mine.anchor, binding, transaction) &&
      untouched(mine.head, binding, transaction)
    if (!takeOver) {
      upstream(events, transaction)
      return
    }
    state.pending = { saved: mine, relative }
    binding.beforeTransactionSelection = null
    try {
      upstream(events, transaction)
    } finally {
      state.pending = null
      binding.beforeTransactionSelection = relative
    }
  })
}

/** Where `end` is in `doc`: its block found by identity, or null when the document no longer holds it. */
function positionIn(doc: ProseMirrorNode, end: End): number | null {
  const block = findBlock(doc, end.node)
  return block === null ? null : block.start + 1 + end.offset
}

/**
 * Upstream's `relativePositionToAbsolutePosition` for `doc` (the document the binding's mapping
 * holds), without the walk over the top-level blocks before the position: the block is found
 * from Yjs (the position's type and its ancestors), its node by the mapping, its start by
 * identity in `doc` (`findBlock`: ProseMirror's children, no Yjs), and the rest by upstream's
 * function within that block — whose walk, once it reaches the block, is the same. Undefined
 * when it cannot say so cheaply (no such block, a position upstream would not resolve, or one at
 * a block's very start, where upstream's check for misresolved positions needs the whole walk):
 * then ask upstream.
 */
export function positionOf(
  binding: Pick<Binding, 'doc' | 'type' | 'mapping'>,
  doc: ProseMirrorNode,
  position: Y.RelativePosition,
): number | undefined {
  const decoded = Y.createAbsolutePositionFromRelativePosition(position, binding.doc)
  if (decoded === null) return undefined
  const block = topLevelOf(decoded.type as Y.AbstractType<unknown>, binding.type)
  if (!(block instanceof Y.XmlElement)) return undefined
  const node = binding.mapping.get(block)
  if (node === undefined || Array.isArray(node)) return undefined
  const start = findBlock(doc, node)?.start
  if (start === undefined) return undefined
  const inside = relativePositionToAbsolutePosition(binding.doc, block as never, position, binding.mapping as never)
  if (inside === null) return undefined
  const absolute = start + 1 + inside
  return isMisresolvedTextPosition(binding.doc, position, absolute) ? undefined : absolute
}

/**
 * For the dispatch seam: sets on the binding's transaction for a remote change the selection the
 * binding was not shown (see the header), and asks for the scroll upstream would have asked for.
 */
export function restoreSelection(state: EditorState, tr: Transaction): void {
  const binding = ySyncState<Binding>(state)?.binding
  if (binding === undefined) return
  const pending = kept.get(binding)?.pending ?? null
  if (pending === null) return
  if ((tr.getMeta(ySyncPluginKey) as { isChangeOrigin?: boolean } | undefined)?.isChangeOrigin !== true) return
  const { saved: mine, relative } = pending
  // Not the state it was saved from, or a block not found where it must be: as upstream, from Yjs.
  const fromYjs = (position: Y.RelativePosition | null): number | null =>
    relativePositionToAbsolutePosition(binding.doc, binding.type, position, binding.mapping as never)
  const sameState = tr.before === mine.doc
  let anchor = sameState ? positionIn(tr.doc, mine.anchor) : null
  let head = mine.head === mine.anchor ? anchor : sameState ? positionIn(tr.doc, mine.head) : null
  anchor ??= fromYjs(relative.anchor)
  head ??= fromYjs(relative.head)
  anchor ??= head
  head ??= anchor
  if (anchor !== null && head !== null) {
    tr.setSelection(TextSelection.between(tr.doc.resolve(anchor), tr.doc.resolve(head)))
  }
  if (binding._isLocalCursorInView()) tr.scrollIntoView()
}

/** Register after Collaboration: its plugin view (`initView`) must exist before this one's. */
export const RemoteSelection = Extension.create({
  name: 'remoteSelection',
  // Above the default (100): its `dispatchTransaction` runs before those of the other fixes, which
  // read the binding's transaction's selection (`collaborationFixes.ts`, `narrowRemoteChanges.ts`).
  priority: 101,
  addProseMirrorPlugins() {
    return [bindingPlugin('remoteSelection', keepSelectionCheaply)]
  },
  dispatchTransaction({ transaction, next }) {
    restoreSelection(this.editor.state, transaction)
    next(transaction)
  },
})
