/**
 * Your caret is not worked out again after a transaction that moved neither it nor the text.
 *
 * Upstream behaviour (@tiptap/y-tiptap 3.0.9, `yCursorPlugin`'s view `update`): after every
 * transaction it turns your selection into Yjs relative positions (two walks from the start of
 * the document) and compares them with the caret it published — also after someone else's caret
 * moved, which the plugin itself dispatches as a transaction: once per caret move of each person
 * in the document, in every other open editor.
 *
 * Here the update is skipped when the transaction left the document (the same object) and your
 * selection as they were, and the caret you published is there while the editor has focus
 * (absent while it has not) — then the previous update worked out the same positions from the
 * same document and found them published, so upstream would find nothing to do. Focus changes
 * reach the plugin through its own `focusin`/`focusout` listeners, as before. Drop this once the
 * caret plugin skips such transactions itself (the "upstream" test beside this file then fails).
 *
 * And when it is worked out while the editor has focus (each of your keystrokes), the relative
 * positions are those of `remoteSelection.ts`'s `saveSelection` — upstream's, found through your
 * block instead of a walk over the blocks before it (0.85 ms of a keystroke at 5,000 paragraphs,
 * mid-document, `bench/typing.ts --profile`) — published as upstream publishes them (`force`
 * after a remote change of the document, else when they differ from the published ones). Without
 * focus (your caret withdrawn) it is upstream's update.
 */
import type { EditorState, Plugin } from '@tiptap/pm/state'
import type { EditorView } from '@tiptap/pm/view'
import type { Awareness } from 'y-protocols/awareness'
import { aroundViewUpdate } from './pluginWraps'
import { CURSOR_FIELD, type Cursor, sameCursor } from './quietCursor'
import { type SelectionBinding, saveSelection } from './remoteSelection'
import { ySyncState } from './ySyncState'

/**
 * The caret plugin's `updateCursorInfo` for a focused editor, with the positions found without a
 * walk; false (nothing done) when there is no binding to find them with.
 */
function publishCaret(view: EditorView, before: EditorState, awareness: Awareness): boolean {
  const sync = ySyncState<SelectionBinding>(view.state)
  const binding = sync?.binding
  if (binding === undefined || !view.hasFocus()) return false
  const { anchor, head } = saveSelection(binding, view.state)
  if (anchor === null || head === null) return false
  // As upstream: a remote change of the document publishes the caret even when it is the same.
  const force = sync?.isChangeOrigin === true && !before.doc.eq(view.state.doc)
  const current = awareness.getLocalState()?.[CURSOR_FIELD] as Cursor | null | undefined
  if (force || !sameCursor(current, { anchor, head })) awareness.setLocalStateField(CURSOR_FIELD, { anchor, head })
  return true
}

/** Wraps the view of `plugin` (the caret plugin, publishing to `awareness`) as described above. */
export function skipUnchangedCaret(plugin: Plugin, awareness: Awareness): void {
  aroundViewUpdate(plugin, () => (update, editorView, before) => {
    const unchanged =
      editorView.state.doc === before.doc &&
      editorView.state.selection.eq(before.selection) &&
      (awareness.states.get(awareness.clientID)?.[CURSOR_FIELD] != null) === editorView.hasFocus()
    if (!unchanged && !publishCaret(editorView, before, awareness)) update()
  })
}
