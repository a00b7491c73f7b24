import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import {
  CONNECTION_MESSAGES as SAYS,
  ConnectionAnnouncer,
  type Person,
  PresenceAnnouncer,
  describeArrivals,
  describePresent,
} from './announcements'

const me: Person = { key: 'id:me', name: 'Ada', self: true }
const person = (name: string): Person => ({ key: `id:${name.toLowerCase()}`, name, self: false })
const [bob, carol, dan, eve] = ['Bob', 'Carol', 'Dan', 'Eve'].map(person) as [Person, Person, Person, Person]

describe('what is said about people', () => {
  it('names up to three people, then counts', () => {
    expect(describeArrivals(['Bob'], [])).toBe('Bob joined.')
    expect(describeArrivals(['Bob', 'Carol'], [])).toBe('Bob and Carol joined.')
    expect(describeArrivals(['Bob', 'Carol', 'Dan'], ['Eve'])).toBe('Bob, Carol and Dan joined. Eve left.')
    expect(describeArrivals([], ['Bob', 'Carol', 'Dan', 'Eve'])).toBe('4 people left.')
    expect(describeArrivals([], [])).toBe('')
    expect(describePresent(['Bob'])).toBe('Bob is also here.')
    expect(describePresent(['Bob', 'Carol'])).toBe('Bob and Carol are also here.')
    expect(describePresent(['Bob', 'Carol', 'Dan', 'Eve'])).toBe('4 other people are here.')
  })
})

describe('PresenceAnnouncer', () => {
  let said: string[]
  let announcer: PresenceAnnouncer

  beforeEach(() => {
    vi.useFakeTimers()
    said = []
    announcer = new PresenceAnnouncer((text) => said.push(text), {
      quietMs: 1000,
      maxWaitMs: 3000,
      reconnectSettleMs: 3000,
    })
  })
  afterEach(() => {
    announcer.dispose()
    vi.useRealTimers()
  })

  it('on opening, says who is already here, once; alone, says nothing', () => {
    announcer.people([me, bob])
    announcer.setConnected(true)
    expect(said).toEqual(['Bob is also here.'])
    vi.advanceTimersByTime(10_000)
    expect(said).toEqual(['Bob is also here.'])

    const alone = new PresenceAnnouncer((text) => said.push(text))
    alone.people([me])
    alone.setConnected(true)
    vi.advanceTimersByTime(10_000)
    expect(said).toEqual(['Bob is also here.'])
    alone.dispose()
  })

  it('says an arrival once things are quiet, not at once and not twice', () => {
    announcer.people([me])
    announcer.setConnected(true)
    announcer.people([me, bob])
    vi.advanceTimersByTime(999)
    expect(said).toEqual([])
    vi.advanceTimersByTime(1)
    expect(said).toEqual(['Bob joined.'])
    announcer.people([me, bob])
    vi.advanceTimersByTime(5000)
    expect(said).toEqual(['Bob joined.'])
  })

  it('coalesces a burst into one message, and one who came and went within it is not mentioned', () => {
    announcer.people([me, eve])
    announcer.setConnected(true)
    said.length = 0
    announcer.people([me, eve, bob])
    vi.advanceTimersByTime(500)
    announcer.people([me, eve, bob, carol])
    vi.advanceTimersByTime(500)
    announcer.people([me, eve, bob, carol, dan])
    vi.advanceTimersByTime(500)
    announcer.people([me, bob, carol])
    vi.advanceTimersByTime(1000)
    expect(said).toEqual(['Bob and Carol joined. Eve left.'])
  })

  it('speaks within maxWait even while changes keep coming', () => {
    announcer.people([me])
    announcer.setConnected(true)
    const everyone = [bob, carol, dan, eve]
    for (let i = 0; i < 6; i++) {
      announcer.people([me, ...everyone.slice(0, (i % 4) + 1)])
      vi.advanceTimersByTime(600)
    }
    expect(said).toHaveLength(1)
    expect(said[0]).toMatch(/joined\.$/)
  })

  it('ignores your own tabs, renewals and renames', () => {
    announcer.people([me, bob])
    announcer.setConnected(true)
    said.length = 0
    // Another tab of yours shows as you (presenceUsers merges it); a renewal or rename keeps the key.
    announcer.people([{ ...me }, bob])
    announcer.people([me, { ...bob, name: 'Robert' }])
    vi.advanceTimersByTime(5000)
    expect(said).toEqual([])
  })

  it('says nothing about people dropped with the connection, and takes them back in silently', () => {
    announcer.people([me, bob, carol])
    announcer.setConnected(true)
    said.length = 0
    // The provider removes everyone else when its socket closes, just before the state says so.
    announcer.people([me])
    announcer.setConnected(false)
    vi.advanceTimersByTime(5000)
    announcer.setConnected(true)
    announcer.people([me, bob])
    vi.advanceTimersByTime(2000)
    announcer.people([me, bob, carol])
    vi.advanceTimersByTime(5000)
    expect(said).toEqual([])
    // Settled: changes are said again.
    announcer.people([me, bob])
    vi.advanceTimersByTime(1000)
    expect(said).toEqual(['Carol left.'])
  })
})

