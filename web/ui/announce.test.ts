// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest'
import { announce, announcer } from './announce'

describe('announce', () => {
  afterEach(() => document.body.replaceChildren())

  it('speaks through one polite region for the whole page', () => {
    announce('Offline. Your edits are kept on this device.')
    announce('Connected')
    const regions = document.querySelectorAll('[aria-live]')
    expect(regions).toHaveLength(1)
    expect(regions[0]?.getAttribute('aria-live')).toBe('polite')
    expect(regions[0]?.textContent).toBe('Connected')
  })

  it('adds a new node for a repeated message, so it is read again', () => {
    announce('Connected')
    const first = announcer().firstChild
    announce('Connected')
    expect(announcer().firstChild).not.toBe(first)
    expect(announcer().textContent).toBe('Connected')
  })

  it('comes back when the page replaced the body', () => {
    announce('one')
    document.body.replaceChildren()
    announce('two')
    expect(document.querySelector('[data-testid="announcer"]')?.textContent).toBe('two')
  })
})
