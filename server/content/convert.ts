/**
 * Converting between the formats the REST API speaks and the Yjs document the editor edits.
 *
 * Content is written into the XmlFragment `default` (Tiptap's Collaboration field) with the
 * shared schema (`protocol/schema.ts`), once, on the server: browsers never seed documents,
 * which is what keeps content from being duplicated when two tabs open a new document at once.
 */
import type { JSONContent } from '@tiptap/core'
import { MarkdownManager } from '@tiptap/markdown'
import type { Node as ProseMirrorNode } from '@tiptap/pm/model'
import { prosemirrorJSONToYDoc, yXmlFragmentToProseMirrorRootNode } from '@tiptap/y-tiptap'
import * as Y from 'yjs'
import type { ContentFormat, InitialContent } from '../../protocol/api'
import { DOCUMENT_FIELD } from '../../protocol/fields'
import { liftInlineImages } from '../../protocol/normalize'
import { contentExtensions, contentSchema } from '../../protocol/schema'
import { ContentUnrenderable, InvalidContent } from '../common/errors'
import { applyLinkPolicy } from './links'
import type { ValueCheck } from '../model/updateCheck'
import { MAX_CONTENT_DEPTH, NODE_ATTRIBUTES } from './rules'

/** happy-dom, behind Tiptap's HTML helpers, is by far the heaviest dependency: loaded on demand. */
const htmlHelpers = () => import('@tiptap/html/server')

let markdown: MarkdownManager | null = null
function markdownManager(): MarkdownManager {
  markdown ??= new MarkdownManager({ extensions: contentExtensions() })
  return markdown
}

function textToJSON(text: string): JSONContent {
  const paragraphs = text.replace(/\r\n?/g, '\n').split(/\n{2,}/)
  return {
    type: 'doc',
    content: paragraphs.map((paragraph) => {
      const content: JSONContent[] = []
      paragraph.split('\n').forEach((line, index) => {
        if (index > 0) content.push({ type: 'hardBreak' })
        if (line !== '') content.push({ type: 'text', text: line })
      })
      return content.length === 0 ? { type: 'paragraph' } : { type: 'paragraph', content }
    }),
  }
}

function depthOf(json: unknown, depth = 0): number {
  if (depth > MAX_CONTENT_DEPTH) return depth
  if (typeof json !== 'object' || json === null) return depth
  const content = (json as { content?: unknown }).content
  if (!Array.isArray(content)) return depth
  let deepest = depth
  for (const child of content) deepest = Math.max(deepest, depthOf(child, depth + 1))
  return deepest
}

async function toProseMirror(format: ContentFormat, body: unknown): Promise<ProseMirrorNode> {
  try {
    return await parse(format, body)
  } catch (error) {
    // The parsers (happy-dom, ProseMirror's, the Markdown lexer) recurse once per level: input
    // nested far deeper than the schema allows runs them out of stack before the depth check.
    if (error instanceof RangeError) throw new InvalidContent('content is nested too deeply')
    throw error
  }
}

async function parse(format: ContentFormat, body: unknown): Promise<ProseMirrorNode> {
  let json: unknown
  if (format === 'json') {
    json = body
  } else if (typeof body !== 'string') {
    throw new InvalidContent(`content.body must be a string for format ${format}`)
  } else if (format === 'text') {
    json = textToJSON(body)
  } else if (format === 'markdown') {
    json = liftInlineImages(markdownManager().parse(body))
    // An empty file (or only comments) parses to a document without blocks, which the schema
    // refuses: it is an empty document.
    const parsed = json as JSONContent
    if (parsed.type === 'doc' && (parsed.content?.length ?? 0) === 0)
      json = { type: 'doc', content: [{ type: 'paragraph' }] }
  } else {
    json = (await htmlHelpers()).generateJSON(body, contentExtensions())
  }
  if (typeof json !== 'object' || json === null || (json as { type?: unknown }).type !== 'doc') {
    throw new InvalidContent('content must be a ProseMirror document ({ "type": "doc", … })')
  }
  if (depthOf(json) > MAX_CONTENT_DEPTH) throw new InvalidContent('content is nested too deeply')
  // The link policy, as for every path in: a link it forbids keeps its text and loses the link.
  applyLinkPolicy(json)
  let node: ProseMirrorNode
  try {
    node = contentSchema().nodeFromJSON(json)
    node.check()
  } catch (error) {
    throw new InvalidContent(`content does not fit the document schema: ${(error as Error).message}`)
  }
  const problem = attributeProblem(node)
  if (problem !== null) throw new InvalidContent(`content does not fit the document schema: ${problem}`)
  return node
}

