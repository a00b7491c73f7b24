/**
 * The rules of the room (R1–R8 in room.ts), with fake sockets and storage.
 */
import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'
import { afterEach, describe, expect, it, vi } from 'vitest'
import * as Y from 'yjs'
import * as awarenessProtocol from 'y-protocols/awareness'
import { createdUpdate } from '../test/content'
import { schemaRules } from '../content/rules'
import { DocumentNotFound } from '../common/errors'
import { captureUpdate, cloneDoc, rawUpdate } from '../test/updates'
import { CloseCode } from '../../protocol/closeCodes'
import { encodeAwareness, encodeSyncStep1, encodeSyncStep2, encodeUpdate } from './wire'
import { JOIN_PIECE_BYTES, MAX_JOIN_UPDATES_AFTER_CUT, Room, type RoomSocket } from './room'
import type { SchemaRules } from '../model/updateCheck'
import { DOCUMENT_FIELD } from '../../protocol/fields'
import { roomOptions } from '../test/rooms'

class FakeSocket implements RoomSocket {
  readonly sent: Uint8Array[] = []
  closed: { code: number; reason: string } | null = null
  terminated = false
  probes = 0
  /** How the peer answers a ping within `timeoutMs`; by default at once, alive. */
  answerProbe: (timeoutMs: number) => Promise<boolean> = async () => true
  constructor(
    readonly id: string,
    readonly canWrite = true,
  ) {}
  send(frame: Uint8Array): void {
    this.sent.push(frame)
  }
  sendPaced(frames: readonly Uint8Array[]): void {
    this.sent.push(...frames)
  }
  close(code: number, reason: string): void {
    this.closed ??= { code, reason }
  }
  terminate(): void {
    this.terminated = true
  }
  probe(timeoutMs: number): Promise<boolean> {
    this.probes++
    return this.answerProbe(timeoutMs)
  }
  /** Applies every sync frame this socket received to a fresh doc. */
  replica(): Y.Doc {
    const doc = new Y.Doc()
    for (const frame of this.sent) {
      const decoder = decoding.createDecoder(frame)
      if (decoding.readVarUint(decoder) !== 0) continue
      const type = decoding.readVarUint(decoder)
      if (type === 0) continue
      Y.applyUpdate(doc, decoding.readVarUint8Array(decoder))
    }
    return doc
  }
  awarenessFrames(): number {
    return this.sent.filter((frame) => frame[0] === 1).length
  }
}

const PROBE_TIMEOUT_MS = 50

afterEach(() => {
  vi.useRealTimers()
})

const seed = await createdUpdate('T', { format: 'text', body: 'base' })

interface Deferred {
  update: Uint8Array
  resolve: () => void
  reject: (error: unknown) => void
}

function setup(
  options: {
    deferStorage?: boolean
    rules?: SchemaRules
    append?: (update: Uint8Array) => Promise<void>
    presenceTickMs?: number
    publishAwareness?: (update: Uint8Array) => void
    maxDocumentBytes?: number
    presenceFullTickSockets?: number
  } = {},
) {
  const doc = new Y.Doc()
  Y.applyUpdate(doc, seed)
  const stored: Uint8Array[] = []
  const waiting: Deferred[] = []
  let failed = 0
  const room = new Room({
    docId: 'doc',
    doc,
    byteSize: 0,
    storage: {
      append(update) {
        if (options.append !== undefined) return options.append(update)
        if (!options.deferStorage) {
          stored.push(update)
          return Promise.resolve()
        }
        return new Promise((resolve, reject) =>
          waiting.push({
            update,
            resolve: () => {
              stored.push(update)
              resolve()
            },
            reject,
          }),
        )
      },
    },
    fanout: { publishUpdate() {}, publishAwareness: options.publishAwareness ?? (() => {}) },
    options: roomOptions({
      ...(options.rules === undefined ? {} : { rules: options.rules }),
      ownerProbeTimeoutMs: PROBE_TIMEOUT_MS,
      presenceTickMs: options.presenceTickMs ?? 0,
      ...(options.maxDocumentBytes === undefined ? {} : { maxDocumentBytes: options.maxDocumentBytes }),
      ...(options.presenceFullTickSockets === undefined
        ? {}
        : { presenceFullTickSockets: options.presenceFullTickSockets }),
    }),
    onEmpty() {},
    onFailed() {
      failed++
    },
  })
  const client = (): Y.Doc => cloneDoc(doc)
  return { room, doc, stored, waiting, client, failures: () => failed }
}

