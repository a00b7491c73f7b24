/** The editor page's top bar: home, connection, people, "View only", shortcuts, History, Share and you. */
import type { Awareness } from 'y-protocols/awareness'
import type { ExportFormat } from '../../../protocol/api'
import type { Identity } from '../../identity'
import type { PresenceUser } from '../../sync/presence'
import type { SessionState } from '../../sync/session'
import { DownloadMenu } from '../../ui/downloadMenu'
import { IdentityEditor } from '../../ui/identity'
import { PresenceList } from '../../ui/presence'
import { SHORTCUTS, ariaKeyShortcuts, withShortcut } from '../../ui/shortcuts'
import { StatusIndicator } from '../../ui/status'

export interface DocumentHeaderProps {
  state: SessionState
  awareness: Awareness
  identity: Identity
  storage: Storage
  readOnly: boolean
  /** Whether the History panel is open, and what toggles it (null: no history here, a share link's page). */
  historyOpen: boolean
  onToggleHistory: (() => void) | null
  /** Null where nothing may be shared (a share link's page): no Share button. */
  onShare: (() => void) | null
  /** Null on a share link's page, which may not address the document: no Download menu. */
  onDownload: ((format: ExportFormat) => void) | null
  onPrint(): void
  onShowShortcuts(): void
  onSelectPerson(user: PresenceUser): void
  onIdentityChange(identity: Identity): void
}

export function DocumentHeader(props: DocumentHeaderProps) {
  return (
    <header class="topbar">
      {props.onShare === null ? (
        // A share link's page offers no way into the rest of the server.
        <span class="brand" data-testid="brand">
          <span class="brand-mark" aria-hidden="true" />
          <span class="brand-name">tandem</span>
        </span>
      ) : (
        <a class="brand" href="/" data-link data-testid="home-link" aria-label="tandem: all documents">
          <span class="brand-mark" aria-hidden="true" />
          <span class="brand-name">tandem</span>
        </a>
      )}
      <StatusIndicator state={props.state} />
      <div class="topbar-spacer" />
      <PresenceList awareness={props.awareness} onSelect={props.onSelectPerson} />
      <span
        class="badge"
        data-testid="view-only"
        hidden={!props.readOnly}
        title="You can read this document but not change it"
      >
        View only
      </span>
      {props.onToggleHistory !== null && (
        <button
          type="button"
          class="button"
          data-testid="history-button"
          aria-expanded={props.historyOpen}
          aria-controls={props.historyOpen ? 'history-panel' : undefined}
          onClick={props.onToggleHistory}
        >
          History
        </button>
      )}
      {/* Before the shortcuts button: Shift+Tab from Share reaches that one first. */}
      {props.onDownload !== null && <DownloadMenu onDownload={props.onDownload} onPrint={props.onPrint} />}
      <button
        type="button"
        class="button button-icon"
        data-testid="shortcuts-button"
        aria-label="Keyboard shortcuts"
        aria-haspopup="dialog"
        aria-keyshortcuts={ariaKeyShortcuts(SHORTCUTS.shortcuts)}
        title={withShortcut('Keyboard shortcuts', SHORTCUTS.shortcuts)}
        onClick={props.onShowShortcuts}
      >
        <svg class="icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
          <path d="M3 6h18v12H3z" />
          <path d="M7 10h.01M11 10h.01M15 10h.01M7 14h10" />
        </svg>
      </button>
      {props.onShare !== null && (
        <button type="button" class="button" data-testid="share-button" aria-haspopup="dialog" onClick={props.onShare}>
          Share
        </button>
      )}
      <IdentityEditor identity={props.identity} storage={props.storage} onChange={props.onIdentityChange} />
    </header>
  )
}
