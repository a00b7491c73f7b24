import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { newDocumentId } from '../model/ids'
import { type TestApp, createTestApp } from '../test/app'
import { clockPasses } from '../test/waitFor'
import { DOCUMENT_FIELD, META_FIELD, TITLE_KEY } from '../../protocol/fields'

let t: TestApp
beforeEach(async () => {
  t = await createTestApp({ MAX_BODY_BYTES: '4096' })
})
afterEach(async () => {
  await t.dispose()
})

const json = (body: unknown, method = 'POST'): RequestInit => ({
  method,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
})

async function expectError(response: Response, status: number, code: string): Promise<void> {
  expect(response.status).toBe(status)
  expect(response.headers.get('content-type')).toMatch(/application\/json/)
  const body = (await response.json()) as { error: { code: string; message: string } }
  expect(body.error.code).toBe(code)
  expect(body.error.message.length).toBeGreaterThan(0)
}

describe('POST /api/docs', () => {
  it('creates a document with a Location header and ISO dates', async () => {
    const response = await t.request('/api/docs', json({ title: 'Plan' }))
    expect(response.status).toBe(201)
    const body = (await response.json()) as Record<string, string>
    expect(Object.keys(body).sort()).toEqual(['createdAt', 'id', 'title', 'updatedAt'])
    expect(body.title).toBe('Plan')
    expect(body.id).toMatch(/^[A-Za-z0-9_-]{22}$/)
    expect(response.headers.get('location')).toBe(`/api/docs/${body.id}`)
    expect(new Date(body.createdAt as string).toISOString()).toBe(body.createdAt)
  })

  it('defaults the title and accepts an empty body', async () => {
    const response = await t.request('/api/docs', { method: 'POST' })
    expect(response.status).toBe(201)
    expect(((await response.json()) as { title: string }).title).toBe('Untitled')
  })

  it.each([
    ['markdown', '# Title\n\nSome **bold** text', '<h1>Title</h1><p>Some <strong>bold</strong> text</p>'],
    ['html', '<h2>Hi</h2><p>a <em>b</em><script>alert(1)</script></p>', '<h2>Hi</h2><p>a <em>b</em></p>'],
    ['text', 'line one\nline two\n\nsecond paragraph', '<p>line one<br>line two</p><p>second paragraph</p>'],
    [
      'json',
      { type: 'doc', content: [{ type: 'paragraph', content: [{ type: 'text', text: 'from json' }] }] },
      '<p>from json</p>',
    ],
  ])('writes %s content once, on the server, into the default fragment', async (format, body, html) => {
    const { id } = await t.create({ title: 'c', content: { format, body } })
    const response = await t.request(`/api/docs/${id}/content?format=html`)
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toMatch(/text\/html/)
    expect(await response.text()).toBe(html)
  })

  it('round-trips markdown and text', async () => {
    const markdown = '# Heading\n\n- one\n- two\n\n> quoted'
    const { id } = await t.create({ content: { format: 'markdown', body: markdown } })
    expect(await (await t.request(`/api/docs/${id}/content?format=markdown`)).text()).toBe(markdown)
    const text = 'a\nb\n\nc'
    const created = await t.create({ content: { format: 'text', body: text } })
    expect(await (await t.request(`/api/docs/${created.id}/content?format=text`)).text()).toBe(text)
  })

  it('refuses malformed JSON', async () => {
    const response = await t.request('/api/docs', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"title": ',
    })
    await expectError(response, 400, 'malformed_json')
  })

  it('refuses a body that is not JSON with 415', async () => {
    const response = await t.request('/api/docs', {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'title=x',
    })
    await expectError(response, 415, 'unsupported_media_type')
  })

  it('refuses a body over the limit with 413', async () => {
    const response = await t.request('/api/docs', json({ content: { format: 'text', body: 'x'.repeat(10_000) } }))
    await expectError(response, 413, 'payload_too_large')
  })

  it.each([
    ['a number title', { title: 42 }],
    ['an empty title', { title: '' }],
    ['a blank title', { title: '   ' }],
    ['a title over 200 characters', { title: 'x'.repeat(201) }],
    ['an unknown format', { content: { format: 'docx', body: 'x' } }],
    ['an unknown field', { title: 'x', owner: 'me' }],
    ['a JSON array', []],
  ])('refuses %s with 400', async (_, body) => {
    await expectError(await t.request('/api/docs', json(body)), 400, 'invalid_request')
  })

  it.each([
    ['a non-string markdown body', { format: 'markdown', body: 5 }],
    ['JSON that is not a document', { format: 'json', body: { type: 'paragraph' } }],
    ['JSON with an unknown node', { format: 'json', body: { type: 'doc', content: [{ type: 'video' }] } }],
    [
      'JSON with invalid nesting',
      { format: 'json', body: { type: 'doc', content: [{ type: 'text', text: 'bare text at top level' }] } },
    ],
  ])('refuses %s with 400 invalid_content', async (_, content) => {
    await expectError(await t.request('/api/docs', json({ content })), 400, 'invalid_content')
  })

  it('refuses content nested deeper than the schema limit', async () => {
    let node: Record<string, unknown> = { type: 'paragraph', content: [{ type: 'text', text: 'deep' }] }
    for (let i = 0; i < 60; i++) node = { type: 'blockquote', content: [node] }
    const response = await t.request(
      '/api/docs',
      json({ content: { format: 'json', body: { type: 'doc', content: [node] } } }),
    )
    await expectError(response, 400, 'invalid_content')
  })
})

