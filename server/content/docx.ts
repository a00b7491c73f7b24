/**
 * Word files in and out. In: mammoth reads a `.docx` into HTML, which then goes through the
 * editor's schema like any HTML import (`import.ts`). Out: the `docx` package writes the
 * document's ProseMirror JSON as a Word file. Neither parses or writes OOXML by hand.
 *
 * Images: a Word file's pictures go to an {@link ImageSink} (the file store, once it exists) and
 * come back as `<img src>` URLs; without a sink they are dropped. On export an {@link ImageSource}
 * gives the bytes behind an image's `src`; without one an image becomes its alt text.
 */
import type { JSONContent } from '@tiptap/core'
import {
  AlignmentType,
  BorderStyle,
  Document,
  ExternalHyperlink,
  HeadingLevel,
  ImageRun,
  type ILevelsOptions,
  type IRunOptions,
  LevelFormat,
  Packer,
  Paragraph,
  type ParagraphChild,
  ShadingType,
  Table,
  TableCell,
  TableRow,
  TextRun,
  WidthType,
} from 'docx'
import mammoth from 'mammoth'
import { InvalidContent } from '../common/errors'

/** Stores an image found in an imported file; answers the URL the document links it by, or null to drop it. */
export type ImageSink = (bytes: Uint8Array, contentType: string) => Promise<string | null>

/** The bytes of an image a document shows, for embedding in an export; null when unavailable. */
export type ImageSource = (src: string) => Promise<{ bytes: Uint8Array; contentType: string } | null>

/**
 * A `.docx` is a zip archive. Declared uncompressed sizes above this are refused before mammoth
 * inflates anything (a "zip bomb" would otherwise be inflated whole into memory): Word files of
 * hundreds of pages stay far below it.
 */
const MAX_UNZIPPED_BYTES = 256 * 1024 * 1024

/**
 * Checks that `bytes` end in a zip directory whose entries' declared sizes stay within bounds.
 *
 * @throws {InvalidContent}
 */
function checkZip(bytes: Uint8Array): void {
  const broken = (): never => {
    throw new InvalidContent('the file is not a readable Word (.docx) document')
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  if (bytes.length < 22 || view.getUint32(0, true) !== 0x04034b50) broken()
  // The end-of-central-directory record is in the last 22 + 65,535 bytes (its comment).
  let end = -1
  for (let at = bytes.length - 22; at >= Math.max(0, bytes.length - 22 - 0xffff); at--) {
    if (view.getUint32(at, true) === 0x06054b50) {
      end = at
      break
    }
  }
  if (end < 0) broken()
  const entries = view.getUint16(end + 10, true)
  let at = view.getUint32(end + 16, true)
  let total = 0
  for (let index = 0; index < entries; index++) {
    if (at + 46 > bytes.length || view.getUint32(at, true) !== 0x02014b50) broken()
    total += view.getUint32(at + 24, true)
    if (total > MAX_UNZIPPED_BYTES) {
      throw new InvalidContent(`the Word file unpacks to more than ${MAX_UNZIPPED_BYTES} bytes`)
    }
    at += 46 + view.getUint16(at + 28, true) + view.getUint16(at + 30, true) + view.getUint16(at + 32, true)
  }
}

type MammothOptions = NonNullable<Parameters<typeof mammoth.convertToHtml>[1]>
type MammothImage = { contentType: string; altText?: string; readAsBuffer(): Promise<Buffer> }
type Converter = (element: MammothImage, messages: unknown[]) => Promise<unknown[]>

/**
 * A Word file as HTML (mammoth), its images handed to `storeImage` or dropped. External files a
 * document links to are never read.
 *
 * @throws {InvalidContent} a file that is not a readable Word document
 */
export async function docxToHtml(bytes: Uint8Array, storeImage: ImageSink | null): Promise<string> {
  checkZip(bytes)
  // mammoth turns a converter's failure into a warning; a failure to store must fail the import.
  let sinkError: unknown = null
  const convertImage: Converter = async (image, messages) => {
    if (storeImage === null) return []
    let url: string | null = null
    try {
      url = await storeImage(new Uint8Array(await image.readAsBuffer()), image.contentType)
    } catch (error) {
      sinkError ??= error
    }
    if (url === null) return []
    const element = mammoth.images.imgElement(async () => ({ src: url })) as unknown as Converter
    return element(image, messages)
  }
  let html: string
  try {
    const result = await mammoth.convertToHtml(
      { buffer: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) },
      { convertImage: convertImage as unknown as MammothOptions['convertImage'], externalFileAccess: false },
    )
    html = result.value
  } catch {
    throw new InvalidContent('the file is not a readable Word (.docx) document')
  }
  if (sinkError !== null) throw sinkError
  return html
}

