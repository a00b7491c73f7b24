/**
 * Modal dialogs on the native `<dialog>` element: focus is trapped and restored, Escape
 * cancels, and the page behind is inert, all by the browser.
 */
import { h } from '../dom'

export interface ConfirmOptions {
  title: string
  message: string
  confirmLabel: string
  danger?: boolean
  testId?: string
}

export function confirmDialog(options: ConfirmOptions): Promise<boolean> {
  return new Promise((resolve) => {
    const cancel = h(
      'button',
      { type: 'button', class: 'button', 'data-testid': 'confirm-cancel', value: 'cancel' },
      'Cancel',
    )
    const confirm = h(
      'button',
      {
        type: 'submit',
        class: `button ${options.danger === true ? 'button-danger' : 'button-primary'}`,
        'data-testid': options.testId ?? 'confirm-ok',
        value: 'confirm',
      },
      options.confirmLabel,
    )
    const titleId = `dialog-title-${Math.random().toString(36).slice(2)}`
    const dialog = h(
      'dialog',
      { class: 'dialog', 'aria-labelledby': titleId, 'data-testid': 'dialog' },
      h(
        'form',
        { method: 'dialog' },
        h('h2', { id: titleId }, options.title),
        h('p', {}, options.message),
        h('div', { class: 'dialog-actions' }, cancel, confirm),
      ),
    )
    cancel.addEventListener('click', () => dialog.close('cancel'))
    dialog.addEventListener('close', () => {
      dialog.remove()
      resolve(dialog.returnValue === 'confirm')
    })
    document.body.append(dialog)
    dialog.showModal()
    cancel.focus()
  })
}

/** A dialog with arbitrary content; resolves when it closes. */
export function showDialog(
  title: string,
  body: Node[],
  testId: string,
): { dialog: HTMLDialogElement; closed: Promise<void> } {
  const titleId = `dialog-title-${Math.random().toString(36).slice(2)}`
  const close = h('button', { type: 'button', class: 'button', 'data-testid': `${testId}-close` }, 'Done')
  const dialog = h(
    'dialog',
    { class: 'dialog', 'aria-labelledby': titleId, 'data-testid': testId },
    h('h2', { id: titleId }, title),
    ...body,
    h('div', { class: 'dialog-actions' }, close),
  )
  close.addEventListener('click', () => dialog.close())
  const closed = new Promise<void>((resolve) => {
    dialog.addEventListener('close', () => {
      dialog.remove()
      resolve()
    })
  })
  document.body.append(dialog)
  dialog.showModal()
  return { dialog, closed }
}
