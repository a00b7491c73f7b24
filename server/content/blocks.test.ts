/**
 * Issue 13 §2: tables, task lists, images and highlight — through the schema firewall (what the
 * editor writes passes, a bad attribute is refused) and through every format, in and out.
 */
import type { JSONContent } from '@tiptap/core'
import { prosemirrorJSONToYXmlFragment } from '@tiptap/y-tiptap'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import type { ContentFormat } from '../../protocol/api'
import { DOCUMENT_FIELD } from '../../protocol/fields'
import { contentSchema } from '../../protocol/schema'
import { UpdateChecker } from '../model/updateCheck'
import { parseUpdate } from '../model/updateFormat'
import { type TestApp, createTestApp } from '../test/app'
import { createdUpdate } from '../test/content'
import { captureUpdate, cloneDoc } from '../test/updates'
import { contentToDoc, exportContent } from './convert'
import { schemaRules } from './rules'

const text = (value: string, marks?: JSONContent['marks']): JSONContent =>
  marks === undefined ? { type: 'text', text: value } : { type: 'text', text: value, marks }
const paragraph = (...content: JSONContent[]): JSONContent => ({ type: 'paragraph', content })
const cell = (type: 'tableCell' | 'tableHeader', value: string, align: string | null = null): JSONContent => ({
  type,
  attrs: { colspan: 1, rowspan: 1, colwidth: null, align },
  content: [paragraph(text(value))],
})
const task = (checked: boolean, value: string, ...nested: JSONContent[]): JSONContent => ({
  type: 'taskItem',
  attrs: { checked },
  content: [paragraph(text(value)), ...nested],
})
const image = (src: string, alt: string | null = null, title: string | null = null): JSONContent => ({
  type: 'image',
  attrs: { src, alt, title },
})

const TABLE: JSONContent = {
  type: 'table',
  content: [
    { type: 'tableRow', content: [cell('tableHeader', 'Name'), cell('tableHeader', 'Done', 'center')] },
    { type: 'tableRow', content: [cell('tableCell', 'Ada'), cell('tableCell', 'yes', 'center')] },
    { type: 'tableRow', content: [cell('tableCell', 'Bob'), cell('tableCell', 'no', 'center')] },
  ],
}
const TASKS: JSONContent = {
  type: 'taskList',
  content: [task(false, 'write'), task(true, 'read', { type: 'taskList', content: [task(false, 'nested')] })],
}

/** Every new node and mark, in the shape the editor (and every import) produces. */
const BLOCKS: JSONContent = {
  type: 'doc',
  content: [
    { type: 'heading', attrs: { level: 1 }, content: [text('Blocks')] },
    TABLE,
    TASKS,
    image('https://example.com/cat.png', 'A cat', 'Cat'),
    image('/api/files/AbC_123-xyz', 'Uploaded'),
    paragraph(
      text('plain '),
      text('marked', [{ type: 'highlight' }]),
      text(' and '),
      text('both', [{ type: 'bold' }, { type: 'highlight' }]),
    ),
  ],
}

async function importAs(format: ContentFormat, body: unknown): Promise<Uint8Array> {
  return Y.encodeStateAsUpdate(await contentToDoc({ format, body } as never))
}
async function exportAs(state: Uint8Array, format: ContentFormat): Promise<unknown> {
  return exportContent(state, format)
}

