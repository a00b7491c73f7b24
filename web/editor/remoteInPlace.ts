/**
 * Someone else's change to a few blocks is applied to those blocks, without listing the document.
 *
 * Upstream behaviour (@tiptap/y-tiptap 3.0.9, `ProsemirrorBinding._typeChanged`): each remote Yjs
 * transaction lists every top-level Yjs element (`this.type.toArray()`), looks each up in the
 * binding's mapping (`createNodeIfNotExists`), and dispatches a step replacing the whole document
 * with them. With the other fixes here, the untouched blocks come back as the very nodes the
 * document holds (`keepUntouchedNodes.ts`), the step is narrowed to the changed blocks by comparing
 * the two documents' children (`narrowRemoteChanges.ts`) and your selection is put back without a
 * walk (`remoteSelection.ts`); but the listing, the lookups, the whole-document step and the
 * comparison still cost each remote keystroke time in proportion to the document: about a
 * quarter of its main-thread time at 5,000 paragraphs (`bench/typing.ts --profile`).
 *
 * Here, when a remote transaction leaves the list of top-level blocks as it was (the fragment
 * itself is not among the changed types) and your selection is a text selection in blocks it did
 * not touch, the binding's observer does the same work for the touched blocks only:
 * - the touched top-level blocks are the top-level ancestors of the changed types; their nodes
 *   are the binding's mapping entries, found in the document by identity;
 * - each is rebuilt as upstream rebuilds it: an element the transaction neither changed nor holds
 *   a change in keeps its mapped node (what `createNodeIfNotExists` returns), a block container
 *   (list, item, quote, table, row, cell) is made from its attributes and its children, and a
 *   textblock or leaf by upstream's own builder (`initProseMirrorDoc` on that element alone);
 * - the mapping entries upstream deletes (changed types, their ancestors, deleted types) are
 *   deleted and the rebuilt elements' entries written;
 * - a step per touched block replaces it (or, in a container of the same kind, only what changed
 *   inside it, as `narrowRemoteChanges.ts` narrows), with upstream's metadata,
 *   inside the binding's mutex, and a scroll to your caret when it was in view (deferred to the
 *   next frame by `narrowRemoteChanges.ts`, as the binding's own).
 * Your selection is then ProseMirror's mapping of it: ends in untouched blocks move with the text,
 * which is where upstream's relative positions resolve. Anything else — blocks added, removed or
 * moved, your selection in a touched block or not a text selection, undo and redo (which put back
 * the selection of their time), snapshots, a node not found where the mapping says — goes through
 * upstream as before. Tests (`remoteInPlace.test.ts`): random edits compared with upstream's
 * binding, no walk over the document for a remote keystroke. Drop this once the binding applies
 * remote changes incrementally (the "upstream" test beside this file then fails).
 */
import { Extension } from '@tiptap/core'
import { Fragment, type Node as ProseMirrorNode, type Schema, Slice } from '@tiptap/pm/model'
import type { Transaction } from '@tiptap/pm/state'
import { ReplaceStep } from '@tiptap/pm/transform'
import type { EditorView } from '@tiptap/pm/view'
import { initProseMirrorDoc, ySyncPluginKey } from '@tiptap/y-tiptap'
import * as Y from 'yjs'
import { narrowStep, SCROLL_SOON } from './narrowRemoteChanges'
import {
  aroundBindingObserver,
  type BindingObserver,
  bindingPlugin,
  findBlock,
  forgetDeleted,
  type Mapped,
  showsLiveDocument,
  topLevelOf,
  touched,
  ySyncState,
} from './ySyncState'

/** The part of `ProsemirrorBinding` used here. */
interface Binding {
  type: Y.XmlFragment
  mapping: Map<unknown, Mapped>
  prosemirrorView: EditorView | null
  mux: (f: () => void) => void
  readonly _tr: Transaction
  _isLocalCursorInView(): boolean
  _observeFunction: BindingObserver
}

/** A touched top-level block: its Yjs element, its node in the document, where that is. */
interface Touched {
  type: Y.XmlElement
  old: ProseMirrorNode
  index: number
  pos: number
}

/**
 * The touched top-level blocks of `transaction`, each found in `doc`; null when the change is not
 * one for this path (the block list changed, a block is not where the mapping says).
 */
function touchedBlocks(binding: Binding, doc: ProseMirrorNode, transaction: Y.Transaction): Touched[] | null {
  const fragment = binding.type
  if (transaction.changed.has(fragment as never) || doc.childCount !== fragment.length) return null
  const blocks = new Map<ProseMirrorNode, Y.XmlElement>()
  for (const type of transaction.changed.keys()) {
    const block = topLevelOf(type as Y.AbstractType<unknown>, fragment)
    if (block === null) continue
    if (!(block instanceof Y.XmlElement) || block._item === null || block._item.deleted) return null
    const old = binding.mapping.get(block)
    if (old === undefined || Array.isArray(old)) return null
    if (blocks.get(old) === undefined) blocks.set(old, block)
    else if (blocks.get(old) !== block) return null
  }
  if (blocks.size === 0) return null
  const found: Touched[] = []
  for (const [old, type] of blocks) {
    const block = findBlock(doc, old)
    if (block === null) return null
    found.push({ type, old, index: block.index, pos: block.start })
  }
  found.sort((a, b) => a.index - b.index)
  return found
}

/** Mapping entries to write once the change is sure to be applied. */
type Entries = [unknown, ProseMirrorNode][]

