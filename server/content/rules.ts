/**
 * What the schema firewall lets clients write, as plain names and checks so that the sync path
 * never loads Tiptap. `rules.test.ts` checks these lists against the schema built from
 * `contentExtensions()`, so they cannot drift from what the editor actually uses.
 */
import type { SchemaRules, ValueCheck } from '../model/updateCheck'
import { linkValueProblem } from '../../protocol/linkPolicy'

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
  'image',
  'listItem',
  'orderedList',
  'paragraph',
] as const

export const MARK_NAMES = ['bold', 'code', 'italic', 'link', 'strike', 'underline'] as const

const integerIn =
  (min: number, max: number): ValueCheck =>
  (value) =>
    Number.isInteger(value) && (value as number) >= min && (value as number) <= max
      ? null
      : `must be an integer from ${min} to ${max}`
const stringOrNull: ValueCheck = (value) => (value === null || typeof value === 'string' ? null : 'must be a string')
/** Tiptap reads `<ol start>` with parseInt, so a pasted list may carry NaN. */
const number: ValueCheck = (value) => (typeof value === 'number' ? null : 'must be a number')

/** An image's source: a file stored here (`/api/files/…`) or an http(s) URL; never `data:` or script. */
const imageSrc: ValueCheck = (value) => {
  if (typeof value !== 'string') return 'must be a string'
  if (/^\/api\/files\/[A-Za-z0-9_-]+$/.test(value)) return null
  return /^https?:\/\/[^\s]+$/i.test(value) ? null : 'must be /api/files/… or an http(s) URL'
}
const dimension: ValueCheck = (value) =>
  value === null || typeof value === 'number' || typeof value === 'string' ? null : 'must be a number'

/**
 * The attributes of each node as y-tiptap writes them (every non-null attribute of the node), with
 * a check of the value. A node absent from the editor's schema attributes carries none.
 */
export const NODE_ATTRIBUTES: Record<(typeof NODE_NAMES)[number], Record<string, ValueCheck>> = {
  blockquote: {},
  bulletList: {},
  codeBlock: { language: stringOrNull },
  hardBreak: {},
  heading: { level: integerIn(1, 6) },
  horizontalRule: {},
  image: { src: imageSrc, alt: stringOrNull, title: stringOrNull, width: dimension, height: dimension },
  listItem: {},
  orderedList: { start: number, type: stringOrNull },
  paragraph: {},
}

/** Checks of mark values; marks without attributes may carry any (y-tiptap writes `{}`). */
export const MARK_VALUES: Partial<Record<(typeof MARK_NAMES)[number], ValueCheck>> = {
  link: linkValueProblem,
}

export function schemaRules(): SchemaRules {
  return {
    nodes: new Set(NODE_NAMES),
    marks: new Set(MARK_NAMES),
    maxDepth: MAX_CONTENT_DEPTH,
    markValues: new Map(Object.entries(MARK_VALUES)),
    nodeAttributes: new Map(
      Object.entries(NODE_ATTRIBUTES).map(([node, checks]) => [node, new Map(Object.entries(checks))]),
    ),
  }
}
