import { describe, expect, it } from 'vitest'
import { looksLikeMarkdown, markdownToBlocks } from './paste'

describe('looksLikeMarkdown', () => {
  it.each([
    '# Notes\n\nsome text',
    'intro\n## Part two',
    '- one\n- two',
    '* one\n* two',
    '1. first\n2. second',
    '- [ ] a task',
    '* [x] done',
    '> a quote',
    '```js\nlet x = 1\n```',
    '| a | b |\n|---|:-:|\n| 1 | 2 |',
    'a | b\n--- | ---\n1 | 2',
  ])('reads %j as Markdown', (text) => {
    expect(looksLikeMarkdown(text)).toBe(true)
  })

  it.each([
    'Just a sentence.',
    'Two lines\nof plain text',
    '1. On its own, a numbered sentence',
    '- a lone dash line',
    '5 * 3 = 15 and 2 - 1 = 1',
    '#hashtag and #another',
    'price: $5 > $4',
    'https://example.com/a_b_c',
    '',
  ])('leaves %j as text', (text) => {
    expect(looksLikeMarkdown(text)).toBe(false)
  })
})

describe('markdownToBlocks', () => {
  it('makes headings, lists, tasks, tables, code and quotes', () => {
    const blocks = markdownToBlocks(
      '# Title\n\n- a\n- b\n\n- [x] done\n\n| h |\n|---|\n| c |\n\n```\ncode\n```\n\n> quoted',
    )
    expect(blocks?.map((block) => block.type)).toEqual([
      'heading',
      'bulletList',
      'taskList',
      'table',
      'codeBlock',
      'blockquote',
    ])
  })

  it('applies the content policy: no javascript: links, no data: images', () => {
    const blocks = markdownToBlocks(
      '# T\n\n[click](javascript:alert(1)) ![x](data:image/png;base64,AAAA)\n\n![ok](https://example.com/a.png)',
    )
    const json = JSON.stringify(blocks)
    expect(json).not.toContain('javascript:')
    expect(json).not.toContain('data:')
    expect(json).toContain('https://example.com/a.png')
    expect(json).toContain('click')
  })
})
