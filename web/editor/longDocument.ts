/**
 * A long document's editor is marked `is-long`, and in it the top-level blocks off screen skip
 * style, layout and paint (styles.css, `content-visibility: auto`). What it buys, typing in
 * Chromium at 5,000 paragraphs (`bench/typing.ts --trace`, docs/benchmarks.md "Eighth round"):
 * the browser's own work per keystroke — the text insertion's layout, pre-paint, commit — falls
 * to a fraction. What it costs: Chromium then tracks each block's visibility every frame (an
 * internal intersection observer), about a third of what it saves at 5,000 paragraphs and more
 * than it saves at 500 — hence the threshold.
 */
import { Extension } from '@tiptap/core'
import { Plugin, PluginKey } from '@tiptap/pm/state'

/** From this many top-level blocks on, a document is long. */
export const LONG_DOCUMENT_BLOCKS = 1000

export const LongDocument = Extension.create({
  name: 'longDocument',
  addProseMirrorPlugins() {
    return [
      new Plugin({
        key: new PluginKey('longDocument'),
        props: {
          // ProseMirror adds a plugin's class to the editor element's own (and asks on each update).
          attributes: (state): Record<string, string> =>
            state.doc.childCount >= LONG_DOCUMENT_BLOCKS ? { class: 'is-long' } : {},
        },
      }),
    ]
  },
})
