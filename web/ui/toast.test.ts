// @vitest-environment happy-dom
import { afterEach, describe, expect, it, vi } from 'vitest'
import { toast } from './toast'

describe('toast', () => {
  afterEach(() => {
    vi.useRealTimers()
    document.body.replaceChildren()
  })

  it('puts its live region on the page before the first notice, so the notice is heard', () => {
    vi.useFakeTimers()
    toast('Link copied')
    const region = document.querySelector('[data-testid="toasts"]')
    expect(region?.getAttribute('aria-live')).toBe('polite')
    expect(region?.textContent).toBe('')
    vi.advanceTimersByTime(100)
    expect(region?.textContent).toBe('Link copied')
    toast('Deleted “Plan”')
    expect(region?.children).toHaveLength(2)
    vi.advanceTimersByTime(4000)
    expect(region?.children).toHaveLength(0)
  })
})
