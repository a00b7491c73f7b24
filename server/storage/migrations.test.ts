import { describe, expect, it } from 'vitest'
import { SchemaTooNewError, checkMigrations, namesOfLegacyVersion, pendingMigrations } from './migrations'

const list = [
  { name: '0001_a', sql: 'a' },
  { name: '0002_b', sql: 'b' },
  { name: '0003_c', sql: 'c' },
]

describe('migrations', () => {
  it('applies what is not recorded yet, in list order', () => {
    expect(pendingMigrations(list, new Set()).map((m) => m.name)).toEqual(['0001_a', '0002_b', '0003_c'])
    expect(pendingMigrations(list, new Set(['0001_a', '0003_c'])).map((m) => m.name)).toEqual(['0002_b'])
    expect(pendingMigrations(list, new Set(list.map((m) => m.name)))).toEqual([])
  })

  it('refuses a database that recorded a migration this tandem does not know', () => {
    expect(() => pendingMigrations(list, new Set(['0001_a', '0004_d']))).toThrow(SchemaTooNewError)
    expect(() => pendingMigrations(list, new Set(['0004_d']))).toThrow(/newer than this tandem/)
  })

  it('reads an older tandem’s version number as the first migrations of the list', () => {
    expect(namesOfLegacyVersion(list, 0)).toEqual([])
    expect(namesOfLegacyVersion(list, 2)).toEqual(['0001_a', '0002_b'])
    expect(() => namesOfLegacyVersion(list, 4)).toThrow(/newer than this tandem/)
  })

  it('refuses a list that names a migration twice', () => {
    expect(checkMigrations(list)).toBe(list)
    expect(() => checkMigrations([...list, { name: '0002_b', sql: 'x' }])).toThrow(/twice/)
  })
})
