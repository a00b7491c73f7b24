// @vitest-environment happy-dom
/**
 * The editor page's lifecycle, end to end inside one process: the real controller, session,
 * Tiptap editor and Preact view, against an in-memory sync server, device copy and REST checker.
 */
import { render } from 'preact'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { Awareness, applyAwarenessUpdate, encodeAwarenessUpdate } from 'y-protocols/awareness'
import * as Y from 'yjs'
import { AccessStore } from '../../access'
import type { Identity } from '../../identity'
import { memoryStorage } from '../../memoryStorage'
import type { DocumentCheck } from '../../sync/documentCheck'
import { FakeSyncServer, memoryCopies, memoryNetwork, scriptedChecker } from '../../sync/fakeSyncServer'
import { DOCUMENT_FIELD, DocumentSession, META_FIELD, type SessionOptions, TITLE_KEY } from '../../sync/session'
import { CONNECTION_MESSAGES } from '../../ui/announcements'
import { DELETED } from '../message'
import type { Page } from '../page'
import { NAVIGATE_EVENT } from '../../router'
import { RESTORED_MESSAGE, documentPage, sharedPage } from './controller'

// Preact's render as it is, counted (how often the page renders).
vi.mock('preact', async (importOriginal) => {
  const actual = await importOriginal<typeof import('preact')>()
  return { ...actual, render: vi.fn(actual.render) }
})

const identity: Identity = { id: 'me', name: 'Ada', color: '#1971c2' }

function paragraph(text: string): Y.XmlElement {
  const element = new Y.XmlElement('paragraph')
  element.insert(0, [new Y.XmlText(text)])
  return element
}

