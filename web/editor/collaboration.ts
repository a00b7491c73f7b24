/**
 * Tiptap's Collaboration with two of y-tiptap's plugins made cheaper per transaction: the undo
 * plugin works out your selection only when it can be used (`undoSelection.ts`); the sync plugin
 * does not write an unchanged document to Yjs (`unchangedDocument.ts`) and writes a change of
 * one block as that (`narrowLocalChanges.ts`). Each of those costs grew with the document, and
 * the first two came with each caret move of anyone in it.
 */
import Collaboration, { type CollaborationOptions } from '@tiptap/extension-collaboration'
import CollaborationCaret, { type CollaborationCaretOptions } from '@tiptap/extension-collaboration-caret'
import { yCursorPluginKey, ySyncPluginKey, yUndoPluginKey } from '@tiptap/y-tiptap'
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
}

/** CollaborationCaret, its plugin not working out your caret again when nothing moved it (`unchangedCaret.ts`). */
export const CollaborationCaretWithFixes = CollaborationCaret.extend<CollaborationCaretWithFixesOptions>({
  addOptions() {
    return { ...(this.parent?.() as CollaborationCaretOptions), upstreamCaretView: false }
  },
  addProseMirrorPlugins() {
    const plugins = this.parent?.() ?? []
    const awareness = this.options.provider?.awareness
    if (!this.options.upstreamCaretView && awareness != null) {
      for (const plugin of plugins) if (plugin.spec.key === yCursorPluginKey) skipUnchangedCaret(plugin, awareness)
    }
    return plugins
  },
})
