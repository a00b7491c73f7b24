/**
 * The connection indicator: always visible, says whether edits are reaching others, and when
 * the document was last in sync with the server. `data-state` is a stable hook for tests. The
 * state is always written out ("Connected"), not shown by the dot's colour alone. Screen readers
 * hear connection changes through the page's announcer (`announcements.ts`, run by the page's
 * controller), not every "Saving…" while people type.
 *
 * While you type, "Saving…" stays up until your changes have been saved for a moment
 * ({@link SAVING_SHOWN_MS}), instead of flipping to "All changes saved" and back with each
 * keystroke's confirmation: less flicker, and each flip was a style recalculation, layout and
 * paint on a frame of its own (bench/typing.ts, docs/benchmarks.md "Seventh round"). It never
 * says "saved" early; the data attributes and the tooltip follow the state at once.
 */
import { useEffect, useReducer, useState } from 'preact/hooks'
import type { SessionState } from '../sync/session'
import { clockTime, relativeTime } from '../time'

/** "Offline" is the browser's word (no network); a server that does not answer is said as such. */
const LABELS = {
  connected: 'Connected',
  connecting: 'Connecting…',
  unreachable: 'Can’t reach the server',
  offline: 'Offline',
  stopped: 'Not syncing',
} as const

function detail(state: SessionState): string {
  if (state.connection === 'connected') return state.pending ? 'Saving…' : 'All changes saved'
  if (state.pending) return state.savedOnDevice ? 'Changes kept on this device' : 'Saving on this device…'
  switch (state.connection) {
    case 'offline':
      return 'Edits will sync when back online'
    case 'unreachable':
      return 'Retrying…'
    case 'stopped':
      return 'All changes saved'
    default:
      return 'Reconnecting…'
  }
}

export function describeStatus(state: SessionState): string {
  const syncedAt = state.lastSyncedAt === null ? '' : ` Last synced at ${clockTime(state.lastSyncedAt)}.`
  switch (state.connection) {
    case 'offline':
      return `Offline: your edits are kept on this device and merged when the connection returns.${syncedAt}`
    case 'unreachable':
      return `Can’t reach the server — retrying. Your edits are kept on this device.${syncedAt}`
    default:
      return `${LABELS[state.connection]}: ${detail(state)}.${syncedAt}`
  }
}

/**
 * What Ctrl+S (⌘S) says instead of the browser's "Save page": whether everything is saved,
 * truthfully — on the server, on this device only, or still being written.
 */
export function describeSave(state: SessionState, readOnly: boolean): string {
  if (readOnly) return 'This document is view only: there is nothing to save.'
  if (!state.pending) return 'All changes saved.'
  if (state.connection === 'connected') return 'Saving…'
  if (!state.savedOnDevice) return 'Saving on this device…'
  const why = state.connection === 'offline' ? 'you are offline' : 'the server can’t be reached'
  return `Not synced yet: ${why}. Your changes are kept on this device and sync when the connection returns.`
}

/** How long "Saving…" stays shown after the last change was saved. */
export const SAVING_SHOWN_MS = 1000

/** Whether to show "Saving…": while `saving`, and for {@link SAVING_SHOWN_MS} after. */
function useSavingShown(saving: boolean): boolean {
  const [lingering, setLingering] = useState(false)
  useEffect(() => {
    if (saving) {
      setLingering(true)
      return
    }
    const timer = setTimeout(() => setLingering(false), SAVING_SHOWN_MS)
    return () => clearTimeout(timer)
  }, [saving])
  return saving || lingering
}

export function StatusIndicator(props: { state: SessionState }) {
  const { state } = props
  const connected = state.connection === 'connected'
  const savingShown = useSavingShown(connected && state.pending)
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
        <span class="status-detail">{detail(connected && savingShown ? { ...state, pending: true } : state)}</span>
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