describe('ConnectionAnnouncer', () => {
  let said: string[]
  let announcer: ConnectionAnnouncer

  beforeEach(() => {
    vi.useFakeTimers()
    said = []
    announcer = new ConnectionAnnouncer((text) => said.push(text), { saveWaitMs: 2000 })
  })
  afterEach(() => {
    announcer.dispose()
    vi.useRealTimers()
  })

  it('is silent on the first connection and while typing', () => {
    announcer.update({ connection: 'connecting', pending: false })
    announcer.update({ connection: 'connected', pending: false })
    for (let i = 0; i < 5; i++) {
      announcer.update({ connection: 'connected', pending: true })
      announcer.update({ connection: 'connected', pending: false })
    }
    expect(said).toEqual([])
  })

  it('says the server cannot be reached, not "offline", while the browser is online', () => {
    const said: string[] = []
    const announcer = new ConnectionAnnouncer((text) => said.push(text))
    announcer.update({ connection: 'connected', pending: false })
    announcer.update({ connection: 'connecting', pending: false })
    announcer.update({ connection: 'unreachable', pending: false })
    announcer.update({ connection: 'connected', pending: false })
    expect(said).toEqual([SAYS.lost, SAYS.unreachable, SAYS.back])
  })

  it('says the connection was lost, went offline and came back, without every attempt in between', () => {
    announcer.update({ connection: 'connected', pending: false })
    announcer.update({ connection: 'connecting', pending: false })
    announcer.update({ connection: 'offline', pending: false })
    announcer.update({ connection: 'connecting', pending: false })
    announcer.update({ connection: 'offline', pending: false })
    announcer.update({ connection: 'connecting', pending: false })
    announcer.update({ connection: 'connected', pending: false })
    expect(said).toEqual([SAYS.lost, SAYS.offline, SAYS.offline, SAYS.back])
  })

  it('after edits made while away, says "saved" once, with the return when it follows quickly', () => {
    announcer.update({ connection: 'connected', pending: false })
    announcer.update({ connection: 'connecting', pending: false })
    announcer.update({ connection: 'connecting', pending: true })
    announcer.update({ connection: 'connected', pending: true })
    vi.advanceTimersByTime(500)
    announcer.update({ connection: 'connected', pending: false })
    announcer.update({ connection: 'connected', pending: true })
    announcer.update({ connection: 'connected', pending: false })
    vi.advanceTimersByTime(5000)
    expect(said).toEqual([SAYS.lost, SAYS.backSaved])
  })

  it('when the save takes long, says the return first and "saved" later', () => {
    announcer.update({ connection: 'connected', pending: false })
    announcer.update({ connection: 'offline', pending: true })
    announcer.update({ connection: 'connected', pending: true })
    vi.advanceTimersByTime(2000)
    expect(said).toEqual([SAYS.offline, SAYS.backSaving])
    announcer.update({ connection: 'connected', pending: false })
    expect(said).toEqual([SAYS.offline, SAYS.backSaving, SAYS.saved])
  })

  it('a loss during the wait cancels the held message', () => {
    announcer.update({ connection: 'connected', pending: false })
    announcer.update({ connection: 'connecting', pending: true })
    announcer.update({ connection: 'connected', pending: true })
    announcer.update({ connection: 'connecting', pending: true })
    vi.advanceTimersByTime(5000)
    expect(said).toEqual([SAYS.lost, SAYS.lost])
  })

  it('says when a page opened offline is connected and its edits are saved', () => {
    announcer.update({ connection: 'offline', pending: false })
    announcer.update({ connection: 'offline', pending: true })
    announcer.update({ connection: 'connecting', pending: true })
    announcer.update({ connection: 'connected', pending: true })
    announcer.update({ connection: 'connected', pending: false })
    expect(said).toEqual([SAYS.offline, SAYS.backSaved])
  })
})
