import { describe, expect, it } from 'vitest'
import { countText, describeCounts } from './counts'

describe('countText', () => {
  it('counts words and characters, not block breaks', () => {
    expect(countText('Hello world\nSecond line')).toEqual({ words: 4, characters: 22 })
  })

  it('treats contractions, punctuation and emoji like a writer would', () => {
    expect(countText("Don't panic!")).toEqual({ words: 2, characters: 12 })
    expect(countText('👍🏽 ok').characters).toBe(4)
  })

  it('is zero for an empty document', () => {
    expect(countText('')).toEqual({ words: 0, characters: 0 })
    expect(countText('\n\n')).toEqual({ words: 0, characters: 0 })
  })

  it('describes singular and plural', () => {
    expect(describeCounts({ words: 1, characters: 1 })).toBe('1 word · 1 character')
    expect(describeCounts({ words: 1200, characters: 7000 })).toBe('1,200 words · 7,000 characters')
  })
})
