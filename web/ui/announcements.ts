/**
 * What the editor page says through the live region (`announce.ts`), decided here so that it is
 * what a sighted person notices and no more:
 *
 * - Connection: lost, offline, back. Not the first connection when a page opens, not every
 *   "Connecting…" attempt in between, and "All changes saved" once when edits made while away
 *   have reached the server (never per keystroke). When the save follows the reconnection
 *   quickly, both are said as one message.
 * - People: arrivals and departures, coalesced (a burst of changes becomes one message; someone
 *   who comes and goes within it is not mentioned). Your own tabs are one person with you
 *   (`presenceUsers`), renewals and renames change nobody, and right after a reconnection the
 *   people coming back are taken in silently.
 */
import type { ConnectionState } from '../sync/session'

export type Say = (text: string) => void

export const CONNECTION_MESSAGES = {
  lost: 'Connection lost. Reconnecting… Your edits are kept on this device.',
  offline: 'Offline. Your edits are kept on this device and sync when the connection returns.',
  unreachable: 'Can’t reach the server. Retrying… Your edits are kept on this device.',
  back: 'Connected again.',
  backSaved: 'Connected again. All changes saved.',
  backSaving: 'Connected again. Saving your changes…',
  saved: 'All changes saved.',
} as const

export interface ConnectionAnnouncerOptions {
  /** After reconnecting with unsaved edits, how long to wait for the save to say both at once. */
  saveWaitMs?: number
}

export class ConnectionAnnouncer {
  readonly #say: Say
  readonly #saveWaitMs: number
  #previous: ConnectionState | null = null
  /** A loss was announced and not yet the return. */
  #away = false
  /** Edits were waiting while not connected; "saved" is due once they are stored. */
  #unsaved = false
  #holding: ReturnType<typeof setTimeout> | null = null

  constructor(say: Say, options: ConnectionAnnouncerOptions = {}) {
    this.#say = say
    this.#saveWaitMs = options.saveWaitMs ?? 2000
  }

