import { describe, expect, it } from 'vitest'
import type { SessionState } from '../sync/session'
import { describeSave, describeStatus } from './status'

const state = (overrides: Partial<SessionState>): SessionState => ({
  connection: 'connected',
  pending: false,
  savedOnDevice: true,
  lastSyncedAt: null,
  ready: true,
  ending: null,
  title: 'Doc',
  ...overrides,
})

describe('describeSave (Ctrl+S)', () => {
  it('says "All changes saved" only when the server has everything', () => {
    expect(describeSave(state({}), false)).toBe('All changes saved.')
    expect(describeSave(state({ connection: 'offline' }), false)).toBe('All changes saved.')
    expect(describeSave(state({ pending: true }), false)).toBe('Saving…')
    expect(describeSave(state({ connection: 'offline', pending: true, savedOnDevice: false }), false)).toBe(
      'Saving on this device…',
    )
    expect(describeSave(state({ connection: 'offline', pending: true }), false)).toMatch(
      /^Not synced yet: you are offline/,
    )
    expect(describeSave(state({ connection: 'unreachable', pending: true }), false)).toMatch(
      /^Not synced yet: the server can’t be reached/,
    )
    expect(describeSave(state({}), true)).toMatch(/view only/)
  })
})

describe('describeStatus', () => {
  it('says "Offline" only for the browser, and that the server cannot be reached otherwise', () => {
    expect(describeStatus(state({ connection: 'offline' }))).toMatch(/^Offline:/)
    expect(describeStatus(state({ connection: 'unreachable' }))).toMatch(/^Can’t reach the server — retrying\./)
    expect(describeStatus(state({ connection: 'unreachable' }))).not.toMatch(/offline/i)
  })
})
