import * as Y from 'yjs'
import { DOCUMENT_FIELD } from '../../protocol/fields'
import { writeTitle } from './title'

/**
 * The first update of a new document: its body, and its title. A document created without
 * content gets one empty paragraph, which the editor would otherwise create in every tab at once
 * (two tabs, two paragraphs): browsers never seed documents.
 *
 * @param body a document holding the body in its `default` fragment (converted content); consumed.
 */
export function newDocumentUpdate(title: string, body?: Y.Doc): Uint8Array {
  const doc = body ?? new Y.Doc()
  if (body === undefined) doc.getXmlFragment(DOCUMENT_FIELD).insert(0, [new Y.XmlElement('paragraph')])
  writeTitle(doc, title)
  const update = Y.encodeStateAsUpdate(doc)
  doc.destroy()
  return update
}
