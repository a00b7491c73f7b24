// @vitest-environment happy-dom
/**
 * A key pressed right after the browser moved the selection itself (End, before its
 * `selectionchange` event reached ProseMirror) acts on the moved selection. The event is held
 * back as a browser delays it (happy-dom sends it at once). Also run without the extension, to
 * show the upstream behaviour it fixes.
 */
import { Editor } from '@tiptap/core'
import { afterEach, describe, expect, it } from 'vitest'
import { sharedSchemaExtensions } from './extensions'
import { KeySelection } from './keySelection'

let editors: Editor[] = []

afterEach(() => {
  for (const editor of editors) editor.destroy()
  editors = []
  document.body.replaceChildren()
})

function editor(withFix: boolean): Editor {
  const element = document.createElement('div')
  document.body.append(element)
  const made = new Editor({
    element,
    extensions: [...sharedSchemaExtensions(), ...(withFix ? [KeySelection] : [])],
    content: '<p>Make this bold</p>',
  })
  editors.push(made)
  return made
}

/** Collapses the DOM selection to the end of the first paragraph, as End does, without ProseMirror hearing of it yet. */
function pressEndNatively(target: Editor): void {
  const text = target.view.dom.querySelector('p')?.firstChild
  if (text === null || text === undefined) throw new Error('no text')
  const hold = (event: Event): void => event.stopImmediatePropagation()
  window.addEventListener('selectionchange', hold, true)
  try {
    document.getSelection()?.collapse(text, text.textContent?.length ?? 0)
  } finally {
    window.removeEventListener('selectionchange', hold, true)
  }
}

describe('a key right after the browser moved the selection', () => {
  for (const withFix of [true, false]) {
    it(withFix ? 'acts on the moved selection' : 'acts on the old selection without the fix (upstream)', () => {
      const target = editor(withFix)
      target.view.focus()
      // The whole line selected (Shift+Home), as ProseMirror knows it.
      target.commands.setTextSelection({ from: 1, to: 15 })
      pressEndNatively(target)
      target.view.dom.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', keyCode: 13, bubbles: true }))
      const paragraphs: string[] = []
      target.state.doc.forEach((node) => {
        paragraphs.push(node.textContent)
      })
      expect(paragraphs).toEqual(withFix ? ['Make this bold', ''] : ['', ''])
    })
  }
})