// ——— export ———

const HEADINGS = [
  HeadingLevel.HEADING_1,
  HeadingLevel.HEADING_2,
  HeadingLevel.HEADING_3,
  HeadingLevel.HEADING_4,
  HeadingLevel.HEADING_5,
  HeadingLevel.HEADING_6,
] as const

const MONOSPACE = 'Consolas'
const CODE_SHADING = { type: ShadingType.CLEAR, color: 'auto', fill: 'F2F2F2' } as const
/** Twips (1/1440 inch) per list or quote level. */
const INDENT = 720
const BULLETS = ['•', '◦', '▪']
const ORDERED_FORMATS = [LevelFormat.DECIMAL, LevelFormat.LOWER_LETTER, LevelFormat.LOWER_ROMAN]

function levels(ordered: boolean, start: number): ILevelsOptions[] {
  return Array.from({ length: 9 }, (_, level) => ({
    level,
    format: ordered ? ORDERED_FORMATS[level % 3] : LevelFormat.BULLET,
    text: ordered ? `%${level + 1}.` : BULLETS[level % 3],
    alignment: AlignmentType.START,
    start: level === 0 ? start : 1,
    style: { paragraph: { indent: { left: INDENT * (level + 1), hanging: 360 } } },
  }))
}

interface Context {
  /** List nesting: 0 outside lists. */
  listDepth: number
  /** Quote nesting, as extra indentation. */
  quoteDepth: number
  images: ImageSource | null
  /** Numbering definitions used, by reference. */
  numbering: Map<string, ILevelsOptions[]>
  /** A new instance per list (shared by every nested context), so that each list counts from its own start. */
  instances: { next: number }
}

interface ListPlacement {
  reference: string
  instance: number
  level: number
}

type Mark = { type: string; attrs?: Record<string, unknown> }

function runOptions(marks: Mark[] | undefined): IRunOptions {
  const options: { -readonly [K in keyof IRunOptions]: IRunOptions[K] } = {}
  for (const mark of marks ?? []) {
    switch (mark.type) {
      case 'bold':
        options.bold = true
        break
      case 'italic':
        options.italics = true
        break
      case 'underline':
        options.underline = {}
        break
      case 'strike':
        options.strike = true
        break
      case 'code':
        options.font = MONOSPACE
        options.shading = CODE_SHADING
        break
      case 'highlight': {
        const color =
          typeof mark.attrs?.color === 'string' ? /^#?([0-9a-f]{6})$/i.exec(mark.attrs.color)?.[1] : undefined
        if (color === undefined) options.highlight = 'yellow'
        else options.shading = { type: ShadingType.CLEAR, color: 'auto', fill: color.toUpperCase() }
        break
      }
      case 'subscript':
        options.subScript = true
        break
      case 'superscript':
        options.superScript = true
        break
    }
  }
  return options
}

/** Inline content (text, marks, links, hard breaks, images) as runs. */
async function inline(nodes: JSONContent[] | undefined, context: Context): Promise<ParagraphChild[]> {
  const children: ParagraphChild[] = []
  for (const node of nodes ?? []) {
    if (node.type === 'text') {
      const marks = node.marks as Mark[] | undefined
      const run = new TextRun({ text: node.text ?? '', ...runOptions(marks) })
      const link = marks?.find((mark) => mark.type === 'link')
      const href = link?.attrs?.href
      if (typeof href === 'string' && href !== '' && !href.startsWith('#')) {
        const linked = new TextRun({ text: node.text ?? '', style: 'Hyperlink', ...runOptions(marks) })
        children.push(new ExternalHyperlink({ link: href, children: [linked] }))
      } else {
        children.push(run)
      }
    } else if (node.type === 'hardBreak') {
      children.push(new TextRun({ break: 1 }))
    } else if (node.type === 'image') {
      children.push(...(await image(node, context)))
    } else {
      // An inline node this exporter does not know: its text.
      const text = textOf(node)
      if (text !== '') children.push(new TextRun(text))
    }
  }
  return children
}

function textOf(node: JSONContent): string {
  if (typeof node.text === 'string') return node.text
  return (node.content ?? []).map(textOf).join(node.content?.some((child) => child.type === 'paragraph') ? '\n' : '')
}

