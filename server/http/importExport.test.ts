import { Document, HeadingLevel, Packer, Paragraph, Table, TableCell, TableRow, TextRun } from 'docx'
import mammoth from 'mammoth'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DOCX_MEDIA_TYPE } from '../../protocol/api'
import { contentSchema } from '../../protocol/schema'
import { type TestApp, createTestApp } from '../test/app'

let t: TestApp
beforeAll(async () => {
  t = await createTestApp({ MAX_BODY_BYTES: String(64 * 1024) })
})
afterAll(async () => {
  await t.dispose()
})

function upload(
  body: NonNullable<RequestInit['body']>,
  contentType: string | null,
  filename?: string,
  headers: Record<string, string> = {},
) {
  const query = filename === undefined ? '' : `?filename=${encodeURIComponent(filename)}`
  return t.request(`/api/docs/import${query}`, {
    method: 'POST',
    headers: { ...(contentType === null ? {} : { 'content-type': contentType }), ...headers },
    body,
  })
}

async function expectError(response: Response, status: number, code: string): Promise<void> {
  expect(response.status).toBe(status)
  const body = (await response.json()) as { error: { code: string; message: string } }
  expect(body.error.code).toBe(code)
  expect(body.error.message.length).toBeGreaterThan(0)
}

async function imported(response: Response): Promise<{ id: string; title: string; html: string }> {
  expect(response.status).toBe(201)
  const dto = (await response.json()) as { id: string; title: string; createdAt: string }
  expect(Object.keys(dto).sort()).toEqual(['createdAt', 'id', 'title', 'updatedAt'])
  expect(response.headers.get('location')).toBe(`/api/docs/${dto.id}`)
  const html = await (await t.request(`/api/docs/${dto.id}/content?format=html`)).text()
  return { id: dto.id, title: dto.title, html }
}

/** A Word file made by a generator, as people's files are: a heading, bold text, a nested list. */
async function wordFile(): Promise<Buffer> {
  const document = new Document({
    sections: [
      {
        children: [
          new Paragraph({ text: 'Quarterly plan', heading: HeadingLevel.HEADING_1 }),
          new Paragraph({ children: [new TextRun('We will '), new TextRun({ text: 'ship', bold: true })] }),
          new Paragraph({ text: 'first', bullet: { level: 0 } }),
          new Paragraph({ text: 'second', bullet: { level: 0 } }),
          new Paragraph({ text: 'inner', bullet: { level: 1 } }),
        ],
      },
    ],
  })
  return Packer.toBuffer(document)
}

