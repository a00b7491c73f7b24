/**
 * Prometheus metrics. One registry per app instance (not the global default) so that tests can
 * run several servers in one process without their numbers mixing.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client'

/** What the sync layer reports; a narrow interface so rooms can be tested without Prometheus. */
export interface SyncMetrics {
  updateAccepted(): void
  framesSent(count: number): void
  messageRejected(reason: string): void
  /** Time from handing an update to storage until it was committed. */
  persisted(seconds: number): void
}

export const noopSyncMetrics: SyncMetrics = {
  updateAccepted() {},
  framesSent() {},
  messageRejected() {},
  persisted() {},
}

export interface GaugeSources {
  openSockets: () => number
  openRooms: () => number
}

export interface Metrics extends SyncMetrics {
  readonly registry: Registry
  connectionRefused(reason: string): void
  /** Late binding: the room manager exists only after the metrics are created. */
  observe(sources: GaugeSources): void
}

export function createMetrics(): Metrics {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 20 })
  let sources: GaugeSources = { openSockets: () => 0, openRooms: () => 0 }
  new Gauge({
    name: 'tandem_open_sockets',
    help: 'WebSocket connections currently joined to a document',
    registers: [registry],
    collect() {
      this.set(sources.openSockets())
    },
  })
  new Gauge({
    name: 'tandem_open_rooms',
    help: 'Documents currently loaded in memory',
    registers: [registry],
    collect() {
      this.set(sources.openRooms())
    },
  })
  const updatesIn = new Counter({
    name: 'tandem_updates_in_total',
    help: 'Document updates accepted from clients',
    registers: [registry],
  })
  const framesOut = new Counter({
    name: 'tandem_frames_out_total',
    help: 'Update and awareness frames sent to clients',
    registers: [registry],
  })
  const rejected = new Counter({
    name: 'tandem_messages_rejected_total',
    help: 'Client messages refused, by reason',
    labelNames: ['reason'],
    registers: [registry],
  })
  const refused = new Counter({
    name: 'tandem_connections_refused_total',
    help: 'WebSocket upgrades refused, by reason',
    labelNames: ['reason'],
    registers: [registry],
  })
  const persistence = new Histogram({
    name: 'tandem_persist_seconds',
    help: 'Time from receiving an update until it was durably stored',
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [registry],
  })
  return {
    registry,
    updateAccepted: () => updatesIn.inc(),
    framesSent: (count) => {
      if (count > 0) framesOut.inc(count)
    },
    messageRejected: (reason) => rejected.inc({ reason }),
    persisted: (seconds) => persistence.observe(seconds),
    connectionRefused: (reason) => refused.inc({ reason }),
    observe: (next) => {
      sources = next
    },
  }
}