describe('GET /api/docs', () => {
  it('lists most recently updated first with cursor pagination and title search', async () => {
    const ids: string[] = []
    for (const title of ['Roadmap', 'Retro notes', 'Budget', 'road trip']) {
      ids.push((await t.create({ title })).id)
      await clockPasses()
    }
    const first = await t.request('/api/docs?limit=3')
    expect(first.status).toBe(200)
    const page1 = (await first.json()) as { items: Array<{ id: string; title: string }>; nextCursor: string | null }
    expect(page1.items.map((d) => d.title)).toEqual(['road trip', 'Budget', 'Retro notes'])
    expect(page1.nextCursor).not.toBeNull()
    const page2 = (await (await t.request(`/api/docs?limit=3&cursor=${page1.nextCursor}`)).json()) as typeof page1
    expect(page2.items.map((d) => d.title)).toEqual(['Roadmap'])
    expect(page2.nextCursor).toBeNull()
    // A search (issue 15) is ranked by relevance, not by recency: search.test.ts checks the order.
    const search = (await (await t.request('/api/docs?q=ROAD')).json()) as typeof page1
    expect(search.items.map((d) => d.title).sort()).toEqual(['Roadmap', 'road trip'])
  })

  it.each(['limit=0', 'limit=101', 'limit=abc'])('refuses %s', async (query) => {
    await expectError(await t.request(`/api/docs?${query}`), 400, 'invalid_request')
  })

  it('refuses a cursor it did not issue', async () => {
    await expectError(await t.request('/api/docs?cursor=bogus'), 400, 'invalid_cursor')
  })
})

describe('GET /api/docs/:id', () => {
  it('returns the metadata', async () => {
    const created = await t.create({ title: 'Meta' })
    const response = await t.request(`/api/docs/${created.id}`)
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual(created)
  })

  it.each(['AAAAAAAAAAAAAAAAAAAAAA', 'not-an-id', '..%2F..%2Fetc', 'x'.repeat(300)])(
    'answers 404 for %s',
    async (id) => {
      await expectError(await t.request(`/api/docs/${id}`), 404, 'document_not_found')
    },
  )
})

