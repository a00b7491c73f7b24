/**
 * The connection indicator: always visible, says whether edits are reaching others, and when
 * the document was last in sync with the server. `data-state` is a stable hook for tests. The
 * state is always written out ("Connected"), not shown by the dot's colour alone. Screen readers
 * hear connection changes through the page's announcer (`announcements.ts`, run by the page's
 * controller), not every "Saving…" while people type.
 */
import { useEffect, useReducer } from 'preact/hooks'
import type { SessionState } from '../sync/session'
import { clockTime, relativeTime } from '../time'

const LABELS = { connected: 'Connected', connecting: 'Connecting…', offline: 'Offline' } as const

function detail(state: SessionState): string {
  if (state.connection === 'connected') return state.pending ? 'Saving…' : 'All changes saved'
  if (state.pending) return state.savedOnDevice ? 'Changes kept on this device' : 'Saving on this device…'
  return state.connection === 'offline' ? 'Edits will sync when back online' : 'Reconnecting…'
}

export function describeStatus(state: SessionState): string {
  const syncedAt = state.lastSyncedAt === null ? '' : ` Last synced at ${clockTime(state.lastSyncedAt)}.`
  return (
    (state.connection === 'offline'
      ? 'Offline: your edits are kept on this device and merged when the connection returns.'
      : `${LABELS[state.connection]}: ${detail(state)}.`) + syncedAt
  )
}

export function StatusIndicator(props: { state: SessionState }) {
  const { state } = props
  // "Last synced 2 minutes ago" ages without any new state.
  const [, tick] = useReducer((n: number) => n + 1, 0)
  useEffect(() => {
    const timer = setInterval(tick, 15_000)
    return () => clearInterval(timer)
  }, [])

  const at = state.lastSyncedAt
  return (
    <div
      class="status"
      data-testid="connection-status"
      data-state={state.connection}
      data-pending={String(state.pending)}
      data-saved-on-device={String(state.savedOnDevice)}
      title={describeStatus(state)}
    >
      <span class="status-dot" aria-hidden="true" />
      <span class="status-label">{LABELS[state.connection]}</span>
      <span class="status-text">
        <span class="status-detail">{detail(state)}</span>
        <span
          class="status-synced"
          data-testid="last-synced"
          data-time={at?.toISOString()}
          title={at === null ? undefined : `Last synced at ${clockTime(at)}`}
        >
          {at === null ? 'Not synced yet' : `Last synced ${relativeTime(at)}`}
        </span>
      </span>
    </div>
  )
}
