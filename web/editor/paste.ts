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
  const styleOf = (element: Element): string =>
    element.getAttribute('style') ?? element.getAttribute(PASTED_STYLE) ?? ''
  const isItem = (node: Node | null): node is HTMLElement =>
    node instanceof HTMLElement &&
    node.tagName === 'P' &&
    /mso-list:\s*l\d/i.test(styleOf(node)) &&
    !/mso-list:\s*ignore/i.test(styleOf(node))
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
      const level = Number(/level(\d+)/i.exec(styleOf(item))?.[1] ?? '1')
      let marker = ''
      for (const span of Array.from(item.querySelectorAll('span'))) {
        if (/mso-list:\s*ignore/i.test(styleOf(span))) {
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
      item.removeAttribute(PASTED_STYLE)
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

/** A start tag with its attributes (quoted values may hold anything but their quote). */
const START_TAG = /<[a-zA-Z][\w:-]*(?:\s+[^\s"'>/=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+))?)*\s*\/?>/g
const STYLE_ATTRIBUTE = /(\s)style(\s*=)/gi
const EVENT_ATTRIBUTE = /\son[a-z]+\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+)/gi
const PASTED_STYLE = 'data-pasted-style'

/**
 * Pasted HTML under the app's Content-Security-Policy. The CSP refuses inline styles, so when the
 * pasted HTML is parsed its `style` attributes are not applied (and reported as violations), and
 * Tiptap's rules that read them — Google Docs' `<b style="font-weight:normal">` wrapper is not
 * bold, `<span style="font-weight:700">` is — see nothing: everything came out bold. Here the
 * styles are renamed before any parsing and turned into markup ProseMirror reads without them:
 * a bold tag with a normal weight loses its boldness, a span with a bold weight, italic,
 * underline or line-through gets `<strong>`, `<em>`, `<u>`, `<s>` inside, a cell's `text-align`
 * becomes `align`. Inline event handlers are dropped (they would never run either).
 */
export function styleToMarkup(html: string): string {
  if (!/\sstyle\s*=|\son[a-z]+\s*=/i.test(html)) return html
  const renamed = html.replace(START_TAG, (tag) =>
    tag.replace(EVENT_ATTRIBUTE, '').replace(STYLE_ATTRIBUTE, `$1${PASTED_STYLE}$2`),
  )
  const doc = new DOMParser().parseFromString(renamed, 'text/html')
  for (const element of Array.from(doc.body.querySelectorAll<HTMLElement>(`[${PASTED_STYLE}]`))) {
    const style = (element.getAttribute(PASTED_STYLE) ?? '').toLowerCase()
    // Word's list markup is read by wordListsToLists, after this.
    if (style.includes('mso-list')) continue
    element.removeAttribute(PASTED_STYLE)
    const property = (name: string): string =>
      new RegExp(`(?:^|;)\\s*${name}\\s*:\\s*([^;]+)`).exec(style)?.[1]?.trim() ?? ''
    const weight = property('font-weight')
    const bold = weight === 'bold' || weight === 'bolder' || Number(weight) >= 600
    const normal = weight === 'normal' || weight === 'lighter' || (weight !== '' && Number(weight) < 600)
    const tag = element.tagName
    if ((tag === 'B' || tag === 'STRONG') && normal) {
      const span = doc.createElement('span')
      span.append(...Array.from(element.childNodes))
      element.replaceWith(span)
      continue
    }
    if (tag === 'TD' || tag === 'TH') {
      const align = property('text-align')
      if (align === 'left' || align === 'center' || align === 'right') element.setAttribute('align', align)
      continue
    }
    if (tag !== 'SPAN' && tag !== 'FONT') continue
    const wrappers: string[] = []
    if (bold) wrappers.push('strong')
    if (property('font-style') === 'italic') wrappers.push('em')
    const decoration = `${property('text-decoration')} ${property('text-decoration-line')}`
    if (decoration.includes('underline')) wrappers.push('u')
    if (decoration.includes('line-through')) wrappers.push('s')
    for (const name of wrappers) {
      const wrapper = doc.createElement(name)
      wrapper.append(...Array.from(element.childNodes))
      element.append(wrapper)
    }
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
          transformPastedHTML: (html) => wordListsToLists(styleToMarkup(html)),
        },
      }),
    ]
  },
})
