/**
 * A modal dialog asking for a name (e.g. "Save version…"), on the native `<dialog>`: focus is
 * trapped and restored by the browser, Escape cancels. Resolves with the trimmed name, or null
 * when cancelled.
 */
import { h } from '../dom'

export interface NameDialogOptions {
  title: string
  label: string
  hint?: string
  confirmLabel: string
  maxLength: number
  testId?: string
}

export function nameDialog(options: NameDialogOptions): Promise<string | null> {
  return new Promise((resolve) => {
    const suffix = Math.random().toString(36).slice(2)
    const titleId = `dialog-title-${suffix}`
    const inputId = `dialog-input-${suffix}`
    const hintId = `dialog-hint-${suffix}`
    const input = h('input', {
      id: inputId,
      class: 'link-input version-name-input',
      type: 'text',
      required: true,
      maxlength: options.maxLength,
      autocomplete: 'off',
      'aria-describedby': options.hint === undefined ? undefined : hintId,
      'data-testid': `${options.testId ?? 'name-dialog'}-input`,
    })
    const cancel = h('button', { type: 'button', class: 'button', 'data-testid': 'name-dialog-cancel' }, 'Cancel')
    const confirm = h(
      'button',
      {
        type: 'submit',
        class: 'button button-primary',
        value: 'confirm',
        'data-testid': `${options.testId ?? 'name-dialog'}-confirm`,
      },
      options.confirmLabel,
    )
    const form = h(
      'form',
      { method: 'dialog' },
      h('h2', { id: titleId }, options.title),
      h('label', { class: 'field-label', for: inputId }, options.label),
      input,
      options.hint === undefined ? null : h('p', { id: hintId, class: 'field-hint' }, options.hint),
      h('div', { class: 'dialog-actions' }, cancel, confirm),
    )
    const dialog = h(
      'dialog',
      { class: 'dialog', 'aria-labelledby': titleId, 'data-testid': options.testId ?? 'name-dialog' },
      form,
    )
    let result: string | null = null
    form.addEventListener('submit', (event) => {
      const name = input.value.trim()
      if (name === '') {
        event.preventDefault()
        input.setCustomValidity('Give the version a name.')
        input.reportValidity()
        return
      }
      result = name
    })
    input.addEventListener('input', () => input.setCustomValidity(''))
    cancel.addEventListener('click', () => dialog.close('cancel'))
    dialog.addEventListener('close', () => {
      dialog.remove()
      resolve(dialog.returnValue === 'confirm' ? result : null)
    })
    document.body.append(dialog)
    dialog.showModal()
    input.focus()
  })
}
