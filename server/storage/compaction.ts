/**
 * When a document's log is merged into its snapshot, the part both stores share: a store marks
 * a document due once its log passed the threshold; merges then run one at a time, after the
 * turn that marked them (so they never delay the broadcasts of the commit that triggered them).
 * A failed merge is logged and left for the next time the document is due: its log stays
 * readable, nothing is lost. The merge itself is the store's own SQL.
 */
import type { Logger } from 'pino'

export interface CompactionOptions {
  /** Merges the document's log into its snapshot, in one transaction. */
  compact(id: string): void | Promise<void>
  log: Logger
}

export class CompactionScheduler {
  readonly #options: CompactionOptions
  readonly #due = new Set<string>()
  #running: Promise<void> | null = null
  #closed = false

  constructor(options: CompactionOptions) {
    this.#options = options
  }

  due(id: string): void {
    if (this.#closed) return
    this.#due.add(id)
    this.#running ??= this.#run()
  }

  /** Starts no more merges; resolves once the running one finished. */
  async close(): Promise<void> {
    this.#closed = true
    await this.#running
  }

  async #run(): Promise<void> {
    await new Promise((resolve) => setImmediate(resolve))
    // A set iterates over what is added meanwhile too.
    for (const id of this.#due) {
      this.#due.delete(id)
      if (this.#closed) break
      try {
        await this.#options.compact(id)
      } catch (error) {
        this.#options.log.warn({ docId: id, err: error }, 'compaction failed; the log is kept and retried later')
      }
    }
    this.#due.clear()
    this.#running = null
  }
}