describe('PATCH /api/docs/:id', () => {
  it('renames, moves updatedAt and writes the title into the document', async () => {
    const created = await t.create({ title: 'Old' })
    const response = await t.request(`/api/docs/${created.id}`, json({ title: '  New name  ' }, 'PATCH'))
    expect(response.status).toBe(200)
    const body = (await response.json()) as { title: string; updatedAt: string }
    expect(body.title).toBe('New name')
    const title = await t.tandem.rooms.withRoom(created.id, (room) => room.doc.getMap(META_FIELD).get(TITLE_KEY))
    expect(title).toBe('New name')
  })

  it('validates the title and the id', async () => {
    const { id } = await t.create()
    await expectError(await t.request(`/api/docs/${id}`, json({ title: '' }, 'PATCH')), 400, 'invalid_request')
    await expectError(await t.request(`/api/docs/${id}`, json({}, 'PATCH')), 400, 'invalid_request')
    await expectError(
      await t.request(`/api/docs/${id}`, json({ title: 'x'.repeat(201) }, 'PATCH')),
      400,
      'invalid_request',
    )
    await expectError(
      await t.request(`/api/docs/${id}`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/json' },
        body: '{',
      }),
      400,
      'malformed_json',
    )
    await expectError(
      await t.request(`/api/docs/${id}`, { method: 'PATCH', headers: { 'content-type': 'text/plain' }, body: 'x' }),
      415,
      'unsupported_media_type',
    )
    await expectError(
      await t.request('/api/docs/AAAAAAAAAAAAAAAAAAAAAA', json({ title: 'x' }, 'PATCH')),
      404,
      'document_not_found',
    )
  })
})

describe('DELETE /api/docs/:id', () => {
  it('deletes, then the document is gone everywhere', async () => {
    const { id } = await t.create()
    const response = await t.request(`/api/docs/${id}`, { method: 'DELETE' })
    expect(response.status).toBe(204)
    expect(await response.text()).toBe('')
    await expectError(await t.request(`/api/docs/${id}`), 404, 'document_not_found')
    await expectError(await t.request(`/api/docs/${id}/content`), 404, 'document_not_found')
    await expectError(await t.request(`/api/docs/${id}`, { method: 'DELETE' }), 404, 'document_not_found')
  })
})

describe('GET /api/docs/:id/content', () => {
  it('serves every format with its content type', async () => {
    const { id } = await t.create({ content: { format: 'markdown', body: '## Hi\n\nthere' } })
    const asJson = await t.request(`/api/docs/${id}/content?format=json`)
    expect(asJson.headers.get('content-type')).toMatch(/application\/json/)
    expect(await asJson.json()).toEqual({
      type: 'doc',
      content: [
        { type: 'heading', attrs: { level: 2 }, content: [{ type: 'text', text: 'Hi' }] },
        { type: 'paragraph', content: [{ type: 'text', text: 'there' }] },
      ],
    })
    const asDefault = await t.request(`/api/docs/${id}/content`)
    expect(asDefault.headers.get('content-type')).toMatch(/application\/json/)
    const asMarkdown = await t.request(`/api/docs/${id}/content?format=markdown`)
    expect(asMarkdown.headers.get('content-type')).toMatch(/text\/markdown/)
    const asText = await t.request(`/api/docs/${id}/content?format=text`)
    expect(asText.headers.get('content-type')).toMatch(/text\/plain/)
    expect(await asText.text()).toBe('Hi\n\nthere')
  })

  it('refuses an unknown format', async () => {
    const { id } = await t.create()
    await expectError(await t.request(`/api/docs/${id}/content?format=pdf`), 400, 'invalid_request')
  })
})

