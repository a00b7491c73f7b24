/**
 * The selection the undo plugin remembers, worked out only when it can be used.
 *
 * Upstream behaviour (@tiptap/y-tiptap 3.0.9, `yUndoPlugin`'s state `apply`): on every
 * transaction it turns the selection of the state before into Yjs relative positions (`prevSel`,
 * by `getRelativeSelection`: two `absolutePositionToRelativePosition` walks from the start of the
 * document, so the cost grows with the blocks before the caret) — for someone else's keystroke,
 * someone's caret moving (the caret plugin dispatches a transaction for it), a click. The value
 * is read at one place only: when the UndoManager adds a stack item (its `stack-item-added`
 * listener), which happens inside the Yjs transaction of your own change, written by the sync
 * plugin's view right after that change's transaction, or of an undo or redo, whose change the
 * binding dispatches (and the plugin applies) before the item is added. So only those
 * transactions' `prevSel` is ever read; every other one was replaced unread.
 *
 * Here it is worked out, as upstream, for your own changes of the document and for undo and
 * redo — with `remoteSelection.ts`'s `saveSelection`, the same relative positions found through
 * your block instead of a walk; any other transaction keeps the last one (and brings
 * `hasUndoOps`/`hasRedoOps` up to date, as upstream). Drop this once the undo plugin stops
 * walking per transaction (the "upstream" test beside this file then fails).
 */
import type { Plugin, Transaction } from '@tiptap/pm/state'
import { ySyncPluginKey } from '@tiptap/y-tiptap'
import type * as Y from 'yjs'
import { aroundStateApply } from './pluginWraps'
import { type SelectionBinding, saveSelection } from './remoteSelection'
import { ySyncState } from './ySyncState'

/** The undo plugin's state (`yUndoPlugin`, `state.init` and `apply`). */
interface UndoState {
  undoManager: Y.UndoManager
  prevSel: unknown
  hasUndoOps: boolean
  hasRedoOps: boolean
}

interface SyncMeta {
  isChangeOrigin?: boolean
  isUndoRedoOperation?: boolean
}

/** Whether the UndoManager may add a stack item for `tr` before the next transaction. */
function mayAddUndoStep(tr: Transaction): boolean {
  const meta = tr.getMeta(ySyncPluginKey) as SyncMeta | undefined
  if (meta?.isChangeOrigin === true) return meta.isUndoRedoOperation === true
  return tr.docChanged
}

/** Wraps the `apply` of `plugin`'s state (the undo plugin's) as described above. */
export function rememberSelectionWhenUsed(plugin: Plugin): void {
  aroundStateApply(plugin, (upstream, tr, value, oldState, newState) => {
    const before = value as UndoState
    const { undoManager } = before
    const hasUndoOps = undoManager.undoStack.length > 0
    const hasRedoOps = undoManager.redoStack.length > 0
    if (mayAddUndoStep(tr)) {
      const binding = ySyncState<SelectionBinding>(newState)?.binding
      if (binding === undefined) return upstream()
      return { undoManager, prevSel: saveSelection(binding, oldState), hasUndoOps, hasRedoOps }
    }
    if (hasUndoOps === before.hasUndoOps && hasRedoOps === before.hasRedoOps) return value
    return { undoManager, prevSel: before.prevSel, hasUndoOps, hasRedoOps }
  })
}
