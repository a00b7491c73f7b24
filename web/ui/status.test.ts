// @vitest-environment happy-dom
import { h, render } from 'preact'
import { act } from 'preact/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { SessionState } from '../sync/session'
import { SAVING_SHOWN_MS, StatusIndicator, describeSave, describeStatus } from './status'

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

describe('the status indicator', () => {
  afterEach(() => {
    vi.useRealTimers()
    document.body.replaceChildren()
  })

  it('keeps "Saving…" up while you type, and says "All changes saved" once saved for a moment', () => {
    vi.useFakeTimers()
    const container = document.createElement('div')
    document.body.append(container)
    const show = (overrides: Partial<SessionState>) =>
      act(() => render(h(StatusIndicator, { state: state(overrides) }), container))
    const status = () => container.querySelector('[data-testid=connection-status]') as HTMLElement
    const detail = () => status().querySelector('.status-detail')?.textContent
    show({})
    expect(detail()).toBe('All changes saved')
    const written: string[] = []
    const note = (records: MutationRecord[]) => {
      for (const record of records) written.push(record.oldValue ?? '')
    }
    const observer = new MutationObserver(note)
    observer.observe(container, { subtree: true, characterData: true, characterDataOldValue: true })
    // Ten keystrokes, each saved 50 ms later: one "Saving…" for all of them.
    for (let key = 0; key < 10; key++) {
      show({ pending: true })
      expect(status().dataset.pending).toBe('true')
      act(() => {
        vi.advanceTimersByTime(50)
      })
      show({ pending: false })
      // The hooks for tests and the tooltip say what is true at once.
      expect(status().dataset.pending).toBe('false')
      expect(status().title).toMatch(/All changes saved/)
      expect(detail()).toBe('Saving…')
      act(() => {
        vi.advanceTimersByTime(50)
      })
    }
    act(() => {
      vi.advanceTimersByTime(SAVING_SHOWN_MS)
    })
    expect(detail()).toBe('All changes saved')
    note(observer.takeRecords())
    observer.disconnect()
    // Two changes of the text in all (what each replaced): to "Saving…", and back.
    expect(written).toEqual(['All changes saved', 'Saving…'])
    // Not connected, nothing is held: what is kept on the device is said as it is.
    show({ pending: true, connection: 'offline' })
    expect(detail()).toBe('Changes kept on this device')
  })
})
