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
 */
import type { Plugin } from '@tiptap/pm/state'
import type { Awareness } from 'y-protocols/awareness'
import { aroundViewUpdate } from './pluginWraps'

/** The awareness field CollaborationCaret keeps the caret in (its default). */
const CURSOR_FIELD = 'cursor'

/** Wraps the view of `plugin` (the caret plugin, publishing to `awareness`) as described above. */
export function skipUnchangedCaret(plugin: Plugin, awareness: Awareness): void {
  aroundViewUpdate(plugin, () => (update, editorView, before) => {
    const unchanged =
      editorView.state.doc === before.doc &&
      editorView.state.selection.eq(before.selection) &&
      (awareness.states.get(awareness.clientID)?.[CURSOR_FIELD] != null) === editorView.hasFocus()
    if (!unchanged) update()
  })
}
