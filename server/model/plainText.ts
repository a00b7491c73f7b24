/**
 * A document's body as plain text, read straight from the Y.XmlFragment (no Tiptap, no
 * ProseMirror): what full-text search indexes. Each block element starts a new line, a hard
 * break is a line break, and text is taken as typed, marks dropped. Iterative, so a document of
 * any depth is read without recursion.
 */
import * as Y from 'yjs'
import { DOCUMENT_FIELD } from '../../protocol/fields'

/** Inline elements that are a line break rather than a block. */
const LINE_BREAKS = new Set(['hardBreak'])

/**
 * The body's text, at most `maxLength` characters (cut where it reaches the limit).
 * Blocks are separated by `\n`.
 */
export function bodyText(doc: Y.Doc, maxLength = Number.POSITIVE_INFINITY): string {
  const parts: string[] = []
  let length = 0
  const push = (text: string): boolean => {
    parts.push(text)
    length += text.length
    return length < maxLength
  }
  const stack: Array<Y.XmlElement | Y.XmlText | Y.XmlHook> = doc.getXmlFragment(DOCUMENT_FIELD).toArray().reverse()
  let atLineStart = true
  for (let node = stack.pop(); node !== undefined; node = stack.pop()) {
    if (node instanceof Y.XmlText) {
      for (const op of node.toDelta() as Array<{ insert?: unknown }>) {
        if (typeof op.insert !== 'string' || op.insert === '') continue
        atLineStart = false
        if (!push(op.insert)) return parts.join('').slice(0, maxLength)
      }
    } else if (node instanceof Y.XmlElement) {
      if (!atLineStart || LINE_BREAKS.has(node.nodeName)) {
        if (!push('\n')) return parts.join('').slice(0, maxLength)
        atLineStart = true
      }
      const children = node.toArray()
      for (let index = children.length - 1; index >= 0; index--) stack.push(children[index] as Y.XmlText)
    }
  }
  return parts.join('').trimEnd().slice(0, maxLength)
}
