/**
 * The title inside the document (`protocol/fields.ts`), where every open editor reads it. The
 * store's `title` column is the truth for lists and REST; this copy follows it, written by the
 * server only: when a document is created, renamed (`documents/service.ts`), or loaded with an
 * older title (`sync/roomManager.ts`).
 */
import type * as Y from 'yjs'
import { META_FIELD, TITLE_KEY } from '../../protocol/fields'

export function writeTitle(doc: Y.Doc, title: string): void {
  doc.getMap(META_FIELD).set(TITLE_KEY, title)
}

export function readTitle(doc: Y.Doc): unknown {
  return doc.getMap(META_FIELD).get(TITLE_KEY)
}
