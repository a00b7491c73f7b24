export type Truthy<T> = Exclude<T, null | undefined | false | 0 | ''>

/**
 * Polls until `check` returns something truthy (or stops throwing), or fails at the deadline
 * with the last reason. Tests wait on state, never on time.
 */
export async function waitFor<T>(
  check: () => T | Promise<T>,
  { timeout = 10_000, interval = 10, what = 'condition' }: { timeout?: number; interval?: number; what?: string } = {},
): Promise<Truthy<T>> {
  const deadline = Date.now() + timeout
  let lastError: unknown = null
  for (;;) {
    try {
      const value = await check()
      if (value) return value as Truthy<T>
      lastError = null
    } catch (error) {
      lastError = error
    }
    if (Date.now() > deadline) {
      const reason = lastError instanceof Error ? `: ${lastError.message}` : ''
      throw new Error(`timed out after ${timeout} ms waiting for ${what}${reason}`)
    }
    await new Promise((resolve) => setTimeout(resolve, interval))
  }
}

/**
 * Resolves once `Date.now()` is past `since`, so that a timestamp taken afterwards is later than
 * one taken before (timestamps have millisecond resolution).
 */
export async function clockPasses(since = Date.now()): Promise<void> {
  await waitFor(() => Date.now() > since, { interval: 1, what: 'the clock to move on' })
}