describe('POST /api/docs/import', () => {
  it('imports Markdown, titled by its first heading', async () => {
    const doc = await imported(await upload('Intro\n\n# Agenda\n\n- **one**\n- two', 'text/markdown', 'notes.md'))
    expect(doc.title).toBe('Agenda')
    expect(doc.html).toBe('<p>Intro</p><h1>Agenda</h1><ul><li><p><strong>one</strong></p></li><li><p>two</p></li></ul>')
  })

  it('imports HTML and plain text, titled by the file name without its extension', async () => {
    const html = await imported(
      await upload('<p>Hello <em>there</em></p>', 'text/html; charset=utf-8', 'dir/Greeting.html'),
    )
    expect(html.title).toBe('Greeting')
    expect(html.html).toBe('<p>Hello <em>there</em></p>')
    const text = await imported(await upload('line one\nline two\n\nnext', 'text/plain', 'Läuft gut.txt'))
    expect(text.title).toBe('Läuft gut')
    expect(text.html).toBe('<p>line one<br>line two</p><p>next</p>')
  })

  it('imports a Word file made by a generator, keeping heading, bold and the nested list', async () => {
    const doc = await imported(await upload(await wordFile(), DOCX_MEDIA_TYPE, 'plan.docx'))
    expect(doc.title).toBe('Quarterly plan')
    expect(doc.html).toBe(
      '<h1>Quarterly plan</h1><p>We will <strong>ship</strong></p>' +
        '<ul><li><p>first</p></li><li><p>second</p><ul><li><p>inner</p></li></ul></li></ul>',
    )
  })

  // Tables arrive with the table nodes in the schema (the blocks work); until then their text stays.
  it('keeps a Word table as a table once the schema has tables, else its text', async () => {
    const cell = (text: string) => new TableCell({ children: [new Paragraph(text)] })
    const document = new Document({
      sections: [
        {
          children: [
            new Table({
              rows: [
                new TableRow({ children: [cell('Name'), cell('Age')] }),
                new TableRow({ children: [cell('Ada'), cell('36')] }),
              ],
            }),
          ],
        },
      ],
    })
    const doc = await imported(await upload(await Packer.toBuffer(document), DOCX_MEDIA_TYPE, 'people.docx'))
    if (contentSchema().nodes.table === undefined) {
      expect(doc.html).toBe('<p>Name</p><p>Age</p><p>Ada</p><p>36</p>')
    } else {
      expect(doc.html).toMatch(/<table[^>]*>.*Name.*Age.*Ada.*36.*<\/table>/s)
    }
  })

  it('reads the charset of the request, else a UTF-16 byte order mark, else an HTML page’s meta charset', async () => {
    const latin1 = new Uint8Array([0x43, 0x61, 0x66, 0xe9]) // "Café" in ISO-8859-1
    expect((await imported(await upload(latin1, 'text/plain; charset=iso-8859-1', 'a.txt'))).html).toBe('<p>Café</p>')
    const utf16 = new Uint8Array([0xff, 0xfe, 0x48, 0, 0xe9, 0]) // BOM, "Hé" in UTF-16LE
    expect((await imported(await upload(utf16, 'text/plain', 'b.txt'))).html).toBe('<p>Hé</p>')
    const page = new Uint8Array([
      ...new TextEncoder().encode(
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=windows-1252">',
      ),
      ...new TextEncoder().encode('</head><body><p>Caf'),
      0xe9,
      0x80,
      ...new TextEncoder().encode('</p></body></html>'),
    ])
    expect((await imported(await upload(page, 'text/html', 'old.html'))).html).toBe('<p>Café€</p>')
  })

  it('takes the type from the file name when the browser sent none', async () => {
    const doc = await imported(await upload('# From a .md', 'application/octet-stream', 'x.md'))
    expect(doc.title).toBe('From a .md')
    expect((await imported(await upload('plain', null, 'y.txt'))).html).toBe('<p>plain</p>')
  })

  it('uses the default title when there is neither heading nor file name, and accepts an empty file', async () => {
    const doc = await imported(await upload('', 'text/markdown'))
    expect(doc.title).toBe('Untitled')
    expect(doc.html).toBe('<p></p>')
  })

  it('removes scripts, event handlers and javascript: links from HTML', async () => {
    const hostile =
      '<h2 onclick="steal()">Hi</h2><script>alert(1)</script><p>a<img src=x onerror="alert(2)">' +
      '<a href="javascript:alert(3)">bad</a> <a href="https://example.com" onmouseover="alert(4)">good</a></p>' +
      '<style>p{}</style><iframe src="https://evil.example"></iframe><p><a href="JaVaScRiPt&colon;alert(5)">x</a></p>'
    const doc = await imported(await upload(hostile, 'text/html', 'evil.html'))
    expect(doc.html).not.toMatch(/script|onclick|onerror|onmouseover|alert|iframe|style/i)
    expect(doc.html).toContain(
      '<a target="_blank" rel="noopener noreferrer nofollow" href="https://example.com">good</a>',
    )
    expect(doc.html).toContain('bad')
    const json = await (await t.request(`/api/docs/${doc.id}/content`)).text()
    expect(json).not.toMatch(/javascript|onerror|alert/i)
  })

  it('refuses types it cannot import with 415', async () => {
    await expectError(await upload('{}', 'application/json', 'a.json'), 415, 'unsupported_media_type')
    await expectError(await upload(new Uint8Array([1, 2, 3]), 'image/png', 'a.png'), 415, 'unsupported_media_type')
    // No type and no file name to tell it (a string body would be typed text/plain by fetch).
    await expectError(await upload(new Uint8Array([0x78]), null), 415, 'unsupported_media_type')
    await expectError(await upload('x', 'text/plain; charset=klingon'), 415, 'unsupported_media_type')
  })

  it('refuses broken files with 400', async () => {
    await expectError(await upload('not a zip at all', DOCX_MEDIA_TYPE, 'a.docx'), 400, 'invalid_content')
    const truncated = (await wordFile()).subarray(0, 2000)
    await expectError(await upload(truncated, DOCX_MEDIA_TYPE, 'b.docx'), 400, 'invalid_content')
    await expectError(await upload(new Uint8Array([0xc3, 0x28, 0x41]), 'text/markdown', 'c.md'), 400, 'invalid_content')
    await expectError(await upload(new Uint8Array([0x41, 0, 0x42]), 'text/plain', 'd.txt'), 400, 'invalid_content')
  })

  it('refuses files nested too deeply for the parsers with 400, not 500', async () => {
    await expectError(await upload(`${'>'.repeat(3000)} x`, 'text/markdown', 'deep.md'), 400, 'invalid_content')
    const html = `${'<div>'.repeat(12_000)}x`
    await expectError(await upload(html, 'text/html', 'deep.html'), 400, 'invalid_content')
  }, 60_000)

  it('refuses a file over MAX_BODY_BYTES with 413, from its Content-Length and without one', async () => {
    const big = 'a'.repeat(64 * 1024 + 1)
    await expectError(await upload(big, 'text/plain', 'big.txt'), 413, 'payload_too_large')
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let index = 0; index < 20; index++) controller.enqueue(new TextEncoder().encode('b'.repeat(4096)))
        controller.close()
      },
    })
    const response = await t.request('/api/docs/import?filename=s.txt', {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: stream,
      duplex: 'half',
    } as RequestInit)
    await expectError(response, 413, 'payload_too_large')
  })
})

