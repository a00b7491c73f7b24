/**
 * The presence states of one room, kept as the raw JSON strings clients sent.
 *
 * Unlike y-protocols' `Awareness`, every state has an owner: the socket that first announced the
 * client id. A socket can change or clear only the states it owns, because stock y-websocket
 * clients echo every awareness change they receive back to the server; those echoes, and any
 * attempt to speak for another client, are dropped quietly. States of a closed socket are
 * removed at once so that no ghost caret lingers.
 *
 * Work per message is bounded by what the room may accept, not by what the message carries: a
 * message may hold at most as many entries as the room knows client ids (plus a margin), entries
 * the sender may not write are skipped without decoding their JSON, and at most
 * `maxClientsPerOwner` entries are parsed for the ids it owns and as many for ids it claims.
 *
 * A cleared state stays as a tombstone for {@link AWARENESS_OUTDATED_MS}, so that a late echo of
 * the old state cannot bring it back. Tombstones are pruned by a timer, and each socket answers
 * for at most `maxClientsPerOwner` tombstones it made by clearing its own states: clearing another
 * forgets its oldest one.
 *
 * The room sends presence in batches: every accepted change marks its client id, and
 * {@link RoomAwareness.takeChanges} encodes the newest state of each marked id once, for all
 * recipients (a client moving its caret twice within a batch costs one entry).
 */
import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'

/** Stock clients renew their state every 15 s and drop peers silent for 30 s. */
export const AWARENESS_OUTDATED_MS = 30_000

/**
 * Entries a message may carry beyond the client ids the room knows and the ids the sender may
 * still claim. Stock clients also send states the room does not know: ones learnt from other tabs
 * (BroadcastChannel), and, after a room reload, the removal of every peer they knew before it
 * once those time out. Skipping an entry costs well under a microsecond, so the margin is generous.
 */
export const AWARENESS_ENTRY_MARGIN = 1024

/** The prune timer fires at most this often, however fast tombstones are made. */
const PRUNE_GRANULARITY_MS = 1000

/** Anything that can own a state: a local socket, or another server process. */
export type AwarenessOwner = object

interface Entry {
  clock: number
  /** Raw JSON as received; null once removed (kept so that old clocks cannot resurrect it). */
  state: string | null
  owner: AwarenessOwner | null
  updatedAt: number
  /** For a tombstone: the connected socket that cleared its own state, which answers for it. */
  removedBy: AwarenessOwner | null
}

export interface AwarenessChange {
  /** The accepted entries encoded as an awareness update, or null when nothing changed. */
  update: Uint8Array | null
  /** True when every entry of the incoming update was accepted as sent, so its bytes can be reused. */
  acceptedWhole: boolean
}

export class AwarenessError extends Error {
  override name = 'AwarenessError'
  constructor(
    message: string,
    /** A limit was exceeded (retryable), rather than the message being malformed. */
    readonly limit = false,
  ) {
    super(message)
  }
}

interface IncomingEntry {
  clientId: number
  clock: number
  state: string
}

export interface AwarenessLimits {
  /** Client ids a single socket may speak for; a stock provider uses one. */
  maxClientsPerOwner: number
  /** Largest JSON state accepted, in bytes of UTF-8. */
  maxStateBytes: number
}

const NULL_STATE = 'null'

export class RoomAwareness {
  readonly #entries = new Map<number, Entry>()
  /** Client ids with a live state, per owner. */
  readonly #owned = new Map<AwarenessOwner, Set<number>>()
  /** Client ids whose state was removed, oldest removal first. */
  readonly #tombstones = new Set<number>()
  /** Tombstones each connected socket made by clearing its own states, oldest first. */
  readonly #removedBy = new Map<AwarenessOwner, Set<number>>()
  /** Client ids changed since the last `takeChanges`, and those changed by this process's sockets. */
  readonly #changed = new Set<number>()
  readonly #changedHere = new Set<number>()
  /**
   * Who made the changes since the last `takeChanges`: one sending owner, null when several (or
   * another process, or a closed socket's removal), undefined when none.
   */
  #changedBy: AwarenessOwner | null | undefined = undefined
  readonly #limits: AwarenessLimits
  readonly #now: () => number
  #pruneTimer: ReturnType<typeof setTimeout> | null = null

