/**
 * The link editor: a small form under the toolbar's link button (or Ctrl/⌘+K), instead of the
 * browser's blocking `prompt()`. Only web and mail addresses are accepted here, and only what the
 * link policy allows (`protocol/linkPolicy.ts`), so a pasted `javascript:` URL can
 * never become a clickable link for someone else.
 */
import type { Editor } from '@tiptap/core'
import { isAllowedHref } from '../../protocol/linkPolicy'
import { h } from '../dom'
import { showPopover } from './popover'

/** `example.com` → `https://example.com`; null for anything that is not an absolute link the policy allows. */
export function normalizeLink(input: string): string | null {
  const value = input.trim()
  if (value === '') return null
  const withScheme = /^[a-z][a-z0-9+.-]*:/i.test(value) ? value : `https://${value}`
  try {
    const url = new URL(withScheme)
    if (!isAllowedHref(url.href)) return null
    if (url.protocol !== 'mailto:' && !url.hostname.includes('.') && url.hostname !== 'localhost') return null
    return url.href
  } catch {
    return null
  }
}

export function openLinkEditor(editor: Editor, anchor: HTMLElement): void {
  const current = editor.getAttributes('link').href
  const input = h('input', {
    type: 'text',
    inputmode: 'url',
    class: 'link-input',
    placeholder: 'Paste or type a link',
    'aria-label': 'Link address',
    'data-testid': 'link-input',
    value: typeof current === 'string' ? current : '',
  })
  const error = h('p', { class: 'link-error', role: 'alert', hidden: true })
  const remove = h(
    'button',
    { type: 'button', class: 'button button-quiet', 'data-testid': 'link-remove', hidden: typeof current !== 'string' },
    'Remove',
  )
  const form = h(
    'form',
    { class: 'popover link-popover', 'data-testid': 'link-popover' },
    input,
    h('button', { type: 'submit', class: 'button button-primary', 'data-testid': 'link-apply' }, 'Apply'),
    remove,
    error,
  )

  form.addEventListener('submit', (event) => {
    event.preventDefault()
    const href = normalizeLink(input.value)
    if (href === null) {
      error.textContent = 'Use a web address (https://…) or an email link (mailto:…).'
      error.hidden = false
      return
    }
    const { empty } = editor.state.selection
    const chain = editor.chain().focus()
    if (empty && !editor.isActive('link')) {
      chain.insertContent({ type: 'text', text: href, marks: [{ type: 'link', attrs: { href } }] }).run()
    } else {
      chain.extendMarkRange('link').setLink({ href }).run()
    }
    close(false)
  })
  remove.addEventListener('click', () => {
    editor.chain().focus().extendMarkRange('link').unsetLink().run()
    close(false)
  })
  const close = showPopover(form, { anchor, input, returnFocus: () => editor.commands.focus() })
}
