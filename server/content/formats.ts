/**
 * The content formats of the REST API. Kept apart from the converters, which load Tiptap and a
 * DOM implementation: the server loads those only when content is first converted.
 */
export const CONTENT_FORMATS = ['json', 'html', 'markdown', 'text'] as const
export type ContentFormat = (typeof CONTENT_FORMATS)[number]

export interface InitialContent {
  format: ContentFormat
  body: unknown
}

/** Input the schema cannot represent; the message is safe to show to the caller. */
export class InvalidContentError extends Error {
  override name = 'InvalidContentError'
}
