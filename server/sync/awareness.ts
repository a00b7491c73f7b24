/**
 * The presence states of one room, kept as the raw JSON strings clients sent.
 *
 * Unlike y-protocols' `Awareness`, every state has an owner: the socket that first announced the
 * client id. A socket can change or clear only the states it owns, because stock y-websocket
 * clients echo every awareness change they receive back to the server; those echoes, and any
 * attempt to speak for another client, are dropped quietly. States of a closed socket are
 * removed at once so that no ghost caret lingers.
 */
import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'

/** Stock clients renew their state every 15 s and drop peers silent for 30 s. */
export const AWARENESS_OUTDATED_MS = 30_000

/** Anything that can own a state: a local socket, or another server process. */
export type AwarenessOwner = object

interface Entry {
  clock: number
  /** Raw JSON as received; null once removed (kept so that old clocks cannot resurrect it). */
  state: string | null
  owner: AwarenessOwner | null
  updatedAt: number
}

export interface AwarenessChange {
  /** The accepted entries encoded as an awareness update, or null when nothing changed. */
  update: Uint8Array | null
  /** True when every entry of the incoming update was accepted, so its bytes can be reused. */
  acceptedWhole: boolean
}

export class AwarenessError extends Error {
  override name = 'AwarenessError'
}

interface IncomingEntry {
  clientId: number
  clock: number
  state: string
}

export interface AwarenessLimits {
  /** Client ids a single socket may speak for; a stock provider uses one. */
  maxClientsPerOwner: number
  /** Largest JSON state accepted, in UTF-16 code units. */
  maxStateLength: number
}

export class RoomAwareness {
  readonly #entries = new Map<number, Entry>()
  readonly #limits: AwarenessLimits
  readonly #now: () => number

  constructor(limits: AwarenessLimits, now: () => number = Date.now) {
    this.#limits = limits
    this.#now = now
  }

  /**
   * Applies an update sent by `owner`. Entries it may not write are skipped; a malformed update
   * or an oversized or non-JSON state throws {@link AwarenessError} and changes nothing.
   */
  apply(owner: AwarenessOwner, update: Uint8Array): AwarenessChange {
    const incoming = decodeEntries(update, this.#limits.maxStateLength)
    const accepted: IncomingEntry[] = []
    let ownedCount = this.ownedBy(owner).length
    for (const entry of incoming) {
      const current = this.#entries.get(entry.clientId)
      if (current?.owner != null && current.owner !== owner) continue
      if (current?.owner == null) {
        if (current !== undefined && entry.clock <= current.clock) continue
        if (entry.state === 'null' || ownedCount >= this.#limits.maxClientsPerOwner) continue
        ownedCount++
      } else if (!isNewer(current, entry)) {
        continue
      }
      accepted.push(entry)
    }
    this.#record(accepted, owner)
    return {
      update: accepted.length === 0 ? null : encodeEntries(accepted),
      acceptedWhole: accepted.length === incoming.length,
    }
  }

  /** Applies states relayed by another server process, which checked them already. */
  applyTrusted(owner: AwarenessOwner, update: Uint8Array): void {
    this.#record(
      decodeEntries(update, Number.POSITIVE_INFINITY).filter((entry) => {
        const current = this.#entries.get(entry.clientId)
        return current === undefined || isNewer(current, entry)
      }),
      owner,
    )
  }

  #record(entries: IncomingEntry[], owner: AwarenessOwner): void {
    const now = this.#now()
    for (const entry of entries) {
      const removed = entry.state === 'null'
      this.#entries.set(entry.clientId, {
        clock: entry.clock,
        state: removed ? null : entry.state,
        owner: removed ? null : owner,
        updatedAt: now,
      })
    }
  }

  /** Removes every state `owner` holds; returns the removal to broadcast, or null. */
  removeOwnedBy(owner: AwarenessOwner): Uint8Array | null {
    const removed: IncomingEntry[] = []
    const forgetBefore = this.#now() - AWARENESS_OUTDATED_MS
    for (const [clientId, entry] of this.#entries) {
      if (entry.state === null && entry.updatedAt < forgetBefore) this.#entries.delete(clientId)
      if (entry.owner !== owner) continue
      entry.state = null
      entry.owner = null
      entry.updatedAt = this.#now()
      removed.push({ clientId, clock: entry.clock, state: 'null' })
    }
    return removed.length === 0 ? null : encodeEntries(removed)
  }

  ownedBy(owner: AwarenessOwner): number[] {
    const ids: number[] = []
    for (const [clientId, entry] of this.#entries) if (entry.owner === owner) ids.push(clientId)
    return ids
  }

  /** The current states, skipping outdated ones, for a joiner or a query; null when empty. */
  encodeCurrent(): Uint8Array | null {
    const cutoff = this.#now() - AWARENESS_OUTDATED_MS
    const live: IncomingEntry[] = []
    for (const [clientId, entry] of this.#entries) {
      if (entry.state !== null && entry.updatedAt >= cutoff) {
        live.push({ clientId, clock: entry.clock, state: entry.state })
      }
    }
    return live.length === 0 ? null : encodeEntries(live)
  }

  /** The live states held by any of `owners` (e.g. the local sockets); null when none. */
  encodeOwnedBy(owners: ReadonlySet<AwarenessOwner>): Uint8Array | null {
    const owned: IncomingEntry[] = []
    for (const [clientId, entry] of this.#entries) {
      if (entry.state !== null && entry.owner !== null && owners.has(entry.owner)) {
        owned.push({ clientId, clock: entry.clock, state: entry.state })
      }
    }
    return owned.length === 0 ? null : encodeEntries(owned)
  }

  /** Number of clients with a live state. */
  get size(): number {
    let count = 0
    for (const entry of this.#entries.values()) if (entry.state !== null) count++
    return count
  }
}

function isNewer(current: Entry, entry: IncomingEntry): boolean {
  return current.clock < entry.clock || (current.clock === entry.clock && entry.state === 'null' && current.state !== null)
}

function decodeEntries(update: Uint8Array, maxStateLength: number): IncomingEntry[] {
  const entries: IncomingEntry[] = []
  try {
    const decoder = decoding.createDecoder(update)
    const count = decoding.readVarUint(decoder)
    for (let i = 0; i < count; i++) {
      const clientId = decoding.readVarUint(decoder)
      const clock = decoding.readVarUint(decoder)
      const state = decoding.readVarString(decoder)
      if (state.length > maxStateLength) throw new AwarenessError('awareness state too large')
      JSON.parse(state)
      entries.push({ clientId, clock, state })
    }
    if (decoding.hasContent(decoder)) throw new AwarenessError('trailing bytes after awareness update')
  } catch (error) {
    if (error instanceof AwarenessError) throw error
    throw new AwarenessError('malformed awareness update')
  }
  return entries
}

function encodeEntries(entries: IncomingEntry[]): Uint8Array {
  const encoder = encoding.createEncoder()
  encoding.writeVarUint(encoder, entries.length)
  for (const entry of entries) {
    encoding.writeVarUint(encoder, entry.clientId)
    encoding.writeVarUint(encoder, entry.clock)
    encoding.writeVarString(encoder, entry.state)
  }
  return encoding.toUint8Array(encoder)
}
