import { describe, expect, it } from 'vitest'
import { onThisOrigin } from './share'

describe('onThisOrigin', () => {
  it('keeps the path and token, and swaps the origin for the one in use', () => {
    expect(onThisOrigin('http://127.0.0.1:8080/d/abc?token=t.k.n', 'https://docs.example.com')).toBe(
      'https://docs.example.com/d/abc?token=t.k.n',
    )
  })
})
