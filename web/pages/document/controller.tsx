/**
 * `/d/:id`: the editor page, and the one owner of its lifecycle (also of `/s/:shareId`, a view
 * link's page: the same document read-only, reached through the link's id alone — the page
 * never learns the document's id, which on an open server is the key to edit it):
 *
 *   opening ──(session ready)──► editing ──(session ended: too large, broken)──► ended
 *      │                            │                                             │
 *      └──(ended: deleted, denied)──┴───────────► message page ◄──────────────────┘ dispose
 *                                                      │
 *                      (deleted while shown: restored from the trash) ──► the document page again
 *
 * The session (web/sync/session.ts) says when the content is ready and when it has ended; this
 * controller opens the editor (web/editor/host.ts) once, reacts to the ending, renders the view
 * (view.tsx) from its state, and on dispose closes everything it opened, in order. It also
 * tells screen readers what changed (ui/announcements.ts) and owns the page's own shortcuts
 * (Ctrl+/ for the shortcuts dialog, Ctrl+S or ⌘S for "All changes saved" instead of the
 * browser's "Save page").
 */
import { createRef, render } from 'preact'
import type { ExportFormat } from '../../../protocol/api'
import { ApiError, type ApiClient, call, createApi, createShareApi, uploadFile } from '../../api'
import { describeCounts } from '../../editor/counts'
import { EditorHost } from '../../editor/host'
import type { UploadFailure } from '../../editor/imageUpload'
import { browserNetwork } from '../../sync/network'
import type { Identity } from '../../identity'
import type { Ending } from '../../sync/closeReasons'
import { sharedCopyName } from '../../sync/deviceCopy'
import { type DocumentChecker, restDocumentChecker, shareDocumentChecker } from '../../sync/documentCheck'
import { presenceUsers } from '../../sync/presence'
import { DocumentSession, type SessionOptions, type SessionState } from '../../sync/session'
import { type VersionsClient, createVersionsApi } from '../../versionsApi'
import { announce, announcer } from '../../ui/announce'
import { ConnectionAnnouncer, PresenceAnnouncer } from '../../ui/announcements'
import { downloadDocument } from '../../ui/downloadMenu'
import { openShareDialog } from '../../ui/share'
import { HistoryPanel } from '../../ui/historyPanel'
import { SHORTCUTS, isSaveShortcut, matchesKeys } from '../../ui/shortcuts'
import { describeSave } from '../../ui/status'
import { toggleShortcutsDialog } from '../../ui/shortcutsDialog'
import { type TitleEditor, createTitleEditor } from '../../ui/title'
import { documentPath, navigate } from '../../router'
import { toast } from '../../ui/toast'
import { DELETED, messagePage } from '../message'
import type { AppContext, Page } from '../page'
import { type Banner, outcomeOf } from './endings'
import { DocumentView } from './view'
import { listenToWindow } from './windowListeners'

type Phase = 'opening' | 'editing' | 'ended' | 'disposed'

const OPENING = 'Opening document…'
const OFFLINE_FIRST_VISIT =
  'You are offline, and this document has not been opened on this device before. It will open once the connection returns.'
const UNREACHABLE_FIRST_VISIT =
  'Can’t reach the server, and this document has not been opened on this device before. It will open once the server answers.'

function socketBase(): string {
  return `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}/ws`
}

/** How often a page whose open document was deleted asks whether it was restored from the trash. */
export const RESTORE_CHECK_MS = 3000

export const RESTORED_MESSAGE = 'This document was restored from the trash. It is open again.'

/** What the page opens; tests give the session a fake server, device copy and network. */
export interface DocumentPageDeps {
  openSession(options: SessionOptions): DocumentSession
  /** Asks whether the document is there (REST); tests script it. */
  check?: DocumentChecker
  restoreCheckMs?: number
}

const browserDeps: DocumentPageDeps = { openSession: (options) => new DocumentSession(options) }

/** A document by its id, or a view link by its share id (the document's id stays unknown here). */
export type PageTarget = { kind: 'document'; docId: string } | { kind: 'shared'; shareId: string }

export function documentPage(
  root: HTMLElement,
  app: AppContext,
  docId: string,
  deps: DocumentPageDeps = browserDeps,
): Page {
  return new DocumentController(root, app, { kind: 'document', docId }, deps)
}

/** `/s/:shareId`: the document of a view link, read-only and live. */
export function sharedPage(
  root: HTMLElement,
  app: AppContext,
  shareId: string,
  deps: DocumentPageDeps = browserDeps,
): Page {
  return new DocumentController(root, app, { kind: 'shared', shareId }, deps)
}

