/**
 * The alt text editor: a small form under the toolbar's "Alt text" button, for the selected
 * image. The text is what screen readers say in place of the picture; it starts as the file's
 * name (`imageUpload.ts`), which is rarely a description. Like the link form: Enter applies,
 * Escape closes and gives the text back its focus, a click elsewhere closes.
 */
import type { Editor } from '@tiptap/core'
import { h } from '../dom'

/** Longer alt text is a caption's job; screen readers read alt text in one go. */
export const MAX_ALT_LENGTH = 500

let open: { close(): void } | null = null

export function openAltEditor(editor: Editor, anchor: HTMLElement): void {
  open?.close()
  if (!editor.isActive('image')) return
  const current = editor.getAttributes('image').alt
  const input = h('input', {
    type: 'text',
    class: 'link-input',
    placeholder: 'Describe the image',
    'aria-label': 'Alt text',
    maxlength: MAX_ALT_LENGTH,
    'data-testid': 'image-alt-input',
    value: typeof current === 'string' ? current : '',
  })
  const form = h(
    'form',
    { class: 'popover link-popover', 'data-testid': 'image-alt-popover' },
    input,
    h('button', { type: 'submit', class: 'button button-primary', 'data-testid': 'image-alt-apply' }, 'Apply'),
  )
  const close = (refocus: boolean): void => {
    form.remove()
    document.removeEventListener('pointerdown', outside, true)
    open = null
    if (refocus) editor.commands.focus()
  }
  const outside = (event: PointerEvent): void => {
    if (!form.contains(event.target as Node) && event.target !== anchor) close(false)
  }
  form.addEventListener('submit', (event) => {
    event.preventDefault()
    const alt = input.value.trim().slice(0, MAX_ALT_LENGTH)
    editor
      .chain()
      .focus()
      .updateAttributes('image', { alt: alt === '' ? null : alt })
      .run()
    close(false)
  })
  form.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') {
      event.preventDefault()
      close(true)
    }
  })
  const host = anchor.closest('.toolbar-wrap') ?? anchor.parentElement ?? document.body
  host.append(form)
  const hostBox = host.getBoundingClientRect()
  const anchorBox = anchor.getBoundingClientRect()
  form.style.left = `${Math.max(0, Math.min(anchorBox.left - hostBox.left, hostBox.width - 320))}px`
  document.addEventListener('pointerdown', outside, true)
  open = { close: () => close(false) }
  input.focus()
  input.select()
}