/** Pixel size from a PNG, GIF or JPEG header, for images without a width and height. */
export function imageSize(bytes: Uint8Array): { width: number; height: number } | null {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  if (bytes.length >= 24 && view.getUint32(0) === 0x89504e47)
    return { width: view.getUint32(16), height: view.getUint32(20) }
  if (bytes.length >= 10 && view.getUint32(0) === 0x47494638) {
    return { width: view.getUint16(6, true), height: view.getUint16(8, true) }
  }
  if (bytes.length >= 4 && view.getUint16(0) === 0xffd8) {
    let at = 2
    while (at + 9 < bytes.length) {
      if (bytes[at] !== 0xff) return null
      const marker = bytes[at + 1] as number
      const length = view.getUint16(at + 2)
      if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
        return { width: view.getUint16(at + 7), height: view.getUint16(at + 5) }
      }
      at += 2 + length
    }
  }
  return null
}

const IMAGE_TYPES: Record<string, 'png' | 'jpg' | 'gif' | 'bmp'> = {
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/gif': 'gif',
  'image/bmp': 'bmp',
}
/** Widest an image is placed, in pixels at 96 dpi: the text width of an A4 or Letter page. */
const MAX_IMAGE_WIDTH = 600

async function image(node: JSONContent, context: Context): Promise<ParagraphChild[]> {
  const attrs = node.attrs ?? {}
  const alt = typeof attrs.alt === 'string' ? attrs.alt : ''
  const fallback = alt === '' ? [] : [new TextRun(`[${alt}]`)]
  const src = attrs.src
  if (context.images === null || typeof src !== 'string') return fallback
  const found = await context.images(src)
  const type = found === null ? undefined : IMAGE_TYPES[found.contentType]
  if (found === null || type === undefined) return fallback
  const size = imageSize(found.bytes)
  let width = typeof attrs.width === 'number' ? attrs.width : (size?.width ?? MAX_IMAGE_WIDTH)
  let height =
    typeof attrs.height === 'number'
      ? attrs.height
      : size === null
        ? Math.round(width * 0.75)
        : Math.round((width * size.height) / Math.max(1, size.width))
  if (width > MAX_IMAGE_WIDTH) {
    height = Math.round((height * MAX_IMAGE_WIDTH) / width)
    width = MAX_IMAGE_WIDTH
  }
  return [
    new ImageRun({
      type,
      data: found.bytes,
      transformation: { width, height },
      altText: { name: alt || 'image', description: alt, title: alt },
    }),
  ]
}

function indentFor(context: Context, extra = 0): { left: number } | undefined {
  const left = (context.listDepth + context.quoteDepth + extra) * INDENT
  return left === 0 ? undefined : { left }
}

function listReference(context: Context, ordered: boolean, start: number): string {
  const reference = ordered ? `tandem-ordered-${start}` : 'tandem-bullet'
  if (!context.numbering.has(reference)) context.numbering.set(reference, levels(ordered, start))
  return reference
}

type Block = Paragraph | Table

/** Block content as paragraphs and tables; `list` numbers the first paragraph of a list item. */
async function blocks(nodes: JSONContent[] | undefined, context: Context, list?: ListPlacement): Promise<Block[]> {
  const out: Block[] = []
  let numbered = list
  for (const node of nodes ?? []) {
    out.push(...(await block(node, context, numbered)))
    if (numbered !== undefined && node.type === 'paragraph') numbered = undefined
  }
  return out
}

