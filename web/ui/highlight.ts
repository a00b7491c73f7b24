/**
 * Text with the words a search matched emphasised: text nodes and `<mark>` elements built one by
 * one, never HTML parsed, so a title or snippet written by someone else cannot inject markup.
 * Which words match is decided as on the server (`protocol/search.ts`).
 */
import { matchRanges } from '../../protocol/search'
import { h } from '../dom'

export function highlighted(text: string, words: readonly string[]): Node[] {
  const nodes: Node[] = []
  let at = 0
  for (const [start, end] of matchRanges(text, words)) {
    if (start > at) nodes.push(document.createTextNode(text.slice(at, start)))
    nodes.push(h('mark', { class: 'match' }, text.slice(start, end)))
    at = end
  }
  if (at < text.length || nodes.length === 0) nodes.push(document.createTextNode(text.slice(at)))
  return nodes
}
