/** A document's title, as the REST API accepts it and the editor lets people type it. */
export const MAX_TITLE_LENGTH = 200

/** The title of a document created without one. */
export const DEFAULT_TITLE = 'Untitled'
