// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest'
import { looksLikeMarkdown, markdownToBlocks, wordListsToLists } from './paste'

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

describe('wordListsToLists', () => {
  const item = (level: number, marker: string, text: string) =>
    `<p class=MsoListParagraphCxSpMiddle style='margin-left:.5in;mso-list:l0 level${level} lfo1'><!--[if !supportLists]--><span style='font-family:Symbol;mso-list:Ignore'>${marker}<span style='font:7.0pt "Times New Roman"'>&nbsp;&nbsp;&nbsp; </span></span><!--[endif]--><b>${text}</b><o:p></o:p></p>`

  it('turns Word’s list paragraphs into lists, numbered or bulleted, nested by level', () => {
    const html = `<p class=MsoNormal>Before</p>${item(1, '1.', 'one')}${item(2, 'a.', 'one-a')}${item(1, '2.', 'two')}<p class=MsoNormal>Between</p>${item(1, '·', 'dot')}`
    const out = new DOMParser().parseFromString(wordListsToLists(html), 'text/html').body
    expect(out.querySelector('ol > li > p')?.textContent).toBe('one')
    expect(out.querySelector('ol > li > ol > li')?.textContent).toBe('one-a')
    expect(Array.from(out.querySelectorAll(':scope > ol > li > p')).map((p) => p.textContent)).toEqual(['one', 'two'])
    expect(out.querySelector('ul > li')?.textContent).toBe('dot')
    expect(out.querySelector('li b')?.textContent).toBe('one')
    expect(Array.from(out.children).map((child) => child.tagName)).toEqual(['P', 'OL', 'P', 'UL'])
    expect(out.textContent).not.toContain('·')
  })

  it('leaves other HTML alone', () => {
    const html = '<h1>Title</h1><p>text</p>'
    expect(wordListsToLists(html)).toBe(html)
  })
})