describe('new blocks in every format', () => {
  it('JSON comes back as it went in', async () => {
    expect(await exportAs(await importAs('json', BLOCKS), 'json')).toEqual(BLOCKS)
  })

  it('Markdown: GFM tables, - [ ] / - [x], ![alt](src), ==highlight==, and back to the same document', async () => {
    const markdown = (await exportAs(await importAs('json', BLOCKS), 'markdown')) as string
    expect(markdown).toMatch(/\| Name +\| Done +\|\n\| -+ \| :-+: \|\n\| Ada +\| yes +\|/)
    expect(markdown).toContain('- [ ] write\n- [x] read\n  - [ ] nested')
    expect(markdown).toContain('![A cat](https://example.com/cat.png "Cat")')
    expect(markdown).toContain('![Uploaded](/api/files/AbC_123-xyz)')
    expect(markdown).toContain('plain ==marked== and **==both==**')
    expect(await exportAs(await importAs('markdown', markdown), 'json')).toEqual(BLOCKS)
  })

  it('Markdown written by people: a table, tasks, an image inside a line, highlight', async () => {
    const markdown = [
      '| a | b |',
      '|---|---|',
      '| 1 | 2 |',
      '',
      '* [ ] open',
      '* [X] closed',
      '',
      'See ![chart](https://example.com/c.png) here',
      '',
      'a ==bright== idea',
    ].join('\n')
    const json = (await exportAs(await importAs('markdown', markdown), 'json')) as JSONContent
    expect(json.content?.map((node) => node.type)).toEqual([
      'table',
      'taskList',
      'paragraph',
      'image',
      'paragraph',
      'paragraph',
    ])
    expect(json.content?.[1]?.content?.map((item) => item.attrs?.checked)).toEqual([false, true])
    expect(json.content?.[2]).toEqual(paragraph(text('See')))
    expect(json.content?.[3]).toEqual(image('https://example.com/c.png', 'chart'))
    expect(json.content?.[5]).toEqual(paragraph(text('a '), text('bright', [{ type: 'highlight' }]), text(' idea')))
  })

  it('HTML: out and back in to the same document', async () => {
    const html = (await exportAs(await importAs('json', BLOCKS), 'html')) as string
    expect(html).toContain('<th colspan="1" rowspan="1"><p>Name</p></th>')
    expect(html).toContain('<td colspan="1" rowspan="1" align="center"><p>yes</p></td>')
    expect(html).toContain('<ul data-type="taskList"><li data-checked="false" data-type="taskItem">')
    expect(html).toContain('<img src="https://example.com/cat.png" alt="A cat" title="Cat">')
    expect(html).toContain('<mark>marked</mark>')
    expect(await exportAs(await importAs('html', html), 'json')).toEqual(BLOCKS)
  })

  it('HTML from elsewhere: plain tables, checked list items, images and <mark>', async () => {
    const html = [
      '<table><tr><th style="text-align: right">h</th></tr><tr><td>c</td></tr></table>',
      '<ul data-type="taskList"><li data-type="taskItem" data-checked="true"><p>t</p></li></ul>',
      '<p>x <img src="https://example.com/i.png" alt="i" width="10" onerror="alert(1)"> y</p>',
      '<p><mark style="background: red">m</mark></p>',
    ].join('')
    const json = (await exportAs(await importAs('html', html), 'json')) as JSONContent
    expect(json.content?.[0]?.content?.[0]?.content?.[0]?.attrs?.align).toBe('right')
    expect(json.content?.[1]).toEqual({ type: 'taskList', content: [task(true, 't')] })
    expect(json.content?.slice(2, 5)).toEqual([
      paragraph(text('x')),
      image('https://example.com/i.png', 'i'),
      paragraph(text(' y')),
    ])
    expect(json.content?.[5]).toEqual(paragraph(text('m', [{ type: 'highlight' }])))
  })

  it('plain text export has the cells, tasks and highlighted text', async () => {
    const plain = (await exportAs(await importAs('json', BLOCKS), 'text')) as string
    for (const part of ['Name', 'Ada', 'yes', 'write', 'nested', 'marked']) expect(plain).toContain(part)
  })

  const BAD_SOURCES = [
    'javascript:alert(1)',
    'data:image/png;base64,iVBORw0KGgo=',
    'data:image/svg+xml,<svg onload="alert(1)">',
    '//evil.example/x.png',
    'x.png',
    '/api/docs/abc',
    '/api/files/../docs',
    'blob:https://example.com/1',
    'file:///etc/passwd',
  ]

  it.each(BAD_SOURCES)('import drops an image with src %s, in every format', async (src) => {
    const keep = paragraph(text('kept'))
    const inputs: Array<[ContentFormat, unknown]> = [
      ['json', { type: 'doc', content: [image(src, 'bad'), keep] }],
      [
        'json',
        {
          type: 'doc',
          content: [
            {
              ...TABLE,
              content: [{ type: 'tableRow', content: [{ ...cell('tableCell', 'x'), content: [image(src)] }] }],
            },
          ],
        },
      ],
      ['html', `<img src="${src.replace(/"/g, '&quot;')}" alt="bad"><p>kept</p>`],
      ['markdown', `![bad](<${src}>)\n\nkept`],
    ]
    for (const [format, body] of inputs) {
      const json = (await exportAs(await importAs(format, body), 'json')) as JSONContent
      expect(JSON.stringify(json), `${format}: ${JSON.stringify(body)}`).not.toContain('"image"')
      expect(JSON.stringify(json)).not.toContain(src)
    }
  })

  it.each([
    ['a task checked "yes"', { ...task(false, 't'), attrs: { checked: 'yes' } }],
    [
      'a cell spanning no columns',
      {
        type: 'table',
        content: [{ type: 'tableRow', content: [{ ...cell('tableCell', 'x'), attrs: { colspan: 0 } }] }],
      },
    ],
    [
      'a cell aligned "justify"',
      {
        type: 'table',
        content: [{ type: 'tableRow', content: [{ ...cell('tableCell', 'x'), attrs: { align: 'justify' } }] }],
      },
    ],
  ])('a JSON import with %s is refused like the firewall refuses it', async (_, node) => {
    await expect(importAs('json', { type: 'doc', content: [node] })).rejects.toThrow(/does not fit the document schema/)
  })

  it('pasted-page HTML attributes the firewall would refuse are read as defaults', async () => {
    const html =
      '<table><colgroup><col width="auto"></colgroup><tr><td colspan="0" rowspan="abc" colwidth="x">a</td><td colspan="5000">b</td></tr></table>' +
      `<img src="/api/files/a" alt="${'a'.repeat(3000)}">`
    const json = (await exportAs(await importAs('html', html), 'json')) as JSONContent
    const cells = json.content?.[0]?.content?.[0]?.content ?? []
    expect(cells.map((c) => c.attrs)).toEqual([
      { colspan: 1, rowspan: 1, colwidth: null, align: null },
      { colspan: 1, rowspan: 1, colwidth: null, align: null },
    ])
    expect(json.content?.[1]?.attrs?.alt).toBe('a'.repeat(2000))
  })

  it('export drops an image whose source the policy refuses, whatever the document holds', async () => {
    const doc = new Y.Doc()
    const fragment = doc.getXmlFragment(DOCUMENT_FIELD)
    const bad = new Y.XmlElement('image')
    bad.setAttribute('src', 'javascript:alert(1)')
    const good = new Y.XmlElement('paragraph')
    good.insert(0, [new Y.XmlText('ok')])
    fragment.insert(0, [bad, good])
    const state = Y.encodeStateAsUpdate(doc)
    expect(await exportAs(state, 'json')).toEqual({ type: 'doc', content: [paragraph(text('ok'))] })
    expect(await exportAs(state, 'html')).toBe('<p>ok</p>')
    expect(await exportAs(state, 'markdown')).toBe('ok')
  })

  it('a document written before these blocks existed loads and exports unchanged', async () => {
    // The shape every document had before issue 13: StarterKit's nodes and marks and links.
    const old: JSONContent = {
      type: 'doc',
      content: [
        { type: 'heading', attrs: { level: 2 }, content: [text('Old')] },
        paragraph(
          text('bold', [{ type: 'bold' }]),
          text(' and '),
          text('link', [
            {
              type: 'link',
              attrs: {
                href: 'https://x.test',
                target: '_blank',
                rel: 'noopener noreferrer nofollow',
                class: null,
                title: null,
              },
            },
          ]),
        ),
        { type: 'bulletList', content: [{ type: 'listItem', content: [paragraph(text('item'))] }] },
        {
          type: 'orderedList',
          attrs: { start: 3, type: null },
          content: [{ type: 'listItem', content: [paragraph(text('three'))] }],
        },
        { type: 'codeBlock', attrs: { language: 'ts' }, content: [text('let x = 1')] },
        { type: 'blockquote', content: [paragraph(text('quoted'))] },
        { type: 'horizontalRule' },
      ],
    }
    // Written the way the old server wrote it (y-tiptap into the fragment), not through the new import.
    const doc = new Y.Doc()
    prosemirrorJSONToYXmlFragment(contentSchema(), old, doc.getXmlFragment(DOCUMENT_FIELD))
    const state = Y.encodeStateAsUpdate(doc)
    expect(await exportAs(state, 'json')).toEqual(old)
    expect(await exportAs(state, 'markdown')).toBe(
      '## Old\n\n**bold** and [link](https://x.test)\n\n- item\n\n3. three\n\n```ts\nlet x = 1\n```\n\n> quoted\n\n---',
    )
    expect(await exportAs(state, 'html')).toBe(
      '<h2>Old</h2><p><strong>bold</strong> and <a target="_blank" rel="noopener noreferrer nofollow" href="https://x.test">link</a></p><ul><li><p>item</p></li></ul><ol start="3"><li><p>three</p></li></ol><pre><code class="language-ts">let x = 1</code></pre><blockquote><p>quoted</p></blockquote><hr>',
    )
    // And editing it still passes the firewall.
    const server = new Y.Doc()
    Y.applyUpdate(server, state)
    const edit = captureUpdate(cloneDoc(server), (d) => {
      ;((d.getXmlFragment(DOCUMENT_FIELD).get(1) as Y.XmlElement).get(0) as Y.XmlText).insert(0, 'x')
    })
    expect(new UpdateChecker(server, schemaRules()).check(parseUpdate(edit)).verdict).toBe('ok')
  })
})

