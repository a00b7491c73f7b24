import { describe, expect, it } from 'vitest'
import { PALETTE } from '../identity'
import { DARK_TEXT, LIGHT_TEXT, contrastRatio, readableTextOn } from './colors'

describe('text on a person’s colour', () => {
  it('computes WCAG contrast ratios', () => {
    expect(contrastRatio('#000000', '#ffffff')).toBeCloseTo(21, 5)
    expect(contrastRatio('#ffffff', '#ffffff')).toBe(1)
    expect(contrastRatio('#e67700', '#ffffff')).toBeCloseTo(3.0, 1)
  })

  it('reaches 4.5:1 on every palette colour, also those too light for white text', () => {
    for (const color of [...PALETTE, '#868e96']) {
      expect(contrastRatio(color, readableTextOn(color)), color).toBeGreaterThanOrEqual(4.5)
    }
    expect(readableTextOn('#e67700')).toBe(DARK_TEXT)
    expect(readableTextOn('#1971c2')).toBe(LIGHT_TEXT)
  })

  it('reaches 4.5:1 on any colour another browser may send', () => {
    for (let value = 0; value < 0x1000000; value += 0x010307) {
      const color = `#${value.toString(16).padStart(6, '0')}`
      expect(contrastRatio(color, readableTextOn(color)), color).toBeGreaterThanOrEqual(4.5)
    }
  })
})