describe('the document page', () => {
  let root: HTMLElement
  let server: FakeSyncServer
  let checker: ReturnType<typeof scriptedChecker>
  let network: ReturnType<typeof memoryNetwork>
  let copies: ReturnType<typeof memoryCopies>
  let page: Page | null
  let session: DocumentSession | null

  beforeEach(() => {
    root = document.createElement('div')
    document.body.append(root)
    server = new FakeSyncServer()
    server.doc.getMap(META_FIELD).set(TITLE_KEY, 'Plan')
    server.doc.getXmlFragment(DOCUMENT_FIELD).push([paragraph('Hello there')])
    checker = scriptedChecker({ kind: 'found', title: 'Plan' })
    network = memoryNetwork()
    copies = memoryCopies()
    page = null
    session = null
  })

  afterEach(() => {
    vi.useRealTimers()
    page?.dispose()
    session?.destroy()
    document.body.replaceChildren()
  })

  let opened: SessionOptions | null = null

  function open(shareId: string | null = null): void {
    const storage = memoryStorage()
    const make = shareId === null ? documentPage : sharedPage
    page = make(root, { storage, access: new AccessStore(storage), identity }, shareId ?? 'doc1', {
      openSession: (options) => {
        opened = options
        session = new DocumentSession({
          ...options,
          check: checker.check,
          recheckMs: 20,
          network,
          deviceCopy: copies.factory,
          provider: { WebSocketPolyfill: server.WebSocket, disableBc: true, maxBackoffTime: 20 },
        })
        return session
      },
      check: checker.check,
      restoreCheckMs: 20,
    })
  }

  const byTestId = (id: string) => document.querySelector<HTMLElement>(`[data-testid="${id}"]`)

  it('shows "Opening…" until the content is in, then the editor, title, toolbar and counts', async () => {
    open()
    expect(byTestId('doc-loading')?.textContent).toBe('Opening document…')
    expect(byTestId('editor')).toBeNull()
    await vi.waitFor(() => expect(byTestId('editor')?.textContent).toBe('Hello there'))
    expect(byTestId('doc-loading')).toBeNull()
    expect(byTestId('doc-title')).toHaveProperty('value', 'Plan')
    expect(document.title).toBe('Plan · tandem')
    expect(byTestId('toolbar')?.parentElement?.hidden).toBe(false)
    await vi.waitFor(() => expect(byTestId('word-count')?.textContent).toBe('2 words · 11 characters'))
    await vi.waitFor(() => expect(byTestId('connection-status')?.dataset.state).toBe('connected'))
    // Exactly one editor, however often the page re-rendered.
    expect(document.querySelectorAll('[data-testid="editor"]')).toHaveLength(1)
  })

  it('keeps the text readable under a banner when the document is too large to save', async () => {
    open()
    await vi.waitFor(() => expect(byTestId('editor')).not.toBeNull())
    server.closeAll(4413, 'document too large')
    await vi.waitFor(() => expect(byTestId('doc-too-large')).not.toBeNull())
    expect(byTestId('editor')?.getAttribute('contenteditable')).toBe('false')
    expect(byTestId('toolbar')?.parentElement?.hidden ?? true).toBe(true)
    expect(byTestId('doc-too-large')?.getAttribute('role')).toBe('alert')
  })

  it('offers Reload when the server refused an update', async () => {
    open()
    await vi.waitFor(() => expect(byTestId('editor')).not.toBeNull())
    server.closeAll(4400, 'bad update')
    await vi.waitFor(() => expect(byTestId('doc-error')?.querySelector('button')?.textContent).toBe('Reload'))
  })

  it('says "deleted" when an open document goes, and "not found" when it never opened', async () => {
    open()
    await vi.waitFor(() => expect(byTestId('editor')).not.toBeNull())
    server.closeAll(4404, 'document deleted')
    await vi.waitFor(() => expect(byTestId('doc-deleted')).not.toBeNull())
    expect(byTestId('editor')).toBeNull()
    expect(copies.cleared).toEqual(['tandem:doc:doc1'])

    page?.dispose()
    root.replaceChildren()
    server = new FakeSyncServer()
    server.down = true
    checker = scriptedChecker({ kind: 'ended', ending: { kind: 'deleted' } })
    open()
    await vi.waitFor(() => expect(byTestId('not-found')).not.toBeNull())
  })

  it('opens a share link’s page by its id alone: view only, no Share, no way to the list, no document id', async () => {
    open('share1')
    await vi.waitFor(() => expect(byTestId('editor')?.textContent).toBe('Hello there'))
    expect(opened).toMatchObject({ docId: 'share1', deviceCopyName: 'tandem:share:share1', token: null })
    expect(opened?.wsBase).toMatch(/\/ws\/s$/)
    expect(byTestId('editor')?.getAttribute('contenteditable')).toBe('false')
    expect(byTestId('view-only')?.hidden).toBe(false)
    expect(byTestId('share-button')).toBeNull()
    expect(byTestId('home-link')).toBeNull()
    expect(document.querySelector('[data-doc-id]')).toBeNull()
    server.closeAll(4410, 'share link revoked')
    await vi.waitFor(() => expect(byTestId('share-revoked')).not.toBeNull())
  })

  it('renders once a frame, however often the session changes in it (a keystroke changes it three times)', async () => {
    open()
    await vi.waitFor(() => expect(byTestId('connection-status')?.dataset.state).toBe('connected'))
    const renders = () => vi.mocked(render).mock.calls.filter(([, into]) => into === root).length
    const before = renders()
    // Offline, then online again: two changes of the session's state in one task.
    network.set(false)
    network.set(true)
    expect(renders()).toBe(before)
    await new Promise((resolve) => requestAnimationFrame(resolve))
    expect(renders()).toBe(before + 1)
    expect(byTestId('connection-status')?.dataset.state).not.toBe('offline')
  })

  it('answers Ctrl+S with whether everything is saved, instead of the browser’s dialog', async () => {
    open()
    await vi.waitFor(() => expect(byTestId('connection-status')?.dataset.state).toBe('connected'))
    const event = new KeyboardEvent('keydown', { key: 's', ctrlKey: true, bubbles: true, cancelable: true })
    document.body.dispatchEvent(event)
    expect(event.defaultPrevented).toBe(true)
    await vi.waitFor(() => expect(byTestId('toast')?.textContent).toBe('All changes saved.'))
  })

  it('says when access was refused over REST while the socket could not open', async () => {
    server.down = true
    checker = scriptedChecker({ kind: 'unknown' })
    open()
    // The browser is online: the server is unreachable, which is not "offline".
    await vi.waitFor(() => expect(byTestId('connection-status')?.dataset.state).toBe('unreachable'))
    expect(byTestId('connection-status')?.textContent).toContain('Can’t reach the server')
    expect(byTestId('doc-loading')?.textContent).toContain('Can’t reach the server')
    checker.answer = { kind: 'ended', ending: { kind: 'denied', reason: 'token expired' } } satisfies DocumentCheck
    await vi.waitFor(() => expect(byTestId('access-denied')?.textContent).toContain('expired'))
  })

  const announced = () => Array.from(byTestId('announcer')?.children ?? [], (child) => child.textContent)

  it('announces the connection lost and back, not the first connection', async () => {
    open()
    await vi.waitFor(() => expect(byTestId('connection-status')?.dataset.state).toBe('connected'))
    expect(announced()).toEqual([])
    network.set(false)
    await vi.waitFor(() => expect(announced()).toEqual([CONNECTION_MESSAGES.offline]))
    network.set(true)
    await vi.waitFor(() => expect(announced()).toEqual([CONNECTION_MESSAGES.offline, CONNECTION_MESSAGES.back]))
  })

  it('announces who joins, from the presence states', async () => {
    open()
    await vi.waitFor(() => expect(byTestId('connection-status')?.dataset.state).toBe('connected'))
    const awareness = session!.provider.awareness
    const other = new Awareness(new Y.Doc())
    other.setLocalStateField('user', { id: 'bob', name: 'Bob', color: '#e67700' })
    applyAwarenessUpdate(awareness, encodeAwarenessUpdate(other, [other.clientID]), 'remote')
    await vi.waitFor(() => expect(announced()).toEqual(['Bob joined.']), { timeout: 3000 })
    other.destroy()
  })

  it('announces that an open document was deleted, and puts focus on the way back', async () => {
    open()
    await vi.waitFor(() => expect(byTestId('editor')).not.toBeNull())
    checker.answer = { kind: 'ended', ending: { kind: 'deleted' } }
    server.closeAll(4404, 'document deleted')
    await vi.waitFor(() => expect(byTestId('doc-deleted')).not.toBeNull())
    expect(announced()).toEqual([`${DELETED.title}. ${DELETED.text}`])
    expect(document.activeElement).toBe(byTestId('back-to-list'))
  })

  it('opens the document again, and says so, when it is restored from the trash elsewhere', async () => {
    // Timers run on their own, and a test can also jump them ahead to see that nothing more happens.
    vi.useFakeTimers({ shouldAdvanceTime: true })
    open()
    await vi.waitFor(() => expect(byTestId('editor')).not.toBeNull())
    checker.answer = { kind: 'ended', ending: { kind: 'deleted' } }
    server.closeAll(4404, 'document deleted')
    await vi.waitFor(() => expect(byTestId('doc-deleted')).not.toBeNull())
    expect(byTestId('doc-deleted')?.textContent).toContain('It is in the trash')
    const navigations: string[] = []
    const onNavigate = (): void => {
      navigations.push(location.pathname)
    }
    window.addEventListener(NAVIGATE_EVENT, onNavigate)
    try {
      const asked = checker.calls
      await vi.waitFor(() => expect(checker.calls).toBeGreaterThan(asked + 1))
      expect(navigations).toEqual([])
      checker.answer = { kind: 'found', title: 'Plan' }
      await vi.waitFor(() => expect(navigations).toEqual(['/d/doc1']))
      expect(announced()).toContain(RESTORED_MESSAGE)
      // Asked no more once it is back: ten more intervals pass without a question.
      const calls = checker.calls
      await vi.advanceTimersByTimeAsync(200)
      expect(checker.calls).toBe(calls)
    } finally {
      window.removeEventListener(NAVIGATE_EVENT, onNavigate)
    }
  })

  it('stops asking whether a deleted document is back once the reader leaves', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true })
    open()
    await vi.waitFor(() => expect(byTestId('editor')).not.toBeNull())
    checker.answer = { kind: 'ended', ending: { kind: 'deleted' } }
    server.closeAll(4404, 'document deleted')
    await vi.waitFor(() => expect(byTestId('doc-deleted')).not.toBeNull())
    page?.dispose()
    const calls = checker.calls
    await vi.advanceTimersByTimeAsync(200)
    expect(checker.calls).toBe(calls)
  })

  it('takes everything down on dispose and leaves the session', async () => {
    open()
    await vi.waitFor(() => expect(byTestId('editor')).not.toBeNull())
    page?.dispose()
    expect(root.childNodes).toHaveLength(0)
    expect(document.querySelector('[data-testid="editor"]')).toBeNull()
    await vi.waitFor(() => expect(server.open()).toHaveLength(0))
  })
})
