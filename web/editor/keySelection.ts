/**
 * A key acts on the selection you see.
 *
 * Upstream behaviour (prosemirror-view 1.x, `editHandlers.keydown`): before key handlers run,
 * ProseMirror flushes its DOM observer only when it has mutations waiting (`forceFlush`). A
 * selection the browser moved itself (End, Home, arrow keys, a click) reaches ProseMirror's state
 * only with the `selectionchange` event that follows — in Chromium a separate task. A key
 * pressed before that task ran (End then Enter, fast) is handled against the *old* selection:
 * with "Shift+Home, Ctrl+B, End, Enter", Enter replaced the still-selected line with an empty
 * paragraph (e2e/a11y.spec.ts, the keyboard journey, lost "Make this bold" 1 run in 3).
 *
 * So before any key handler, ProseMirror is made to read the DOM selection (its observer's
 * `flush`, what it does on `selectionchange`); outside a composition, as ProseMirror itself.
 */
import { Extension } from '@tiptap/core'
import { Plugin, PluginKey } from '@tiptap/pm/state'
import type { EditorView } from '@tiptap/pm/view'

/** ProseMirror's DOM observer (internal to prosemirror-view): `flush` reads pending DOM changes. */
interface ObservedView {
  domObserver?: { flush(): void }
}

/**
 * Makes ProseMirror read what the browser changed and it has not seen yet (the DOM selection,
 * mutations), as it does on `selectionchange`. Tiptap's stand-in view before mounting has no
 * observer: nothing to read then.
 */
export function readDom(view: EditorView): void {
  ;(view as unknown as ObservedView).domObserver?.flush()
}

export const keySelectionKey = new PluginKey('keySelection')

export const KeySelection = Extension.create({
  name: 'keySelection',
  // Before every keymap (Tiptap orders plugins by priority; the default is 100).
  priority: 10_000,
  addProseMirrorPlugins() {
    return [
      new Plugin({
        key: keySelectionKey,
        props: {
          handleKeyDown(view, event) {
            if (!view.composing && event.keyCode !== 229) readDom(view)
            return false
          },
        },
      }),
    ]
  },
})