  update(state: { connection: ConnectionState; pending: boolean }): void {
    const previous = this.#previous
    this.#previous = state.connection
    if (state.connection !== 'connected') {
      this.#release()
      if (state.pending) this.#unsaved = true
    }
    if (previous !== state.connection) {
      if (state.connection === 'connected') {
        if (this.#away) this.#back(state.pending)
      } else if (state.connection === 'offline') {
        this.#away = true
        this.#say(CONNECTION_MESSAGES.offline)
      } else if (state.connection === 'unreachable') {
        this.#away = true
        this.#say(CONNECTION_MESSAGES.unreachable)
      } else if (previous === 'connected') {
        this.#away = true
        this.#say(CONNECTION_MESSAGES.lost)
      }
    }
    if (state.connection === 'connected' && !state.pending && this.#unsaved) {
      this.#unsaved = false
      if (this.#holding !== null) {
        this.#release()
        this.#say(CONNECTION_MESSAGES.backSaved)
      } else if (!this.#away) this.#say(CONNECTION_MESSAGES.saved)
    }
  }

  dispose(): void {
    this.#release()
  }

  #back(pending: boolean): void {
    this.#away = false
    if (!(this.#unsaved && pending)) {
      // Saved already (said below), or nothing was waiting.
      if (!this.#unsaved) this.#say(CONNECTION_MESSAGES.back)
      else {
        this.#unsaved = false
        this.#say(CONNECTION_MESSAGES.backSaved)
      }
      return
    }
    this.#holding = setTimeout(() => {
      this.#holding = null
      this.#say(CONNECTION_MESSAGES.backSaving)
    }, this.#saveWaitMs)
  }

  #release(): void {
    if (this.#holding !== null) clearTimeout(this.#holding)
    this.#holding = null
  }
}

/** "Bob", "Bob and Carol", "Bob, Carol and Dan", "4 people". */
export function listNames(names: readonly string[]): string {
  if (names.length > 3) return `${names.length} people`
  if (names.length <= 1) return names[0] ?? ''
  return `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`
}

export function describeArrivals(joined: readonly string[], left: readonly string[]): string {
  return [joined.length > 0 ? `${listNames(joined)} joined.` : '', left.length > 0 ? `${listNames(left)} left.` : '']
    .filter((part) => part !== '')
    .join(' ')
}

export function describePresent(names: readonly string[]): string {
  if (names.length === 0) return ''
  if (names.length > 3) return `${names.length} other people are here.`
  return `${listNames(names)} ${names.length === 1 ? 'is' : 'are'} also here.`
}

export interface Person {
  key: string
  name: string
  self: boolean
}

export interface PresenceAnnouncerOptions {
  /** A burst ends after this long without changes… */
  quietMs?: number
  /** …or this long after its first change, whichever comes first. */
  maxWaitMs?: number
  /** After a reconnection, people coming back within this time are not announced. */
  reconnectSettleMs?: number
}

export class PresenceAnnouncer {
  readonly #say: Say
  readonly #quietMs: number
  readonly #maxWaitMs: number
  readonly #settleMs: number
  /** Others as last announced (or taken in): key → name. */
  #known = new Map<string, string>()
  /** Others now. */
  #latest = new Map<string, string>()
  #connected = false
  #settled = false
  #everConnected = false
  #settleTimer: ReturnType<typeof setTimeout> | null = null
  #flushTimer: ReturnType<typeof setTimeout> | null = null
  #burstStartedAt: number | null = null

  constructor(say: Say, options: PresenceAnnouncerOptions = {}) {
    this.#say = say
    this.#quietMs = options.quietMs ?? 1000
    this.#maxWaitMs = options.maxWaitMs ?? 3000
    this.#settleMs = options.reconnectSettleMs ?? 3000
  }

  /** Everyone in the document now, you included (`presenceUsers`). */
  people(people: readonly Person[]): void {
    this.#latest = new Map(people.filter((person) => !person.self).map((person) => [person.key, person.name]))
    if (this.#connected && this.#settled) this.#schedule()
  }

  /**
   * The connection to the server came or went. On the first connection the people already
   * there (the server sends them before the document is in sync) are said at once.
   */
  setConnected(connected: boolean): void {
    if (connected === this.#connected) return
    this.#connected = connected
    this.#settled = false
    this.#clearTimers()
    if (!connected) return
    if (!this.#everConnected) {
      this.#everConnected = true
      this.#takeIn()
      const here = describePresent([...this.#known.values()])
      if (here !== '') this.#say(here)
      return
    }
    this.#settleTimer = setTimeout(() => {
      this.#settleTimer = null
      this.#takeIn()
    }, this.#settleMs)
  }

  dispose(): void {
    this.#clearTimers()
  }

  #takeIn(): void {
    this.#settled = true
    this.#known = new Map(this.#latest)
  }

  #schedule(): void {
    const now = Date.now()
    this.#burstStartedAt ??= now
    if (this.#flushTimer !== null) clearTimeout(this.#flushTimer)
    const wait = Math.max(0, Math.min(this.#quietMs, this.#burstStartedAt + this.#maxWaitMs - now))
    this.#flushTimer = setTimeout(() => this.#flush(), wait)
  }

  #flush(): void {
    this.#flushTimer = null
    this.#burstStartedAt = null
    const joined = [...this.#latest].filter(([key]) => !this.#known.has(key)).map(([, name]) => name)
    const left = [...this.#known].filter(([key]) => !this.#latest.has(key)).map(([, name]) => name)
    this.#known = new Map(this.#latest)
    const text = describeArrivals(joined, left)
    if (text !== '') this.#say(text)
  }

  #clearTimers(): void {
    if (this.#settleTimer !== null) clearTimeout(this.#settleTimer)
    if (this.#flushTimer !== null) clearTimeout(this.#flushTimer)
    this.#settleTimer = null
    this.#flushTimer = null
    this.#burstStartedAt = null
  }
}
