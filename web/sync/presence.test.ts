import { describe, expect, it } from 'vitest'
import { presenceUsers } from './presence'

const user = (id: string, name: string, color = '#1971c2') => ({ user: { id, name, color } })

describe('presenceUsers', () => {
  it('lists everyone once, yourself first, then by name', () => {
    const states = new Map<number, unknown>([
      [3, user('c', 'Zed')],
      [1, user('a', 'Me')],
      [2, user('b', 'Ann')],
    ])
    expect(presenceUsers(states, 1).map((u) => [u.name, u.self])).toEqual([
      ['Me', true],
      ['Ann', false],
      ['Zed', false],
    ])
  })

  it('shows one person with two tabs once', () => {
    const states = new Map<number, unknown>([
      [1, user('a', 'Me')],
      [2, user('b', 'Ann')],
      [5, user('b', 'Ann')],
    ])
    const users = presenceUsers(states, 1)
    expect(users).toHaveLength(2)
    expect(users[1]?.clientIds).toEqual([2, 5])
  })

  it('skips states without a user and neutralises hostile values', () => {
    const states = new Map<number, unknown>([
      [1, {}],
      [2, null],
      [3, { user: { name: 'x'.repeat(500), color: 'red; background: url(evil)' } }],
      [4, { user: { name: 42 } }],
    ])
    const users = presenceUsers(states, 9)
    expect(users).toHaveLength(2)
    expect(users.every((u) => /^#[0-9a-f]{6}$/i.test(u.color))).toBe(true)
    expect(users.map((u) => u.name.length).sort()).toEqual([40, 9])
  })
})