  constructor(limits: AwarenessLimits, now: () => number = Date.now) {
    this.#limits = limits
    this.#now = now
  }

  /** Most entries one message may carry now; more closes the sender (a limit, not malformed). */
  get maxEntriesPerMessage(): number {
    return this.#entries.size + this.#limits.maxClientsPerOwner + AWARENESS_ENTRY_MARGIN
  }

  /**
   * Applies an update sent by `owner`. Entries it may not write are skipped; a malformed update
   * or an oversized or non-JSON state throws {@link AwarenessError} and changes nothing.
   */
  apply(owner: AwarenessOwner, update: Uint8Array): AwarenessChange {
    const accepted: IncomingEntry[] = []
    let count = 0
    let asSent = true
    try {
      const decoder = decoding.createDecoder(update)
      count = decoding.readVarUint(decoder)
      const limit = this.maxEntriesPerMessage
      if (count > limit) throw new AwarenessError(`awareness update of ${count} entries (at most ${limit} here)`, true)
      const ownedCount = this.#owned.get(owner)?.size ?? 0
      let claims = 0
      const considered = new Set<number>()
      for (let i = 0; i < count; i++) {
        const clientId = decoding.readVarUint(decoder)
        const clock = decoding.readVarUint(decoder)
        const stateStart = decoder.pos
        const length = decoding.readVarUint(decoder)
        const bytesStart = decoder.pos
        if (length > update.length - bytesStart) throw new AwarenessError('malformed awareness update')
        decoder.pos += length
        const isNull = isNullBytes(update, bytesStart, length)
        const current = this.#entries.get(clientId)
        const mine = current !== undefined && current.owner === owner
        if (mine) {
          if (clock < current.clock) continue
        } else {
          if (current?.owner != null) continue
          if (current !== undefined && clock <= current.clock) continue
          if (isNull || ownedCount + claims >= this.#limits.maxClientsPerOwner) continue
          // A claim takes a slot even if its state turns out to be null, so parsing stays bounded.
          claims++
        }
        // Only entries the sender may write get here, each id once: at most 2 × maxClientsPerOwner.
        if (considered.has(clientId)) throw new AwarenessError('client id repeated in one awareness update')
        considered.add(clientId)
        if (length > this.#limits.maxStateBytes) throw new AwarenessError('awareness state too large')
        let state = NULL_STATE
        if (!isNull) {
          decoder.pos = stateStart
          const text = decoding.readVarString(decoder)
          if (parseJson(text) === null) asSent = false
          else state = text
        }
        const removal = state === NULL_STATE
        if (mine ? clock === current.clock && !removal : removal) continue
        accepted.push({ clientId, clock, state })
      }
      if (decoding.hasContent(decoder)) throw new AwarenessError('trailing bytes after awareness update')
    } catch (error) {
      if (error instanceof AwarenessError) throw error
      throw new AwarenessError('malformed awareness update')
    }
    this.#record(accepted, owner, owner, true)
    return {
      update: accepted.length === 0 ? null : encodeEntries(accepted),
      acceptedWhole: asSent && accepted.length === count,
    }
  }

  /** Applies states relayed by another server process, which checked them already. */
  applyTrusted(owner: AwarenessOwner, update: Uint8Array): void {
    let entries: IncomingEntry[]
    try {
      entries = decodeTrusted(update)
    } catch {
      return
    }
    this.#record(
      entries.filter((entry) => {
        const current = this.#entries.get(entry.clientId)
        return current === undefined || isNewer(current, entry)
      }),
      owner,
      null,
      false,
    )
  }

  #record(entries: IncomingEntry[], owner: AwarenessOwner, removedBy: AwarenessOwner | null, here: boolean): void {
    const now = this.#now()
    if (entries.length > 0) {
      this.#changedBy = here && (this.#changedBy === undefined || this.#changedBy === owner) ? owner : null
    }
    for (const entry of entries) {
      this.#changed.add(entry.clientId)
      if (here) this.#changedHere.add(entry.clientId)
      const removed = entry.state === NULL_STATE
      this.#put(entry.clientId, {
        clock: entry.clock,
        state: removed ? null : entry.state,
        owner: removed ? null : owner,
        updatedAt: now,
        removedBy: removed ? removedBy : null,
      })
    }
  }

  /** Removes every state `owner` holds; returns the removal to broadcast, or null. */
  removeOwnedBy(owner: AwarenessOwner): Uint8Array | null {
    const madeByOwner = this.#removedBy.get(owner)
    this.#removedBy.delete(owner)
    for (const clientId of madeByOwner ?? []) {
      const entry = this.#entries.get(clientId)
      if (entry !== undefined) entry.removedBy = null
    }
    const removed: IncomingEntry[] = []
    const now = this.#now()
    for (const clientId of [...(this.#owned.get(owner) ?? [])]) {
      const entry = this.#entries.get(clientId) as Entry
      this.#put(clientId, { clock: entry.clock, state: null, owner: null, updatedAt: now, removedBy: null })
      this.#changed.add(clientId)
      this.#changedHere.add(clientId)
      this.#changedBy = null
      removed.push({ clientId, clock: entry.clock, state: NULL_STATE })
    }
    return removed.length === 0 ? null : encodeEntries(removed)
  }

  /**
   * The changes since the last call, newest state per client: `all` for this process's sockets,
   * `here` (those made by its own sockets) for the other processes. Null when there are none.
   * `onlyFrom` is the owner that sent every one of them, if one did: it knows them already.
   */
  takeChanges(): { all: Uint8Array | null; here: Uint8Array | null; onlyFrom: AwarenessOwner | null } {
    const onlyFrom = this.#changedBy ?? null
    this.#changedBy = undefined
    if (this.#changed.size === 0) return { all: null, here: null, onlyFrom: null }
    const all = this.#encodeIds(this.#changed)
    const here = this.#changedHere.size === 0 ? null : this.#encodeIds(this.#changedHere)
    this.#changed.clear()
    this.#changedHere.clear()
    return { all, here, onlyFrom }
  }

  /** True when changes wait for {@link takeChanges}. */
  get hasChanges(): boolean {
    return this.#changed.size > 0
  }

  #encodeIds(ids: Set<number>): Uint8Array | null {
    const entries: IncomingEntry[] = []
    for (const clientId of ids) {
      // A tombstone forgotten within the batch (its remover exceeded its cap) has nothing to send.
      const entry = this.#entries.get(clientId)
      if (entry !== undefined) entries.push({ clientId, clock: entry.clock, state: entry.state ?? NULL_STATE })
    }
    return entries.length === 0 ? null : encodeEntries(entries)
  }

  ownedBy(owner: AwarenessOwner): number[] {
    return [...(this.#owned.get(owner) ?? [])]
  }

  /** The current states, skipping outdated ones, for a joiner or a query; null when empty. */
  encodeCurrent(): Uint8Array | null {
    const cutoff = this.#now() - AWARENESS_OUTDATED_MS
    const live: IncomingEntry[] = []
    for (const ids of this.#owned.values()) {
      for (const clientId of ids) {
        const entry = this.#entries.get(clientId) as Entry
        if (entry.state !== null && entry.updatedAt >= cutoff)
          live.push({ clientId, clock: entry.clock, state: entry.state })
      }
    }
    return live.length === 0 ? null : encodeEntries(live)
  }

  /** The live states held by any of `owners` (e.g. the local sockets); null when none. */
  encodeOwnedBy(owners: ReadonlySet<AwarenessOwner>): Uint8Array | null {
    const owned: IncomingEntry[] = []
    for (const owner of owners) {
      for (const clientId of this.#owned.get(owner) ?? []) {
        const entry = this.#entries.get(clientId) as Entry
        if (entry.state !== null) owned.push({ clientId, clock: entry.clock, state: entry.state })
      }
    }
    return owned.length === 0 ? null : encodeEntries(owned)
  }

  /** Number of clients with a live state. */
  get size(): number {
    return this.#entries.size - this.#tombstones.size
  }

  /** Number of removed states still remembered. */
  get tombstoneCount(): number {
    return this.#tombstones.size
  }

  /** Forgets tombstones older than {@link AWARENESS_OUTDATED_MS}; runs on a timer while there are any. */
  prune(): void {
    const cutoff = this.#now() - AWARENESS_OUTDATED_MS
    for (const clientId of this.#tombstones) {
      if ((this.#entries.get(clientId) as Entry).updatedAt > cutoff) break
      this.#forget(clientId)
    }
    this.#schedulePrune()
  }

  /** Stops the prune timer (the room is closing). */
  dispose(): void {
    if (this.#pruneTimer !== null) clearTimeout(this.#pruneTimer)
    this.#pruneTimer = null
  }

  #put(clientId: number, next: Entry): void {
    const previous = this.#entries.get(clientId)
    if (previous !== undefined) this.#unindex(clientId, previous)
    this.#entries.set(clientId, next)
    if (next.state !== null) {
      if (next.owner !== null) addTo(this.#owned, next.owner, clientId)
      return
    }
    this.#tombstones.add(clientId)
    if (next.removedBy !== null) {
      const made = addTo(this.#removedBy, next.removedBy, clientId)
      if (made.size > this.#limits.maxClientsPerOwner) this.#forget(made.values().next().value as number)
    }
    if (this.#pruneTimer === null) this.#schedulePrune()
  }

  #unindex(clientId: number, entry: Entry): void {
    if (entry.state !== null) {
      if (entry.owner !== null) removeFrom(this.#owned, entry.owner, clientId)
      return
    }
    this.#tombstones.delete(clientId)
    if (entry.removedBy !== null) removeFrom(this.#removedBy, entry.removedBy, clientId)
  }

  #forget(clientId: number): void {
    const entry = this.#entries.get(clientId)
    if (entry === undefined) return
    this.#unindex(clientId, entry)
    this.#entries.delete(clientId)
  }

  #schedulePrune(): void {
    this.dispose()
    const oldest = this.#tombstones.values().next()
    if (oldest.done === true) return
    const expires = (this.#entries.get(oldest.value) as Entry).updatedAt + AWARENESS_OUTDATED_MS
    this.#pruneTimer = setTimeout(
      () => {
        this.#pruneTimer = null
        this.prune()
      },
      Math.max(expires - this.#now(), PRUNE_GRANULARITY_MS),
    )
    this.#pruneTimer.unref()
  }
}

function addTo(index: Map<AwarenessOwner, Set<number>>, owner: AwarenessOwner, clientId: number): Set<number> {
  let ids = index.get(owner)
  if (ids === undefined) {
    ids = new Set()
    index.set(owner, ids)
  }
  ids.add(clientId)
  return ids
}

function removeFrom(index: Map<AwarenessOwner, Set<number>>, owner: AwarenessOwner, clientId: number): void {
  const ids = index.get(owner)
  if (ids === undefined) return
  ids.delete(clientId)
  if (ids.size === 0) index.delete(owner)
}

function isNewer(current: Entry, entry: IncomingEntry): boolean {
  return (
    current.clock < entry.clock ||
    (current.clock === entry.clock && entry.state === NULL_STATE && current.state !== null)
  )
}

/** The four bytes of `null`, recognised without decoding. */
function isNullBytes(bytes: Uint8Array, start: number, length: number): boolean {
  return (
    length === 4 &&
    bytes[start] === 0x6e &&
    bytes[start + 1] === 0x75 &&
    bytes[start + 2] === 0x6c &&
    bytes[start + 3] === 0x6c
  )
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown
  } catch {
    throw new AwarenessError('awareness state is not JSON')
  }
}

/** Entries relayed by another process: checked there, so neither limited nor parsed here. */
function decodeTrusted(update: Uint8Array): IncomingEntry[] {
  const entries: IncomingEntry[] = []
  const decoder = decoding.createDecoder(update)
  const count = decoding.readVarUint(decoder)
  for (let i = 0; i < count; i++) {
    const clientId = decoding.readVarUint(decoder)
    const clock = decoding.readVarUint(decoder)
    entries.push({ clientId, clock, state: decoding.readVarString(decoder) })
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