async function block(node: JSONContent, context: Context, list?: ListPlacement): Promise<Block[]> {
  const numbering =
    list === undefined ? undefined : { reference: list.reference, level: list.level, instance: list.instance }
  // Paragraphs inside a list item line up with its text; the numbered one gets the numbering's indent.
  const indent = numbering === undefined ? indentFor(context) : undefined
  switch (node.type) {
    case 'paragraph':
      return [new Paragraph({ children: await inline(node.content, context), numbering, indent })]
    case 'heading': {
      const level = typeof node.attrs?.level === 'number' ? node.attrs.level : 1
      const heading = HEADINGS[Math.min(6, Math.max(1, level)) - 1]
      return [new Paragraph({ heading, children: await inline(node.content, context), numbering, indent })]
    }
    case 'bulletList':
    case 'orderedList':
    case 'taskList': {
      const ordered = node.type === 'orderedList'
      const start = typeof node.attrs?.start === 'number' ? node.attrs.start : 1
      const reference = listReference(context, ordered, start)
      const instance = context.instances.next++
      const level = Math.min(8, context.listDepth)
      const inner: Context = { ...context, listDepth: context.listDepth + 1 }
      const out: Block[] = []
      for (const item of node.content ?? []) {
        if (item.type === 'taskItem') {
          // A task: a ☐ or ☒ before its text, in a bullet-less list.
          const mark = item.attrs?.checked === true ? '☒ ' : '☐ '
          const [first, ...rest] = item.content ?? []
          const firstParagraph: JSONContent = {
            type: 'paragraph',
            content: [{ type: 'text', text: mark }, ...(first?.type === 'paragraph' ? (first.content ?? []) : [])],
          }
          const body = first?.type === 'paragraph' ? rest : [...(first === undefined ? [] : [first]), ...rest]
          out.push(...(await blocks([firstParagraph, ...body], inner)))
          continue
        }
        out.push(...(await blocks(item.content, inner, { reference, instance, level })))
      }
      return out
    }
    case 'blockquote':
      return blocks(node.content, { ...context, quoteDepth: context.quoteDepth + 1 })
    case 'codeBlock': {
      const lines = textOf(node).split('\n')
      const children = lines.map(
        (line, index) => new TextRun({ text: line, font: MONOSPACE, ...(index > 0 ? { break: 1 } : {}) }),
      )
      return [new Paragraph({ children, shading: CODE_SHADING, indent: indentFor(context), keepLines: true })]
    }
    case 'horizontalRule':
      return [
        new Paragraph({
          children: [],
          indent,
          border: { bottom: { style: BorderStyle.SINGLE, size: 6, color: 'auto', space: 1 } },
        }),
      ]
    case 'table':
      return [await table(node, context)]
    case 'image':
      return [new Paragraph({ children: await image(node, context), indent })]
    default: {
      // A block this exporter does not know: its blocks if it has any, else its text.
      const children = node.content ?? []
      if (children.some((child) => child.type !== 'text' && child.type !== 'hardBreak' && child.type !== 'image')) {
        return blocks(children, context, list)
      }
      return [new Paragraph({ children: await inline(children, context), numbering, indent })]
    }
  }
}

async function table(node: JSONContent, context: Context): Promise<Table> {
  const cellContext: Context = { ...context, listDepth: 0, quoteDepth: 0 }
  const rows: TableRow[] = []
  for (const row of node.content ?? []) {
    const cells: TableCell[] = []
    let header = true
    for (const cell of row.content ?? []) {
      const isHeader = cell.type === 'tableHeader'
      header &&= isHeader
      let children = await blocks(cell.content, cellContext)
      if (isHeader) {
        const bold = (content: JSONContent[] | undefined): JSONContent[] | undefined =>
          content?.map((child) =>
            child.type === 'text'
              ? { ...child, marks: [...(child.marks ?? []), { type: 'bold' }] }
              : { ...child, content: bold(child.content) },
          )
        children = await blocks(bold(cell.content), cellContext)
      }
      const colspan = typeof cell.attrs?.colspan === 'number' ? cell.attrs.colspan : 1
      const rowspan = typeof cell.attrs?.rowspan === 'number' ? cell.attrs.rowspan : 1
      cells.push(
        new TableCell({
          children: children.length === 0 ? [new Paragraph({})] : children,
          ...(colspan > 1 ? { columnSpan: colspan } : {}),
          ...(rowspan > 1 ? { rowSpan: rowspan } : {}),
        }),
      )
    }
    // Only a first row of header cells repeats on each page (mammoth reads any tblHeader as true).
    const repeat = header && rows.length === 0
    if (cells.length > 0) rows.push(new TableRow({ children: cells, ...(repeat ? { tableHeader: true } : {}) }))
  }
  return new Table({ rows, width: { size: 100, type: WidthType.PERCENTAGE } })
}

export interface DocxOptions {
  /** The document's title, written into the file's properties. */
  title: string
  /** The bytes behind images; without it images become their alt text. */
  images?: ImageSource | null
}

/** A ProseMirror document as a Word file. Nodes it does not know become their text. */
export async function jsonToDocx(json: JSONContent, options: DocxOptions): Promise<Uint8Array> {
  const context: Context = {
    listDepth: 0,
    quoteDepth: 0,
    images: options.images ?? null,
    numbering: new Map(),
    instances: { next: 1 },
  }
  const children = await blocks(json.content, context)
  const document = new Document({
    title: options.title,
    creator: 'tandem',
    numbering: {
      config: [...context.numbering].map(([reference, levels]) => ({ reference, levels })),
    },
    sections: [{ children: children.length === 0 ? [new Paragraph({})] : children }],
  })
  return new Uint8Array(await Packer.toBuffer(document))
}
