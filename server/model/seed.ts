import * as Y from 'yjs'
import { META_FIELD, TITLE_KEY } from '../../protocol/fields'
import { DOCUMENT_FIELD } from './updateCheck'

/**
 * The first update of a document created without content: one empty paragraph, which the
 * editor would otherwise create in every tab at once (two tabs, two paragraphs), and the title.
 */
export function emptyDocumentUpdate(title: string): Uint8Array {
  const doc = new Y.Doc()
  doc.getXmlFragment(DOCUMENT_FIELD).insert(0, [new Y.XmlElement('paragraph')])
  doc.getMap(META_FIELD).set(TITLE_KEY, title)
  return Y.encodeStateAsUpdate(doc)
}
