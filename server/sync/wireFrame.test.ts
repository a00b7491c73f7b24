import { describe, expect, it } from 'vitest'
import { binaryFrame } from './wireFrame'

describe('binaryFrame', () => {
  it('uses the shortest length encoding of each payload (RFC 6455 §5.2)', () => {
    expect([...binaryFrame(new Uint8Array([7])).subarray(0, 3)]).toEqual([0x82, 1, 7])
    expect([...binaryFrame(new Uint8Array(126)).subarray(0, 4)]).toEqual([0x82, 126, 0, 126])
    expect([...binaryFrame(new Uint8Array(65_536)).subarray(0, 10)]).toEqual([0x82, 127, 0, 0, 0, 0, 0, 1, 0, 0])
  })

  it('builds each frame once however often it is sent', () => {
    const payload = new Uint8Array([1, 2, 3])
    expect(binaryFrame(payload)).toBe(binaryFrame(payload))
  })
})
