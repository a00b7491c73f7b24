/**
 * Group commit, the skeleton both stores share: appends are queued and committed in batches,
 * one transaction per batch, and settle in call order, so a caller may broadcast in its `then`
 * and keep order. An idle queue commits at the end of the current event-loop turn; appends
 * made while a commit runs, or within `minCommitIntervalMs` of the previous one, share the next
 * commit. Batches never overlap. Each store brings its own SQL (`commit`) and its own interval.
 */
import { DocumentNotFound } from '../common/errors'

export interface PendingAppend {
  readonly id: string
  readonly update: Uint8Array
}

export interface CommitResult {
  /** Documents that no longer exist: their appends reject with {@link DocumentNotFound}. */
  readonly missing: ReadonlySet<string>
}

export interface AppendQueueOptions {
  /** Commits a batch in one transaction; a throw rejects every append of the batch. */
  commit(batch: readonly PendingAppend[]): CommitResult | Promise<CommitResult>
  /** Least time from the start of one commit to the start of the next; 0: back to back. */
  minCommitIntervalMs: number
}

interface QueuedAppend extends PendingAppend {
  resolve(): void
  reject(error: unknown): void
}

export class AppendQueue {
  readonly #options: AppendQueueOptions
  #queue: QueuedAppend[] = []
  /** The running commit loop; appends queued meanwhile go into its next batch. */
  #running: Promise<void> | null = null
  #lastCommitAt = Number.NEGATIVE_INFINITY
  /** Ends the loop's wait for its next commit early (on close). */
  #wake: (() => void) | null = null
  #closed = false

  constructor(options: AppendQueueOptions) {
    this.#options = options
  }

  /** Resolves once the update is committed; rejects when its batch failed or the store is closed. */
  append(id: string, update: Uint8Array): Promise<void> {
    if (this.#closed) return Promise.reject(new Error('store closed'))
    return new Promise((resolve, reject) => {
      this.#queue.push({ id, update, resolve, reject })
      this.#running ??= this.#run()
    })
  }

  /** Refuses further appends and commits what is queued now; resolves once it is committed. */
  async close(): Promise<void> {
    this.#closed = true
    this.#wake?.()
    await this.#running
  }

  async #run(): Promise<void> {
    let first = true
    for (;;) {
      const wait = this.#lastCommitAt + this.#options.minCommitIntervalMs - performance.now()
      if (wait > 0) await this.#sleep(wait)
      else if (first) await this.#sleep(null)
      first = false
      if (this.#queue.length === 0) break
      const batch = this.#queue
      this.#queue = []
      this.#lastCommitAt = performance.now()
      await this.#commit(batch)
    }
    this.#running = null
  }

  /** Until `ms` passed, or the end of this turn for null; cut short by {@link close}. */
  #sleep(ms: number | null): Promise<void> {
    if (this.#closed) return Promise.resolve()
    return new Promise<void>((resolve) => {
      const timer = ms === null ? setImmediate(resolve) : setTimeout(resolve, ms)
      this.#wake = () => {
        if (ms === null) clearImmediate(timer as NodeJS.Immediate)
        else clearTimeout(timer as NodeJS.Timeout)
        resolve()
      }
    }).finally(() => {
      this.#wake = null
    })
  }

  /** Commits one batch and settles its appends in call order; never throws. */
  async #commit(batch: QueuedAppend[]): Promise<void> {
    let result: CommitResult
    try {
      result = await this.#options.commit(batch)
    } catch (error) {
      for (const item of batch) item.reject(error)
      return
    }
    for (const item of batch) {
      if (result.missing.has(item.id)) item.reject(new DocumentNotFound(item.id))
      else item.resolve()
    }
  }
}
