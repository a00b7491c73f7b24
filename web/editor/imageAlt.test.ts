// @vitest-environment happy-dom
import { Editor } from '@tiptap/core'
import { NodeSelection } from '@tiptap/pm/state'
import { afterEach, describe, expect, it } from 'vitest'
import { contentExtensions } from '../../protocol/schema'
import { openAltEditor } from './imageAlt'

let editor: Editor | null = null
afterEach(() => {
  editor?.destroy()
  editor = null
  document.body.replaceChildren()
})

function withImage(): { editor: Editor; button: HTMLButtonElement } {
  const element = document.createElement('div')
  const button = document.createElement('button')
  document.body.append(button, element)
  editor = new Editor({
    element,
    extensions: contentExtensions(),
    content: {
      type: 'doc',
      content: [
        { type: 'paragraph', content: [{ type: 'text', text: 'Above' }] },
        { type: 'image', attrs: { src: '/api/files/AAAAAAAAAAAAAAAAAAAAAA', alt: 'IMG_0042' } },
      ],
    },
  })
  const pos = editor.state.doc.child(0).nodeSize
  editor.view.dispatch(editor.state.tr.setSelection(NodeSelection.create(editor.state.doc, pos)))
  return { editor, button }
}

const input = (): HTMLInputElement => document.querySelector('[data-testid="image-alt-input"]') as HTMLInputElement
const form = (): HTMLFormElement | null => document.querySelector('[data-testid="image-alt-popover"]')

describe('the alt text editor', () => {
  it('shows the selected image’s alt text and applies a new one', () => {
    const { editor, button } = withImage()
    openAltEditor(editor, button)
    expect(input().value).toBe('IMG_0042')
    expect(input().getAttribute('aria-label')).toBe('Alt text')
    input().value = '  A lighthouse at dusk  '
    form()?.requestSubmit()
    expect(editor.state.doc.child(1).attrs.alt).toBe('A lighthouse at dusk')
    expect(form()).toBeNull()
  })

  it('closes on Escape without changing anything', () => {
    const { editor, button } = withImage()
    openAltEditor(editor, button)
    input().value = 'changed'
    input().dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }))
    expect(form()).toBeNull()
    expect(editor.state.doc.child(1).attrs.alt).toBe('IMG_0042')
  })

  it('opens only for a selected image', () => {
    const { editor, button } = withImage()
    editor.commands.setTextSelection(1)
    openAltEditor(editor, button)
    expect(form()).toBeNull()
  })
})
