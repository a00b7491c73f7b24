/**
 * Your keystroke is written to Yjs as a change of the block it changed, without a look at every
 * other block.
 *
 * Upstream behaviour (@tiptap/y-tiptap 3.0.9): after each of your transactions the sync plugin's
 * view writes the document to Yjs (`ProsemirrorBinding._prosemirrorChanged` →
 * `updateYFragment` on the whole fragment): it lists every top-level Yjs element
 * (`toArray`), maps every block to look for moved ones (`reconcileMappedChildren`), compares
 * the blocks from both ends until the changed one, and only then updates that block. Around the
 * write it turns your selection into Yjs relative positions twice — on the Y.Doc's
 * `beforeAllTransactions` and after the write (`beforeTransactionSelection`) — each a walk from the
 * start of the document, and neither read in that transaction: the binding reads them only when
 * it applies a change made elsewhere (a remote update, an undo), which its own writes are not
 * (its mutex keeps its observer out of them). At 5,000 paragraphs that was most of a local
 * keystroke's script time (`bench/typing.ts --profile`).
 *
 * Here, when the new document has as many top-level blocks as the one before it and differs from
 * it in one block only, of the same type, whose Yjs element the binding maps to the block before,
 * only that block is written: `updateYFragment` on its element, which is the call upstream ends
 * in for such a change. Anything else (a block added, removed, moved or changed in type, a paste
 * over several blocks) goes to upstream's write. And the selection is not saved for the binding's
 * own writes. Drop this once the binding writes only what changed (the "upstream" test beside
 * this file then fails).
 */
import type { Node as ProseMirrorNode } from '@tiptap/pm/model'
import type { Plugin } from '@tiptap/pm/state'
import { updateYFragment, ySyncPluginKey } from '@tiptap/y-tiptap'
import * as Y from 'yjs'
import { aroundViewUpdate } from './pluginWraps'
import { aroundSelectionSave, ySyncState } from './ySyncState'

/** The part of `ProsemirrorBinding` used here. */
interface Binding {
  type: Y.XmlFragment
  doc: Y.Doc
  mapping: Map<unknown, unknown>
  isOMark: Map<unknown, boolean>
  prosemirrorView: unknown
  beforeAllTransactions: () => void
  _prosemirrorChanged: (doc: ProseMirrorNode) => void
}

/**
 * Writes `doc` to Yjs as a change of its one block that differs from `before`, if that is all
 * that changed and Yjs holds `before`'s blocks; returns false (nothing written) otherwise.
 */
export function writeOneBlock(binding: Binding, before: ProseMirrorNode, doc: ProseMirrorNode): boolean {
  const fragment = binding.type
  if (doc === before || doc.childCount !== before.childCount || fragment.length !== doc.childCount) return false
  // The one block that differs, by identity from both ends over the arrays of blocks (18 µs at
  // 5,000 blocks with a call of `child` per block on both sides; this 7).
  const now = doc.content.content
  const old = before.content.content
  let changed = 0
  while (changed < now.length && now[changed] === old[changed]) changed++
  if (changed === now.length) return false
  let last = now.length - 1
  while (last > changed && now[last] === old[last]) last--
  if (last !== changed) return false
  const block = doc.child(changed)
  const element = fragment.get(changed)
  if (
    !(element instanceof Y.XmlElement) ||
    element.nodeName !== block.type.name ||
    binding.mapping.get(element) !== before.child(changed)
  ) {
    return false
  }
  binding.mapping.set(fragment, doc)
  // y-tiptap types its last parameter as its binding class, of which this is the part used.
  updateYFragment(binding.doc, element, block, binding as unknown as Parameters<typeof updateYFragment>[3])
  return true
}

/** The binding does not save your selection on the Y.Doc's `beforeAllTransactions` for its own writes. */
function skipSelectionForOwnWrites(binding: Binding): void {
  aroundSelectionSave(binding, (upstream) => () => {
    if (binding.doc._transaction?.origin !== ySyncPluginKey) upstream()
  })
}

/** Wraps the view of `plugin` (the sync plugin) as described above. */
export function narrowLocalChanges(plugin: Plugin): void {
  // After upstream's view exists: it registers the binding's listeners (`initView`).
  aroundViewUpdate(plugin, (editorView) => {
    const binding = ySyncState<Binding>(editorView.state)?.binding
    if (binding === undefined) return null
    skipSelectionForOwnWrites(binding)
    const write = binding._prosemirrorChanged
    return (update, _editorView, before) => {
      // The view's update writes through `_prosemirrorChanged` (in a Yjs transaction of its own).
      binding._prosemirrorChanged = (doc) => {
        if (!writeOneBlock(binding, before.doc, doc)) write.call(binding, doc)
      }
      try {
        update()
      } finally {
        binding._prosemirrorChanged = write
      }
    }
  })
}
