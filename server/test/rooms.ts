/**
 * Options for rooms and room managers in tests, in one place: a new option gets its test value
 * here. Overrides replace single fields (`room` overrides single room options).
 */
import { pino } from 'pino'
import { noopSyncMetrics } from '../common/metrics'
import { schemaRules } from '../content/rules'
import type { RoomOptions } from '../sync/room'
import type { RoomManagerOptions } from '../sync/roomManager'

const silent = pino({ level: 'silent' })

/** A room's options: small limits, presence sent at once, quick owner probes, no metrics. */
export function roomOptions(overrides: Partial<RoomOptions> = {}): RoomOptions {
  return {
    rules: schemaRules(),
    awareness: { maxClientsPerOwner: 1, maxStateBytes: 1000 },
    maxPendingBytes: 10_000,
    ownerProbeTimeoutMs: 50,
    presenceTickMs: 0,
    maxDocumentBytes: 1_000_000,
    log: silent,
    metrics: noopSyncMetrics,
    ...overrides,
  }
}

/** A room manager's options around `store` and `fanout`: empty rooms stay a minute, no memory budget. */
export function roomManagerOptions(
  options: Pick<RoomManagerOptions, 'store' | 'fanout'> &
    Partial<Omit<RoomManagerOptions, 'store' | 'fanout' | 'room'>> & { room?: Partial<RoomOptions> },
): RoomManagerOptions {
  const { room, ...rest } = options
  return {
    unloadGraceMs: 60_000,
    maxMemoryBytes: 0,
    log: silent,
    ...rest,
    room: roomOptions(room),
  }
}
