/**
 * The server-owned part of a document: a Y.Map the server writes and clients only read. The
 * title lives here so that a rename reaches every open editor through the ordinary sync
 * protocol, with stock clients and no custom message type. The schema firewall refuses any
 * client write outside the `default` fragment, so only the server can change it.
 */
export const META_FIELD = 'meta'
export const TITLE_KEY = 'title'
