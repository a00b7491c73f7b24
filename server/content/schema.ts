/**
 * The Tiptap extensions that define what a document may contain. The browser editor and the
 * server both build their schema from this list, so that content the server writes (initial
 * content, exports) and what the schema firewall accepts are exactly what the editor shows.
 */
import { type Extensions, getSchema } from '@tiptap/core'
import StarterKit from '@tiptap/starter-kit'
import type { Schema } from '@tiptap/pm/model'
import type { SchemaRules } from '../sync/updateCheck'

/** Nesting deeper than this is refused on input; real documents stay far below it. */
export const MAX_CONTENT_DEPTH = 48

/** Undo is left to the collaboration layer (per-user Yjs undo), so StarterKit's is disabled. */
export function contentExtensions(): Extensions {
  return [StarterKit.configure({ undoRedo: false, link: { openOnClick: false } })]
}

let schema: Schema | null = null

export function contentSchema(): Schema {
  schema ??= getSchema(contentExtensions())
  return schema
}

/** What clients may write into the shared document, derived from the schema. */
export function schemaRules(): SchemaRules {
  const { nodes, marks } = contentSchema()
  return {
    nodes: new Set(Object.keys(nodes).filter((name) => name !== 'doc' && name !== 'text')),
    marks: new Set(Object.keys(marks)),
    maxDepth: MAX_CONTENT_DEPTH,
  }
}
