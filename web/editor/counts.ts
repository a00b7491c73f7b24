/**
 * Word and character counts as a writer expects them: words by the Unicode word rules (so
 * "don't" is one word and Chinese text counts), characters as perceived characters (an emoji
 * is one), block breaks not counted.
 */
import { Fragment, type Node as ProseMirrorNode } from '@tiptap/pm/model'

export interface TextCounts {
  words: number
  characters: number
}

const words = new Intl.Segmenter(undefined, { granularity: 'word' })
const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' })

export function countText(text: string): TextCounts {
  let wordCount = 0
  for (const segment of words.segment(text)) if (segment.isWordLike === true) wordCount++
  let characters = 0
  for (const segment of graphemes.segment(text)) if (segment.segment !== '\n') characters++
  return { words: wordCount, characters }
}

export function describeCounts({ words: w, characters: c }: TextCounts): string {
  return `${w.toLocaleString()} ${w === 1 ? 'word' : 'words'} · ${c.toLocaleString()} ${c === 1 ? 'character' : 'characters'}`
}

/**
 * Counts per top-level block, by node: ProseMirror shares unchanged nodes between states (and
 * remote changes replace only the blocks they change, narrowRemoteChanges.ts), so a recount after
 * a keystroke segments one block instead of the whole document — in a 5,000-paragraph document
 * the whole-text count took a fifth of the page's time while someone typed.
 */
const blockCounts = new WeakMap<ProseMirrorNode, TextCounts>()

/**
 * `countText` of the document's text (blocks separated by line breaks, leaves as spaces), summed
 * block by block: a word or a character never spans a line break, so the sum is the same.
 */
export function countDocument(doc: ProseMirrorNode): TextCounts {
  let wordCount = 0
  let characters = 0
  doc.forEach((block) => {
    let counts = blockCounts.get(block)
    if (counts === undefined) {
      counts = countText(Fragment.from(block).textBetween(0, block.nodeSize, '\n', ' '))
      blockCounts.set(block, counts)
    }
    wordCount += counts.words
    characters += counts.characters
  })
  return { words: wordCount, characters }
}
