// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest'
import { looksLikeMarkdown, markdownToBlocks, styleToMarkup, wordListsToLists } from './paste'

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

describe('styleToMarkup', () => {
  const body = (html: string) => new DOMParser().parseFromString(html, 'text/html').body

  it('Google Docs: the normal-weight <b> wrapper is not bold, bold and italic spans are', () => {
    const html =
      '<meta charset="utf-8"><b style="font-weight:normal;" id="docs-internal-guid-1"><p><span style="font-weight:400">plain</span>' +
      '<span style="font-weight:700;font-style:italic">both</span><span style="text-decoration:underline">u</span></p>' +
      '<table><tr><td style="text-align: center"><p>c</p></td></tr></table></b>'
    const out = body(styleToMarkup(html))
    expect(out.querySelector('b')).toBeNull()
    expect(Array.from(out.querySelectorAll('strong'), (e) => e.textContent)).toEqual(['both'])
    expect(out.querySelector('em strong')?.textContent).toBe('both')
    expect(out.querySelector('u')?.textContent).toBe('u')
    expect(out.querySelector('td')?.getAttribute('align')).toBe('center')
    expect(out.innerHTML).not.toMatch(/style=/)
  })

  it('drops inline event handlers and renames every style before anything parses it', () => {
    const html = '<p onclick="x()" style="color:red">a<img src="x" onerror=\'alert(1)\' alt="y"></p>'
    const out = styleToMarkup(html)
    expect(out).not.toMatch(/onclick|onerror|\sstyle=/)
    expect(body(out).querySelector('img')?.getAttribute('alt')).toBe('y')
  })

  it('keeps Word’s list styles for wordListsToLists, which then makes the lists', () => {
    const html =
      "<p style='mso-list:l0 level1 lfo1'><span style='mso-list:Ignore'>1.<span>&nbsp;</span></span><span style='font-weight:bold'>one</span></p>"
    const out = body(wordListsToLists(styleToMarkup(html)))
    expect(out.querySelector('ol > li > p')?.textContent).toBe('one')
    expect(out.querySelector('ol strong')?.textContent).toBe('one')
  })

  it('leaves HTML without styles or handlers alone', () => {
    expect(styleToMarkup('<h1>a</h1>')).toBe('<h1>a</h1>')
  })
})
