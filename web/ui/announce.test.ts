// @vitest-environment happy-dom
import { afterEach, describe, expect, it, vi } from 'vitest'
import { MAX_MESSAGES, MESSAGE_LIFETIME_MS, announce, announcer } from './announce'

const messages = () => Array.from(announcer().children, (child) => child.textContent)

describe('announce', () => {
  afterEach(() => {
    vi.useRealTimers()
    document.body.replaceChildren()
  })

  it('speaks through one polite region for the whole page', () => {
    announce('Connection lost.')
    announce('Connected again.')
    const regions = document.querySelectorAll('[aria-live]')
    expect(regions).toHaveLength(1)
    expect(regions[0]?.getAttribute('aria-live')).toBe('polite')
    expect(regions[0]?.getAttribute('aria-atomic')).toBe('false')
  })

  it('adds each message as a new node, so a message said right after another does not replace it', () => {
    announce('Connected again.')
    announce('All changes saved.')
    expect(messages()).toEqual(['Connected again.', 'All changes saved.'])
  })

  it('adds a new node for a repeated message, so it is read again', () => {
    announce('Bob joined.')
    const first = announcer().lastChild
    announce('Bob joined.')
    expect(announcer().lastChild).not.toBe(first)
    expect(messages()).toEqual(['Bob joined.', 'Bob joined.'])
  })

  it('keeps only the last few messages, and each only for a while', () => {
    vi.useFakeTimers()
    for (let i = 1; i <= MAX_MESSAGES + 2; i++) announce(`message ${i}`)
    expect(messages()).toHaveLength(MAX_MESSAGES)
    expect(messages().at(-1)).toBe(`message ${MAX_MESSAGES + 2}`)
    vi.advanceTimersByTime(MESSAGE_LIFETIME_MS)
    expect(messages()).toEqual([])
  })

  it('comes back when the page replaced the body', () => {
    announce('one')
    document.body.replaceChildren()
    announce('two')
    expect(document.querySelector('[data-testid="announcer"]')?.textContent).toBe('two')
  })
})
