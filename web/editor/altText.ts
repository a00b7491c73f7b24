/**
 * The alt-text editor: a small form under the toolbar's "Alt text" button, shown while an image
 * is selected (the `files` work inserts images; this edits what a screen reader says for one).
 * A popover like the link form (`popover.ts`): Enter applies, Escape closes and gives focus back
 * to the text, a click outside closes.
 */
import type { Editor } from '@tiptap/core'
import { NodeSelection } from '@tiptap/pm/state'
import { h } from '../dom'
import { closePopover, showPopover } from './popover'

/** Longest alt text the firewall accepts (`server/content/rules.ts`, MAX_IMAGE_TEXT_LENGTH). */
export const MAX_ALT_LENGTH = 2000

/** The selected image's position and alt text, or null when the selection is not an image. */
export function selectedImage(editor: Editor): { pos: number; alt: string } | null {
  const { selection } = editor.state
  if (!(selection instanceof NodeSelection) || selection.node.type.name !== 'image') return null
  const alt = selection.node.attrs.alt
  return { pos: selection.from, alt: typeof alt === 'string' ? alt : '' }
}

export function openAltTextEditor(editor: Editor, anchor: HTMLElement): void {
  closePopover()
  const image = selectedImage(editor)
  if (image === null) return
  const input = h('input', {
    type: 'text',
    class: 'link-input',
    maxlength: MAX_ALT_LENGTH,
    placeholder: 'Describe the image',
    'aria-label': 'Alt text',
    'aria-describedby': 'alt-text-hint',
    'data-testid': 'alt-text-input',
    value: image.alt,
  })
  const form = h(
    'form',
    { class: 'popover link-popover', 'data-testid': 'alt-text-popover' },
    input,
    h('button', { type: 'submit', class: 'button button-primary', 'data-testid': 'alt-text-apply' }, 'Apply'),
    h(
      'p',
      { class: 'popover-hint', id: 'alt-text-hint' },
      'What the image shows, for people who cannot see it. Leave empty for a decorative image.',
    ),
  )

  form.addEventListener('submit', (event) => {
    event.preventDefault()
    const alt = input.value.trim().slice(0, MAX_ALT_LENGTH)
    const { pos } = image
    // The image may have moved (others edit too): find it by the selection when it still is one.
    const current = selectedImage(editor)?.pos ?? pos
    editor
      .chain()
      .focus()
      .command(({ tr }) => {
        const node = tr.doc.nodeAt(current)
        if (node === null || node.type.name !== 'image') return false
        tr.setNodeMarkup(current, undefined, { ...node.attrs, alt: alt === '' ? null : alt })
        tr.setSelection(NodeSelection.create(tr.doc, current))
        return true
      })
      .run()
    close(false)
  })
  const close = showPopover(form, { anchor, input, returnFocus: () => editor.commands.focus() })
}
