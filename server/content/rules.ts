/**
 * What the schema firewall lets clients write, as plain names so that the sync path never loads
 * Tiptap. `rules.test.ts` checks these lists against the schema built from `contentExtensions()`,
 * so they cannot drift from what the editor actually uses.
 */
import type { SchemaRules } from '../sync/updateCheck'

/** Nesting deeper than this is refused on input; real documents stay far below it. */
export const MAX_CONTENT_DEPTH = 48

/** Node types that may appear as XML elements (the schema's nodes minus `doc` and `text`). */
export const NODE_NAMES = [
  'blockquote',
  'bulletList',
  'codeBlock',
  'hardBreak',
  'heading',
  'horizontalRule',
  'listItem',
  'orderedList',
  'paragraph',
] as const

export const MARK_NAMES = ['bold', 'code', 'italic', 'link', 'strike', 'underline'] as const

export function schemaRules(): SchemaRules {
  return { nodes: new Set(NODE_NAMES), marks: new Set(MARK_NAMES), maxDepth: MAX_CONTENT_DEPTH }
}
