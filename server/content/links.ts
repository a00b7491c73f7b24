/**
 * The link and image policies (`protocol/linkPolicy.ts`) applied to ProseMirror JSON, on every
 * import and every export. The walker itself is in `protocol/` because the editor applies it too,
 * to Markdown pasted as text.
 */
import { applyContentPolicy } from '../../protocol/linkPolicy'

/**
 * Applies the policy to ProseMirror JSON in place: a link with a disallowed href loses its link
 * mark (its text stays), every other link gets the policy's target and rel and no class, an image
 * with a disallowed source is dropped. Used on every import and every export, so that neither
 * ever carries what the policy forbids, whatever an old document holds.
 */
export const applyLinkPolicy: <T>(json: T) => T = applyContentPolicy
