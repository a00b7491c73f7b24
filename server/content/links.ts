/**
 * The link policy (`protocol/linkPolicy.ts`) applied to ProseMirror JSON, on every import and
 * every export.
 */
import { isAllowedHref, policyLinkAttributes } from '../../protocol/linkPolicy'

interface JSONMark {
  type?: unknown
  attrs?: unknown
}

/**
 * Applies the policy to ProseMirror JSON in place: a link with a disallowed href loses its link
 * mark (its text stays), every other link gets the policy's target and rel and no class. Used on
 * every import and every export, so that neither ever carries a link the policy forbids, whatever
 * an old document holds. Iterative: exports read stored documents of any depth.
 */
export function applyLinkPolicy<T>(json: T): T {
  const stack: unknown[] = [json]
  while (stack.length > 0) {
    const node = stack.pop()
    if (typeof node !== 'object' || node === null) continue
    const { marks, content } = node as { marks?: unknown; content?: unknown }
    if (Array.isArray(marks)) {
      const kept = (marks as JSONMark[]).filter((mark) => {
        if (typeof mark !== 'object' || mark === null || mark.type !== 'link') return true
        const attrs =
          typeof mark.attrs === 'object' && mark.attrs !== null ? (mark.attrs as Record<string, unknown>) : {}
        if (!isAllowedHref(attrs.href)) return false
        mark.attrs = policyLinkAttributes(attrs.href, attrs)
        return true
      })
      if (kept.length !== marks.length) (node as { marks?: unknown }).marks = kept
    }
    if (Array.isArray(content)) for (const child of content) stack.push(child)
  }
  return json
}
