/**
 * What a download of `GET /api/docs/:id/content?download=1` needs: its file name (RFC 6266),
 * and an HTML export as a page of its own.
 */
import { EXPORT_EXTENSIONS, type ExportFormat } from '../../protocol/api'
import { DEFAULT_TITLE } from '../../protocol/title'

/** Characters no file name should hold on common systems, and controls. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this replaces
const UNSAFE = /[\u0000-\u001f\u007f<>:"/\\|?*]/g
const MAX_NAME = 120

/**
 * `Content-Disposition: attachment` for a document saved as `format` (RFC 6266): an ASCII
 * `filename` for old clients, with anything else replaced by `_`, and `filename*` in UTF-8 when
 * the title is not plain ASCII.
 */
export function attachmentDisposition(title: string, format: ExportFormat): string {
  const base =
    Array.from(title.replace(UNSAFE, '_').replace(/\s+/g, ' ').trim().replace(/^\.+/, ''))
      .slice(0, MAX_NAME)
      .join('')
      .trim() || DEFAULT_TITLE
  const name = `${base}.${EXPORT_EXTENSIONS[format]}`
  const ascii = name.replace(/[^\u0020-\u007e]/g, '_').replace(/[%;]/g, '_')
  if (ascii === name) return `attachment; filename="${ascii}"`
  const encoded = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`
}

/** A saved HTML export is a page of its own: it says its encoding and carries the title. */
export function htmlPage(title: string, body: string): string {
  const escaped = title.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`)
  return `<!doctype html>\n<html>\n<head>\n<meta charset="utf-8">\n<title>${escaped}</title>\n</head>\n<body>\n${body}\n</body>\n</html>\n`
}
