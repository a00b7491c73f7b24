// @vitest-environment happy-dom
/**
 * The toolbar's overflow hints (faded edges) read the toolbar's scroll width, which forces a
 * layout of the whole page: they are checked when buttons come or go, not on every keystroke.
 * Its buttons' states are brought up to date once per frame, not per transaction, and only the
 * attributes whose value changed are written.
 */
import { Editor } from '@tiptap/core'
import type { Node as ProseMirrorNode } from '@tiptap/pm/model'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { Awareness } from 'y-protocols/awareness'
import type { WebsocketProvider } from 'y-websocket'
import * as Y from 'yjs'
import { editorExtensions } from './extensions'
import { countReads } from './testReads'
import { createToolbar, isActive } from './toolbar'

let cleanup: (() => void) | null = null

afterEach(() => {
  cleanup?.()
  cleanup = null
  document.body.replaceChildren()
})

function nextFrame(): Promise<void> {
  return new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)))
}

function setup() {
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
  return { editor, toolbar }
}

describe('the toolbar', () => {
  it('brings its buttons up to date once per frame, however many transactions came', async () => {
    const { editor, toolbar } = setup()
    const bold = toolbar.element.querySelector('[data-testid="toolbar-bold"]') as HTMLElement
    const checks = vi.spyOn(editor, 'isActive')
    editor.commands.toggleBold()
    for (const key of 'typing') editor.commands.insertContent(key)
    expect(checks).not.toHaveBeenCalled()
    expect(bold.getAttribute('aria-pressed')).toBe('false')
    await nextFrame()
    expect(bold.getAttribute('aria-pressed')).toBe('true')
    const perRefresh = checks.mock.calls.length
    expect(perRefresh).toBeGreaterThan(0)
    checks.mockClear()
    editor.commands.insertContent('!')
    await nextFrame()
    expect(checks).toHaveBeenCalledTimes(perRefresh)
  })

  it('writes only the attributes whose value changed', async () => {
    const { editor, toolbar } = setup()
    editor.commands.insertContent('typing')
    await nextFrame()
    const written: string[] = []
    const observer = new MutationObserver((records) => {
      for (const record of records)
        written.push(`${(record.target as HTMLElement).dataset.testid} ${record.attributeName}`)
    })
    observer.observe(toolbar.element, { subtree: true, attributes: true })
    editor.commands.insertContent(' more')
    await nextFrame()
    expect(written).toEqual([])
    editor.commands.toggleBold()
    await nextFrame()
    expect(written).toEqual(['toolbar-bold aria-pressed', 'toolbar-bold class'])
    observer.disconnect()
  })

  it('measures its overflow when buttons come or go, not on every keystroke', async () => {
    const { editor, toolbar } = setup()
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

describe('which blocks the caret is in', () => {
  const content =
    '<h2>Title</h2><p>Text</p><ul><li><p>Item</p></li></ul><ol><li><p>One</p></li></ol>' +
    '<ul data-type="taskList"><li data-type="taskItem" data-checked="false"><p>Task</p></li></ul>' +
    '<blockquote><p>Quote</p></blockquote><pre><code>code</code></pre>' +
    '<table><tbody><tr><th><p>Head</p></th></tr><tr><td><p>Cell</p></td></tr></tbody></table><p>Last</p>'
  const questions: [string, Record<string, unknown>?][] = [
    ['heading', { level: 1 }],
    ['heading', { level: 2 }],
    ['paragraph'],
    ['bulletList'],
    ['orderedList'],
    ['taskList'],
    ['listItem'],
    ['blockquote'],
    ['codeBlock'],
    ['table'],
    ['tableHeader'],
  ]

  it('is what upstream says, at every caret position and for a selection across blocks', () => {
    const { editor } = setup()
    editor.commands.setContent(content)
    const { doc } = editor.state
    let carets = 0
    const seen = new Set<string>()
    for (let pos = 1; pos < doc.content.size; pos++) {
      if (!doc.resolve(pos).parent.inlineContent) continue
      editor.commands.setTextSelection(pos)
      carets++
      for (const [name, attributes] of questions) {
        expect({ pos, name, attributes, active: isActive(editor, name, attributes) }).toEqual({
          pos,
          name,
          attributes,
          active: editor.isActive(name, attributes),
        })
        if (isActive(editor, name, attributes)) seen.add(`${name}${JSON.stringify(attributes ?? {})}`)
      }
    }
    expect(carets).toBeGreaterThan(40)
    // Every question but a level-1 heading is answered yes somewhere.
    expect(seen.size).toBe(questions.length - 1)
    editor.commands.setTextSelection({ from: 2, to: 10 })
    for (const [name, attributes] of questions) {
      expect(isActive(editor, name, attributes)).toBe(editor.isActive(name, attributes))
    }
  })

  it('is found without visiting the blocks before the caret (upstream visits them)', () => {
    const { editor } = setup()
    editor.commands.setContent(content)
    editor.commands.setTextSelection(editor.state.doc.content.size - 2)
    const first = countReads(editor.state.doc.firstChild as ProseMirrorNode)
    expect(isActive(editor, 'table')).toBe(false)
    expect(first.reads).toBe(0)
    expect(editor.isActive('table')).toBe(false)
    expect(first.reads).toBeGreaterThan(0)
  })
})
