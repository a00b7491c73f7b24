import { describe, expect, it } from 'vitest'
import { InvalidContent, UnsupportedMediaType } from '../common/errors'
import { decodeText, firstHeading, importKindOf, sniffCharset, titleFromFilename } from './import'

describe('importKindOf', () => {
  it('goes by the media type, and by the file name only when the type says nothing', () => {
    expect(importKindOf('text/markdown; charset=utf-8', 'a.txt')).toBe('markdown')
    expect(importKindOf('TEXT/HTML', undefined)).toBe('html')
    expect(importKindOf('application/octet-stream', 'Report.DOCX')).toBe('docx')
    expect(importKindOf(undefined, 'notes.markdown')).toBe('markdown')
    expect(() => importKindOf('application/pdf', 'a.md')).toThrow(UnsupportedMediaType)
    expect(() => importKindOf('application/octet-stream', 'a.pdf')).toThrow(UnsupportedMediaType)
  })
})

describe('titles', () => {
  it('takes the first heading in document order, nested ones included, skipping empty ones', () => {
    const heading = (text: string) => ({ type: 'heading', content: text === '' ? [] : [{ type: 'text', text }] })
    expect(
      firstHeading({
        type: 'doc',
        content: [heading(''), { type: 'blockquote', content: [heading('  Inside \n a quote ')] }, heading('Later')],
      }),
    ).toBe('Inside a quote')
    expect(firstHeading({ type: 'doc', content: [{ type: 'paragraph' }] })).toBeNull()
  })

  it('cuts a long title to 200 characters without splitting one', () => {
    const title = firstHeading({
      type: 'doc',
      content: [{ type: 'heading', content: [{ type: 'text', text: '😀'.repeat(300) }] }],
    })
    expect(Array.from(title ?? '')).toHaveLength(200)
    expect(title).toBe('😀'.repeat(200))
  })

  it('uses a file name without its folders and its extension', () => {
    expect(titleFromFilename('C:\\Users\\me\\Plan 2026.final.docx')).toBe('Plan 2026.final')
    expect(titleFromFilename('a/b/notes.md')).toBe('notes')
    expect(titleFromFilename('.md')).toBeNull()
    expect(titleFromFilename(undefined)).toBeNull()
  })
})

describe('decodeText and sniffCharset', () => {
  it('refuses invalid text and unknown charsets', () => {
    expect(decodeText(new TextEncoder().encode('\uFEFFhé'))).toBe('hé')
    expect(() => decodeText(new Uint8Array([0xff]))).toThrow(InvalidContent)
    expect(() => decodeText(new Uint8Array([0x61]), 'no-such-charset')).toThrow(UnsupportedMediaType)
  })

  it('reads a meta charset only in HTML', () => {
    const page = new TextEncoder().encode('<meta charset="ISO-8859-1"><p>x</p>')
    expect(sniffCharset(page, 'html')).toBe('iso-8859-1')
    expect(sniffCharset(page, 'markdown')).toBeUndefined()
    expect(sniffCharset(new Uint8Array([0xfe, 0xff, 0, 0x41]), 'text')).toBe('utf-16be')
  })
})
