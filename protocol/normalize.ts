/**
 * Repairs of ProseMirror JSON that parsers produce but the schema does not allow, shared by the
 * server's Markdown import and the editor's Markdown paste.
 */
import type { JSONContent } from '@tiptap/core'

/** Textblocks whose inline content may hold an image in Markdown (`text ![alt](src) text`). */
const TEXTBLOCKS = new Set(['paragraph', 'heading'])

/**
 * Markdown writes images inline (`![alt](src)` inside a paragraph); tandem's images are blocks.
 * Splits every paragraph or heading around the images in it, in place: `a ![i](s) b` becomes a
 * paragraph `a `, the image, a paragraph ` b`; parts left empty are dropped. Iterative.
 */
export function liftInlineImages<T extends JSONContent>(json: T): T {
  const stack: JSONContent[] = [json]
  while (stack.length > 0) {
    const node = stack.pop() as JSONContent
    if (!Array.isArray(node.content)) continue
    if (node.content.some((child) => TEXTBLOCKS.has(child?.type ?? '') && hasImage(child))) {
      node.content = node.content.flatMap((child) =>
        TEXTBLOCKS.has(child?.type ?? '') && hasImage(child) ? splitAroundImages(child) : [child],
      )
    }
    for (const child of node.content) if (typeof child === 'object' && child !== null) stack.push(child)
  }
  return json
}

function hasImage(block: JSONContent): boolean {
  return Array.isArray(block.content) && block.content.some((child) => child?.type === 'image')
}

function splitAroundImages(block: JSONContent): JSONContent[] {
  const parts: JSONContent[] = []
  let run: JSONContent[] = []
  const flush = (): void => {
    // Whitespace at the edges of the split is Markdown's separator from the image, not content.
    const first = run[0]
    if (first?.type === 'text') run[0] = { ...first, text: (first.text ?? '').trimStart() }
    const last = run.at(-1)
    if (last?.type === 'text') run[run.length - 1] = { ...last, text: (last.text ?? '').trimEnd() }
    run = run.filter((child) => child.type !== 'text' || (child.text ?? '') !== '')
    if (run.length > 0) parts.push({ ...block, content: run })
    run = []
  }
  for (const child of block.content ?? []) {
    if (child?.type === 'image') {
      flush()
      parts.push(child)
    } else {
      run.push(child)
    }
  }
  flush()
  return parts
}
