/**
 * Word and character counts as a writer expects them: words by the Unicode word rules (so
 * "don't" is one word and Chinese text counts), characters as perceived characters (an emoji
 * is one), block breaks not counted.
 */
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
