/**
 * The one link policy, for every way a link gets into or out of a document: the editor (Tiptap's
 * Link options, `schema.ts`), the schema firewall (socket updates), REST imports and every
 * export (`server/content/links.ts` applies it to ProseMirror JSON).
 *
 * A link may point to `http:`, `https:` or `mailto:`, or be relative (`/d/…`, `page.html`, `?q`,
 * `#part`); it opens in a new tab (`target="_blank"`) with `rel="noopener noreferrer nofollow"`,
 * and carries no class. Browser and server share this module, so the editor never writes what the
 * server refuses.
 */

export const LINK_TARGET = '_blank'
export const LINK_REL = 'noopener noreferrer nofollow'

const PROTOCOLS = new Set(['http:', 'https:', 'mailto:'])

/** Resolves relative hrefs; never fetched, and `.invalid` never resolves. */
const BASE = 'https://relative.invalid/'

/**
 * Whether `href` may be a link's target. The URL is read the way browsers read it (the WHATWG
 * parser), after refusing control characters outright (browsers drop tabs and newlines inside a
 * URL, so `java\tscript:` is a scheme to them). A relative href must not have `&` before its
 * first `/`, `?` or `#`: where character references are decoded (Markdown renderers),
 * `javascript&#58;…` spells a scheme.
 */