const seed = await createdUpdate('Title', { format: 'markdown', body: 'first paragraph' })

describe('new blocks through the schema firewall', () => {
  const serverDoc = (): Y.Doc => {
    const doc = new Y.Doc()
    Y.applyUpdate(doc, seed)
    return doc
  }
  const check = (doc: Y.Doc, update: Uint8Array) => new UpdateChecker(doc, schemaRules()).check(parseUpdate(update))
  const body = (d: Y.Doc) => d.getXmlFragment(DOCUMENT_FIELD)

  /** What the editor writes for `blocks` appended to the document: y-tiptap's own diff. */
  const appendAsEditor = (doc: Y.Doc, blocks: JSONContent[]): Uint8Array =>
    captureUpdate(doc, (d) => {
      const current = Y.encodeStateAsUpdate(d)
      const copy = new Y.Doc()
      Y.applyUpdate(copy, current)
      const json = contentSchema().topNodeType.create(null).toJSON() as JSONContent
      json.content = [paragraph(text('first paragraph')), ...blocks]
      prosemirrorJSONToYXmlFragment(contentSchema(), json, body(d))
    })

  const honest: Array<[string, JSONContent[]]> = [
    ['a table with a header row and aligned cells', [TABLE]],
    ['a task list, nested, one checked', [TASKS]],
    [
      'an uploaded image and a web image with alt text and title',
      [image('/api/files/f1'), image('https://example.com/a.png', 'A', 'T')],
    ],
    ['highlighted text', [paragraph(text('hi', [{ type: 'highlight' }]))]],
    [
      'a cell spanning two columns with widths',
      [
        {
          type: 'table',
          content: [
            {
              type: 'tableRow',
              content: [
                { ...cell('tableCell', 'w'), attrs: { colspan: 2, rowspan: 1, colwidth: [100, 120], align: null } },
              ],
            },
          ],
        },
      ],
    ],
  ]
  it.each(honest)('passes %s as the editor writes it', (_, blocks) => {
    const server = serverDoc()
    const client = cloneDoc(server)
    const update = appendAsEditor(client, blocks)
    expect(check(server, update)).toMatchObject({ verdict: 'ok', changes: true })
    Y.applyUpdate(server, update)
    expect(body(server).toString()).toBe(body(client).toString())
  })

  it('passes ticking a task, adding a table row and changing an image’s alt text', () => {
    const server = serverDoc()
    Y.applyUpdate(server, appendAsEditor(cloneDoc(server), [TABLE, TASKS, image('/api/files/f1', 'old')]))
    const edits: Array<(d: Y.Doc) => void> = [
      (d) => ((body(d).get(2) as Y.XmlElement).get(0) as Y.XmlElement).setAttribute('checked', true as never),
      (d) => {
        const row = new Y.XmlElement('tableRow')
        const newCell = new Y.XmlElement('tableCell')
        newCell.setAttribute('colspan', 1 as never)
        newCell.setAttribute('rowspan', 1 as never)
        newCell.insert(0, [new Y.XmlElement('paragraph')])
        row.insert(0, [newCell])
        ;(body(d).get(1) as Y.XmlElement).push([row])
      },
      (d) => (body(d).get(3) as Y.XmlElement).setAttribute('alt', 'a better description'),
      (d) => (body(d).get(3) as Y.XmlElement).setAttribute('title', 'A title'),
      (d) => (body(d).get(3) as Y.XmlElement).removeAttribute('alt'),
    ]
    for (const edit of edits) {
      const update = captureUpdate(cloneDoc(server), edit)
      expect(check(server, update)).toMatchObject({ verdict: 'ok', changes: true })
      Y.applyUpdate(server, update)
    }
  })

  const element = (name: string, attributes: Record<string, unknown>) => (d: Y.Doc) => {
    const node = new Y.XmlElement(name)
    for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, value as never)
    body(d).push([node])
  }
  const attacks: Array<[string, (d: Y.Doc) => void]> = [
    ...BAD_SOURCE_ATTACKS(),
    ['an image src that is not a string', element('image', { src: 42 })],
    ['an image with a width', element('image', { src: '/api/files/a', width: 100 })],
    ['an image with an onerror handler', element('image', { src: '/api/files/a', onerror: 'alert(1)' })],
    ['an image alt that is not a string', element('image', { src: '/api/files/a', alt: { x: 1 } })],
    ['an image alt of a megabyte', element('image', { src: '/api/files/a', alt: 'x'.repeat(1 << 20) })],
    ['a task checked with a string', element('taskItem', { checked: 'yes' })],
    ['a task with an unknown attribute', element('taskItem', { checked: true, 'data-x': 'y' })],
    ['a cell spanning no columns', element('tableCell', { colspan: 0 })],
    ['a cell spanning a million rows', element('tableHeader', { rowspan: 1_000_000 })],
    ['a cell aligned with CSS', element('tableCell', { align: 'left; background: url(x)' })],
    ['a cell with widths that are not numbers', element('tableCell', { colwidth: ['100px'] })],
    ['a table with a style', element('table', { style: 'position: fixed' })],
    ['a row with a class', element('tableRow', { class: 'x' })],
    ['a task list with an attribute', element('taskList', { start: 1 })],
  ]
  function BAD_SOURCE_ATTACKS(): Array<[string, (d: Y.Doc) => void]> {
    return [
      'javascript:alert(1)',
      'JAVASCRIPT:alert(1)',
      'data:image/png;base64,iVBORw0KGgo=',
      '//evil.example/x.png',
      'relative.png',
      ' https://example.com/x.png',
      '/api/files/a/../../x',
    ].map((src) => [`an image with src ${JSON.stringify(src)}`, element('image', { src })])
  }
  it.each(attacks)('refuses %s', (_, attack) => {
    const server = serverDoc()
    const before = Y.encodeStateAsUpdate(server)
    const result = check(server, captureUpdate(cloneDoc(server), attack))
    expect(result.verdict).toBe('reject')
    expect(Y.encodeStateAsUpdate(server)).toEqual(before)
  })

  it('refuses setting a bad src on an image already there', () => {
    const server = serverDoc()
    Y.applyUpdate(server, appendAsEditor(cloneDoc(server), [image('/api/files/f1')]))
    const update = captureUpdate(cloneDoc(server), (d) =>
      (body(d).get(1) as Y.XmlElement).setAttribute('src', 'javascript:alert(1)'),
    )
    expect(check(server, update).verdict).toBe('reject')
  })
})