describe('links under the link policy, on every path in and out', () => {
  const POLICY = { target: '_blank', rel: 'noopener noreferrer nofollow', class: null }
  const exportsOf = async (id: string) => ({
    json: JSON.stringify(await (await t.request(`/api/docs/${id}/content?format=json`)).json()),
    html: await (await t.request(`/api/docs/${id}/content?format=html`)).text(),
    markdown: await (await t.request(`/api/docs/${id}/content?format=markdown`)).text(),
  })
  const expectNoForbiddenLink = (exported: Record<string, string>) => {
    for (const [format, body] of Object.entries(exported)) {
      expect(body, format).not.toMatch(/javascript|data:|_self|opener"|evil-class/)
    }
  }

  it('drops javascript: and data: links from JSON imports and normalises target, rel and class', async () => {
    const link = (href: string, attrs: Record<string, unknown> = {}) => ({
      type: 'text',
      text: href.slice(0, 4),
      marks: [{ type: 'link', attrs: { href, ...attrs } }],
    })
    const body = {
      type: 'doc',
      content: [
        {
          type: 'paragraph',
          content: [
            link('javascript:alert(1)'),
            link('data:text/html,x'),
            link('https://ok.test', { target: '_self', rel: 'opener', class: 'evil-class', title: 'T' }),
          ],
        },
      ],
    }
    const { id } = await t.create({ content: { format: 'json', body } })
    const exported = await exportsOf(id)
    expectNoForbiddenLink(exported)
    expect(JSON.parse(exported.json).content[0].content).toEqual([
      { type: 'text', text: 'javadata' },
      {
        type: 'text',
        text: 'http',
        marks: [{ type: 'link', attrs: { href: 'https://ok.test', ...POLICY, title: 'T' } }],
      },
    ])
  })

  it('drops them from Markdown imports too', async () => {
    const markdown = '[one](javascript:alert(1)) [two](data:text/html,x) [three](https://ok.test) [four](#part)'
    const { id } = await t.create({ content: { format: 'markdown', body: markdown } })
    const exported = await exportsOf(id)
    expectNoForbiddenLink(exported)
    expect(exported.markdown).toBe('one two [three](https://ok.test) [four](#part)')
  })

  it('normalises links of HTML imports', async () => {
    const html =
      '<p><a href="javascript:alert(1)">one</a> <a href="https://ok.test" target="_self" rel="opener" class="evil-class">two</a></p>'
    const { id } = await t.create({ content: { format: 'html', body: html } })
    const exported = await exportsOf(id)
    expectNoForbiddenLink(exported)
    expect(exported.html).toBe(
      '<p>one <a target="_blank" rel="noopener noreferrer nofollow" href="https://ok.test">two</a></p>',
    )
  })

  it('never exports a forbidden link an older document holds', async () => {
    const doc = new Y.Doc()
    const paragraph = new Y.XmlElement('paragraph')
    const text = new Y.XmlText()
    paragraph.insert(0, [text])
    doc.getXmlFragment(DOCUMENT_FIELD).insert(0, [paragraph])
    text.insert(0, 'bad good')
    text.format(0, 3, { link: { href: 'javascript:alert(1)', target: '_self' } })
    text.format(4, 4, { link: { href: 'https://ok.test', target: '_self', rel: 'opener', class: 'evil-class' } })
    const record = await t.tandem.store.create({
      id: newDocumentId(),
      title: 'old',
      initialUpdate: Y.encodeStateAsUpdate(doc),
    })
    const exported = await exportsOf(record.id)
    expectNoForbiddenLink(exported)
    expect(exported.markdown).toBe('bad [good](https://ok.test)')
    expect(exported.html).toBe(
      '<p>bad <a target="_blank" rel="noopener noreferrer nofollow" href="https://ok.test">good</a></p>',
    )
  })
})

describe('everything else', () => {
  it('answers unknown routes with a JSON 404', async () => {
    await expectError(await t.request('/api/nothing'), 404, 'not_found')
  })

  it('answers the sync endpoint without an upgrade with 426', async () => {
    const { id } = await t.create()
    await expectError(await t.request(`/ws/${id}`), 426, 'upgrade_required')
  })

  it('reports health and metrics', async () => {
    const health = await t.request('/healthz')
    expect(health.status).toBe(200)
    expect(await health.json()).toEqual({ status: 'ok', storage: 'ok', fanout: 'ok' })
    const metrics = await (await t.request('/metrics')).text()
    for (const name of [
      'tandem_open_sockets',
      'tandem_open_rooms',
      'tandem_updates_in_total',
      'tandem_frames_out_total',
      'tandem_messages_rejected_total',
      'tandem_persist_seconds',
      'nodejs_eventloop_lag_seconds',
    ]) {
      expect(metrics).toContain(name)
    }
  })

  it('tags every response with a request id', async () => {
    const response = await t.request('/healthz', { headers: { 'x-request-id': 'abc-123' } })
    expect(response.headers.get('x-request-id')).toBe('abc-123')
    expect((await t.request('/healthz')).headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/)
    const missing = await t.request(`/api/docs/${newDocumentId()}`, { headers: { 'x-request-id': 'error-1' } })
    expect([missing.status, missing.headers.get('x-request-id')]).toEqual([404, 'error-1'])
  })
})