/** `element` as upstream rebuilds it after `transaction`, or null to leave the change to upstream. */
function rebuild(
  element: Y.XmlElement,
  binding: Binding,
  schema: Schema,
  transaction: Y.Transaction,
  entries: Entries,
): ProseMirrorNode | null {
  const kept = binding.mapping.get(element)
  if (!touched(element, transaction) && kept !== undefined && !Array.isArray(kept)) return kept
  const nodeType = schema.nodes[element.nodeName]
  if (nodeType === undefined) return null
  if (nodeType.inlineContent || nodeType.isLeaf) {
    // Upstream's builder, given this element alone (its text, marks and inline nodes).
    const built = initProseMirrorDoc({ toArray: () => [element] } as unknown as Y.XmlFragment, schema)
    if (built.doc.childCount !== 1) return null
    for (const [type, node] of built.mapping) if (!Array.isArray(node)) entries.push([type, node])
    return built.doc.child(0)
  }
  const children: ProseMirrorNode[] = []
  for (const child of element.toArray()) {
    if (!(child instanceof Y.XmlElement)) return null
    const node = rebuild(child, binding, schema, transaction, entries)
    if (node === null) return null
    children.push(node)
  }
  let node: ProseMirrorNode
  try {
    node = schema.node(element.nodeName, element.getAttributes(), children)
  } catch {
    return null
  }
  entries.push([element, node])
  return node
}

/** The step turning touched block `block` into `node`, or null when they are equal. */
function stepFor(block: Touched, node: ProseMirrorNode): ReplaceStep | null {
  const { old, pos } = block
  if (old.isTextblock || old.isLeaf || !old.sameMarkup(node)) {
    return new ReplaceStep(pos, pos + old.nodeSize, new Slice(Fragment.from(node), 0, 0))
  }
  // Only what changed inside the container, as `narrowRemoteChanges.ts` narrows.
  const inner = narrowStep(old, node)
  return inner === null ? null : new ReplaceStep(pos + 1 + inner.from, pos + 1 + inner.to, inner.slice)
}

/**
 * Points `mapping` at the nodes the document holds where a step inside a container left copies of
 * the rebuilt ancestors (`inDocument`, in place of `built`), down to the nodes the step inserted.
 */
function adoptCopies(
  mapping: Map<unknown, Mapped>,
  type: Y.XmlElement,
  inDocument: ProseMirrorNode,
  built: ProseMirrorNode,
): void {
  if (inDocument === built) return
  mapping.set(type, inDocument)
  if (inDocument.inlineContent || inDocument.childCount !== built.childCount) return
  for (let i = 0; i < inDocument.childCount; i++) {
    const child = type.get(i)
    if (inDocument.child(i) !== built.child(i) && child instanceof Y.XmlElement) {
      adoptCopies(mapping, child, inDocument.child(i), built.child(i))
    }
  }
}

/**
 * Applies remote `transaction` to the touched blocks only (see the header); false when it is not
 * one for this path and nothing was done.
 */
export function applyInPlace(binding: Binding, events: readonly unknown[], transaction: Y.Transaction): boolean {
  const view = binding.prosemirrorView
  if (view === null || events.length === 0) return false
  const state = view.state
  if (!showsLiveDocument(ySyncState(state))) return false
  if (transaction.origin === ySyncPluginKey || transaction.origin instanceof Y.UndoManager) return false
  const selection = state.selection
  if ((selection as unknown as { jsonID?: string }).jsonID !== 'text') return false
  const { $anchor, $head } = selection
  if ($anchor.depth < 1 || $head.depth < 1) return false
  const blocks = touchedBlocks(binding, state.doc, transaction)
  if (blocks === null) return false
  const selected = [$anchor.node(1), $head.node(1)]
  if (blocks.some((block) => selected.includes(block.old))) return false

  let done = false
  binding.mux(() => {
    if (view.state !== state) return
    const entries: Entries = []
    const rebuilt: ProseMirrorNode[] = []
    for (const block of blocks) {
      const node = rebuild(block.type, binding, state.schema, transaction, entries)
      if (node === null) return
      rebuilt.push(node)
    }
    // One step per block, the last first: a selection between two touched blocks is mapped, not
    // swallowed by a step over both.
    const tr = binding._tr
    for (let i = blocks.length - 1; i >= 0; i--) {
      const step = stepFor(blocks[i] as Touched, rebuilt[i] as ProseMirrorNode)
      if (step !== null && tr.maybeStep(step).failed !== null) return
    }
    // The entries upstream deletes before its rebuild, then those of the rebuilt elements.
    const { mapping } = binding
    forgetDeleted(mapping, transaction)
    for (const type of transaction.changed.keys()) mapping.delete(type)
    for (const type of transaction.changedParentTypes.keys()) mapping.delete(type)
    for (const [type, node] of entries) mapping.set(type, node)
    // A step inside a container leaves the document holding copies of the rebuilt ancestors.
    blocks.forEach((block, i) => {
      adoptCopies(mapping, block.type, tr.doc.child(block.index), rebuilt[i] as ProseMirrorNode)
    })
    tr.setMeta(ySyncPluginKey, { isChangeOrigin: true, isUndoRedoOperation: false })
    if (binding._isLocalCursorInView()) tr.setMeta(SCROLL_SOON, true)
    done = true
    view.dispatch(tr)
  })
  return done
}

/** Makes `binding` apply remote changes in place where it can. */
export function applyRemoteChangesInPlace(binding: Binding): void {
  aroundBindingObserver(binding, (upstream) => (events, transaction) => {
    if (!applyInPlace(binding, events, transaction)) upstream(events, transaction)
  })
}

/** Register after RemoteSelection: its observer must be the outermost (it decides first). */
export const RemoteInPlace = Extension.create({
  name: 'remoteInPlace',
  addProseMirrorPlugins() {
    return [bindingPlugin('remoteInPlace', applyRemoteChangesInPlace)]
  },
})
