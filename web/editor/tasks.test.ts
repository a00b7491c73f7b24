// @vitest-environment happy-dom
import { Editor } from '@tiptap/core'
import { afterEach, describe, expect, it } from 'vitest'
import { sharedSchemaExtensions } from './extensions'
import { TaskCheckboxes } from './tasks'

let editor: Editor | null = null
afterEach(() => {
  editor?.destroy()
  editor = null
})

function open(editable: boolean): Editor {
  const element = document.createElement('div')
  document.body.append(element)
  editor = new Editor({
    element,
    editable,
    injectCSS: false,
    extensions: [...sharedSchemaExtensions(), TaskCheckboxes],
    content: {
      type: 'doc',
      content: [
        {
          type: 'taskList',
          content: [
            {
              type: 'taskItem',
              attrs: { checked: false },
              content: [{ type: 'paragraph', content: [{ type: 'text', text: 'buy milk' }] }],
            },
            {
              type: 'taskItem',
              attrs: { checked: true },
              content: [{ type: 'paragraph', content: [{ type: 'text', text: 'call' }] }],
            },
          ],
        },
      ],
    },
  })
  return editor
}

const boxes = (e: Editor) => Array.from(e.view.dom.querySelectorAll<HTMLInputElement>('[data-testid="task-checkbox"]'))

describe('task checkboxes', () => {
  it('are named by state and text, found by data-type, and enabled while editable', () => {
    const e = open(true)
    expect(boxes(e).map((box) => [box.getAttribute('aria-label'), box.checked, box.disabled])).toEqual([
      ['To do: buy milk', false, false],
      ['Done: call', true, false],
    ])
    expect(e.view.dom.querySelectorAll('li[data-type="taskItem"]').length).toBe(2)
  })

  it('are disabled when the editor is read-only, from the start or later, and enabled again', () => {
    expect(boxes(open(false)).every((box) => box.disabled)).toBe(true)
    editor?.destroy()
    const e = open(true)
    let transactions = 0
    e.on('transaction', () => {
      transactions++
    })
    e.setEditable(false)
    expect(boxes(e).every((box) => box.disabled)).toBe(true)
    e.setEditable(true)
    expect(boxes(e).every((box) => !box.disabled)).toBe(true)
    // Disabling is not read back as a change of the document.
    const json = e.getJSON() as { content: Array<{ content: Array<{ attrs: { checked: boolean } }> }> }
    expect(json.content[0]?.content.map((item) => item.attrs.checked)).toEqual([false, true])
    expect(transactions).toBeLessThan(5)
  })

  it('a new task item made while read-only is disabled as it appears', () => {
    const e = open(true)
    e.setEditable(false)
    e.commands.insertContentAt(e.state.doc.content.size, {
      type: 'taskList',
      content: [{ type: 'taskItem', attrs: { checked: false }, content: [{ type: 'paragraph' }] }],
    })
    expect(boxes(e)).toHaveLength(3)
    expect(boxes(e).every((box) => box.disabled)).toBe(true)
  })
})
