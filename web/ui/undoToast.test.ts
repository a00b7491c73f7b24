// @vitest-environment happy-dom
import { afterEach, describe, expect, it, vi } from 'vitest'
import { ACTION_TOAST_MS, actionToast } from './undoToast'

describe('actionToast', () => {
  afterEach(() => {
    vi.useRealTimers()
    document.body.replaceChildren()
  })

  const shown = (): HTMLElement | null => document.querySelector('.toast-with-action')

  it('is said in the status region, stays ten seconds, and its action runs once and dismisses it', () => {
    vi.useFakeTimers()
    const run = vi.fn()
    const undo = actionToast('Moved “Plan” to the trash', { action: { label: 'Undo', run }, timeoutMs: 1000 })
    vi.advanceTimersByTime(100)
    const region = document.querySelector('[data-testid="toasts"]')
    expect(region?.getAttribute('role')).toBe('status')
    expect(region?.contains(undo.element)).toBe(true)
    expect(undo.element.textContent).toContain('Moved “Plan” to the trash')
    expect(undo.button.tagName).toBe('BUTTON')
    expect(undo.button.textContent).toBe('Undo')
    // A shorter timeout than ten seconds is not honoured.
    vi.advanceTimersByTime(ACTION_TOAST_MS - 1)
    expect(shown()).not.toBeNull()
    undo.button.click()
    expect(run).toHaveBeenCalledTimes(1)
    expect(shown()).toBeNull()
  })

  it('goes after its time, but not while focused or hovered', () => {
    vi.useFakeTimers()
    const undo = actionToast('Moved', { action: { label: 'Undo', run() {} }, focus: true })
    vi.advanceTimersByTime(100)
    expect(document.activeElement).toBe(undo.button)
    vi.advanceTimersByTime(3 * ACTION_TOAST_MS)
    expect(shown()).not.toBeNull()
    undo.button.blur()
    undo.element.dispatchEvent(new Event('mouseenter'))
    vi.advanceTimersByTime(3 * ACTION_TOAST_MS)
    expect(shown()).not.toBeNull()
    undo.element.dispatchEvent(new Event('mouseleave'))
    vi.advanceTimersByTime(ACTION_TOAST_MS)
    expect(shown()).toBeNull()
  })

  it('is dismissed by Escape or its Dismiss button, unless a dialog has the Escape', () => {
    vi.useFakeTimers()
    const main = document.createElement('main')
    document.body.append(main)
    const first = actionToast('One', { action: { label: 'Undo', run() {} }, focus: true })
    vi.advanceTimersByTime(100)
    const dialog = document.createElement('dialog')
    dialog.setAttribute('open', '')
    document.body.append(dialog)
    document.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }))
    expect(first.element.isConnected).toBe(true)
    dialog.remove()
    document.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }))
    expect(first.element.isConnected).toBe(false)
    // Focus was on the toast: it goes to the main landmark, not nowhere.
    expect(document.activeElement).toBe(main)

    const second = actionToast('Two', { action: { label: 'Undo', run() {} } })
    second.element.querySelector<HTMLButtonElement>('[data-testid="toast-dismiss"]')?.click()
    expect(second.element.isConnected).toBe(false)
  })
})
