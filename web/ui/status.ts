/**
 * The connection indicator: always visible, says whether edits are reaching others, and when
 * the document was last in sync with the server. `data-state` is a stable hook for tests.
 * Screen readers hear connection changes only, not every "Saving…" while people type.
 */
import { h } from '../dom'
import type { SessionState } from '../sync/session'
import { clockTime, relativeTime } from '../time'

const LABELS = { connected: 'Connected', connecting: 'Connecting…', offline: 'Offline' } as const

function detail(state: SessionState): string {
  if (state.connection === 'connected') return state.pending ? 'Saving…' : 'All changes saved'
  if (state.pending) return state.savedOnDevice ? 'Changes kept on this device' : 'Saving on this device…'
  return state.connection === 'offline' ? 'Edits will sync when back online' : 'Reconnecting…'
}

function setText(element: HTMLElement, text: string): void {
  if (element.textContent !== text) element.textContent = text
}

export interface StatusIndicator {
  element: HTMLElement
  update(state: SessionState): void
  destroy(): void
}

export function createStatusIndicator(): StatusIndicator {
  const label = h('span', { class: 'status-label' })
  const saved = h('span', { class: 'status-detail' })
  const synced = h('span', { class: 'status-synced', 'data-testid': 'last-synced' })
  const announcer = h('span', { class: 'visually-hidden', 'aria-live': 'polite' })
  const element = h(
    'div',
    { class: 'status', 'data-testid': 'connection-status' },
    h('span', { class: 'status-dot', 'aria-hidden': 'true' }),
    label,
    h('span', { class: 'status-text' }, saved, synced),
    announcer,
  )
  let last: SessionState | null = null

  const renderSynced = (): void => {
    const at = last?.lastSyncedAt ?? null
    if (at === null) {
      setText(synced, 'Not synced yet')
      synced.removeAttribute('data-time')
      return
    }
    setText(synced, `Last synced ${relativeTime(at)}`)
    synced.setAttribute('data-time', at.toISOString())
    synced.title = `Last synced at ${clockTime(at)}`
  }
  const timer = setInterval(renderSynced, 15_000)

  return {
    element,
    update(state) {
      if (last !== null && last.connection !== state.connection) {
        setText(announcer, state.connection === 'offline' ? 'Offline. Your edits are kept on this device.' : LABELS[state.connection])
      }
      last = state
      element.dataset.state = state.connection
      element.dataset.pending = String(state.pending)
      element.dataset.savedOnDevice = String(state.savedOnDevice)
      setText(label, LABELS[state.connection])
      setText(saved, detail(state))
      renderSynced()
      const syncedAt = state.lastSyncedAt === null ? '' : ` Last synced at ${clockTime(state.lastSyncedAt)}.`
      element.title =
        (state.connection === 'offline'
          ? 'Offline: your edits are kept on this device and merged when the connection returns.'
          : `${LABELS[state.connection]}: ${detail(state)}.`) + syncedAt
    },
    destroy() {
      clearInterval(timer)
    },
  }
}
