/**
 * A map that keeps at most `capacity` entries, forgetting the least recently set one beyond.
 * For caches and throttles only: whatever it forgets must be cheap to find again (the stores
 * count a document's log again, or write its timestamp a little early).
 */
export class LruMap<K, V> {
  readonly #capacity: number
  readonly #entries = new Map<K, V>()

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be a positive integer`)
    this.#capacity = capacity
  }

  get size(): number {
    return this.#entries.size
  }

  /** Reading does not count as a use: the stores write what they read, with every append. */
  get(key: K): V | undefined {
    return this.#entries.get(key)
  }

  set(key: K, value: V): void {
    this.#entries.delete(key)
    this.#entries.set(key, value)
    if (this.#entries.size > this.#capacity) {
      // A Map iterates in insertion order: the first key is the least recently used.
      this.#entries.delete(this.#entries.keys().next().value as K)
    }
  }

  delete(key: K): void {
    this.#entries.delete(key)
  }
}