describe('empty Markdown', () => {
  it('creates an empty document through POST /api/docs too (it parsed to a doc without blocks, a 400)', async () => {
    const { id } = await t.create({ content: { format: 'markdown', body: '' } })
    expect(await (await t.request(`/api/docs/${id}/content?format=html`)).text()).toBe('<p></p>')
  })
})

describe('import quota and roles', () => {
  it('counts against the document quota like creating', async () => {
    const small = await createTestApp({ MAX_DOCUMENT_BYTES: '1024' })
    try {
      const response = await small.request('/api/docs/import?filename=a.txt', {
        method: 'POST',
        headers: { 'content-type': 'text/plain' },
        body: 'word '.repeat(400),
      })
      expect(response.status).toBe(413)
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe('payload_too_large')
    } finally {
      await small.dispose()
    }
  })

  it('needs a token that may create documents', async () => {
    const secret = 'x'.repeat(32)
    const guarded = await createTestApp({ AUTH_SECRET: secret, HOST: '127.0.0.1' })
    try {
      const { signToken } = await import('../common/auth')
      const send = (token?: string) =>
        guarded.request('/api/docs/import?filename=a.md', {
          method: 'POST',
          headers: {
            'content-type': 'text/markdown',
            ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
          },
          body: '# Hi',
        })
      expect((await send()).status).toBe(401)
      const viewer = await signToken({ doc: '*', role: 'view', expiresInSeconds: 60 }, secret)
      expect((await send(viewer)).status).toBe(403)
      const editor = await signToken({ doc: '*', role: 'edit', expiresInSeconds: 60 }, secret)
      expect((await send(editor)).status).toBe(201)
    } finally {
      await guarded.dispose()
    }
  })
})

