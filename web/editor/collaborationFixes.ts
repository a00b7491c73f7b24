/**
 * Four fixes for the Yjs↔ProseMirror binding, @tiptap/y-tiptap 3.0.9 (dist/y-tiptap.js), so that
 * someone else's edit does not disturb what you are doing. Drop this extension once the binding
 * handles them itself (the e2e tests in e2e/coediting.spec.ts and the unit tests beside this file
 * say whether it does).
 *
 * 1. Marks switched on or off at the caret. `ProsemirrorBinding._typeChanged` applies a remote
 *    change as one transaction that replaces the whole document and restores the selection;
 *    ProseMirror drops a state's stored marks on any such step, so the Bold button un-presses and
 *    your next keystroke is plain. A remote batch is not your keystroke nor your caret move (the
 *    binding moves the caret only with the text around it, through Yjs relative positions), so
 *    the stored marks the state had before are put back, those the caret's new block allows.
 *
 * 2. Undo steps. The state of `ySyncPlugin` (`apply`) remembers `addToHistory: false` from that
 *    remote transaction, and the plugin view's `update` calls `UndoManager.stopCapturing()` on
 *    the next transaction that is not a remote change while the flag is still false: a remote
 *    caret moving (the caret plugin's awareness transaction) or a selection change. Every
 *    keystroke of someone else thus ended your current undo step. The flag is meant for a *local*
 *    transaction kept out of history, so after a remote change it is set back to true — the state
 *    the binding is in when you are alone. Grouping is then the UndoManager's own `captureTimeout`
 *    whether or not others type; what undo removes is unchanged (only `trackedOrigins`, i.e. this
 *    editor's own changes, are ever recorded).
 *
 * 3. Where you just clicked. The binding saves your selection before a remote change (on the
 *    Y.Doc's `beforeAllTransactions`) from ProseMirror's *state*, and puts it back afterwards,
 *    into the DOM too. A click moves the DOM selection at once, but ProseMirror reads it only on
 *    the `selectionchange` event that follows; a remote update handled in between (its WebSocket
 *    message came first) saved and restored the selection from *before* the click, so the caret
 *    jumped back and your next keystrokes went there (e2e/blocks.spec.ts: "Grace" typed into the
 *    cell Alice had left). Before the binding saves it, ProseMirror is made to read the DOM
 *    (its DOM observer's `flush`, what it does on `selectionchange`), for changes not made by
 *    this editor itself.
 *
 * 4. Where you just clicked, when someone's caret moves. The caret plugin (`yCursorPlugin`) turns
 *    awareness changes into a transaction of its own, in a 0 ms timeout. It changes no selection,
 *    but it redraws carets, and ProseMirror (prosemirror-view 1.42, `updateStateInner`) writes the
 *    state's selection into the DOM after any redraw — over a click it has not read yet. The
 *    `selectionchange` that followed then read the old caret back (e2e/blocks.spec.ts, the same
 *    "Grace" in the wrong cell, with Bob's caret moving as he typed). Before such a transaction
 *    is applied, ProseMirror is made to read the DOM; when that moved the selection, the caret
 *    plugin's transaction is made again on the new state, with the same metadata.
 *
 * Fixes 1 and 2 are made to the binding's transaction itself, before the state applies it
 * (Tiptap's `dispatchTransaction` seam): its `addToHistory` meta, which only the sync plugin's
 * `apply` reads (there is no ProseMirror history here), is set to true, and the stored marks are
 * set. (They were an appended transaction; that cost every remote keystroke a second round of
 * every plugin's `apply` — carets redrawn, the selection saved again by the undo plugin — and a
 * replay of its step by Tiptap, roughly a tenth of its time at 5,000 paragraphs.) Undo and redo
 * arrive as remote changes too (`isUndoRedoOperation`); they are left alone, as when editing
 * alone.
 */
import { Extension } from '@tiptap/core'
import type { Mark } from '@tiptap/pm/model'
import { type EditorState, TextSelection, type Transaction } from '@tiptap/pm/state'
import { yCursorPluginKey, ySyncPluginKey } from '@tiptap/y-tiptap'
import type * as Y from 'yjs'
import { readDom } from './keySelection'
import { withMetadataOf } from './narrowRemoteChanges'

/** The meta `ProsemirrorBinding` puts on the transactions it dispatches (`ySyncPluginKey`). */
interface SyncMeta {
  isChangeOrigin?: boolean
  isUndoRedoOperation?: boolean
}

function isRemoteChange(tr: Transaction): boolean {
  const meta = tr.getMeta(ySyncPluginKey) as SyncMeta | undefined
  return meta?.isChangeOrigin === true && meta.isUndoRedoOperation !== true && tr.docChanged
}

/** The stored marks to put back after a remote change, or null to leave them as they are. */
function marksToRestore(before: EditorState, tr: Transaction): readonly Mark[] | null {
  if (before.storedMarks === null || tr.storedMarks !== null) return null
  const $cursor = tr.selection instanceof TextSelection ? tr.selection.$cursor : null
  if (!$cursor) return null
  return before.storedMarks.filter((mark) => $cursor.parent.type.allowsMarkType(mark.type))
}

/** The caret plugin's transaction for someone's caret: metadata only (fix 4). */
function isCaretRedraw(tr: Transaction): boolean {
  const meta = tr.getMeta(yCursorPluginKey) as { awarenessUpdated?: boolean } | undefined
  return meta?.awarenessUpdated === true && tr.steps.length === 0 && !tr.selectionSet && !tr.storedMarksSet
}

/** Fixes 1 and 2 on the binding's transaction for a remote change, before it is applied. */
function fixRemoteChange(before: EditorState, tr: Transaction): void {
  if (!isRemoteChange(tr)) return
  tr.setMeta('addToHistory', true)
  const marks = marksToRestore(before, tr)
  if (marks !== null) tr.setStoredMarks(marks)
}

/** Register after Collaboration (it needs the binding's plugins). */
export const CollaborationFixes = Extension.create<Record<string, never>, { unlisten: (() => void) | null }>({
  name: 'collaborationFixes',
  addStorage() {
    return { unlisten: null }
  },
  dispatchTransaction({ transaction, next }) {
    const { editor } = this
    if (isCaretRedraw(transaction) && !editor.isDestroyed && !editor.view.composing) {
      const seen = editor.state
      readDom(editor.view)
      if (editor.state !== seen) {
        // The caret redraw, made on the state before the DOM was read, made again on the state after.
        next(withMetadataOf(transaction, editor.state.tr))
        return
      }
    }
    fixRemoteChange(editor.state, transaction)
    next(transaction)
  },
  // Fix 3. Before the view exists, so that this listener runs before the binding's own (Y.Doc
  // listeners run in the order they were added; the binding adds its listener with the view).
  onBeforeCreate() {
    const { editor } = this
    const collaboration = editor.extensionManager.extensions.find((extension) => extension.name === 'collaboration')
    const doc = (collaboration?.options as { document?: Y.Doc } | undefined)?.document
    if (doc === undefined) return
    const readBeforeSaving = (): void => {
      // Changes this editor writes itself (origin: the binding's plugin key) come from its own
      // state; reading the DOM then would re-enter ProseMirror in the middle of an update.
      if (doc._transaction?.origin === ySyncPluginKey || editor.isDestroyed) return
      readDom(editor.view)
    }
    doc.on('beforeAllTransactions', readBeforeSaving)
    this.storage.unlisten = () => doc.off('beforeAllTransactions', readBeforeSaving)
  },
  onDestroy() {
    this.storage.unlisten?.()
    this.storage.unlisten = null
  },
})