const firstText = (doc: Y.Doc): Y.XmlText =>
  (doc.getXmlFragment(DOCUMENT_FIELD).get(0) as Y.XmlElement).get(0) as Y.XmlText
const text = (doc: Y.Doc): string => firstText(doc).toString()
const flush = () => new Promise((resolve) => setImmediate(resolve))

describe('Room', () => {
  it('R1: refuses a malformed update, closes only its sender and leaves the document unchanged', () => {
    const { room, doc, stored } = setup()
    const bad = new FakeSocket('bad')
    const good = new FakeSocket('good')
    room.join(bad)
    room.join(good)
    const before = Y.encodeStateAsUpdate(doc)
    room.receive(bad, encodeUpdate(Uint8Array.of(1, 1, 7, 0, 4, 1, 9, 9)))
    expect(bad.closed?.code).toBe(CloseCode.badMessage)
    expect(good.closed).toBeNull()
    expect(Y.encodeStateAsUpdate(doc)).toEqual(before)
    expect(stored).toEqual([])
  })

  it('R2: stores the exact bytes it checked, then broadcasts them to the others, in order', async () => {
    const { room, stored, waiting, client } = setup({ deferStorage: true })
    const writer = new FakeSocket('writer')
    const reader = new FakeSocket('reader')
    room.join(writer)
    room.join(reader)
    const editor = client()
    const frames = ['one ', 'two ', 'three '].map((word) =>
      encodeUpdate(captureUpdate(editor, (d) => firstText(d).insert(0, word))),
    )
    for (const frame of frames) room.receive(writer, frame)
    const sentBefore = reader.sent.length
    expect(waiting.length).toBe(3)
    waiting[0]?.resolve()
    await flush()
    expect(reader.sent.length).toBe(sentBefore + 1)
    for (const item of waiting.slice(1)) item.resolve()
    await flush()
    expect(reader.sent.slice(sentBefore)).toEqual(frames)
    expect(stored.map((update) => encodeUpdate(update))).toEqual(frames)
    expect(writer.sent.some((frame) => frames.includes(frame))).toBe(false)
  })

  it('R3: answers a joiner only once what it is sent is stored', async () => {
    const { room, waiting, client } = setup({ deferStorage: true })
    const writer = new FakeSocket('writer')
    room.join(writer)
    room.receive(writer, encodeUpdate(captureUpdate(client(), (d) => firstText(d).insert(0, 'unsaved '))))
    const joiner = new FakeSocket('joiner')
    room.join(joiner)
    room.receive(joiner, encodeSyncStep1(Y.encodeStateVector(new Y.Doc())))
    await flush()
    expect(joiner.sent.some((frame) => frame[0] === 0 && frame[1] === 1)).toBe(false)
    waiting[0]?.resolve()
    await flush()
    expect(text(joiner.replica())).toBe('unsaved base')
  })

  describe('R3: a big document is not cut again for a joiner after a few stored updates', () => {
    /** A room holding a document over one piece, with a writer and a first joiner (the cut). */
    const bigRoom = async () => {
      const setupResult = setup({ maxDocumentBytes: 64 * JOIN_PIECE_BYTES })
      const { room, client } = setupResult
      const writer = new FakeSocket('writer')
      room.join(writer)
      const editor = client()
      // Three big paragraphs (three structs): the cut is in pieces.
      room.receive(
        writer,
        encodeUpdate(
          captureUpdate(editor, (d) => {
            for (let index = 0; index < 3; index++) {
              const paragraph = new Y.XmlElement('paragraph')
              paragraph.insert(0, [new Y.XmlText('x'.repeat(0.6 * JOIN_PIECE_BYTES))])
              d.getXmlFragment(DOCUMENT_FIELD).push([paragraph])
            }
          }),
        ),
      )
      await flush()
      const first = new FakeSocket('first')
      room.join(first)
      room.receive(first, encodeSyncStep1(Y.encodeStateVector(new Y.Doc())))
      await flush()
      return { ...setupResult, writer, editor, first }
    }
    const joinFresh = async (room: Room, id: string): Promise<FakeSocket> => {
      const joiner = new FakeSocket(id)
      room.join(joiner)
      room.receive(joiner, encodeSyncStep1(Y.encodeStateVector(new Y.Doc())))
      await flush()
      return joiner
    }
    const syncFrames = (socket: FakeSocket): Uint8Array[] =>
      socket.sent.filter((frame) => frame[0] === 0 && frame[1] !== 0)

    it('sends the pieces of the last cut, then the very updates stored since, then an empty sync step 2', async () => {
      const { room, doc, writer, editor, first } = await bigRoom()
      const cut = syncFrames(first)
      expect(cut.length).toBeGreaterThan(1)
      const updates = ['one ', 'two ', 'three '].map((word) =>
        encodeUpdate(captureUpdate(editor, (d) => firstText(d).insert(0, word))),
      )
      for (const frame of updates) room.receive(writer, frame)
      await flush()
      const second = await joinFresh(room, 'second')
      const received = syncFrames(second)
      // The same frames as the first joiner's, up to its last (a sync step 2 there, an update here).
      expect(received.slice(0, cut.length - 1)).toEqual(cut.slice(0, -1))
      expect(received.slice(cut.length, cut.length + 3)).toEqual(updates)
      for (const [index, frame] of updates.entries()) expect(received[cut.length + index]).toBe(frame)
      expect(received.at(-1)).toEqual(encodeSyncStep2(Uint8Array.of(0, 0)))
      expect(text(second.replica())).toBe(text(doc))
      expect(Y.encodeStateVector(second.replica())).toEqual(Y.encodeStateVector(doc))
    })

    it('cuts again after too many updates', async () => {
      const { room, doc, writer, editor } = await bigRoom()
      for (let index = 0; index <= MAX_JOIN_UPDATES_AFTER_CUT; index++) {
        room.receive(writer, encodeUpdate(captureUpdate(editor, (d) => firstText(d).insert(0, 'k'))))
      }
      await flush()
      const late = await joinFresh(room, 'late')
      const frames = syncFrames(late)
      // Cut again: a last piece as sync step 2 (not the empty one), no trail of updates.
      expect(frames.at(-1)?.[1]).toBe(1)
      expect(frames.at(-1)).not.toEqual(encodeSyncStep2(Uint8Array.of(0, 0)))
      expect(frames.length).toBeLessThan(MAX_JOIN_UPDATES_AFTER_CUT)
      expect(text(late.replica())).toBe(text(doc))
    })

    it('gives every joiner the whole stored state, whichever way the changes came', async () => {
      const { room, doc, writer, editor, client } = await bigRoom()
      const other = client()
      const third = client()
      const joiners: FakeSocket[] = []
      const check = async (step: string) => {
        await flush()
        const joiner = await joinFresh(room, step)
        joiners.push(joiner)
        expect({ step, state: Y.encodeStateVector(joiner.replica()) }).toEqual({
          step,
          state: Y.encodeStateVector(doc),
        })
        expect(text(joiner.replica())).toBe(text(doc))
      }
      room.receive(writer, encodeUpdate(captureUpdate(editor, (d) => firstText(d).insert(0, 'socket '))))
      await check('after a socket update')
      room.receiveRemoteUpdate(captureUpdate(other, (d) => firstText(d).insert(0, 'remote ')))
      await check('after another process’s update')
      await room.writeAsServer((d) => firstText(d).insert(0, 'server '))
      await check('after a server write')
      room.absorbStored([
        captureUpdate(third, (d) => firstText(d).insert(0, 'a ')),
        captureUpdate(third, (d) => firstText(d).insert(0, 'b ')),
      ])
      await check('after stored updates caught up')
      room.receive(writer, encodeUpdate(captureUpdate(editor, (d) => firstText(d).insert(0, 'last '))))
      await check('after one more')
    })

    it('keeps a small document to one frame', async () => {
      const { room, client } = setup()
      const writer = new FakeSocket('writer')
      room.join(writer)
      await joinFresh(room, 'first')
      room.receive(writer, encodeUpdate(captureUpdate(client(), (d) => firstText(d).insert(0, 'small '))))
      await flush()
      const second = await joinFresh(room, 'second')
      expect(syncFrames(second)).toHaveLength(1)
      expect(text(second.replica())).toBe('small base')
    })
  })

  it('R3: a cut made while a change was being stored is not followed by updates (it holds that change)', async () => {
    const { room, doc, waiting, client } = setup({ deferStorage: true, maxDocumentBytes: 64 * JOIN_PIECE_BYTES })
    const writer = new FakeSocket('writer')
    room.join(writer)
    const editor = client()
    room.receive(
      writer,
      encodeUpdate(captureUpdate(editor, (d) => firstText(d).insert(0, 'y'.repeat(1.5 * JOIN_PIECE_BYTES)))),
    )
    waiting[0]?.resolve()
    await flush()
    room.receive(writer, encodeUpdate(captureUpdate(editor, (d) => firstText(d).insert(0, 'pending '))))
    const first = new FakeSocket('first')
    room.join(first)
    room.receive(first, encodeSyncStep1(Y.encodeStateVector(new Y.Doc())))
    waiting[1]?.resolve()
    await flush()
    room.receive(writer, encodeUpdate(captureUpdate(editor, (d) => firstText(d).insert(0, 'after '))))
    waiting[2]?.resolve()
    await flush()
    const second = new FakeSocket('second')
    room.join(second)
    room.receive(second, encodeSyncStep1(Y.encodeStateVector(new Y.Doc())))
    await flush()
    const frames = second.sent.filter((frame) => frame[0] === 0 && frame[1] !== 0)
    expect(frames.at(-1)?.[1]).toBe(1)
    expect(frames.at(-1)).not.toEqual(encodeSyncStep2(Uint8Array.of(0, 0)))
    expect(text(second.replica())).toBe(text(doc))
  })

  it('R4: holds an update with missing dependencies until they arrive, then applies it', () => {
    const { room, doc, client } = setup()
    const writer = new FakeSocket('writer')
    room.join(writer)
    const editor = client()
    const first = captureUpdate(editor, (d) => firstText(d).insert(0, 'A'))
    const second = captureUpdate(editor, (d) => firstText(d).insert(1, 'B'))
    room.receive(writer, encodeUpdate(second))
    expect(text(doc)).toBe('base')
    expect(writer.closed).toBeNull()
    room.receive(writer, encodeUpdate(first))
    expect(text(doc)).toBe('ABbase')
  })

  it('R4: never holds a pre-deletion of another client’s next edit, even while its sender stays', () => {
    const { room, doc, client, stored } = setup()
    const attacker = new FakeSocket('attacker')
    const victimSocket = new FakeSocket('victim')
    room.join(attacker)
    room.join(victimSocket)
    const victim = client()
    const next = Y.getState(victim.store, victim.clientID)
    room.receive(attacker, encodeUpdate(rawUpdate(victim.clientID, 0, [], [[victim.clientID, next, 3]])))
    expect(doc.store.pendingDs).toBeNull()
    expect(attacker.closed?.code).toBe(CloseCode.tryAgainLater)
    room.receive(victimSocket, encodeUpdate(captureUpdate(victim, (d) => firstText(d).insert(0, 'mine'))))
    expect(text(doc)).toBe('minebase')
    expect(stored).toHaveLength(1)
  })

  it('R4: tells a socket to come back when its held updates exceed the cap', () => {
    const { room, client } = setup()
    const writer = new FakeSocket('writer')
    room.join(writer)
    const editor = client()
    captureUpdate(editor, (d) => firstText(d).insert(0, 'gap'))
    const big = captureUpdate(editor, (d) => firstText(d).insert(0, 'x'.repeat(12_000)))
    room.receive(writer, encodeUpdate(big))
    expect(writer.closed?.code).toBe(CloseCode.tryAgainLater)
  })

  it('R5: refuses new content under a client id another live socket introduced', async () => {
    const { room, doc, client } = setup()
    const owner = new FakeSocket('owner')
    const squatter = new FakeSocket('squatter')
    room.join(owner)
    room.join(squatter)
    const victim = client()
    room.receive(owner, encodeUpdate(captureUpdate(victim, (d) => firstText(d).insert(0, 'real '))))
    const forged = cloneDoc(victim)
    forged.clientID = victim.clientID
    room.receive(squatter, encodeUpdate(captureUpdate(forged, (d) => firstText(d).insert(0, 'FORGED '))))
    expect(owner.probes).toBe(1)
    await flush()
    expect(text(doc)).toBe('real base')
    room.receive(owner, encodeUpdate(captureUpdate(victim, (d) => firstText(d).insert(0, 'next '))))
    expect(text(doc)).toBe('next real base')
  })

  it('R5: applies a reconnecting tab’s content once its half-open old socket fails the probe', async () => {
    vi.useFakeTimers()
    const { room, doc, client } = setup()
    const oldSocket = new FakeSocket('old')
    // A half-open socket never answers: its probe gives up after the room's timeout.
    oldSocket.answerProbe = (timeoutMs) => new Promise((resolve) => setTimeout(() => resolve(false), timeoutMs))
    room.join(oldSocket)
    const tab = client()
    room.receive(oldSocket, encodeUpdate(captureUpdate(tab, (d) => firstText(d).insert(0, 'before '))))
    captureUpdate(tab, (d) => firstText(d).insert(0, 'offline '))
    const newSocket = new FakeSocket('new')
    room.join(newSocket)
    room.receive(newSocket, encodeSyncStep2(Y.encodeStateAsUpdate(tab, Y.encodeStateVector(doc))))
    expect(text(doc)).toBe('before base')
    await vi.advanceTimersByTimeAsync(PROBE_TIMEOUT_MS - 1)
    expect(oldSocket.terminated).toBe(false)
    expect(text(doc)).toBe('before base')
    await vi.advanceTimersByTimeAsync(1)
    expect(oldSocket.terminated).toBe(true)
    expect(text(doc)).toBe('offline before base')
  })

  it('R5: drops a relayed copy while the owner is alive, and takes the owner’s own', async () => {
    const { room, doc, client } = setup()
    const ownerSocket = new FakeSocket('owner')
    const relay = new FakeSocket('relay')
    room.join(ownerSocket)
    room.join(relay)
    const owner = client()
    room.receive(ownerSocket, encodeUpdate(captureUpdate(owner, (d) => firstText(d).insert(0, 'a '))))
    const ownersEdit = captureUpdate(owner, (d) => firstText(d).insert(0, 'b '))
    const relayDoc = cloneDoc(owner)
    const relayOwn = captureUpdate(relayDoc, (d) => firstText(d).insert(0, 'relay '))
    room.receive(relay, encodeSyncStep2(Y.mergeUpdates([ownersEdit, relayOwn])))
    expect(ownerSocket.probes).toBe(1)
    await flush()
    expect(text(doc)).toBe('a base')
    room.receive(ownerSocket, encodeUpdate(ownersEdit))
    expect(text(doc)).toBe('relay b a base')
    expect(relay.closed).toBeNull()
  })

  it('R6: a view-only socket may sync but not write', () => {
    const { room, doc, client } = setup()
    const viewer = new FakeSocket('viewer', false)
    room.join(viewer)
    const local = client()
    room.receive(viewer, encodeSyncStep2(Y.encodeStateAsUpdate(local, Y.encodeStateVector(doc))))
    expect(viewer.closed).toBeNull()
    room.receive(viewer, encodeUpdate(captureUpdate(local, (d) => firstText(d).insert(0, 'sneaky '))))
    expect(viewer.closed?.code).toBe(CloseCode.forbidden)
    expect(text(doc)).toBe('base')
  })

  it('R7: a socket speaks only for its own presence, echoes are ignored, and leaving removes it', () => {
    const { room } = setup()
    const a = new FakeSocket('a')
    const b = new FakeSocket('b')
    room.join(a)
    room.join(b)
    const aDoc = new Y.Doc()
    const aAwareness = new awarenessProtocol.Awareness(aDoc)
    aAwareness.setLocalState({ user: { name: 'A' } })
    const aFrame = encodeAwareness(awarenessProtocol.encodeAwarenessUpdate(aAwareness, [aDoc.clientID]))
    room.receive(a, aFrame)
    expect(room.presenceCount).toBe(1)
    const bSeen = b.awarenessFrames()
    room.receive(b, aFrame)
    expect(b.awarenessFrames()).toBe(bSeen)
    expect(b.closed).toBeNull()

    aAwareness.setLocalState({ user: { name: 'spoofed' } })
    room.receive(b, encodeAwareness(awarenessProtocol.encodeAwarenessUpdate(aAwareness, [aDoc.clientID])))
    const observer = new Y.Doc()
    const observerAwareness = new awarenessProtocol.Awareness(observer)
    for (const frame of b.sent.filter((f) => f[0] === 1)) {
      const decoder = decoding.createDecoder(frame)
      decoding.readVarUint(decoder)
      awarenessProtocol.applyAwarenessUpdate(observerAwareness, decoding.readVarUint8Array(decoder), 'server')
    }
    expect(observerAwareness.getStates().get(aDoc.clientID)).toEqual({ user: { name: 'A' } })

    room.leave(a)
    expect(room.presenceCount).toBe(0)
    const last = b.sent.at(-1) as Uint8Array
    const decoder = decoding.createDecoder(last)
    decoding.readVarUint(decoder)
    awarenessProtocol.applyAwarenessUpdate(observerAwareness, decoding.readVarUint8Array(decoder), 'server')
    expect(observerAwareness.getStates().has(aDoc.clientID)).toBe(false)
  })

  it('R9: sends presence in batches, the newest state per client in one message for everyone, without delaying updates', async () => {
    vi.useFakeTimers()
    const published: Uint8Array[] = []
    const { room, client } = setup({
      presenceTickMs: 50,
      presenceFullTickSockets: 1,
      publishAwareness: (update) => published.push(update),
    })
    const sockets = ['a', 'b', 'observer'].map((id) => new FakeSocket(id))
    for (const socket of sockets) room.join(socket)
    const [a, b, observer] = sockets as [FakeSocket, FakeSocket, FakeSocket]
    const docs = [client(), client()]
    const states = docs.map((doc) => new awarenessProtocol.Awareness(doc))
    const send = (socket: FakeSocket, index: number, cursor: number): void => {
      const awareness = states[index] as awarenessProtocol.Awareness
      awareness.setLocalState({ user: { name: socket.id }, cursor })
      room.receive(socket, encodeAwareness(awarenessProtocol.encodeAwarenessUpdate(awareness, [awareness.clientID])))
    }
    // A change after a quiet spell goes at once; the next ones are gathered for a tick.
    send(a, 0, 1)
    expect(observer.awarenessFrames()).toBe(1)
    expect(published).toHaveLength(1)
    const before = observer.sent.length
    send(b, 1, 1)
    send(a, 0, 2)
    send(a, 0, 3)
    expect(observer.sent.length).toBe(before)
    // A document update sent meanwhile goes out as soon as it is stored, ahead of the batch.
    const editor = docs[0] as Y.Doc
    room.receive(a, encodeUpdate(captureUpdate(editor, () => firstText(editor).insert(0, 'x'))))
    await vi.advanceTimersByTimeAsync(0)
    expect(observer.sent.length).toBe(before + 1)
    expect(observer.sent.at(-1)?.[0]).toBe(0)
    await vi.advanceTimersByTimeAsync(50)
    const frames = observer.sent.slice(before + 1)
    expect(frames.map((frame) => frame[0])).toEqual([1])
    const seen = new awarenessProtocol.Awareness(new Y.Doc())
    const decoder = decoding.createDecoder(frames[0] as Uint8Array)
    decoding.readVarUint(decoder)
    const batch = decoding.readVarUint8Array(decoder)
    expect(decoding.readVarUint(decoding.createDecoder(batch))).toBe(2)
    awarenessProtocol.applyAwarenessUpdate(seen, batch, 'server')
    expect(seen.getStates().get(states[0]?.clientID as number)).toEqual({ user: { name: 'a' }, cursor: 3 })
    expect(seen.getStates().get(states[1]?.clientID as number)).toEqual({ user: { name: 'b' }, cursor: 1 })
    // Everyone got the same bytes, and the other processes one message.
    expect(a.sent.at(-1)).toBe(frames[0])
    expect(b.sent.at(-1)).toBe(frames[0])
    expect(published).toHaveLength(2)
    // A departure is gathered too, and reaches the others in the next batch.
    room.leave(a)
    await vi.advanceTimersByTimeAsync(50)
    const removal = observer.sent.at(-1) as Uint8Array
    const removalDecoder = decoding.createDecoder(removal)
    decoding.readVarUint(removalDecoder)
    awarenessProtocol.applyAwarenessUpdate(seen, decoding.readVarUint8Array(removalDecoder), 'server')
    expect(seen.getStates().has(states[0]?.clientID as number)).toBe(false)
    expect(published).toHaveLength(3)
  })

  it('R9: a batch made by one socket alone is not sent back to it; one made by several goes to all', async () => {
    vi.useFakeTimers()
    const { room, client } = setup({ presenceTickMs: 50, presenceFullTickSockets: 1 })
    const sockets = ['a', 'b', 'observer'].map((id) => new FakeSocket(id))
    for (const socket of sockets) room.join(socket)
    const [a, b, observer] = sockets as [FakeSocket, FakeSocket, FakeSocket]
    const states = [client(), client()].map((doc) => new awarenessProtocol.Awareness(doc))
    const move = (socket: FakeSocket, index: number, cursor: number): void => {
      const awareness = states[index] as awarenessProtocol.Awareness
      awareness.setLocalState({ user: { name: socket.id }, cursor })
      room.receive(socket, encodeAwareness(awarenessProtocol.encodeAwarenessUpdate(awareness, [awareness.clientID])))
    }
    const seen = sockets.map((socket) => socket.awarenessFrames())
    const received = (): number[] => sockets.map((socket, i) => socket.awarenessFrames() - (seen[i] as number))
    move(a, 0, 1)
    expect(received()).toEqual([0, 1, 1])
    move(a, 0, 2)
    await vi.advanceTimersByTimeAsync(50)
    expect(received()).toEqual([0, 2, 2])
    move(a, 0, 3)
    move(b, 1, 1)
    await vi.advanceTimersByTimeAsync(50)
    expect(received()).toEqual([1, 3, 3])
    expect(observer.closed).toBeNull()
  })

  it('R9: the wait between batches shrinks with the room: a few people’s carets go almost at once', async () => {
    vi.useFakeTimers()
    // Three sockets where thirty would wait the whole 50 ms: 5 ms.
    const { room, client } = setup({ presenceTickMs: 50, presenceFullTickSockets: 30 })
    const sockets = ['a', 'b', 'observer'].map((id) => new FakeSocket(id))
    for (const socket of sockets) room.join(socket)
    const [a, , observer] = sockets as [FakeSocket, FakeSocket, FakeSocket]
    const awareness = new awarenessProtocol.Awareness(client())
    const move = (cursor: number): void => {
      awareness.setLocalState({ user: { name: 'a' }, cursor })
      room.receive(a, encodeAwareness(awarenessProtocol.encodeAwarenessUpdate(awareness, [awareness.clientID])))
    }
    move(1)
    expect(observer.awarenessFrames()).toBe(1)
    move(2)
    await vi.advanceTimersByTimeAsync(4)
    expect(observer.awarenessFrames()).toBe(1)
    await vi.advanceTimersByTimeAsync(1)
    expect(observer.awarenessFrames()).toBe(2)
    // Quiet for longer than that: the next change goes at once.
    await vi.advanceTimersByTimeAsync(20)
    move(3)
    expect(observer.awarenessFrames()).toBe(3)
  })

  it('R7: closes a socket whose awareness message holds more entries than the room could accept (1008)', () => {
    const { room } = setup()
    const flooder = new FakeSocket('flooder')
    room.join(flooder)
    const encoder = encoding.createEncoder()
    encoding.writeVarUint(encoder, 100_000)
    for (let i = 0; i < 100; i++) {
      encoding.writeVarUint(encoder, i + 1)
      encoding.writeVarUint(encoder, 1)
      encoding.writeVarString(encoder, '{}')
    }
    room.receive(flooder, encodeAwareness(encoding.toUint8Array(encoder)))
    expect(flooder.closed?.code).toBe(CloseCode.policyViolation)
    expect(room.presenceCount).toBe(0)
  })

  it('R8: closes every socket with a retryable code when storage fails, and gives up the room', async () => {
    const { room, waiting, client, failures } = setup({ deferStorage: true })
    const writer = new FakeSocket('writer')
    const reader = new FakeSocket('reader')
    room.join(writer)
    room.join(reader)
    room.receive(writer, encodeUpdate(captureUpdate(client(), (d) => firstText(d).insert(0, 'lost? '))))
    waiting[0]?.reject(new Error('disk on fire'))
    await flush()
    expect(writer.closed?.code).toBe(CloseCode.internalError)
    expect(reader.closed?.code).toBe(CloseCode.internalError)
    expect(failures()).toBe(1)
  })

  it('R8: a throw while handling a message closes only its sender with 1011 and the room keeps serving', () => {
    const rules = schemaRules()
    const nodes = new Set(rules.nodes)
    nodes.has = (name: string) => {
      if (name === 'heading') throw new Error('injected')
      return Set.prototype.has.call(nodes, name)
    }
    const { room, doc, client, failures } = setup({ rules: { ...rules, nodes } })
    const thrower = new FakeSocket('thrower')
    const other = new FakeSocket('other')
    room.join(thrower)
    room.join(other)
    const heading = captureUpdate(client(), (d) => d.getXmlFragment(DOCUMENT_FIELD).push([new Y.XmlElement('heading')]))
    expect(() => room.receive(thrower, encodeUpdate(heading))).not.toThrow()
    expect(thrower.closed?.code).toBe(CloseCode.internalError)
    expect(other.closed).toBeNull()
    expect(failures()).toBe(0)
    room.receive(other, encodeUpdate(captureUpdate(client(), (d) => firstText(d).insert(0, 'still '))))
    expect(text(doc)).toBe('still base')
    expect(room.socketCount).toBe(1)
  })

  it('R8: a throw after the document changed gives up the room, closing every socket with 1011', () => {
    const { room, client, failures } = setup({
      append: () => {
        throw new Error('injected')
      },
    })
    const writer = new FakeSocket('writer')
    const reader = new FakeSocket('reader')
    room.join(writer)
    room.join(reader)
    expect(() =>
      room.receive(writer, encodeUpdate(captureUpdate(client(), (d) => firstText(d).insert(0, 'x')))),
    ).not.toThrow()
    expect(writer.closed?.code).toBe(CloseCode.internalError)
    expect(reader.closed?.code).toBe(CloseCode.internalError)
    expect(failures()).toBe(1)
  })

  it('R8: a throw while absorbing what other processes stored fails only this room', () => {
    const { room, failures } = setup()
    const socket = new FakeSocket('socket')
    room.join(socket)
    expect(() => room.absorbStored([Uint8Array.of(1, 1, 7, 0, 4, 1, 9, 9)])).not.toThrow()
    expect(socket.closed?.code).toBe(CloseCode.internalError)
    expect(failures()).toBe(1)
  })

  it('R8: closes with 4404 when the document was deleted under it', async () => {
    const { room, waiting, client } = setup({ deferStorage: true })
    const writer = new FakeSocket('writer')
    room.join(writer)
    room.receive(writer, encodeUpdate(captureUpdate(client(), (d) => firstText(d).insert(0, 'x'))))
    waiting[0]?.reject(new DocumentNotFound('doc'))
    await flush()
    expect(writer.closed?.code).toBe(CloseCode.notFound)
  })
})
