/**
 * The Tiptap extensions that define what a document may contain. The browser editor and the
 * server both build their schema from this list, so that content the server writes (initial
 * content, exports) and what the schema firewall accepts are exactly what the editor shows.
 */
import { type Extensions, getSchema } from '@tiptap/core'
import StarterKit from '@tiptap/starter-kit'
import type { Schema } from '@tiptap/pm/model'

/** Undo is left to the collaboration layer (per-user Yjs undo), so StarterKit's is disabled. */
export function contentExtensions(): Extensions {
  return [StarterKit.configure({ undoRedo: false, link: { openOnClick: false } })]
}

let schema: Schema | null = null

export function contentSchema(): Schema {
  schema ??= getSchema(contentExtensions())
  return schema
}
