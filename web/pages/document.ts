/**
 * `/d/:id`: the editor page. It composes the sync session, the editor, and the pieces around
 * them (title, status, presence, identity, share, counts) and reacts to the session ending
 * (deleted, access revoked). The editor opens only once the content is known.
 */
import { Editor } from '@tiptap/core'
import { ApiError, call, createApi } from '../api'
import { h } from '../dom'
import { countText, describeCounts } from '../editor/counts'
import { editorExtensions } from '../editor/extensions'
import { type Toolbar, createToolbar } from '../editor/toolbar'
import { IDENTITY_KEY, type Identity, parseIdentity } from '../identity'
import type { Ending } from '../sync/closeReasons'
import { restDocumentChecker } from '../sync/documentCheck'
import { DocumentSession, type SessionState } from '../sync/session'
import { createIdentityEditor } from '../ui/identity'
import { createPresenceList } from '../ui/presence'
import { openShareDialog } from '../ui/share'
import { createStatusIndicator } from '../ui/status'
import { createTitleEditor } from '../ui/title'
import { toast } from '../ui/toast'
import { DELETED, NOT_FOUND, accessDenied, messagePage } from './message'
import type { AppContext, Page } from './page'

function socketBase(): string {
  return `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}/ws`
}

export function documentPage(root: HTMLElement, app: AppContext, docId: string): Page {
  const access = app.access.documentAccess(docId, new URL(location.href))
  const api = createApi(access.token)
  const session = new DocumentSession({
    docId,
    token: access.token,
    identity: app.identity,
    wsBase: socketBase(),
    check: restDocumentChecker(api, docId),
  })
  const cleanups: Array<() => void> = []
  let editor: Editor | null = null
  let toolbar: Toolbar | null = null
  let closed = false

  // Header
  const status = createStatusIndicator()
  const presence = createPresenceList(session.provider.awareness, (person) => goToCaret(person.name))
  const identity = createIdentityEditor(app.identity, app.storage, (next) => changeIdentity(next))
  const viewOnly = h('span', { class: 'badge', 'data-testid': 'view-only', hidden: !access.readOnly, title: 'You can read this document but not change it' }, 'View only')
  const share = h('button', { type: 'button', class: 'button', 'data-testid': 'share-button', 'aria-haspopup': 'dialog' }, 'Share')
  share.addEventListener('click', () => openShareDialog(api, docId, !access.readOnly))
  const header = h(
    'header',
    { class: 'topbar' },
    h('a', { class: 'brand', href: '/', 'data-link': true, 'data-testid': 'home-link', 'aria-label': 'tandem: all documents' }, h('span', { class: 'brand-mark', 'aria-hidden': 'true' }), h('span', { class: 'brand-name' }, 'tandem')),
    status.element,
    h('div', { class: 'topbar-spacer' }),
    presence.element,
    viewOnly,
    share,
    identity.element,
  )

  // Body
  const title = createTitleEditor({
    save: async (next) => {
      // keepalive: a rename typed just before leaving the page still arrives.
      await call(api.api.docs[':id'].$patch({ param: { id: docId }, json: { title: next } }, { init: { keepalive: true } }))
    },
    onEnter: () => editor?.commands.focus('start'),
    onSaveFailed: (error) => {
      const offline = error instanceof ApiError && error.unreachable
      toast(offline ? 'Offline: the new title will be saved when you reconnect.' : `Could not rename: ${error instanceof Error ? error.message : String(error)}`, { kind: offline ? 'info' : 'error' })
    },
  })
  title.setReadOnly(access.readOnly)
  const loading = h('p', { class: 'loading', 'data-testid': 'doc-loading' }, 'Opening document…')
  const editorHost = h('div', { class: 'editor-host' }, loading)
  const toolbarWrap = h('div', { class: 'toolbar-wrap', hidden: true })
  const banners = h('div', { class: 'banners' })
  const counts = h('span', { 'data-testid': 'word-count', 'aria-live': 'off' }, describeCounts({ words: 0, characters: 0 }))
  const main = h('main', { class: 'doc-main', id: 'main' }, h('article', { class: 'sheet' }, title.element, editorHost))
  const page = h(
    'div',
    { class: 'doc-page', 'data-doc-id': docId },
    h('a', { class: 'skip-link', href: '#main' }, 'Skip to document'),
    header,
    toolbarWrap,
    banners,
    main,
    h('footer', { class: 'statusbar' }, counts),
  )
  root.replaceChildren(page)
  document.title = 'tandem'

  function goToCaret(name: string): void {
    const caret = editorHost.querySelector<HTMLElement>(`[data-testid="remote-caret"][data-user-name="${CSS.escape(name)}"]`)
    if (caret === null) {
      toast(`${name} is not in the text right now.`)
      return
    }
    caret.scrollIntoView({ block: 'center', behavior: 'smooth' })
    caret.classList.add('is-flashing')
    setTimeout(() => caret.classList.remove('is-flashing'), 1300)
  }

  /** Links open with Ctrl/⌘+click while editing (a plain click places the caret), or a click when reading. */
  function openLink(event: MouseEvent): void {
    const link = (event.target as Element | null)?.closest('a[href]')
    if (!(link instanceof HTMLAnchorElement) || editor === null) return
    if (editor.isEditable && !event.ctrlKey && !event.metaKey) return
    event.preventDefault()
    window.open(link.href, '_blank', 'noopener,noreferrer')
  }
  editorHost.addEventListener('click', openLink)

  function changeIdentity(next: Identity): void {
    app.identity = next
    session.setIdentity(next)
    editor?.commands.updateUser({ id: next.id, name: next.name, color: next.color })
  }

  // Counting walks the whole text: in a long document, not on every keystroke.
  let countTimer: ReturnType<typeof setTimeout> | null = null
  const recount = (): void => {
    if (countTimer !== null || editor === null) return
    countTimer = setTimeout(() => {
      countTimer = null
      if (editor === null || editor.isDestroyed) return
      const { doc } = editor.state
      counts.textContent = describeCounts(countText(doc.textBetween(0, doc.content.size, '\n', ' ')))
    }, 150)
  }

  const openEditor = (): void => {
    loading.remove()
    editor = new Editor({
      element: editorHost,
      extensions: editorExtensions({ doc: session.doc, provider: session.provider, identity: app.identity }),
      editable: !access.readOnly,
      editorProps: {
        attributes: {
          class: 'prose',
          'data-testid': 'editor',
          'aria-label': 'Document content',
          'aria-multiline': 'true',
          role: 'textbox',
          spellcheck: 'true',
        },
      },
    })
    editor.on('update', recount)
    recount()
    if (!access.readOnly) {
      toolbar = createToolbar(editor)
      toolbarWrap.replaceChildren(toolbar.element)
      toolbarWrap.hidden = false
    } else {
      editor.view.dom.setAttribute('aria-readonly', 'true')
    }
    if (history.state?.created === true && !access.readOnly) {
      // Just created from the list: name it first, like a new file. Only once, not on reload.
      history.replaceState(null, '', location.href)
      title.focus(true)
    }
  }

  const banner = (testId: string, text: string, action?: HTMLElement): void => {
    banners.replaceChildren(h('div', { class: 'banner', role: 'alert', 'data-testid': testId }, h('span', {}, text), action ?? null))
  }

  let ended = false
  const end = (ending: Ending): void => {
    if (ended) return
    ended = true
    switch (ending.kind) {
      case 'deleted':
      case 'denied': {
        // The editor closes. A document never shown here was simply not found.
        const message =
          ending.kind === 'denied' ? accessDenied(ending.reason) : editor === null ? NOT_FOUND : DELETED
        dispose()
        messagePage(root, message)
        return
      }
      case 'tooLarge':
        editor?.setEditable(false)
        toolbarWrap.hidden = true
        banner('doc-too-large', 'This document reached its size limit. Your latest changes could not be saved.')
        return
      case 'broken': {
        editor?.setEditable(false)
        toolbarWrap.hidden = true
        const reload = h('button', { type: 'button', class: 'button', on: { click: () => location.reload() } }, 'Reload')
        banner('doc-error', 'Something went wrong while syncing this document. Reload to keep editing.', reload)
        return
      }
    }
  }

  let wasConnected = false
  let shownTitle: string | null = null
  const onState = (state: SessionState): void => {
    status.update(state)
    if (state.ready && editor === null && state.ending === null && !closed) openEditor()
    if (state.title !== null && state.title !== shownTitle) {
      shownTitle = state.title
      title.showSaved(state.title)
    }
    if (state.ending !== null) end(state.ending)
    const connected = state.connection === 'connected'
    if (connected && !wasConnected) title.retry()
    wasConnected = connected
    if (editor === null && state.ending === null && !state.ready && state.connection === 'offline') {
      loading.textContent = 'You are offline, and this document has not been opened on this device before. It will open once the connection returns.'
    }
  }
  cleanups.push(session.subscribe(onState))
  onState(session.state)

  const onBeforeUnload = (event: BeforeUnloadEvent): void => {
    title.flush()
    // A rename in flight is sent with keepalive; it is at risk only without a connection.
    const titleAtRisk = title.pending && session.state.connection !== 'connected'
    if (!(session.state.pending || titleAtRisk) || session.state.ending !== null) return
    event.preventDefault()
    event.returnValue = ''
  }
  const onPageHide = (): void => {
    title.flush()
    session.hidePresence()
  }
  const onStorage = (event: StorageEvent): void => {
    if (event.key !== IDENTITY_KEY) return
    const next = parseIdentity(event.newValue)
    if (next === null) return
    identity.show(next)
    changeIdentity(next)
  }
  window.addEventListener('beforeunload', onBeforeUnload)
  window.addEventListener('pagehide', onPageHide)
  window.addEventListener('storage', onStorage)
  cleanups.push(() => {
    window.removeEventListener('beforeunload', onBeforeUnload)
    window.removeEventListener('pagehide', onPageHide)
    window.removeEventListener('storage', onStorage)
  })

  function closeEditor(): void {
    if (countTimer !== null) clearTimeout(countTimer)
    countTimer = null
    toolbar?.destroy()
    toolbar = null
    editor?.destroy()
    editor = null
  }

  function dispose(): void {
    if (closed) return
    closed = true
    title.flush()
    title.destroy()
    for (const cleanup of cleanups.splice(0)) cleanup()
    closeEditor()
    status.destroy()
    presence.destroy()
    void session.leave()
  }

  return { dispose }
}
