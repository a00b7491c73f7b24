/**
 * Files in: Markdown, HTML, plain text and Word (`.docx`) become the ProseMirror JSON of a new
 * document, and its title. Every format goes through the editor's own schema (`convert.ts`): what
 * the schema cannot hold (scripts, event handlers, styles, unknown elements) is dropped, and links
 * follow the link policy. Word files are read by mammoth into HTML first (`docx.ts`), so they get
 * exactly what the HTML path allows, tables and images included once the schema has them.
 */
import type { JSONContent } from '@tiptap/core'
import { IMPORT_MEDIA_TYPES, type ImportKind, importMediaTypeOf } from '../../protocol/api'
import { DEFAULT_TITLE, MAX_TITLE_LENGTH } from '../../protocol/title'
import { InvalidContent, UnsupportedMediaType } from '../common/errors'
import { contentToJSON } from './convert'
import { type ImageSink, docxToHtml } from './docx'

export type { ImageSink }

export interface ImportInput {
  bytes: Uint8Array
  /** The request's `Content-Type`, parameters included. */
  contentType: string | undefined
  /** The file's name, as the client gave it; may be absent. */
  filename: string | undefined
  /** Stores a Word file's images; null drops them. */
  storeImage: ImageSink | null
}

export interface ImportedContent {
  title: string
  content: JSONContent
}

const GENERIC_TYPES = new Set(['application/octet-stream', 'binary/octet-stream'])

/**
 * Which converter reads the body: its media type, or, when the client sent none or a generic
 * one (some browsers give `.md` files no type), the file name's extension.
 *
 * @throws {UnsupportedMediaType}
 */
export function importKindOf(contentType: string | undefined, filename: string | undefined): ImportKind {
  let mediaType = contentType?.split(';')[0]?.trim().toLowerCase() ?? ''
  if ((mediaType === '' || GENERIC_TYPES.has(mediaType)) && filename !== undefined) {
    mediaType = importMediaTypeOf(filename) ?? mediaType
  }
  const kind = (IMPORT_MEDIA_TYPES as Record<string, ImportKind>)[mediaType]
  if (kind === undefined) {
    throw new UnsupportedMediaType(
      `cannot import ${mediaType === '' ? 'a file without a type' : mediaType}: send Markdown (text/markdown), HTML (text/html), plain text (text/plain) or Word (.docx)`,
    )
  }
  return kind
}

/** The `charset` parameter of a media type, lower-cased, if any. */
function charsetOf(contentType: string | undefined): string | undefined {
  return contentType
    ?.match(/;\s*charset\s*=\s*"?([^";\s]+)"?/i)?.[1]
    ?.trim()
    .toLowerCase()
}

/** What windows-1252 puts at 0x80–0x9F (the five undefined bytes stay as they are). */
const WINDOWS_1252_C1 = '€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008dŽ\u008f\u0090‘’“”•–—˜™š›œ\u009džŸ'

/**
 * Text in the charset the request names (UTF-8 when it names none); a leading byte order mark is
 * dropped. Bytes that are not valid in it, or a NUL (a binary file sent as text), are a broken
 * file.
 *
 * @throws {UnsupportedMediaType} a charset this server does not know
 * @throws {InvalidContent}
 */
export function decodeText(bytes: Uint8Array, charset = 'utf-8'): string {
  let decoder: InstanceType<typeof TextDecoder>
  try {
    decoder = new TextDecoder(charset, { fatal: true })
  } catch {
    throw new UnsupportedMediaType(`charset ${charset} is not supported`)
  }
  let text: string
  try {
    text = decoder.decode(bytes)
  } catch {
    throw new InvalidContent(`the file is not valid ${charset} text`)
  }
  if (text.includes('\u0000')) throw new InvalidContent('the file is binary, not text')
  // Node decodes windows-1252 (also what `latin1` and `iso-8859-1` mean on the web) as
  // ISO-8859-1, leaving C1 controls where the web has € ‘ ’ “ ” – — …
  if (decoder.encoding === 'windows-1252') {
    text = text.replace(/[\u0080-\u009f]/g, (c) => WINDOWS_1252_C1[c.charCodeAt(0) - 0x80] ?? c)
  }
  return text
}

/**
 * The charset of a file whose request named none: a UTF-16 byte order mark, or in HTML the
 * `<meta charset>` of its first 1,024 bytes (as browsers read saved pages); else UTF-8.
 */
export function sniffCharset(bytes: Uint8Array, kind: ImportKind): string | undefined {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return 'utf-16le'
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return 'utf-16be'
  if (kind !== 'html') return undefined
  const head = new TextDecoder('latin1').decode(bytes.subarray(0, 1024))
  return /<meta[^>]+charset\s*=\s*["']?([\w.:-]+)/i.exec(head)?.[1]?.toLowerCase()
}

function textOf(node: JSONContent): string {
  if (typeof node.text === 'string') return node.text
  if (node.type === 'hardBreak') return ' '
  return (node.content ?? []).map(textOf).join('')
}

/** At most the title's length, cut between characters (not inside a surrogate pair). */
function fitTitle(text: string): string {
  const single = text.replace(/\s+/g, ' ').trim()
  const characters = Array.from(single)
  return characters.length <= MAX_TITLE_LENGTH ? single : characters.slice(0, MAX_TITLE_LENGTH).join('').trim()
}

/** The text of the document's first heading (in document order), or null. */
export function firstHeading(json: JSONContent): string | null {
  const stack: JSONContent[] = [json]
  while (stack.length > 0) {
    const node = stack.pop() as JSONContent
    if (node.type === 'heading') {
      const title = fitTitle(textOf(node))
      if (title !== '') return title
      continue
    }
    const children = node.content ?? []
    for (let index = children.length - 1; index >= 0; index--) stack.push(children[index] as JSONContent)
  }
  return null
}

/** A file name without its folders and its extension, as a title; null when nothing is left. */
export function titleFromFilename(filename: string | undefined): string | null {
  if (filename === undefined) return null
  const base = filename.split(/[/\\]/).pop() ?? ''
  const title = fitTitle(base.replace(/\.[^.]*$/, ''))
  return title === '' ? null : title
}

/**
 * Converts an uploaded file into a new document's content and title: the first heading, else
 * the file name without its extension, else the default title. The first heading stays in the
 * body too, so that the file comes back out as it went in.
 *
 * @throws {UnsupportedMediaType} a type (or charset) that cannot be imported
 * @throws {InvalidContent} a broken file: not a Word file, not valid text, or content the schema cannot hold
 */
export async function convertImport(input: ImportInput): Promise<ImportedContent> {
  const kind = importKindOf(input.contentType, input.filename)
  let content: JSONContent
  if (kind === 'docx') {
    const html = await docxToHtml(input.bytes, input.storeImage)
    content = await contentToJSON({ format: 'html', body: html })
  } else {
    const charset = charsetOf(input.contentType) ?? sniffCharset(input.bytes, kind)
    const text = decodeText(input.bytes, charset)
    content = await contentToJSON({ format: kind, body: text })
  }
  const title = firstHeading(content) ?? titleFromFilename(input.filename) ?? DEFAULT_TITLE
  return { title, content }
}
