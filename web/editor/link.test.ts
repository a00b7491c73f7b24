import { describe, expect, it } from 'vitest'
import { normalizeLink } from './link'

describe('normalizeLink', () => {
  it('adds https to bare addresses', () => {
    expect(normalizeLink('example.com/a?b=1')).toBe('https://example.com/a?b=1')
    expect(normalizeLink(' http://x.org ')).toBe('http://x.org/')
    expect(normalizeLink('mailto:ada@example.com')).toBe('mailto:ada@example.com')
  })

  it('refuses scripts and nonsense', () => {
    expect(normalizeLink('javascript:alert(1)')).toBeNull()
    expect(normalizeLink('data:text/html,hi')).toBeNull()
    expect(normalizeLink('hello')).toBeNull()
    expect(normalizeLink('')).toBeNull()
  })
})
