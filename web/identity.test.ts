import { describe, expect, it } from 'vitest'
import { IDENTITY_KEY, PALETTE, cleanName, generateIdentity, initials, loadIdentity, saveIdentity } from './identity'
import { memoryStorage } from './memoryStorage'

function sequence(...values: number[]): () => number {
  let index = 0
  return () => values[index++ % values.length] ?? 0
}

describe('identity', () => {
  it('generates a two-word name and a palette colour', () => {
    const identity = generateIdentity(sequence(0.5))
    expect(identity.name).toMatch(/^[A-Z][a-z]+ [A-Z][a-z]+$/)
    expect(PALETTE).toContain(identity.color)
    expect(identity.id).toMatch(/^[0-9a-f]{16}$/)
  })

  it('is generated once and then remembered', () => {
    const storage = memoryStorage()
    const first = loadIdentity(storage, sequence(0.1, 0.7, 0.3))
    const second = loadIdentity(storage, sequence(0.9))
    expect(second).toEqual(first)
  })

  it('keeps an edited name', () => {
    const storage = memoryStorage()
    const identity = loadIdentity(storage)
    saveIdentity(storage, { ...identity, name: 'Ada' })
    expect(loadIdentity(storage).name).toBe('Ada')
  })

  it('replaces a stored identity that is damaged or hostile', () => {
    const storage = memoryStorage()
    storage.setItem(IDENTITY_KEY, JSON.stringify({ id: 'x', name: 'Eve', color: 'red;background:url(x)' }))
    const identity = loadIdentity(storage, sequence(0.2))
    expect(identity.name).not.toBe('Eve')
    storage.setItem(IDENTITY_KEY, '{not json')
    expect(loadIdentity(storage).color).toMatch(/^#[0-9a-f]{6}$/i)
  })

  it('cleans typed names', () => {
    expect(cleanName('  Ada   Lovelace ')).toBe('Ada Lovelace')
    expect(cleanName('   ')).toBeNull()
    expect(cleanName('x'.repeat(100))).toHaveLength(40)
  })

  it('derives initials', () => {
    expect(initials('Curious Otter')).toBe('CO')
    expect(initials('ada')).toBe('A')
    expect(initials('Jean Paul Sartre')).toBe('JS')
  })
})
