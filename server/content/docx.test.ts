import { Document, ImageRun, Packer, Paragraph } from 'docx'
import mammoth from 'mammoth'
import { describe, expect, it } from 'vitest'
import { InvalidContent } from '../common/errors'
import { docxToHtml, imageSize, jsonToDocx } from './docx'

/** A 2×1 PNG. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAIAAAABCAYAAAD0In+KAAAAEUlEQVR4nGP4z8DwHwQZGAAi3gP9gSNvWgAAAABJRU5ErkJggg==',
  'base64',
)

async function wordWithImage(): Promise<Uint8Array> {
  const document = new Document({
    sections: [
      {
        children: [
          new Paragraph('before'),
          new Paragraph({
            children: [new ImageRun({ type: 'png', data: PNG, transformation: { width: 20, height: 10 } })],
          }),
        ],
      },
    ],
  })
  return new Uint8Array(await Packer.toBuffer(document))
}

const readBack = async (bytes: Uint8Array): Promise<string> =>
  (await mammoth.convertToHtml({ buffer: Buffer.from(bytes) })).value

describe('docxToHtml', () => {
  it('hands images to the sink and links them by the URL it answers', async () => {
    const stored: Array<{ bytes: Uint8Array; contentType: string }> = []
    const html = await docxToHtml(await wordWithImage(), async (bytes, contentType) => {
      stored.push({ bytes, contentType })
      return '/api/docs/x/files/1'
    })
    expect(stored).toHaveLength(1)
    expect(stored[0]?.contentType).toBe('image/png')
    expect(Buffer.from(stored[0]?.bytes ?? []).equals(PNG)).toBe(true)
    expect(html).toContain('<img src="/api/docs/x/files/1"')
  })

  it('drops images without a sink, or when the sink answers null', async () => {
    const file = await wordWithImage()
    expect(await docxToHtml(file, null)).toBe('<p>before</p>')
    expect(await docxToHtml(file, async () => null)).toBe('<p>before</p>')
  })

  it('fails the import when storing an image fails', async () => {
    const failure = new Error('disk full')
    await expect(
      docxToHtml(await wordWithImage(), async () => {
        throw failure
      }),
    ).rejects.toBe(failure)
  })

  it('refuses what is not a zip, and zips that claim to unpack too large', async () => {
    await expect(docxToHtml(new TextEncoder().encode('hello'), null)).rejects.toBeInstanceOf(InvalidContent)
    const bomb = Buffer.from(await wordWithImage())
    // Declare an absurd uncompressed size in the first central-directory entry.
    const directory = bomb.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]))
    const first = bomb.readUInt32LE(directory + 16)
    bomb.writeUInt32LE(0xfffffff0, first + 24)
    await expect(docxToHtml(bomb, null)).rejects.toThrow(/unpacks to more than/)
  })
})

describe('jsonToDocx', () => {
  const text = (value: string, marks?: Array<{ type: string; attrs?: Record<string, unknown> }>) => ({
    type: 'text',
    text: value,
    ...(marks === undefined ? {} : { marks }),
  })
  const paragraph = (...content: object[]) => ({ type: 'paragraph', content })

  it('writes tables, task lists, highlight, hard breaks, and unknown nodes as their text', async () => {
    const html = await readBack(
      await jsonToDocx(
        {
          type: 'doc',
          content: [
            {
              type: 'table',
              content: [
                {
                  type: 'tableRow',
                  content: [
                    { type: 'tableHeader', content: [paragraph(text('Name'))] },
                    { type: 'tableHeader', content: [paragraph(text('Age'))] },
                  ],
                },
                {
                  type: 'tableRow',
                  content: [
                    { type: 'tableCell', content: [paragraph(text('Ada'))] },
                    { type: 'tableCell', content: [paragraph(text('36'))] },
                  ],
                },
              ],
            },
            {
              type: 'taskList',
              content: [
                { type: 'taskItem', attrs: { checked: true }, content: [paragraph(text('done'))] },
                { type: 'taskItem', attrs: { checked: false }, content: [paragraph(text('todo'))] },
              ],
            },
            paragraph(text('marked', [{ type: 'highlight' }]), { type: 'hardBreak' }, text('next')),
            { type: 'mystery', content: [paragraph(text('kept text'))] },
            paragraph({ type: 'emoji', attrs: {}, content: [text('inline unknown')] }),
          ],
        },
        { title: 't' },
      ),
    )
    expect(html).toContain(
      '<table><thead><tr><th><p><strong>Name</strong></p></th><th><p><strong>Age</strong></p></th></tr></thead>' +
        '<tbody><tr><td><p>Ada</p></td><td><p>36</p></td></tr></tbody></table>',
    )
    expect(html).toContain('☒ done')
    expect(html).toContain('☐ todo')
    expect(html).toContain('marked<br />next')
    expect(html).toContain('kept text')
    expect(html).toContain('inline unknown')
  })

  it('restarts numbering in each ordered list and honours start', async () => {
    const list = (start: number, ...items: string[]) => ({
      type: 'orderedList',
      attrs: { start },
      content: items.map((item) => ({ type: 'listItem', content: [paragraph(text(item))] })),
    })
    const file = await jsonToDocx(
      { type: 'doc', content: [list(1, 'a', 'b'), paragraph(text('between')), list(1, 'c'), list(5, 'e')] },
      { title: 't' },
    )
    const { default: JSZip } = await import('jszip')
    const zip = await JSZip.loadAsync(file)
    const numbering = (await zip.file('word/numbering.xml')?.async('string')) ?? ''
    expect(numbering).toContain('<w:start w:val="5"/>')
    const body = (await zip.file('word/document.xml')?.async('string')) ?? ''
    const numIds = [...body.matchAll(/<w:numId w:val="(\d+)"\/>/g)].map((match) => match[1])
    // a and b share a list; c and e each start their own.
    expect(numIds).toHaveLength(4)
    expect(numIds[0]).toBe(numIds[1])
    expect(new Set(numIds).size).toBe(3)
  })

  it('embeds images from the image source, and writes alt text without one', async () => {
    const doc = {
      type: 'doc',
      content: [paragraph(text('see'), { type: 'image', attrs: { src: '/files/1', alt: 'a dot' } })],
    }
    expect(await readBack(await jsonToDocx(doc, { title: 't' }))).toBe('<p>see[a dot]</p>')
    const withImage = await readBack(
      await jsonToDocx(doc, {
        title: 't',
        images: async (src) => (src === '/files/1' ? { bytes: PNG, contentType: 'image/png' } : null),
      }),
    )
    expect(withImage).toMatch(/<p>see<img alt="a dot" src="data:image\/png;base64,/)
  })

  it('writes an empty document as one empty paragraph', async () => {
    expect(await readBack(await jsonToDocx({ type: 'doc', content: [] }, { title: 'empty' }))).toBe('')
  })
})

describe('imageSize', () => {
  it('reads PNG and GIF headers and gives up on other bytes', () => {
    expect(imageSize(PNG)).toEqual({ width: 2, height: 1 })
    const gif = Buffer.from('R0lGODlhAwAEAIAAAAAAAP///yH5BAEAAAAALAAAAAADAAQAAAIDhI9WADs=', 'base64')
    expect(imageSize(gif)).toEqual({ width: 3, height: 4 })
    expect(imageSize(new Uint8Array([1, 2, 3]))).toBeNull()
  })
})
