/**
 * Paste that keeps structure (issue 13 §4).
 *
 * HTML (Google Docs, Word, web pages) is ProseMirror's own clipboard parsing against the shared
 * schema: headings, lists, tables, links, bold and italic have parse rules, everything else
 * keeps its text and loses its markup, and the HTML is parsed in a detached document, so nothing
 * in it runs. Google Docs wraps a copy in `<b style="font-weight:normal" id="docs-internal-guid-…">`;
 * Tiptap's bold ignores a `<b>` whose weight is normal, so that never makes everything bold.
 * Word's list paragraphs become lists first (`wordListsToLists`).
 *
 * Plain text that reads as Markdown (a heading, a list, a task, a table, a code fence, a quote)
 * becomes structure through `@tiptap/markdown` with the same extensions, under the same content
 * policy as a Markdown import (links and image sources). Text that does not, and anything pasted
 * into a code block, is pasted as text.
 */
import { type Editor, Extension, type JSONContent } from '@tiptap/core'
import { MarkdownManager } from '@tiptap/markdown'
import { Plugin, PluginKey } from '@tiptap/pm/state'
import { applyContentPolicy } from '../../protocol/linkPolicy'
import { liftInlineImages } from '../../protocol/normalize'
import { contentExtensions } from '../../protocol/schema'

const BLOCK_SIGNS = [
  /^#{1,6}[ \t]+\S/, // heading
  /^[ \t]*(?:```|~~~)/, // code fence
  /^[ \t]*[-*+][ \t]+\[[ xX]\][ \t]/, // task
  /^[ \t]*[-*+][ \t]+\S/, // bullet
  /^[ \t]*\d{1,9}[.)][ \t]+\S/, // numbered
  /^[ \t]*>[ \t]?\S/, // quote
  /^[ \t]*\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)+\|?[ \t]*$/, // table separator row
]

/**
 * Whether plain text reads as Markdown blocks: a line that starts a heading, fence, task, quote or
 * table, or two lines that start list items. One "- " or "1. " line alone is a list only with a
 * block sign elsewhere: "1. Go" on its own is more often a sentence than a list.
 */
export function looksLikeMarkdown(text: string): boolean {
  const lines = text.replace(/\r\n?/g, '\n').split('\n')
  let listLines = 0
  for (const line of lines) {
    const sign = BLOCK_SIGNS.findIndex((pattern) => pattern.test(line))
    if (sign === -1) continue
    if (sign === 3 || sign === 4) {
      listLines++
      if (listLines >= 2) return true
    } else {
      return true
    }
  }
  return false
}

let manager: MarkdownManager | null = null

/** Markdown text as the blocks it stands for, under the content policy; null when it is not blocks. */
export function markdownToBlocks(text: string): JSONContent[] | null {
  manager ??= new MarkdownManager({ extensions: contentExtensions() })
  const json = applyContentPolicy(liftInlineImages(manager.parse(text)))
  const blocks = json.content ?? []
  return blocks.length === 0 ? null : blocks
}

/**
 * Word writes list items as paragraphs (`<p style="mso-list:l0 level1 lfo1">`) whose bullet or
 * number is text in a `mso-list:Ignore` span: as such they would paste as paragraphs starting
 * with "·". This makes runs of them real lists (`<ol>` when the markers are numbers or letters),
 * nested by their `level`. Other HTML comes back unchanged.
 */
export function wordListsToLists(html: string): string {
  if (!/mso-list/i.test(html)) return html
  const doc = new DOMParser().parseFromString(html, 'text/html')
  const isItem = (node: Node | null): node is HTMLElement =>
    node instanceof HTMLElement &&
    node.tagName === 'P' &&
    /mso-list:\s*l\d/i.test(node.getAttribute('style') ?? '') &&
    !/mso-list:\s*ignore/i.test(node.getAttribute('style') ?? '')
  for (const first of Array.from(doc.body.querySelectorAll('p'))) {
    if (!isItem(first) || isItem(previousElement(first))) continue
    // One run of consecutive list paragraphs, turned into nested lists by level.
    const stack: Array<{ list: HTMLElement; level: number }> = []
    let item: HTMLElement | null = first
    const top = first
    const anchor = doc.createComment('list')
    top.before(anchor)
    while (isItem(item)) {
      const next = nextElement(item)
      const level = Number(/level(\d+)/i.exec(item.getAttribute('style') ?? '')?.[1] ?? '1')
      let marker = ''
      for (const span of Array.from(item.querySelectorAll('span'))) {
        if (/mso-list:\s*ignore/i.test(span.getAttribute('style') ?? '')) {
          marker = (span.textContent ?? '').replace(/\s|\u00a0/g, '')
          span.remove()
        }
      }
      while (stack.length > 0 && (stack.at(-1)?.level ?? 0) > level) stack.pop()
      if (stack.length === 0 || (stack.at(-1)?.level ?? 0) < level) {
        const list = doc.createElement(/^[0-9a-z]{1,4}[.)]$/i.test(marker) ? 'ol' : 'ul')
        const parentItem = stack.at(-1)?.list.lastElementChild
        if (parentItem instanceof HTMLElement) parentItem.append(list)
        else anchor.before(list)
        stack.push({ list, level })
      }
      const li = doc.createElement('li')
      const paragraph = doc.createElement('p')
      paragraph.append(...Array.from(item.childNodes))
      li.append(paragraph)
      stack.at(-1)?.list.append(li)
      item.remove()
      item = next
    }
    anchor.remove()
  }
  return doc.body.innerHTML
}

function previousElement(node: Element): Element | null {
  return node.previousElementSibling
}
function nextElement(node: Element): HTMLElement | null {
  const next = node.nextElementSibling
  return next instanceof HTMLElement ? next : null
}

function pasteMarkdown(editor: Editor, event: ClipboardEvent): boolean {
  const data = event.clipboardData
  if (data === null) return false
  // HTML goes to ProseMirror's parser, except code editors' (VS Code puts its colours in
  // text/html; the text is what was copied).
  if (data.getData('text/html') !== '' && !data.types.includes('vscode-editor-data')) return false
  const text = data.getData('text/plain')
  if (text === '' || !looksLikeMarkdown(text)) return false
  if (editor.state.selection.$from.parent.type.spec.code === true) return false
  let blocks: JSONContent[] | null
  try {
    blocks = markdownToBlocks(text)
  } catch {
    return false
  }
  if (blocks === null) return false
  event.preventDefault()
  return editor.chain().insertContent(blocks).scrollIntoView().run()
}

export const StructuredPaste = Extension.create({
  name: 'structuredPaste',
  addProseMirrorPlugins() {
    const editor = this.editor
    return [
      new Plugin({
        key: new PluginKey('structuredPaste'),
        props: {
          handlePaste: (_view, event) => pasteMarkdown(editor, event),
          transformPastedHTML: (html) => wordListsToLists(html),
        },
      }),
    ]
  },
})
