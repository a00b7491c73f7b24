/**
 * Tiptap's Collaboration and CollaborationCaret with y-tiptap's plugins made cheaper per
 * transaction: the undo plugin works out your selection only when it can be used
 * (`undoSelection.ts`); the sync plugin does not write an unchanged document to Yjs
 * (`unchangedDocument.ts`) and writes a change of one block as that (`narrowLocalChanges.ts`);
 * the caret plugin does not work out your caret again when nothing moved it
 * (`unchangedCaret.ts`) and redraws only the carets that moved (`caretDecorations.ts`). Each of
 * those costs grew with the document, and most came with each caret move of anyone in it.
 */
import Collaboration, { type CollaborationOptions } from '@tiptap/extension-collaboration'
import CollaborationCaret, { type CollaborationCaretOptions } from '@tiptap/extension-collaboration-caret'
import { yCursorPluginKey, ySyncPluginKey, yUndoPluginKey } from '@tiptap/y-tiptap'
import { redrawChangedCarets } from './caretDecorations'
import { narrowLocalChanges } from './narrowLocalChanges'
import { skipUnchangedCaret } from './unchangedCaret'
import { skipUnchangedDocument } from './unchangedDocument'
import { rememberSelectionWhenUsed } from './undoSelection'

export interface CollaborationWithFixesOptions extends CollaborationOptions {
  /** Tests only: keep upstream's undo plugin (to see that its fix is still needed). */
  upstreamUndoSelection: boolean
  /** Tests only: keep upstream's sync plugin view for unchanged documents (likewise). */
  upstreamSyncView: boolean
  /** Tests only: keep upstream's writes of your changes (likewise). */
  upstreamLocalWrites: boolean
}

export const CollaborationWithFixes = Collaboration.extend<CollaborationWithFixesOptions>({
  addOptions() {
    return {
      ...(this.parent?.() as CollaborationOptions),
      upstreamUndoSelection: false,
      upstreamSyncView: false,
      upstreamLocalWrites: false,
    }
  },
  addProseMirrorPlugins() {
    const plugins = this.parent?.() ?? []
    for (const plugin of plugins) {
      if (!plugin) continue
      if (plugin.spec.key === yUndoPluginKey && !this.options.upstreamUndoSelection) rememberSelectionWhenUsed(plugin)
      if (plugin.spec.key === ySyncPluginKey && !this.options.upstreamSyncView) skipUnchangedDocument(plugin)
      if (plugin.spec.key === ySyncPluginKey && !this.options.upstreamLocalWrites) narrowLocalChanges(plugin)
    }
    return plugins
  },
})

export interface CollaborationCaretWithFixesOptions extends CollaborationCaretOptions {
  /** Tests only: keep upstream's caret plugin view (to see that its fix is still needed). */
  upstreamCaretView: boolean
  /** Tests only: keep upstream's drawing of the others' carets (likewise). */
  upstreamCaretDrawing: boolean
}

/** As CollaborationCaret gives its builders a user (its `sanitizeUserColor`): a colour that is not #rrggbb is transparent. */
function sanitizeUserColor(user: Record<string, unknown>): Record<string, unknown> {
  const valid = typeof user.color === 'string' && /^#[0-9a-fA-F]{6}$/.test(user.color)
  return { ...user, color: valid ? user.color : 'transparent' }
}

/**
 * CollaborationCaret, its plugin not working out your caret again when nothing moved it
 * (`unchangedCaret.ts`), and redrawing only the carets that moved (`caretDecorations.ts`).
 */
export const CollaborationCaretWithFixes = CollaborationCaret.extend<CollaborationCaretWithFixesOptions>({
  addOptions() {
    return { ...(this.parent?.() as CollaborationCaretOptions), upstreamCaretView: false, upstreamCaretDrawing: false }
  },
  addProseMirrorPlugins() {
    const plugins = this.parent?.() ?? []
    const awareness = this.options.provider?.awareness
    const { render, selectionRender } = this.options
    for (const plugin of plugins) {
      if (plugin.spec.key !== yCursorPluginKey || awareness == null) continue
      if (!this.options.upstreamCaretView) skipUnchangedCaret(plugin, awareness)
      if (!this.options.upstreamCaretDrawing) {
        redrawChangedCarets(plugin, awareness, {
          cursor: (user) => render(sanitizeUserColor(user) as Parameters<typeof render>[0]),
          selection: (user) => selectionRender(sanitizeUserColor(user) as Parameters<typeof selectionRender>[0]),
        })
      }
    }
    return plugins
  },
})
