// @vitest-environment happy-dom
/**
 * The toolbar's overflow hints (faded edges) read the toolbar's scroll width, which forces a
 * layout of the whole page: they are checked when buttons come or go, not on every keystroke.
 */
import { Editor } from '@tiptap/core'
import { afterEach, describe, expect, it } from 'vitest'
import { Awareness } from 'y-protocols/awareness'
import type { WebsocketProvider } from 'y-websocket'
import * as Y from 'yjs'
import { editorExtensions } from './extensions'
import { createToolbar } from './toolbar'

let cleanup: (() => void) | null = null

afterEach(() => {
  cleanup?.()
  cleanup = null
  document.body.replaceChildren()
})

function nextFrame(): Promise<void> {
  return new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)))
}

describe('the toolbar', () => {
  it('measures its overflow when buttons come or go, not on every keystroke', async () => {
    const doc = new Y.Doc()
    const awareness = new Awareness(doc)
    const provider = { awareness } as unknown as WebsocketProvider
    const element = document.createElement('div')
    document.body.append(element)
    const editor = new Editor({
      element,
      extensions: editorExtensions({ doc, provider, identity: { id: 'a', name: 'A', color: '#1971c2' } }),
    })
    const toolbar = createToolbar(editor)
    cleanup = () => {
      toolbar.destroy()
      editor.destroy()
      awareness.destroy()
      doc.destroy()
    }
    let reads = 0
    Object.defineProperty(toolbar.element, 'scrollWidth', {
      get: () => {
        reads++
        return 2000
      },
    })

    for (const key of 'typing') editor.commands.insertContent(key)
    await nextFrame()
    expect(reads).toBe(0)

    // The table tools appear: one measurement, in the next frame.
    editor.commands.insertTable({ rows: 2, cols: 2 })
    editor.commands.insertContent('x')
    expect(reads).toBe(0)
    await nextFrame()
    expect(reads).toBe(1)
    expect(toolbar.element.classList.contains('more-after')).toBe(true)
  })
})