describe('POST /api/docs and GET /content with the new blocks', () => {
  let t: TestApp
  beforeAll(async () => {
    t = await createTestApp()
  })
  afterAll(async () => {
    await t.dispose()
  })

  it.each(['json', 'markdown', 'html'] as const)('imports and exports %s', async (format) => {
    const source = (await exportAs(await importAs('json', BLOCKS), format)) as string | JSONContent
    const { id } = await t.create({ title: 'blocks', content: { format, body: source } })
    const response = await t.request(`/api/docs/${id}/content?format=json`)
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual(BLOCKS)
    const again = await t.request(`/api/docs/${id}/content?format=${format}`)
    const exported = format === 'json' ? await again.json() : await again.text()
    expect(exported).toEqual(source)
  })

  it('drops javascript: and data: images from an import and keeps the rest', async () => {
    const { id } = await t.create({
      title: 'bad',
      content: {
        format: 'markdown',
        body: '![x](javascript:alert(1))\n\n![y](data:image/png;base64,AAAA)\n\n![z](/api/files/ok)\n\ntext',
      },
    })
    const response = await t.request(`/api/docs/${id}/content?format=json`)
    expect(await response.json()).toEqual({
      type: 'doc',
      content: [image('/api/files/ok', 'z'), paragraph(text('text'))],
    })
  })
})
