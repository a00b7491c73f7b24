import { describe, expect, it } from 'vitest'
import { clockTime, exactTime, relativeTime } from './time'

const now = new Date('2024-05-10T12:00:00Z')
const ago = (seconds: number): Date => new Date(now.getTime() - seconds * 1000)

describe('relativeTime', () => {
  it('calls the last few seconds "just now"', () => {
    expect(relativeTime(ago(0), now)).toBe('just now')
    expect(relativeTime(ago(44), now)).toBe('just now')
    expect(relativeTime(ago(-30), now)).toBe('just now')
  })

  it('counts whole minutes, hours and days', () => {
    expect(relativeTime(ago(60), now)).toBe('1 minute ago')
    expect(relativeTime(ago(3 * 60 + 59), now)).toBe('3 minutes ago')
    expect(relativeTime(ago(2 * 3600), now)).toBe('2 hours ago')
    expect(relativeTime(ago(24 * 3600), now)).toBe('yesterday')
    expect(relativeTime(ago(3 * 24 * 3600), now)).toBe('3 days ago')
    expect(relativeTime(ago(14 * 24 * 3600), now)).toBe('2 weeks ago')
    expect(relativeTime(ago(400 * 24 * 3600), now)).toBe('last year')
  })

  it('rounds 45–59 seconds up to a minute rather than "0 minutes"', () => {
    expect(relativeTime(ago(50), now)).toBe('1 minute ago')
  })
})

describe('exactTime and clockTime', () => {
  it('read as the Date methods they stand for', () => {
    for (const date of [now, ago(3600 * 13 + 61), new Date('2025-12-31T23:59:59Z')]) {
      expect(exactTime(date)).toBe(date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' }))
      expect(clockTime(date)).toBe(
        date.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' }),
      )
    }
  })
})
