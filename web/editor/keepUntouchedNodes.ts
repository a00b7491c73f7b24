/**
 * A remote change rebuilds the ProseMirror nodes of the Yjs types it touched, not the whole
 * document.
 *
 * Upstream behaviour (@tiptap/y-tiptap 3.0.9, `ProsemirrorBinding._typeChanged`): for each remote
 * Yjs transaction the binding first deletes the mapping entries (Yjs type → node) of the types the
 * transaction deleted or changed, and of all their ancestors (`changedParentTypes`), then calls
 * `this.mapping.clear()` and rebuilds every node of the document from Yjs (`createNodeIfNotExists`
 * for each top-level type finds nothing in the emptied mapping). The clear came with the
 * drag-and-drop caret fixes of y-tiptap (ueberdosis/y-tiptap, commit 0f3f68a "handle misresolved
 * text positions … after structural changes", July 2026; the comment says: "Rebuild the full
 * Y↔PM mapping so relative cursor positions resolve against current node sizes after structural
 * changes (e.g. drag-and-drop block moves)"): `relativePositionToAbsolutePosition` adds up the
 * `nodeSize` of the mapped nodes before a caret, so a mapping entry whose node no longer matches
 * its type would misplace carets. The move bug itself (a block moved by drag and drop is written
 * to Yjs by rewriting paragraphs in place, so a caret's item-based relative position pointed into
 * deleted text and resolved to the document start) the same commit fixed in
 * `restoreRelativeSelection` and the caret plugin; its scenario (a block moved above your caret,
 * a test here) gives the same caret and document with the clear skipped. The clear costs every
 * remote keystroke a new node for every block (about 3 ms at 5,000 paragraphs, `bench/typing.ts`),
 * which `NarrowRemoteChanges` then compares with the old ones by content.
 *
 * Here the one `clear()` of `_typeChanged` is skipped. Why that is safe: an entry left in the
 * mapping belongs to a type that this transaction neither changed, nor deleted, nor is an
 * ancestor of a change (upstream deleted all of those just before), so its content is what it was
 * when the entry was written; every writer writes a node equal to its type's content — the
 * binding's own rebuild (`createNodeFromYElement`), the local side (`updateYFragment` makes Yjs
 * match the node it maps), and `NarrowRemoteChanges.adoptNodes` (the document's node, `eq` to the
 * one the binding built). So the kept node is exactly the node the rebuild would have made, with
 * the same `nodeSize`: positions and carets resolve the same, and the document is equal to the
 * upstream one (tests: random concurrent edits with block and text moves, undo and redo, compared
 * with the Yjs state and with the result without this; the upstream block-move scenario).
 * Snapshots (version history) and the first render still clear, as upstream.
 *
 * The clear also dropped entries of deleted types that upstream forgets on the local side
 * (`updateYFragment` deletes the entries of the top-level children it removes, not of their
 * descendants); without it those would stay in the map for the session, so the entries of types
 * deleted by any transaction, local or remote, are deleted here.
 *
 * How: the binding's Yjs observer (`_observeFunction`, the bound `_typeChanged`) is wrapped, and
 * the mapping's `clear` skips one call while that observer handles a change outside a snapshot.
 * Drop this once the binding rebuilds incrementally (the test "rebuilds only the touched block"
 * here then passes without it).
 */
import { Extension } from '@tiptap/core'
import type { EditorView } from '@tiptap/pm/view'
import type * as Y from 'yjs'
import {
  aroundBindingObserver,
  type BindingObserver,
  bindingPlugin,
  forgetDeleted,
  showsLiveDocument,
  ySyncState,
} from './ySyncState'

/** The part of `ProsemirrorBinding` used here. */
interface Binding {
  type: Y.XmlFragment
  mapping: Map<unknown, unknown>
  prosemirrorView: EditorView | null
  _observeFunction: BindingObserver
}

const wrapped = new WeakSet<Binding>()

/** Makes `binding` keep the mapping entries of untouched types across remote changes. */
export function keepUntouchedNodes(binding: Binding): void {
  if (wrapped.has(binding)) return
  wrapped.add(binding)
  const { mapping } = binding
  let skipClear = false
  mapping.clear = () => {
    if (skipClear) {
      skipClear = false
      return
    }
    Map.prototype.clear.call(mapping)
  }
  aroundBindingObserver(binding, (upstream) => (events, transaction) => {
    forgetDeleted(mapping, transaction)
    const view = binding.prosemirrorView
    // `_typeChanged` rebuilds (and clears) only then; otherwise it renders a snapshot.
    skipClear = events.length > 0 && view !== null && showsLiveDocument(ySyncState<Binding>(view.state))
    try {
      upstream(events, transaction)
    } finally {
      skipClear = false
    }
  })
}

/** Register after Collaboration: its plugin view (`initView`) must exist before this one's. */
export const KeepUntouchedNodes = Extension.create({
  name: 'keepUntouchedNodes',
  addProseMirrorPlugins() {
    return [bindingPlugin('keepUntouchedNodes', keepUntouchedNodes)]
  },
})
