/**
 * Full-text search's words, as the server indexes and queries them and the browser emphasises
 * them: one folding (case and accents), one notion of a word, one rule for what matches.
 *
 * - A word is a run of Unicode letters and digits (combining marks stay with their letter);
 *   everything else separates words, so query text is only ever data.
 * - Folding: lower case, then compatibility decomposition (NFKD) with the combining marks removed,
 *   and letters with a stroke as their base letter: "Café", "CAFE" and "café" are all "cafe";
 *   "ﬁ" is "fi", "Łódź" is "lodz".
 * - A query matches a text when every query word is a word of the text; the last query word also
 *   matches as a prefix (search as you type).
 */

/** At most this many characters (UTF-16 code units) in a search result's snippet. */
export const MAX_SNIPPET_LENGTH = 200

/** A word of the original text, with marks, before folding. */
const RAW_WORD = /[\p{L}\p{N}\p{M}]+/gu
/** A word of folded text. */
const FOLDED_WORD = /[\p{L}\p{N}]+/gu
/** Nothing to fold but case (no character above U+007F). */
const ASCII = /^[^\u0080-\uffff]*$/
const MARKS = /\p{M}/gu
/** Letters with a stroke have no decomposition, yet people type them without it ("Lodz"). */
const STROKES: Record<string, string> = { ø: 'o', đ: 'd', ł: 'l', ħ: 'h', ŧ: 't', ƀ: 'b', ɨ: 'i' }
const STROKED = /[øđłħŧƀɨ]/g

/** Lower case, accents and other combining marks removed, compatibility characters decomposed. */
export function foldText(text: string): string {
  const lower = text.toLowerCase()
  if (ASCII.test(lower)) return lower
  return lower
    .normalize('NFKD')
    .replace(MARKS, '')
    .replace(STROKED, (letter) => STROKES[letter] ?? letter)
    .normalize('NFC')
}

/** The folded words of a text, in order, repeats included. */
export function foldedWords(text: string): string[] {
  return foldText(text).match(FOLDED_WORD) ?? []
}

/**
 * The words of a query, folded, without repeats, the last one kept last (it is the prefix).
 * Empty when the query has no letter or digit: such a query does not filter.
 */
export function queryWords(query: string): string[] {
  const words = foldedWords(query)
  const last = words.at(-1)
  if (last === undefined) return []
  const unique = [...new Set(words.slice(0, -1))].filter((word) => word !== last)
  return [...unique, last]
}

/** A matcher for folded words: exact for every query word, also a prefix for the last. */
function wordMatcher(words: readonly string[]): (word: string) => boolean {
  const exact = new Set(words)
  const prefix = words.at(-1) ?? ''
  return (word) => exact.has(word) || (prefix !== '' && word.startsWith(prefix))
}

/**
 * Where the words of `text` that match the query are, as [start, end) offsets into `text`, in
 * order. Scans at most `scanLimit` characters.
 */
export function matchRanges(
  text: string,
  words: readonly string[],
  scanLimit = Number.POSITIVE_INFINITY,
  firstOnly = false,
): Array<[number, number]> {
  if (words.length === 0) return []
  const matches = wordMatcher(words)
  const ranges: Array<[number, number]> = []
  RAW_WORD.lastIndex = 0
  for (let found = RAW_WORD.exec(text); found !== null; found = RAW_WORD.exec(text)) {
    if (found.index >= scanLimit) break
    const raw = found[0]
    const folded = ASCII.test(raw) ? [raw.toLowerCase()] : foldedWords(raw)
    if (folded.some(matches)) {
      ranges.push([found.index, found.index + raw.length])
      if (firstOnly) break
    }
  }
  RAW_WORD.lastIndex = 0
  return ranges
}

/** Characters of context kept before the first match. */
const CONTEXT_BEFORE = 60

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff
}

/** `text.slice(0, end)` without splitting a surrogate pair. */
function cutAt(text: string, end: number): string {
  if (end >= text.length) return text
  return isHighSurrogate(text.charCodeAt(end - 1)) ? text.slice(0, end - 1) : text.slice(0, end)
}

/**
 * Plain text of at most {@link MAX_SNIPPET_LENGTH} characters around the first match in `body`
 * (its start when nothing in it matches, e.g. a title-only match): whitespace collapsed, "…"
 * where it was cut. Scans at most `scanLimit` characters for the match.
 */
export function makeSnippet(body: string, words: readonly string[], scanLimit = 100_000): string {
  const first = matchRanges(body, words, scanLimit, true)[0]
  let start = 0
  if (first !== undefined && first[0] > CONTEXT_BEFORE) {
    start = first[0] - CONTEXT_BEFORE
    // Start at a word's beginning when one is near, never after the match itself.
    const space = body.slice(start, first[0]).search(/\s/)
    if (space !== -1) start += space + 1
    else if (isHighSurrogate(body.charCodeAt(start - 1))) start--
  }
  // Collapsing whitespace only shrinks text: a window of 4 × the limit always fills the snippet.
  const window = body
    .slice(start, start + MAX_SNIPPET_LENGTH * 4)
    .replace(/\s+/g, ' ')
    .trim()
  const lead = start > 0 && window !== '' ? '…' : ''
  const truncated = start + MAX_SNIPPET_LENGTH * 4 < body.length || lead.length + window.length > MAX_SNIPPET_LENGTH
  if (!truncated) return lead + window
  const room = MAX_SNIPPET_LENGTH - lead.length - 1
  let kept = cutAt(window, room)
  // End at a word's end when one is near.
  const lastSpace = kept.lastIndexOf(' ')
  if (lastSpace > room - 30) kept = kept.slice(0, lastSpace)
  return `${lead}${kept.trimEnd()}…`
}
