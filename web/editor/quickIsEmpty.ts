/**
 * `editor.isEmpty` that stops at the first block with content.
 *
 * Upstream behaviour (@tiptap/core 3.31.3): `Editor.isEmpty` is `isNodeEmpty(doc)`, which checks
 * the children with `Fragment.forEach` — a loop that cannot stop, so after the first paragraph with
 * text it still visits every other top-level block. Placeholder (@tiptap/extensions) asks for
 * `editor.isEmpty` on every view update (its `decorations` prop), so each keystroke, yours or
 * someone else's, walked the whole document: about 1.8 ms of every second of typing at 5,000
 * paragraphs in a CPU profile of the page. Same answer (`isNodeEmpty`'s defaults), found by a
 * loop that returns at the first block with content. Drop this once upstream's check stops early
 * (the "upstream" test beside this file then fails).
 */
import { Extension } from '@tiptap/core'
import type { Node as ProseMirrorNode } from '@tiptap/pm/model'

/** `isNodeEmpty(node)` with its defaults (children checked, whitespace counts), stopping early. */
export function isEmptyNode(node: ProseMirrorNode): boolean {
  if (node.isText) return !node.text
  if (node.isAtom || node.isLeaf) return false
  for (let index = 0; index < node.childCount; index++) if (!isEmptyNode(node.child(index))) return false
  return true
}

export const QuickIsEmpty = Extension.create({
  name: 'quickIsEmpty',
  onBeforeCreate() {
    const { editor } = this
    // An own getter in front of the prototype's.
    Object.defineProperty(editor, 'isEmpty', { configurable: true, get: () => isEmptyNode(editor.state.doc) })
  },
})