/**
 * The firewall's attribute checks (`rules.ts`) on imported content, so that a document never
 * starts with what an editor could not write (a span of 0, a checked "yes"); what y-tiptap would
 * store is every non-null attribute.
 */
function attributeProblem(root: ProseMirrorNode): string | null {
  let problem: string | null = null
  root.descendants((node) => {
    if (problem !== null) return false
    const checks = NODE_ATTRIBUTES[node.type.name as keyof typeof NODE_ATTRIBUTES]
    if (checks === undefined) return true
    for (const [key, value] of Object.entries(node.attrs)) {
      if (value === null) continue
      const found = (checks as Record<string, ValueCheck | undefined>)[key]?.(value)
      if (found != null) problem = `${node.type.name} ${key}: ${found}`
    }
    return problem === null
  })
  return problem
}

/**
 * REST input as checked ProseMirror JSON, under the link policy (imports read its first heading).
 *
 * @throws {InvalidContent} when the input cannot be represented.
 */
export async function contentToJSON(content: InitialContent): Promise<JSONContent> {
  return (await toProseMirror(content.format, content.body)).toJSON() as JSONContent
}

/**
 * The body of a new document from REST input, as a Y.Doc holding it in `default`
 * (`model/seed.ts` adds the title).
 *
 * @throws {InvalidContent} when the input cannot be represented.
 */
export async function contentToDoc(content: InitialContent): Promise<Y.Doc> {
  const node = await toProseMirror(content.format, content.body)
  return prosemirrorJSONToYDoc(contentSchema(), node.toJSON(), DOCUMENT_FIELD)
}

/**
 * Renders a document's state in a REST format. Works on its own copy of the document: the
 * y-tiptap reader repairs what it cannot render by deleting it, which must never happen to a
 * live document behind the sync protocol's back. Links go out under the link policy, whatever
 * an older document holds.
 *
 * @throws {ContentUnrenderable} for a document nested too deeply to render.
 */
export async function exportContent(state: Uint8Array, format: ContentFormat): Promise<string | JSONContent> {
  const copy = new Y.Doc()
  try {
    Y.applyUpdate(copy, state)
    const body = copy.getXmlFragment(DOCUMENT_FIELD)
    try {
      return await render(body, format)
    } catch (error) {
      // The renderers (y-tiptap, ProseMirror, happy-dom, the Markdown serializer) recurse once per
      // level: a stored document nested far deeper than the firewall now allows (written before
      // it checked depth) runs them out of stack, which V8 reports as a RangeError.
      if (error instanceof RangeError && nestedDeeperThan(body, MAX_CONTENT_DEPTH)) {
        throw new ContentUnrenderable('the document is too deeply nested to export')
      }
      throw error
    }
  } finally {
    copy.destroy()
  }
}

async function render(body: Y.XmlFragment, format: ContentFormat): Promise<string | JSONContent> {
  const node = yXmlFragmentToProseMirrorRootNode(body, contentSchema())
  const json = () => applyLinkPolicy(node.toJSON() as JSONContent)
  switch (format) {
    case 'json':
      return json()
    case 'html':
      return (await htmlHelpers()).generateHTML(json(), contentExtensions())
    case 'markdown':
      return markdownManager().serialize(json())
    case 'text':
      return node.textBetween(0, node.content.size, '\n\n', (leaf) => (leaf.type.name === 'hardBreak' ? '\n' : ''))
  }
}

/** Whether elements nest deeper than `limit`; iterative, for documents of any depth. */
function nestedDeeperThan(fragment: Y.XmlFragment, limit: number): boolean {
  const stack: Array<{ node: Y.XmlFragment | Y.XmlElement; depth: number }> = [{ node: fragment, depth: 0 }]
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    if (next.depth > limit) return true
    for (const child of next.node.toArray()) {
      if (child instanceof Y.XmlElement) stack.push({ node: child, depth: next.depth + 1 })
    }
  }
  return false
}
