/**
 * A toast with an action ("Moved “Plan” to the trash — Undo"), in the toasts' live region
 * (`toast.ts`, `role="status"`), so the words are heard when it appears. Made to be usable by
 * keyboard and screen reader as well as by mouse (WCAG 2.2.1, 2.1.1): it stays at least ten
 * seconds, and as long as the pointer or focus is on it; Undo and Dismiss are buttons in the tab
 * order; Escape dismisses it (unless a dialog is open, whose Escape it is).
 */
import { h } from '../dom'
import { showToast } from './toast'

export const ACTION_TOAST_MS = 10_000

export interface ActionToastOptions {
  action: { label: string; run(): void }
  /** At least {@link ACTION_TOAST_MS}; paused while hovered or focused. */
  timeoutMs?: number
  testId?: string
  /** Moves focus to the action once shown: for when the control that led here is gone. */
  focus?: boolean
}

export interface ActionToast {
  readonly element: HTMLElement
  readonly button: HTMLButtonElement
  dismiss(): void
}

export function actionToast(message: string, options: ActionToastOptions): ActionToast {
  const button = h(
    'button',
    { type: 'button', class: 'toast-button', 'data-testid': 'toast-action' },
    options.action.label,
  )
  const close = h(
    'button',
    { type: 'button', class: 'toast-button toast-close', 'aria-label': 'Dismiss', 'data-testid': 'toast-dismiss' },
    '×',
  )
  const element = h(
    'div',
    { class: 'toast toast-info toast-with-action', 'data-testid': options.testId ?? 'toast' },
    h('span', {}, message),
    button,
    close,
  )
  const timeoutMs = Math.max(options.timeoutMs ?? ACTION_TOAST_MS, ACTION_TOAST_MS)
  let timer: ReturnType<typeof setTimeout> | null = null
  let hovered = false
  let focused = false
  let done = false

  const dismiss = (): void => {
    if (done) return
    done = true
    if (timer !== null) clearTimeout(timer)
    document.removeEventListener('keydown', onKeyDown)
    const hadFocus = element.contains(document.activeElement)
    element.remove()
    // Focus must not vanish with the toast: it goes to the page's main landmark.
    const main = document.querySelector<HTMLElement>('main')
    if (hadFocus && main !== null) {
      if (!main.hasAttribute('tabindex')) main.setAttribute('tabindex', '-1')
      main.focus()
    }
  }
  const schedule = (): void => {
    if (timer !== null) clearTimeout(timer)
    timer = hovered || focused || done ? null : setTimeout(dismiss, timeoutMs)
  }
  function onKeyDown(event: KeyboardEvent): void {
    if (event.key !== 'Escape' || event.defaultPrevented) return
    if (document.querySelector('dialog[open]') !== null) return
    event.preventDefault()
    dismiss()
  }

  button.addEventListener('click', () => {
    dismiss()
    options.action.run()
  })
  close.addEventListener('click', dismiss)
  element.addEventListener('mouseenter', () => {
    hovered = true
    schedule()
  })
  element.addEventListener('mouseleave', () => {
    hovered = false
    schedule()
  })
  element.addEventListener('focusin', () => {
    focused = true
    schedule()
  })
  element.addEventListener('focusout', (event) => {
    focused = element.contains(event.relatedTarget as Node | null)
    schedule()
  })
  document.addEventListener('keydown', onKeyDown)
  showToast(element, () => {
    schedule()
    if (options.focus === true && !done) button.focus()
  })
  return { element, button, dismiss }
}