describe('GET /api/docs/:id/content?format=docx', () => {
  const markdown = [
    '# Report',
    '',
    'Some **bold**, *italic*, ~~struck~~ and `code` with a [link](https://example.com/a).',
    '',
    '## Steps',
    '',
    '1. first',
    '2. second',
    '   - nested bullet',
    '',
    '> quoted',
    '',
    '```',
    'const a = 1',
    '```',
    '',
    '---',
    '',
    'line<br>',
  ].join('\n')

  it('answers a Word file that a converter reads back with headings, marks, links and lists', async () => {
    const { id } = await t.create({ title: 'Report', content: { format: 'markdown', body: markdown } })
    const response = await t.request(`/api/docs/${id}/content?format=docx`)
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe(DOCX_MEDIA_TYPE)
    expect(response.headers.get('content-disposition')).toBeNull()
    const bytes = Buffer.from(await response.arrayBuffer())
    expect(bytes.subarray(0, 2).toString()).toBe('PK')
    const { value } = await mammoth.convertToHtml({ buffer: bytes })
    expect(value).toContain('<h1>Report</h1>')
    expect(value).toContain('<h2>Steps</h2>')
    expect(value).toContain('<strong>bold</strong>')
    expect(value).toContain('<em>italic</em>')
    expect(value).toContain('<s>struck</s>')
    expect(value).toContain('<a href="https://example.com/a">link</a>')
    expect(value).toContain('<ol><li>first</li><li>second<ul><li>nested bullet</li></ul></li></ol>')
    expect(value).toContain('const a = 1')
    expect(value).toContain('quoted')
  })

  it('round-trips: a Word export imports back to the same document', async () => {
    const body = '# Plan\n\nWe **ship**.\n\n- one\n- two'
    const { id } = await t.create({ content: { format: 'markdown', body } })
    const file = Buffer.from(await (await t.request(`/api/docs/${id}/content?format=docx`)).arrayBuffer())
    const again = await imported(await upload(file, DOCX_MEDIA_TYPE, 'Plan.docx'))
    expect(again.title).toBe('Plan')
    expect(again.html).toBe(
      '<h1>Plan</h1><p>We <strong>ship</strong>.</p><ul><li><p>one</p></li><li><p>two</p></li></ul>',
    )
  })

  it('refuses unknown formats and download values', async () => {
    const { id } = await t.create()
    await expectError(await t.request(`/api/docs/${id}/content?format=pdf`), 400, 'invalid_request')
    await expectError(await t.request(`/api/docs/${id}/content?download=yes`), 400, 'invalid_request')
  })
})

describe('downloads', () => {
  it.each([
    ['json', 'application/json', 'json'],
    ['html', 'text/html; charset=utf-8', 'html'],
    ['markdown', 'text/markdown; charset=utf-8', 'md'],
    ['text', 'text/plain; charset=utf-8', 'txt'],
    ['docx', DOCX_MEDIA_TYPE, 'docx'],
  ])('answers %s as an attachment named after the title', async (format, type, extension) => {
    const { id } = await t.create({ title: 'Plan 2026', content: { format: 'markdown', body: 'Hello' } })
    const response = await t.request(`/api/docs/${id}/content?format=${format}&download=1`)
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe(type)
    expect(response.headers.get('content-disposition')).toBe(`attachment; filename="Plan 2026.${extension}"`)
  })

  it('gives a non-ASCII title an ASCII fallback and a UTF-8 filename*', async () => {
    const { id } = await t.create({ title: 'Café "Ü/ber" 100% ✓' })
    const response = await t.request(`/api/docs/${id}/content?format=markdown&download=1`)
    expect(response.headers.get('content-disposition')).toBe(
      `attachment; filename="Caf_ _Ü_ber_ 100_ _.md"`.replace('Ü', '_') +
        `; filename*=UTF-8''Caf%C3%A9%20_%C3%9C_ber_%20100%25%20%E2%9C%93.md`,
    )
  })

  it('saves HTML as a whole page with its charset and escaped title', async () => {
    const { id } = await t.create({ title: '<b>Ünï</b>', content: { format: 'markdown', body: 'Hi' } })
    const page = await (await t.request(`/api/docs/${id}/content?format=html&download=1`)).text()
    expect(page).toContain('<meta charset="utf-8">')
    expect(page).toContain('<title>&#60;b&#62;Ünï&#60;/b&#62;</title>')
    expect(page).toContain('<body>\n<p>Hi</p>\n</body>')
    // Without download=1 the HTML export stays the fragment it always was.
    expect(await (await t.request(`/api/docs/${id}/content?format=html`)).text()).toBe('<p>Hi</p>')
  })

  it('answers a title of only unsafe characters with the default name', async () => {
    const { id } = await t.create({ title: '...' })
    const response = await t.request(`/api/docs/${id}/content?format=text&download=1`)
    expect(response.headers.get('content-disposition')).toBe('attachment; filename="Untitled.txt"')
  })
})
