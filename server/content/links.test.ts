import { describe, expect, it } from 'vitest'
import { LINK_REL, LINK_TARGET } from '../../protocol/linkPolicy'
import { applyLinkPolicy } from './links'

describe('applyLinkPolicy', () => {
  const text = (href: unknown, attrs: Record<string, unknown> = {}) => ({
    type: 'text',
    text: 'x',
    marks: [{ type: 'bold' }, { type: 'link', attrs: { href, ...attrs } }],
  })

  it('drops links with disallowed hrefs (text and other marks stay) and normalises the rest', () => {
    const doc = {
      type: 'doc',
      content: [
        {
          type: 'paragraph',
          content: [
            text('javascript:alert(1)'),
            text('https://ok.test', { target: '_self', rel: 'opener', class: 'x', title: 'T' }),
          ],
        },
        { type: 'blockquote', content: [{ type: 'paragraph', content: [text('data:text/html,x'), text(null)] }] },
      ],
    }
    expect(applyLinkPolicy(doc)).toEqual({
      type: 'doc',
      content: [
        {
          type: 'paragraph',
          content: [
            { type: 'text', text: 'x', marks: [{ type: 'bold' }] },
            {
              type: 'text',
              text: 'x',
              marks: [
                { type: 'bold' },
                {
                  type: 'link',
                  attrs: { href: 'https://ok.test', target: LINK_TARGET, rel: LINK_REL, class: null, title: 'T' },
                },
              ],
            },
          ],
        },
        {
          type: 'blockquote',
          content: [
            {
              type: 'paragraph',
              content: [
                { type: 'text', text: 'x', marks: [{ type: 'bold' }] },
                { type: 'text', text: 'x', marks: [{ type: 'bold' }] },
              ],
            },
          ],
        },
      ],
    })
  })

  it('walks documents of any depth without recursion', () => {
    let deep: Record<string, unknown> = text('javascript:x')
    for (let i = 0; i < 50_000; i++) deep = { type: 'blockquote', content: [deep] }
    expect(() => applyLinkPolicy(deep)).not.toThrow()
  })
})
