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