export function isAllowedHref(href: unknown): href is string {
  if (typeof href !== 'string') return false
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this refuses
  if (/[\u0000-\u001f\u007f]/.test(href)) return false
  const trimmed = href.trim()
  const relative = !/^[a-z][a-z0-9+.-]*:/i.test(trimmed)
  if (relative && (trimmed.split(/[/?#]/, 1)[0] ?? '').includes('&')) return false
  try {
    return PROTOCOLS.has(new URL(href, BASE).protocol)
  } catch {
    return false
  }
}

/**
 * What is wrong with the value of a `link` mark as Yjs stores it (the mark's attributes; `null`
 * ends a link), or null when it may be written. Missing attributes take the schema's defaults,
 * which are the policy's.
 */
export function linkValueProblem(value: unknown): string | null {
  if (value === null) return null
  if (typeof value !== 'object' || Array.isArray(value)) return 'link attributes must be an object'
  for (const [key, attribute] of Object.entries(value)) {
    if (attribute === null) continue
    switch (key) {
      case 'href':
        if (!isAllowedHref(attribute)) return 'link href must be http(s), mailto, relative or #'
        break
      case 'target':
        if (attribute !== LINK_TARGET) return `link target must be ${LINK_TARGET}`
        break
      case 'rel':
        if (attribute !== LINK_REL) return `link rel must be "${LINK_REL}"`
        break
      case 'title':
        if (typeof attribute !== 'string') return 'link title must be a string'
        break
      default:
        return `link attribute ${JSON.stringify(key)} not allowed`
    }
  }
  return null
}

/** The policy's attributes for a link to an allowed `href`, keeping a string title. */
export function policyLinkAttributes(href: string, attrs: Record<string, unknown>): Record<string, unknown> {
  return {
    href,
    target: LINK_TARGET,
    rel: LINK_REL,
    class: null,
    title: typeof attrs.title === 'string' ? attrs.title : null,
  }
}

/** Longest image source accepted: real URLs are far shorter; the cap keeps junk out of documents. */
export const MAX_IMAGE_SRC_LENGTH = 4096

/** Longest image alt text or title accepted (the firewall's limit; imports and pastes cut to it). */
export const MAX_IMAGE_TEXT_LENGTH = 2000
/** Most columns or rows a table cell may span; far beyond any real table. */
export const MAX_TABLE_SPAN = 1000
/** Widest column width in pixels a cell may record. */
export const MAX_COLUMN_WIDTH = 100_000

/** What the server serves uploaded files under (issue 13 §3): `/api/files/<id>`. */
export const FILES_PATH = '/api/files/'

/**
 * Whether `src` may be an image's source: a file this server stores (`/api/files/<id>`, a
 * same-origin path, nothing after the id) or an absolute `http:`/`https:` URL. Everything else —
 * `data:` (no base64 inside documents), `javascript:`, `blob:`, `file:`, protocol-relative
 * `//host`, other relative paths — is refused. Control characters and whitespace are refused
 * outright, as for links.
 */
export function isAllowedImageSrc(src: unknown): src is string {
  if (typeof src !== 'string' || src.length === 0 || src.length > MAX_IMAGE_SRC_LENGTH) return false
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this refuses
  if (/[\u0000-\u0020\u007f]/.test(src)) return false
  if (src.startsWith(FILES_PATH)) return /^[A-Za-z0-9_-][A-Za-z0-9._~-]*$/.test(src.slice(FILES_PATH.length))
  if (!/^https?:\/\/[^/]/i.test(src)) return false
  try {
    const url = new URL(src)
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.host !== ''
  } catch {
    return false
  }
}

/** What is wrong with an image's `src` as Yjs stores it, or null when it may be written. */
export function imageSrcProblem(value: unknown): string | null {
  if (value === null || isAllowedImageSrc(value)) return null
  return `image src must be ${FILES_PATH}… or an http(s) URL`
}

/** Nodes whose content is inline, which may be empty. */
const TEXTBLOCKS = new Set(['paragraph', 'heading', 'codeBlock'])

interface PolicyNode {
  type?: unknown
  attrs?: unknown
  marks?: unknown
  content?: unknown
}

/**
 * Applies the link and image policies to ProseMirror JSON in place, wherever content comes from
 * outside the editor's own typing (REST imports and exports, Markdown pasted as text): a link
 * with a disallowed href loses its link mark (its text stays), every other link gets the
 * policy's target and rel and no class; an image whose source is not allowed is dropped (an
 * image without its source is nothing). Iterative: exports read stored documents of any depth.
 */
export function applyContentPolicy<T>(json: T): T {
  const stack: unknown[] = [json]
  while (stack.length > 0) {
    const node = stack.pop()
    if (typeof node !== 'object' || node === null) continue
    const { marks, content } = node as PolicyNode
    if (Array.isArray(marks)) {
      const kept = (marks as PolicyNode[]).filter((mark) => {
        if (typeof mark !== 'object' || mark === null || mark.type !== 'link') return true
        const attrs =
          typeof mark.attrs === 'object' && mark.attrs !== null ? (mark.attrs as Record<string, unknown>) : {}
        if (!isAllowedHref(attrs.href)) return false
        mark.attrs = policyLinkAttributes(attrs.href, attrs)
        return true
      })
      if (kept.length !== marks.length) (node as PolicyNode).marks = kept
    }
    if (Array.isArray(content)) {
      const kept = (content as PolicyNode[]).filter((child) => {
        if (typeof child !== 'object' || child === null || child.type !== 'image') return true
        const attrs =
          typeof child.attrs === 'object' && child.attrs !== null ? (child.attrs as Record<string, unknown>) : {}
        if (!isAllowedImageSrc(attrs.src)) return false
        for (const key of ['alt', 'title']) {
          const value = attrs[key]
          if (typeof value === 'string' && value.length > MAX_IMAGE_TEXT_LENGTH)
            attrs[key] = value.slice(0, MAX_IMAGE_TEXT_LENGTH)
        }
        return true
      })
      // A block container left empty (a table cell that held only the image) gets the empty
      // paragraph every container accepts; a textblock may be empty.
      if (kept.length !== content.length) {
        if (kept.length === 0 && !TEXTBLOCKS.has(String((node as PolicyNode).type))) kept.push({ type: 'paragraph' })
        ;(node as PolicyNode).content = kept
      }
      for (const child of kept) stack.push(child)
    }
  }
  return json
}
