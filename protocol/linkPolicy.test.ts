import { describe, expect, it } from 'vitest'
import { LINK_REL, LINK_TARGET, isAllowedHref, linkValueProblem } from './linkPolicy'

describe('isAllowedHref', () => {
  it('allows http(s), mailto, relative and # links', () => {
    for (const href of [
      'https://example.com/a?b=1#c',
      'HTTP://example.com',
      'mailto:ada@example.com?subject=hi&body=x',
      '/d/abc',
      'page.html',
      '../up',
      '?q=1&r=2',
      '#section',
      '',
      '//example.com/protocol-relative',
      'https://example.com/a b',
      'mailto:tom&jerry@example.com',
      'https://example.com/a&b',
    ]) {
      expect(isAllowedHref(href), href).toBe(true)
    }
  })

  it('refuses every other scheme, however it is spelled', () => {
    for (const href of [
      'javascript:alert(1)',
      'JavaScript:alert(1)',
      '  javascript:alert(1)',
      'java\tscript:alert(1)',
      'java\nscript:alert(1)',
      '\u0000javascript:alert(1)',
      'javascript&#58;alert(1)',
      'javascript&colon;alert(1)',
      'javascript&#x3A;alert(1)//https://x.test',
      'data:text/html,<script>alert(1)</script>',
      'vbscript:msgbox(1)',
      'file:///etc/passwd',
      'tel:+123',
      'ftp://example.com',
      'blob:https://example.com/x',
      'http://[::1',
    ]) {
      expect(isAllowedHref(href), JSON.stringify(href)).toBe(false)
    }
    for (const value of [null, undefined, 42, {}, ['https://x.test']]) expect(isAllowedHref(value)).toBe(false)
  })
})

describe('linkValueProblem', () => {
  it('accepts what the editor writes and the end of a link', () => {
    expect(linkValueProblem(null)).toBeNull()
    expect(linkValueProblem({})).toBeNull()
    expect(linkValueProblem({ href: 'https://x.test' })).toBeNull()
    expect(
      linkValueProblem({ href: 'https://x.test', target: LINK_TARGET, rel: LINK_REL, class: null, title: null }),
    ).toBeNull()
    expect(linkValueProblem({ href: '#a', title: 'A title' })).toBeNull()
  })

  it('refuses disallowed hrefs, other targets, rels, classes and unknown attributes', () => {
    for (const value of [
      { href: 'javascript:alert(1)' },
      { href: 'data:text/html,x' },
      { href: 42 },
      { href: 'https://x.test', target: '_self' },
      { href: 'https://x.test', target: '_top' },
      { href: 'https://x.test', rel: 'opener' },
      { href: 'https://x.test', class: 'button-primary' },
      { href: 'https://x.test', title: 7 },
      { href: 'https://x.test', onclick: 'alert(1)' },
      'https://x.test',
      ['https://x.test'],
      true,
    ]) {
      expect(linkValueProblem(value), JSON.stringify(value)).not.toBeNull()
    }
  })
})
