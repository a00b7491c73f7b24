/**
 * The trash's retention: every process sweeps now and then, purging what has been in the trash
 * longer than `TRASH_RETENTION_DAYS` (`DocumentService.purgeExpired`). Sweeps of several
 * processes on one PostgreSQL database may overlap: a purge is a `DELETE … WHERE deleted_at <
 * cutoff`, so what one process purged the other simply does not find.
 */
import type { Logger } from 'pino'

/**
 * How often a process sweeps. Not a setting: retention is counted in days, and a document
 * purged up to an hour after its time is within what "30 days" promises.
 */
export const TRASH_SWEEP_INTERVAL_MS = 3600 * 1000

export interface TrashSweepOptions {
  purgeExpired(): Promise<number>
  log: Logger
  intervalMs?: number
}

export class TrashSweep {
  readonly #options: TrashSweepOptions
  #timer: NodeJS.Timeout | null = null
  #running: Promise<number> | null = null
  #stopped = false

  constructor(options: TrashSweepOptions) {
    this.#options = options
  }

  /** Sweeps at once (a process that was down meanwhile catches up), then on the interval. */
  start(): void {
    if (this.#timer !== null || this.#stopped) return
    void this.sweep()
    this.#timer = setInterval(() => void this.sweep(), this.#options.intervalMs ?? TRASH_SWEEP_INTERVAL_MS)
    this.#timer.unref()
  }

  /** One sweep; a sweep already running is joined rather than doubled. Failures are logged, not thrown. */
  sweep(): Promise<number> {
    this.#running ??= this.#options
      .purgeExpired()
      .then(
        (purged) => {
          if (purged > 0) this.#options.log.info({ purged }, 'purged documents past the trash retention')
          return purged
        },
        (error: unknown) => {
          this.#options.log.warn({ err: error }, 'trash sweep failed; retried on the next one')
          return 0
        },
      )
      .finally(() => {
        this.#running = null
      })
    return this.#running
  }

  /** No further sweeps; resolves once a running one is done, so the store can close after it. */
  async stop(): Promise<void> {
    this.#stopped = true
    if (this.#timer !== null) clearInterval(this.#timer)
    this.#timer = null
    await this.#running
  }
}
