import { describe, expect, it } from 'vitest'
import { STAMP_LENGTH, scanStamps, stampText } from './stamp'

function scan(bytes: Buffer): Array<[number, number]> {
  const found: Array<[number, number]> = []
  scanStamps(bytes, (sentAt, sender) => found.push([sentAt, sender]))
  return found
}

describe('stamps', () => {
  it('round-trip a send time to the microsecond and the sender', () => {
    const text = stampText(42, 1_700_000_000_123.456)
    expect(text).toHaveLength(STAMP_LENGTH)
    expect(scan(Buffer.from(`\u0000\u0007${text}\u0001`))).toEqual([[1_700_000_000_123.456, 42]])
  })

  it('finds every stamp of a batched frame and skips marks not followed by digits', () => {
    const frame = Buffer.concat([
      Buffer.from([0, 2, 0x40, 0x40, 7]),
      Buffer.from(stampText(1, 1000)),
      Buffer.from('@@12x'),
      Buffer.from(stampText(2, 2000)),
    ])
    expect(scan(frame)).toEqual([
      [1000, 1],
      [2000, 2],
    ])
  })

  it('ignores a stamp cut off at the end of the frame', () => {
    expect(scan(Buffer.from(stampText(3, 5000).slice(0, -1)))).toEqual([])
  })
})