export class DocumentController implements Page {
  readonly #root: HTMLElement
  readonly #app: AppContext
  /** Null on a share link's page. */
  readonly #docId: string | null
  readonly #readOnly: boolean
  /** The document API with this page's token; null on a share link's page, which may not use it. */
  readonly #api: ApiClient | null
  /** No token: the server is open (a server with AUTH_SECRET would have refused this page). */
  readonly #openServer: boolean
  /** Null on a share link's page (no history there). */
  readonly #versionsApi: VersionsClient | null
  readonly #canDeleteVersions: boolean
  readonly #token: string | null
  readonly #check: DocumentChecker
  readonly #restoreCheckMs: number
  #stopRestoreWatch: (() => void) | null = null
  readonly #session: DocumentSession
  readonly #title: TitleEditor
  readonly #editorElement = createRef<HTMLDivElement>()
  readonly #sheet = createRef<HTMLElement>()
  readonly #connectionNews = new ConnectionAnnouncer(announce)
  readonly #presenceNews = new PresenceAnnouncer(announce)
  readonly #cleanups: Array<() => void> = []
  #phase: Phase = 'opening'
  #host: EditorHost | null = null
  #loading: string | null = OPENING
  #toolbarShown = false
  #banner: Banner | null = null
  #counts = describeCounts({ words: 0, characters: 0 })
  #shownTitle: string | null = null
  #wasConnected = false
  #historyOpen = false
  /** A render waiting for the next animation frame ({@link #renderSoon}). */
  #renderFrame: number | null = null

