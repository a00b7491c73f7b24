/**
 * Where things live in a document's Y.Doc, for the editor and the server alike.
 *
 * The body is the XmlFragment `default`, the field Tiptap's Collaboration extension edits. The
 * title lives in `meta`, a Y.Map the server writes and clients only read: a rename reaches every
 * open editor through the ordinary sync protocol, with stock clients and no custom message type.
 * The schema firewall refuses any client write outside the body, so only the server changes it.
 */
export const DOCUMENT_FIELD = 'default'
export const META_FIELD = 'meta'
export const TITLE_KEY = 'title'
