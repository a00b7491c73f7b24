import { describe, expect, it } from 'vitest'
import { LruMap } from './lru'

describe('LruMap', () => {
  it('never holds more than its capacity, forgetting the least recently used entry', () => {
    const map = new LruMap<string, number>(3)
    for (let index = 0; index < 1000; index++) {
      map.set(`doc${index}`, index)
      expect(map.size).toBeLessThanOrEqual(3)
    }
    expect([map.get('doc996'), map.get('doc997'), map.get('doc998'), map.get('doc999')]).toEqual([
      undefined,
      997,
      998,
      999,
    ])
  })

  it('counts a write as a use, and a read not', () => {
    const map = new LruMap<string, number>(2)
    map.set('a', 1)
    map.set('b', 2)
    expect(map.get('a')).toBe(1)
    map.set('c', 3)
    expect([map.get('a'), map.get('b'), map.get('c')]).toEqual([undefined, 2, 3])
    map.set('b', 20)
    map.set('d', 4)
    expect([map.get('b'), map.get('c'), map.get('d')]).toEqual([20, undefined, 4])
  })

  it('deletes, and refuses a capacity below one', () => {
    const map = new LruMap<string, number>(2)
    map.set('a', 1)
    map.delete('a')
    expect(map.get('a')).toBeUndefined()
    expect(map.size).toBe(0)
    expect(() => new LruMap(0)).toThrow(RangeError)
  })
})
