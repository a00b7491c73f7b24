/**
 * Presence bookkeeping: bounded work per message, and tombstones that neither pile up nor scan.
 */
import * as encoding from 'lib0/encoding'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { AWARENESS_ENTRY_MARGIN, AWARENESS_OUTDATED_MS, AwarenessError, RoomAwareness } from './awareness'

type Raw = [clientId: number, clock: number, state: string]

function update(entries: Raw[], count = entries.length): Uint8Array {
  const encoder = encoding.createEncoder()
  encoding.writeVarUint(encoder, count)
  for (const [clientId, clock, state] of entries) {
    encoding.writeVarUint(encoder, clientId)
    encoding.writeVarUint(encoder, clock)
    encoding.writeVarString(encoder, state)
  }
  return encoding.toUint8Array(encoder)
}

const limits = { maxClientsPerOwner: 4, maxStateBytes: 1000 }
const name = (n: string) => JSON.stringify({ user: { name: n } })

afterEach(() => {
  vi.useRealTimers()
  vi.restoreAllMocks()
})

describe('RoomAwareness: work per message', () => {
  it('refuses a message claiming more entries than the room could accept, before decoding them', () => {
    const awareness = new RoomAwareness(limits)
    const socket = {}
    awareness.apply(socket, update([[1, 1, name('a')]]))
    // Only the count is sent: the refusal comes from it alone, before any entry is read.
    const flood = update([[2, 1, '{}']], 100_000)
    const error = (() => {
      try {
        awareness.apply({}, flood)
      } catch (caught) {
        return caught
      }
      return null
    })()
    expect(error).toBeInstanceOf(AwarenessError)
    expect((error as AwarenessError).limit).toBe(true)
    expect(awareness.maxEntriesPerMessage).toBe(1 + limits.maxClientsPerOwner + AWARENESS_ENTRY_MARGIN)
    const atLimit = Array.from({ length: awareness.maxEntriesPerMessage }, (_, i): Raw => [1000 + i, 1, '{}'])
    expect(() => awareness.apply({}, update(atLimit))).not.toThrow()
  })

  it('accepts a stock client echoing every state of a 500-client room, and parses only its own', () => {
    const awareness = new RoomAwareness(limits)
    const echo: Raw[] = []
    for (let i = 0; i < 500; i++) {
      awareness.apply({}, update([[i + 1, 1, name(`user ${i}`)]]))
      echo.push([i + 1, 1, name(`user ${i}`)])
    }
    const socket = {}
    echo.push([9999, 1, name('me')])
    const parse = vi.spyOn(JSON, 'parse')
    const change = awareness.apply(socket, update(echo))
    expect(parse).toHaveBeenCalledTimes(1)
    expect(change.acceptedWhole).toBe(false)
    expect(awareness.ownedBy(socket)).toEqual([9999])
    expect(awareness.size).toBe(501)
  })

  it('skips entries the sender may not write without reading their JSON', () => {
    const awareness = new RoomAwareness(limits)
    awareness.apply({}, update([[1, 1, name('a')]]))
    expect(() => awareness.apply({}, update([[1, 2, '{not json']]))).not.toThrow()
    expect(() => awareness.apply({}, update([[2, 1, '{not json']]))).toThrow(AwarenessError)
  })

  it('parses at most maxClientsPerOwner claims per message, and refuses a client id written twice', () => {
    const awareness = new RoomAwareness(limits)
    const socket = {}
    const parse = vi.spyOn(JSON, 'parse')
    awareness.apply(socket, update(Array.from({ length: 60 }, (_, i): Raw => [i + 1, 1, name(`claim ${i}`)])))
    expect(parse).toHaveBeenCalledTimes(limits.maxClientsPerOwner)
    expect(awareness.ownedBy(socket)).toHaveLength(limits.maxClientsPerOwner)
    expect(() =>
      awareness.apply(
        socket,
        update([
          [1, 5, name('x')],
          [1, 6, name('y')],
        ]),
      ),
    ).toThrow(/repeated/)
  })

  it('takes a state that parses to null as a removal', () => {
    const awareness = new RoomAwareness(limits)
    const socket = {}
    awareness.apply(socket, update([[1, 1, name('a')]]))
    const change = awareness.apply(socket, update([[1, 2, ' null ']]))
    expect(awareness.size).toBe(0)
    expect(change.acceptedWhole).toBe(false)
  })
})

describe('RoomAwareness: tombstones', () => {
  /** Claims a new client id and clears it again, leaving one tombstone. */
  const churn = (awareness: RoomAwareness, socket: object, clientId: number) => {
    awareness.apply(socket, update([[clientId, 1, name('x')]]))
    awareness.apply(socket, update([[clientId, 2, 'null']]))
  }

  it('are pruned on a timer, not only when a socket leaves', () => {
    vi.useFakeTimers()
    const awareness = new RoomAwareness(limits)
    const socket = {}
    churn(awareness, socket, 1)
    expect(awareness.tombstoneCount).toBe(1)
    vi.advanceTimersByTime(AWARENESS_OUTDATED_MS / 2)
    churn(awareness, socket, 2)
    vi.advanceTimersByTime(AWARENESS_OUTDATED_MS / 2 + 1000)
    expect(awareness.tombstoneCount).toBe(1)
    vi.advanceTimersByTime(AWARENESS_OUTDATED_MS / 2)
    expect(awareness.tombstoneCount).toBe(0)
    expect(vi.getTimerCount()).toBe(0)
  })

  it('are bounded per socket: clearing more forgets the socket’s oldest', () => {
    const awareness = new RoomAwareness(limits)
    const socket = {}
    for (let i = 1; i <= 200; i++) churn(awareness, socket, i)
    expect(awareness.tombstoneCount).toBe(limits.maxClientsPerOwner)
    const other = {}
    churn(awareness, other, 5000)
    expect(awareness.tombstoneCount).toBe(limits.maxClientsPerOwner + 1)
    awareness.dispose()
  })

  it('still stop an echo of a cleared state from bringing it back', () => {
    const awareness = new RoomAwareness(limits)
    const owner = {}
    awareness.apply(owner, update([[1, 1, name('a')]]))
    awareness.apply(owner, update([[1, 2, 'null']]))
    expect(awareness.apply({}, update([[1, 1, name('a')]])).update).toBeNull()
    expect(awareness.size).toBe(0)
    awareness.dispose()
  })
})

describe('RoomAwareness: batches', () => {
  it('sends each state as the bytes it received, non-ASCII text included, and a relayed removal as a removal', () => {
    const awareness = new RoomAwareness(limits)
    const state = JSON.stringify({ user: { name: 'Zoë 🦊 王' } })
    awareness.apply({}, update([[1, 1, state]]))
    expect(awareness.takeChanges().all).toEqual(update([[1, 1, state]]))
    const otherProcess = {}
    awareness.applyTrusted(otherProcess, update([[2, 1, name('b')]]))
    awareness.applyTrusted(otherProcess, update([[2, 2, 'null']]))
    expect(awareness.size).toBe(1)
    expect(awareness.takeChanges().all).toEqual(update([[2, 2, 'null']]))
    awareness.dispose()
  })
})
