import { describe, expect, it } from 'vitest'
import { MAX_SNIPPET_LENGTH, foldText, foldedWords, makeSnippet, matchRanges, queryWords } from './search'

describe('search words', () => {
  it('folds case, accents and compatibility characters', () => {
    expect(foldText('Café CRÈME naïve Ærø ﬁle İstanbul')).toBe('cafe creme naive æro file istanbul')
    expect(foldText('한국어')).toBe('한국어')
    expect(foldText('Łódź')).toBe('lodz')
  })

  it('splits on anything but letters and digits', () => {
    expect(foldedWords('Q3-report: "draft" (v2), don’t')).toEqual(['q3', 'report', 'draft', 'v2', 'don', 't'])
  })

  it('turns hostile query text into plain words, the last kept last', () => {
    expect(queryWords('" OR 1=1; DROP TABLE documents; --')).toEqual(['or', '1', 'drop', 'table', 'documents'])
    expect(queryWords('title:foo* NEAR(a b) -c ^d')).toEqual(['title', 'foo', 'near', 'a', 'b', 'c', 'd'])
    expect(queryWords('%_*')).toEqual([])
    expect(queryWords('  ')).toEqual([])
    expect(queryWords('b a b')).toEqual(['a', 'b'])
  })
})

describe('matchRanges', () => {
  it('finds whole words, the last query word also as a prefix, accents folded', () => {
    const text = 'Le café de Noël, cafeteria'
    expect(matchRanges(text, ['cafe'])).toEqual([
      [3, 7],
      [17, 26],
    ])
    expect(matchRanges(text, ['cafe', 'noel'])).toEqual([
      [3, 7],
      [11, 15],
    ])
    expect(matchRanges(text, ['caf', 'noel'])).toEqual([[11, 15]])
  })
})

describe('makeSnippet', () => {
  const words = Array.from({ length: 400 }, (_, index) => `word${index}`).join(' ')

  it('is the start of the body when short or when nothing matches', () => {
    expect(makeSnippet('Hello\n\nworld', ['zzz'])).toBe('Hello world')
    const snippet = makeSnippet(words, ['zzz'])
    expect(snippet.startsWith('word0 word1')).toBe(true)
    expect(snippet.endsWith('…')).toBe(true)
    expect(snippet.length).toBeLessThanOrEqual(MAX_SNIPPET_LENGTH)
  })

  it('is at most 200 characters around the first match', () => {
    const snippet = makeSnippet(words, ['word300'])
    expect(snippet.length).toBeLessThanOrEqual(MAX_SNIPPET_LENGTH)
    expect(snippet).toContain('word300')
    expect(snippet.startsWith('…word')).toBe(true)
    expect(snippet.endsWith('…')).toBe(true)
  })

  it('never splits a surrogate pair', () => {
    const emoji = '😀'.repeat(300)
    const snippet = makeSnippet(`${emoji} target ${emoji}`, ['target'])
    expect(snippet.length).toBeLessThanOrEqual(MAX_SNIPPET_LENGTH)
    expect(snippet).toContain('target')
    expect(snippet).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/)
  })
})