  constructor(root: HTMLElement, app: AppContext, target: PageTarget, deps: DocumentPageDeps = browserDeps) {
    this.#root = root
    this.#app = app
    this.#restoreCheckMs = deps.restoreCheckMs ?? RESTORE_CHECK_MS
    if (target.kind === 'document') {
      const { docId } = target
      const access = app.access.documentAccess(docId, new URL(location.href))
      this.#docId = docId
      this.#readOnly = access.readOnly
      this.#api = createApi(access.token)
      this.#openServer = access.token === null
      this.#versionsApi = createVersionsApi(access.token)
      this.#canDeleteVersions = access.role === 'admin'
      this.#token = access.token
      this.#check = deps.check ?? restDocumentChecker(this.#api, docId)
      this.#session = deps.openSession({
        docId,
        token: access.token,
        identity: app.identity,
        wsBase: socketBase(),
        check: this.#check,
      })
    } else {
      // Everything this page asks for is addressed by the share id: the socket's room
      // (`/ws/s/:shareId`), the REST check, and the device copy's name.
      const { shareId } = target
      this.#docId = null
      this.#readOnly = true
      this.#api = null
      this.#openServer = false
      this.#versionsApi = null
      this.#canDeleteVersions = false
      this.#token = null
      this.#check = shareDocumentChecker(createShareApi(), shareId)
      this.#session = deps.openSession({
        docId: shareId,
        deviceCopyName: sharedCopyName(shareId),
        token: null,
        identity: app.identity,
        wsBase: `${socketBase()}/s`,
        check: this.#check,
      })
    }
    const api = this.#api
    const docId = this.#docId
    this.#title = createTitleEditor({
      // keepalive: a rename typed just before leaving the page still arrives.
      save: async (title) => {
        if (api === null || docId === null) throw new Error('this page is view only')
        await call(api.api.docs[':id'].$patch({ param: { id: docId }, json: { title } }, { init: { keepalive: true } }))
      },
      onEnter: () => this.#host?.focusStart(),
      onSaveFailed: (error) => {
        const offline = error instanceof ApiError && error.unreachable
        toast(
          offline
            ? 'Offline: the new title will be saved when you reconnect.'
            : `Could not rename: ${error instanceof Error ? error.message : String(error)}`,
          { kind: offline ? 'info' : 'error' },
        )
      },
    })
    this.#title.setReadOnly(this.#readOnly)

    root.replaceChildren()
    // The live region exists before anything is said in it: screen readers may miss a message
    // that arrives together with its region.
    announcer()
    document.title = 'tandem'
    this.#render()
    this.#cleanups.push(
      this.#session.subscribe((state) => this.#onState(state)),
      listenToWindow({
        beforeUnload: () => {
          this.#title.flush()
          const { state } = this.#session
          // A rename in flight is sent with keepalive; it is at risk only without a connection.
          const titleAtRisk = this.#title.pending && state.connection !== 'connected'
          return (state.pending || titleAtRisk) && state.ending === null
        },
        pageHide: () => {
          this.#title.flush()
          this.#session.hidePresence()
        },
        identityChanged: (identity) => this.#changeIdentity(identity),
      }),
      this.#watchPresence(),
      this.#listenToKeys(),
      () => {
        this.#connectionNews.dispose()
        this.#presenceNews.dispose()
      },
    )
    this.#onState(this.#session.state)
  }

  dispose(): void {
    this.#stopRestoreWatch?.()
    this.#stopRestoreWatch = null
    if (this.#phase === 'disposed') return
    this.#phase = 'disposed'
    if (this.#renderFrame !== null) cancelAnimationFrame(this.#renderFrame)
    this.#renderFrame = null
    this.#title.flush()
    for (const cleanup of this.#cleanups.splice(0)) cleanup()
    this.#host?.destroy()
    this.#host = null
    render(null, this.#root)
    void this.#session.leave()
  }

  #onState(state: SessionState): void {
    if (this.#phase === 'disposed') return
    if (state.title !== null && state.title !== this.#shownTitle) {
      this.#shownTitle = state.title
      this.#title.showSaved(state.title)
    }
    if (this.#phase === 'opening' && state.ready && state.ending === null) this.#openEditor()
    if (
      state.ending !== null &&
      (this.#phase === 'opening' || this.#phase === 'editing') &&
      this.#end(state.ending) === 'left'
    )
      return
    const connected = state.connection === 'connected'
    if (state.ending === null) this.#connectionNews.update(state)
    this.#presenceNews.setConnected(connected && state.ending === null)
    if (connected && !this.#wasConnected) this.#title.retry()
    this.#wasConnected = connected
    if (this.#phase === 'opening' && !state.ready) {
      if (state.connection === 'offline') this.#loading = OFFLINE_FIRST_VISIT
      else if (state.connection === 'unreachable') this.#loading = UNREACHABLE_FIRST_VISIT
    }
    this.#renderSoon()
  }

  #openEditor(): void {
    this.#phase = 'editing'
    this.#loading = null
    this.#render()
    const element = this.#editorElement.current
    if (element === null) throw new Error('the editor host was not rendered')
    this.#host = new EditorHost(element, {
      doc: this.#session.doc,
      provider: this.#session.provider,
      identity: this.#app.identity,
      readOnly: this.#readOnly,
      images:
        this.#docId === null
          ? undefined
          : {
              upload: (file) =>
                uploadFile(this.#token, this.#docId as string, file).catch((error: unknown) =>
                  Promise.reject(uploadFailure(error)),
                ),
              network: browserNetwork,
            },
      onCounts: (counts) => {
        this.#counts = describeCounts(counts)
        this.#renderSoon()
      },
    })
    this.#toolbarShown = this.#host.toolbar !== null
    if (history.state?.created === true && !this.#readOnly) {
      // Just created from the list: name it first, like a new file. Only once, not on reload.
      history.replaceState(null, '', location.href)
      this.#title.focus(true)
    }
  }

  /** 'left': the page gave way to a message page. */
  #end(ending: Ending): 'left' | 'stayed' {
    const outcome = outcomeOf(ending, this.#host !== null)
    if (outcome.kind === 'message') {
      this.dispose()
      // Deleted by someone else, access taken away, or never there: the page changes under the
      // reader, so the message is said, not only shown.
      messagePage(this.#root, outcome.message, { announce: true })
      if (outcome.message === DELETED) {
        this.#watchForRestore()
      }
      return 'left'
    }
    this.#phase = 'ended'
    this.#host?.freeze()
    this.#toolbarShown = false
    this.#banner = outcome.banner
    return 'stayed'
  }

  /**
   * A deleted document is in the trash and may come back: ask now and then, and when it is
   * there again, say so and open it again (a new page, a new session).
   */
  #watchForRestore(): void {
    let asking = false
    let stopped = false
    const timer = setInterval(() => {
      if (asking || stopped) return
      asking = true
      void this.#check().then((answer) => {
        asking = false
        if (stopped || answer.kind !== 'found') return
        this.#stopRestoreWatch?.()
        announce(RESTORED_MESSAGE)
        if (this.#docId !== null) navigate(documentPath(this.#docId), { replace: true })
      })
    }, this.#restoreCheckMs)
    this.#stopRestoreWatch = () => {
      stopped = true
      clearInterval(timer)
    }
  }

  #changeIdentity(identity: Identity): void {
    this.#app.identity = identity
    this.#session.setIdentity(identity)
    this.#host?.setIdentity(identity)
    this.#render()
  }

  #watchPresence(): () => void {
    const { awareness } = this.#session.provider
    const update = (): void => this.#presenceNews.people(presenceUsers(awareness.getStates(), awareness.clientID))
    update()
    awareness.on('change', update)
    return () => awareness.off('change', update)
  }

  #listenToKeys(): () => void {
    const onKeyDown = (event: KeyboardEvent): void => {
      if (isSaveShortcut(event)) {
        // Everything is saved as it is typed: say so, rather than the browser's "Save page".
        event.preventDefault()
        toast(describeSave(this.#session.state, this.#readOnly))
        return
      }
      if (!SHORTCUTS.shortcuts.keys.some((keys) => matchesKeys(event, keys))) return
      event.preventDefault()
      toggleShortcutsDialog()
    }
    document.addEventListener('keydown', onKeyDown)
    return () => document.removeEventListener('keydown', onKeyDown)
  }

  /** "Skip to document": into the text where editing left off, or onto the sheet when it cannot be edited. */
  #skipToDocument(): void {
    const editor = this.#host?.editor
    if (editor?.isEditable) editor.commands.focus()
    else this.#sheet.current?.focus()
  }

  /** Saves the document as a file; the browser shows the download, a failure is told. */
  async #download(format: ExportFormat): Promise<void> {
    if (this.#api === null || this.#docId === null) return
    try {
      const name = await downloadDocument(this.#api, this.#docId, format)
      announce(`Downloaded ${name}`)
    } catch (error) {
      const offline = error instanceof ApiError && error.unreachable
      toast(
        offline
          ? 'The server cannot be reached: download again once the connection returns.'
          : `Could not download: ${error instanceof Error ? error.message : String(error)}`,
        { kind: 'error' },
      )
    }
  }

  #goToCaret(name: string): void {
    if (this.#host?.goToCaret(name) !== true) toast(`${name} is not in the text right now.`)
  }

  #toggleHistory(open = !this.#historyOpen): void {
    this.#historyOpen = open
    this.#render()
  }

  #share(api: ApiClient, docId: string): () => void {
    return () => openShareDialog({ api, docId, canEdit: !this.#readOnly, openServer: this.#openServer })
  }

  /**
   * Renders in the next animation frame, once however often it is asked before: each render
   * diffs the whole page, and the session's state and the counts change often (three times per
   * keystroke: pending, kept on this device, confirmed; reconnects; others' edits). Changes
   * within one frame are drawn once, as the last of them. A hidden tab draws when shown again.
   */
  #renderSoon(): void {
    if (this.#renderFrame !== null || this.#phase === 'disposed') return
    this.#renderFrame = requestAnimationFrame(() => {
      this.#renderFrame = null
      this.#render()
    })
  }

  #render(): void {
    if (this.#phase === 'disposed') return
    if (this.#renderFrame !== null) cancelAnimationFrame(this.#renderFrame)
    this.#renderFrame = null
    const panel =
      this.#historyOpen && this.#docId !== null && this.#versionsApi !== null ? (
        <div id="history-panel" class="doc-panel">
          <HistoryPanel
            docId={this.#docId}
            api={this.#versionsApi}
            canEdit={!this.#readOnly}
            canDelete={this.#canDeleteVersions}
            current={() => this.#host?.editor?.getJSON() ?? null}
            onClose={() => this.#toggleHistory(false)}
          />
        </div>
      ) : null
    render(
      <DocumentView
        docId={this.#docId}
        state={this.#session.state}
        awareness={this.#session.provider.awareness}
        identity={this.#app.identity}
        storage={this.#app.storage}
        readOnly={this.#readOnly}
        title={this.#title}
        loading={this.#loading}
        toolbar={this.#toolbarShown ? (this.#host?.toolbar?.element ?? null) : null}
        banner={this.#banner}
        counts={this.#counts}
        editorHost={this.#editorElement}
        sheet={this.#sheet}
        onSkipToDocument={() => this.#skipToDocument()}
        historyOpen={this.#historyOpen}
        onToggleHistory={this.#docId === null ? null : () => this.#toggleHistory()}
        panel={panel}
        onShowShortcuts={() => toggleShortcutsDialog()}
        onShare={this.#api === null || this.#docId === null ? null : this.#share(this.#api, this.#docId)}
        onDownload={this.#docId === null ? null : (format) => void this.#download(format)}
        onPrint={() => window.print()}
        onSelectPerson={(user) => this.#goToCaret(user.name)}
        onIdentityChange={(identity) => this.#changeIdentity(identity)}
      />,
      this.#root,
    )
  }
}

/** An upload's failure for the editor: tried again when the server could not be reached or is overloaded. */
function uploadFailure(error: unknown): UploadFailure {
  if (!(error instanceof ApiError)) {
    return { code: 'internal', message: error instanceof Error ? error.message : String(error), retry: false }
  }
  return {
    code: error.code,
    message: error.message,
    retry: error.unreachable || [502, 503, 504].includes(error.status),
  }
}
