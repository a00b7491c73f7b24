import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import * as encoding from 'lib0/encoding'
import { messageAwareness } from 'y-websocket'
import { Awareness, encodeAwarenessUpdate } from 'y-protocols/awareness'
import * as Y from 'yjs'
import type { Identity } from '../identity'
import type { DocumentCheck } from './documentCheck'
import { FakeSyncServer, memoryCopies, memoryNetwork, scriptedChecker } from './fakeSyncServer'
import { DOCUMENT_FIELD, DocumentSession, META_FIELD, type SessionOptions, TITLE_KEY } from './session'

const identity: Identity = { id: 'me', name: 'Ada', color: '#1971c2' }

function write(session: DocumentSession, text: string): void {
  const paragraph = new Y.XmlElement('paragraph')
  paragraph.insert(0, [new Y.XmlText(text)])
  session.fragment.push([paragraph])
}

// Fake timers are the clock: vi.waitFor advances them while it waits, and "nothing more happens"
// is checked by advancing them, not by sleeping.
describe('DocumentSession', () => {
  const sessions: DocumentSession[] = []
  beforeEach(() => {
    vi.useFakeTimers()
  })
  afterEach(() => {
    for (const session of sessions.splice(0)) session.destroy()
    vi.useRealTimers()
  })

  function open(
    server: FakeSyncServer,
    options: Partial<SessionOptions> = {},
    network = memoryNetwork(),
    copies = memoryCopies(),
  ) {
    const session = new DocumentSession({
      docId: 'doc1',
      token: null,
      identity,
      wsBase: 'ws://test/ws',
      network,
      deviceCopy: copies.factory,
      recheckMs: 20,
      provider: { WebSocketPolyfill: server.WebSocket, disableBc: true, maxBackoffTime: 20 },
      ...options,
    })
    sessions.push(session)
    return { session, network, copies }
  }

  it('is ready and connected once the server state is in, with the title from the meta map', async () => {
    const server = new FakeSyncServer()
    server.doc.getMap(META_FIELD).set(TITLE_KEY, 'Plan')
    const checker = scriptedChecker()
    const { session } = open(server, { check: checker.check })
    expect(session.state.ready).toBe(false)
    await vi.waitFor(() => expect(session.state).toMatchObject({ ready: true, connection: 'connected', title: 'Plan' }))
    expect(checker.calls).toBe(1)
    // A rename on the server reaches the state.
    server.doc.getMap(META_FIELD).set(TITLE_KEY, 'Plan B')
    await vi.waitFor(() => expect(session.state.title).toBe('Plan B'))
  })

  it('shows the REST title while the content has not arrived', async () => {
    const server = new FakeSyncServer()
    server.down = true
    const { session } = open(server, { check: scriptedChecker({ kind: 'found', title: 'From REST' }).check })
    await vi.waitFor(() => expect(session.state.title).toBe('From REST'))
    expect(session.state.ready).toBe(false)
  })

  it('is pending from a local change until the server has it', async () => {
    const server = new FakeSyncServer()
    const { session } = open(server)
    await vi.waitFor(() => expect(session.state.connection).toBe('connected'))
    write(session, 'hello')
    expect(session.state.pending).toBe(true)
    await vi.waitFor(() => expect(session.state).toMatchObject({ pending: false, savedOnDevice: true }))
    expect(server.doc.getXmlFragment(DOCUMENT_FIELD).toString()).toContain('hello')
  })

  it('sends its own presence, not the others’ states back (y-websocket echoes them)', async () => {
    const server = new FakeSyncServer()
    const { session } = open(server)
    await vi.waitFor(() => expect(session.state.connection).toBe('connected'))
    await vi.waitFor(() => expect(server.presence.length).toBeGreaterThan(0))
    const own = [session.doc.clientID]
    expect(server.presence).toEqual(server.presence.map(() => own))

    // Someone else's caret arrives from the server.
    const other = new Awareness(new Y.Doc())
    other.setLocalStateField('cursor', { anchor: 1, head: 1 })
    const encoder = encoding.createEncoder()
    encoding.writeVarUint(encoder, messageAwareness)
    encoding.writeVarUint8Array(encoder, encodeAwarenessUpdate(other, [other.clientID]))
    for (const socket of server.open()) socket.deliver(encoding.toUint8Array(encoder))
    await vi.waitFor(() => expect(session.provider.awareness.getStates().has(other.clientID)).toBe(true))

    // Then this tab's own moves, which go out alone; the other's state never went back.
    session.provider.awareness.setLocalStateField('cursor', { anchor: 2, head: 2 })
    const sent = server.presence.length
    await vi.waitFor(() => expect(server.presence.length).toBe(sent + 1))
    expect(server.presence).toEqual(server.presence.map(() => own))
    other.destroy()
  })

  it('ends on a 4404 close, stops reconnecting and forgets the device copy', async () => {
    const server = new FakeSyncServer()
    const { session, copies } = open(server)
    await vi.waitFor(() => expect(session.state.connection).toBe('connected'))
    server.closeAll(4404, 'document deleted')
    await vi.waitFor(() => expect(session.state.ending).toEqual({ kind: 'deleted' }))
    expect(session.state.connection).toBe('stopped')
    expect(copies.cleared).toEqual(['tandem:doc:doc1'])
    const sockets = server.sockets.length
    await vi.advanceTimersByTimeAsync(1000)
    expect(server.sockets.length).toBe(sockets)
  })

  it('ends on 4413 without forgetting the device copy', async () => {
    const server = new FakeSyncServer()
    const { session, copies } = open(server)
    await vi.waitFor(() => expect(session.state.connection).toBe('connected'))
    server.closeAll(4413, 'document too large')
    await vi.waitFor(() => expect(session.state.ending).toEqual({ kind: 'tooLarge' }))
    expect(copies.cleared).toEqual([])
  })

  it('ends when REST says the document is gone, though the socket never opened', async () => {
    const server = new FakeSyncServer()
    server.down = true
    const checker = scriptedChecker({ kind: 'ended', ending: { kind: 'deleted' } })
    const { session, copies } = open(server, { check: checker.check })
    await vi.waitFor(() => expect(session.state.ending).toEqual({ kind: 'deleted' }))
    expect(session.state.ready).toBe(false)
    expect(copies.cleared).toHaveLength(1)
  })

  it('asks REST regularly while the server is unreachable, and stops once it is back', async () => {
    const server = new FakeSyncServer()
    server.down = true
    const checker = scriptedChecker({ kind: 'unknown' })
    const { session } = open(server, { check: checker.check })
    // Online, but the server does not answer: said as such, not "offline".
    await vi.waitFor(() => expect(session.state.connection).toBe('unreachable'))
    const before = checker.calls
    await vi.waitFor(() => expect(checker.calls).toBeGreaterThan(before + 2))

    server.down = false
    await vi.waitFor(() => expect(session.state.connection).toBe('connected'))
    const after = checker.calls
    await vi.advanceTimersByTimeAsync(200) // ten recheck intervals
    expect(checker.calls).toBe(after)

    // The server refuses for good while unreachable: the next poll ends the session.
    server.down = true
    server.closeAll(1006)
    checker.answer = { kind: 'ended', ending: { kind: 'denied', reason: 'token expired' } }
    await vi.waitFor(() => expect(session.state.ending).toEqual({ kind: 'denied', reason: 'token expired' }))
    const final = checker.calls
    expect(session.state.connection).toBe('stopped')
    await vi.advanceTimersByTimeAsync(200)
    expect(checker.calls).toBe(final)
  })

  it('does not poll while the browser itself is offline, and reconnects when it is back', async () => {
    const server = new FakeSyncServer()
    const checker = scriptedChecker({ kind: 'unknown' })
    const { session, network } = open(server, { check: checker.check })
    await vi.waitFor(() => expect(session.state.connection).toBe('connected'))
    network.set(false)
    expect(session.state.connection).toBe('offline')
    const calls = checker.calls
    write(session, 'offline words')
    await vi.waitFor(() => expect(session.state.savedOnDevice).toBe(true))
    expect(session.state.pending).toBe(true)
    await vi.advanceTimersByTimeAsync(200)
    expect(checker.calls).toBe(calls)
    network.set(true)
    await vi.waitFor(() => expect(session.state).toMatchObject({ connection: 'connected', pending: false }))
    expect(server.doc.getXmlFragment(DOCUMENT_FIELD).toString()).toContain('offline words')
  })

  it('leave() waits until the server has what was written, then stops everything', async () => {
    const server = new FakeSyncServer()
    const checker = scriptedChecker()
    const { session } = open(server, { check: checker.check })
    await vi.waitFor(() => expect(session.state.connection).toBe('connected'))
    write(session, 'last words')
    const states: boolean[] = []
    session.subscribe((state) => states.push(state.pending))
    let left = false
    void session.leave().then(() => (left = true))
    expect(server.open()).toHaveLength(1)
    await vi.waitFor(() => expect(left).toBe(true))
    expect(server.doc.getXmlFragment(DOCUMENT_FIELD).toString()).toContain('last words')
    expect(states.at(-1)).toBe(false)
    expect(server.open()).toHaveLength(0)
    const calls = checker.calls
    server.down = true
    await vi.advanceTimersByTimeAsync(200)
    expect(checker.calls).toBe(calls)
    expect(server.sockets.filter((socket) => socket.readyState !== socket.CLOSED)).toHaveLength(0)
  })

  it('ends on 4410 (share link revoked)', async () => {
    const server = new FakeSyncServer()
    const { session } = open(server)
    await vi.waitFor(() => expect(session.state.connection).toBe('connected'))
    server.closeAll(4410, 'share link revoked')
    await vi.waitFor(() => expect(session.state.ending).toEqual({ kind: 'revoked' }))
  })

  it('keeps a share link’s copy under the name it is given', async () => {
    const server = new FakeSyncServer()
    const { copies } = open(server, { docId: 'share1', deviceCopyName: 'tandem:share:share1' })
    expect(copies.opened).toEqual(['tandem:share:share1'])
  })

  it('after a reload without a connection, is not pending for what the server had confirmed', async () => {
    const server = new FakeSyncServer()
    const copies = memoryCopies()
    const first = open(server, {}, memoryNetwork(), copies)
    await vi.waitFor(() => expect(first.session.state.connection).toBe('connected'))
    write(first.session, 'stored words')
    await vi.waitFor(() => expect(first.session.state.pending).toBe(false))
    const syncedAt = first.session.state.lastSyncedAt
    await vi.advanceTimersByTimeAsync(1100)
    await vi.waitFor(() => expect(copies.stored.get('tandem:doc:doc1')?.confirmed).not.toBeNull())
    first.session.destroy()

    const offline = memoryNetwork()
    offline.set(false)
    const { session } = open(server, {}, offline, copies)
    await vi.waitFor(() => expect(session.state.ready).toBe(true))
    expect(session.fragment.toString()).toContain('stored words')
    await vi.waitFor(() => expect(session.state.lastSyncedAt).not.toBeNull())
    expect(session.state).toMatchObject({ connection: 'offline', pending: false })
    expect(session.state.lastSyncedAt?.getTime()).toBeGreaterThanOrEqual(syncedAt?.getTime() ?? 0)
  })

  it('after a reload without a connection, is still pending for what the server never had', async () => {
    const server = new FakeSyncServer()
    const copies = memoryCopies()
    const network = memoryNetwork()
    const first = open(server, {}, network, copies)
    await vi.waitFor(() => expect(first.session.state.connection).toBe('connected'))
    await vi.advanceTimersByTimeAsync(1100)
    await vi.waitFor(() => expect(copies.stored.get('tandem:doc:doc1')?.confirmed).not.toBeNull())
    network.set(false)
    write(first.session, 'unsent words')
    await vi.waitFor(() => expect(first.session.state.savedOnDevice).toBe(true))
    first.session.destroy()

    const offline = memoryNetwork()
    offline.set(false)
    const { session } = open(server, {}, offline, copies)
    await vi.waitFor(() => expect(session.state.ready).toBe(true))
    await vi.advanceTimersByTimeAsync(50)
    expect(session.fragment.toString()).toContain('unsent words')
    expect(session.state.pending).toBe(true)
  })

  it('drops a REST answer that arrives after leaving', async () => {
    const server = new FakeSyncServer()
    let answer: ((check: DocumentCheck) => void) | null = null
    const { session, copies } = open(server, { check: () => new Promise((resolve) => (answer = resolve)) })
    await vi.waitFor(() => expect(session.state.connection).toBe('connected'))
    const left = session.leave()
    answer!({ kind: 'ended', ending: { kind: 'deleted' } })
    await left
    expect(copies.cleared).toEqual([])
  })
})
