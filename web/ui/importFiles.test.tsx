// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest'
import type { ApiClient } from '../api'
import { ApiError } from '../api'
import { filenameFromDisposition } from './downloadMenu'
import { ListImporter, describeImportError, headingOf, mediaTypeOf } from './importFiles'

describe('mediaTypeOf', () => {
  it('goes by the extension first, then by the browser’s type', () => {
    expect(mediaTypeOf({ name: 'a.MD', type: '' })).toBe('text/markdown')
    expect(mediaTypeOf({ name: 'a.htm', type: 'text/html' })).toBe('text/html')
    expect(mediaTypeOf({ name: 'a.docx', type: '' })).toBe(
      'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    )
    expect(mediaTypeOf({ name: 'notes', type: 'text/plain' })).toBe('text/plain')
    expect(mediaTypeOf({ name: 'photo.png', type: 'image/png' })).toBeNull()
  })
})

describe('headingOf and describeImportError', () => {
  it('says where a batch is and how it ended', () => {
    const job = (state: 'waiting' | 'importing' | 'done' | 'failed') => ({ id: 1, name: 'x', state })
    expect(headingOf([job('done'), job('importing')])).toBe('Importing 2 of 2 files…')
    expect(headingOf([job('done'), job('done')])).toBe('Imported 2 files')
    expect(headingOf([job('done'), job('failed')])).toBe('Imported 1 of 2 files; 1 failed')
  })

  it('words the server’s refusals for people', () => {
    expect(describeImportError(new ApiError(413, 'payload_too_large', 'x'))).toBe('the file is too large')
    expect(describeImportError(new ApiError(0, 'unreachable', 'x'))).toBe('the server cannot be reached')
    expect(describeImportError(new ApiError(400, 'invalid_content', 'not a Word file'))).toBe(
      'the file could not be read (not a Word file)',
    )
  })
})

describe('ListImporter', () => {
  let importer: ListImporter | null = null
  afterEach(() => {
    importer?.dispose()
    document.body.replaceChildren()
  })

  /** A client whose import answers from `answer`, recording what was sent. */
  function fakeApi(answer: (filename: string) => Response) {
    const sent: Array<{ filename: string; type: string; body: unknown }> = []
    const api = {
      api: {
        docs: {
          import: {
            $post: async (
              args: { query: { filename: string } },
              options: { headers: Record<string, string>; init: { body: unknown } },
            ) => {
              sent.push({
                filename: args.query.filename,
                type: options.headers['Content-Type'] ?? '',
                body: options.init.body,
              })
              return answer(args.query.filename)
            },
          },
        },
      },
    } as unknown as ApiClient
    return { api, sent }
  }

  it('imports each file as a document, one after the other, showing each one’s outcome', async () => {
    const { api, sent } = fakeApi((filename) =>
      filename === 'bad.docx'
        ? Response.json({ error: { code: 'invalid_content', message: 'not a Word file' } }, { status: 400 })
        : Response.json({ id: `id-${filename}`, title: filename, createdAt: '', updatedAt: '' }, { status: 201 }),
    )
    const imported: string[] = []
    importer = new ListImporter({ api: () => api, onImported: (doc) => imported.push(doc.id) })
    document.body.append(importer.button, importer.input, importer.panel)
    await importer.importFiles([
      new File(['# A'], 'a.md'),
      new File(['x'], 'bad.docx'),
      new File(['png'], 'photo.png', { type: 'image/png' }),
    ])
    expect(sent.map((entry) => [entry.filename, entry.type])).toEqual([
      ['a.md', 'text/markdown'],
      ['bad.docx', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document'],
    ])
    expect(imported).toEqual(['id-a.md'])
    const rows = [...importer.panel.querySelectorAll('[data-testid="import-file"]')].map((row) => row.textContent)
    expect(rows).toEqual([
      'a.mdImported as “a.md” — open',
      'bad.docxFailed: the file could not be read (not a Word file)',
      'photo.pngFailed: tandem imports Markdown, HTML, plain text and Word (.docx) files only',
    ])
    expect(importer.panel.querySelector('h2')?.textContent).toBe('Imported 1 of 3 files; 2 failed')
    expect(importer.panel.querySelector('progress')?.getAttribute('value')).toBe('3')
    const said = document.querySelector('[data-testid="announcer"]')?.textContent ?? ''
    expect(said).toContain('Importing 3 files')
    expect(said).toContain('bad.docx: the file could not be read')
  })

  it('takes files dropped on the page', async () => {
    const { api, sent } = fakeApi((filename) =>
      Response.json({ id: filename, title: filename, createdAt: '', updatedAt: '' }, { status: 201 }),
    )
    importer = new ListImporter({ api: () => api, onImported: () => {} })
    const page = document.createElement('div')
    document.body.append(page, importer.panel)
    const stop = importer.acceptDrops(page)
    const transfer = new DataTransfer()
    transfer.items.add(new File(['hello'], 'one.txt', { type: 'text/plain' }))
    transfer.items.add(new File(['<p>hi</p>'], 'two.html', { type: 'text/html' }))
    // happy-dom's DragEvent does not keep its dataTransfer: give it the way browsers do.
    const drag = (type: string): DragEvent => {
      const event = new DragEvent(type, { bubbles: true, cancelable: true })
      Object.defineProperty(event, 'dataTransfer', { value: transfer })
      page.dispatchEvent(event)
      return event
    }
    expect(drag('dragenter').defaultPrevented).toBe(true)
    expect(page.classList.contains('is-dropping')).toBe(true)
    drag('drop')
    expect(page.classList.contains('is-dropping')).toBe(false)
    await expect.poll(() => sent.length).toBe(2)
    stop()
  })
})

describe('filenameFromDisposition', () => {
  it('prefers the UTF-8 name and falls back to the ASCII one', () => {
    expect(filenameFromDisposition(`attachment; filename="Caf_.md"; filename*=UTF-8''Caf%C3%A9.md`)).toBe('Café.md')
    expect(filenameFromDisposition('attachment; filename="Plan.docx"')).toBe('Plan.docx')
    expect(filenameFromDisposition(null)).toBeNull()
  })
})
