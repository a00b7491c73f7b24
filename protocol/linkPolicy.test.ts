import { describe, expect, it } from 'vitest'
import {
  LINK_REL,
  LINK_TARGET,
  MAX_IMAGE_SRC_LENGTH,
  applyContentPolicy,
  imageSrcProblem,
  isAllowedHref,
  isAllowedImageSrc,
  linkValueProblem,
} from './linkPolicy'

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

describe('isAllowedImageSrc', () => {
  it('allows files this server stores and absolute http(s) URLs', () => {
    for (const src of [
      '/api/files/AbCdEf0123456789_-xyz',
      '/api/files/a.png',
      'https://example.com/cat.png',
      'HTTP://example.com/a?b=1#c',
      'https://example.com:8443/a%20b.png',
    ]) {
      expect(isAllowedImageSrc(src), src).toBe(true)
    }
  })

  it('refuses data:, javascript: and every other source', () => {
    for (const src of [
      'javascript:alert(1)',
      ' javascript:alert(1)',
      'java\tscript:alert(1)',
      'data:image/png;base64,iVBORw0KGgo=',
      'data:image/svg+xml,<svg onload=alert(1)>',
      'blob:https://example.com/1',
      'file:///etc/passwd',
      'ftp://example.com/a.png',
      '//example.com/protocol-relative.png',
      'https:example.com',
      'https://',
      'relative.png',
      '/api/docs/abc',
      '/api/files/',
      '/api/files/../../etc',
      '/api/files/a/b',
      '/api/files/a?x=1',
      '/API/FILES/a',
      'https://example.com/a b.png',
      ' https://example.com/a.png',
      'https://example.com/a.png\n',
      '',
      `https://example.com/${'a'.repeat(MAX_IMAGE_SRC_LENGTH)}`,
    ]) {
      expect(isAllowedImageSrc(src), JSON.stringify(src)).toBe(false)
    }
    for (const value of [null, undefined, 42, {}, ['/api/files/a']]) expect(isAllowedImageSrc(value)).toBe(false)
  })

  it('imageSrcProblem: null (no source) may be written, a refused source may not', () => {
    expect(imageSrcProblem(null)).toBeNull()
    expect(imageSrcProblem('/api/files/a')).toBeNull()
    expect(imageSrcProblem('javascript:alert(1)')).toMatch(/image src/)
    expect(imageSrcProblem(7)).toMatch(/image src/)
  })
})

describe('applyContentPolicy', () => {
  it('drops images with refused sources, keeps the others, and refills a container left empty', () => {
    const image = (src: unknown) => ({ type: 'image', attrs: { src, alt: 'a' } })
    const doc = {
      type: 'doc',
      content: [
        image('javascript:alert(1)'),
        image('/api/files/ok'),
        { type: 'tableCell', content: [image('data:image/png;base64,AAAA')] },
        { type: 'paragraph', content: [image('x.png')] },
        { type: 'image' },
      ],
    }
    expect(applyContentPolicy(doc)).toEqual({
      type: 'doc',
      content: [
        image('/api/files/ok'),
        { type: 'tableCell', content: [{ type: 'paragraph' }] },
        { type: 'paragraph', content: [] },
      ],
    })
  })

  it('normalises links as before', () => {
    const node = { type: 'text', text: 'x', marks: [{ type: 'link', attrs: { href: 'javascript:x' } }] }
    expect(applyContentPolicy({ type: 'paragraph', content: [node] }).content[0]?.marks).toEqual([])
  })
})
