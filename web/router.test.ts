import { describe, expect, it } from 'vitest'
import { documentPath, matchRoute } from './router'

describe('matchRoute', () => {
  it('knows the list and documents', () => {
    expect(matchRoute('/')).toEqual({ page: 'list' })
    expect(matchRoute('/trash')).toEqual({ page: 'trash' })
    expect(matchRoute('/d/abc_DEF-123')).toEqual({ page: 'document', id: 'abc_DEF-123' })
    expect(matchRoute('/d/abc/')).toEqual({ page: 'document', id: 'abc' })
  })

  it('knows share links by their id', () => {
    expect(matchRoute('/s/AbC_-123')).toEqual({ page: 'shared', shareId: 'AbC_-123' })
    expect(matchRoute('/s/AbC/')).toEqual({ page: 'shared', shareId: 'AbC' })
    for (const other of ['/s/', '/s/a/b', '/s/a%20b', '/s']) expect(matchRoute(other)).toEqual({ page: 'missing' })
  })

  it('sends everything else to the not-found page', () => {
    expect(matchRoute('/d/')).toEqual({ page: 'missing' })
    expect(matchRoute('/d/a/b')).toEqual({ page: 'missing' })
    expect(matchRoute('/settings')).toEqual({ page: 'missing' })
    expect(matchRoute('/d/%E0%A4%A')).toEqual({ page: 'missing' })
  })

  it('round-trips ids through paths', () => {
    expect(matchRoute(documentPath('a b'))).toEqual({ page: 'document', id: 'a b' })
  })
})
