/**
 * Seeded randomness for the fuzz tests, so that a failing run can be replayed: each test has a
 * fixed default seed (runs are reproducible) and names it in its title, which a failure prints;
 * `FUZZ_SEED=<n>` replaces it in every fuzz test.
 */

/** The seed a fuzz test runs with: `FUZZ_SEED` when set, else the test's own. */
export function fuzzSeed(fallback: number): number {
  const fromEnv = process.env.FUZZ_SEED
  if (fromEnv === undefined || fromEnv === '') return fallback
  const seed = Number(fromEnv)
  if (!Number.isSafeInteger(seed)) throw new Error(`FUZZ_SEED must be an integer, not ${JSON.stringify(fromEnv)}`)
  return seed
}

/** mulberry32: small, fast, and the same sequence for the same seed everywhere. */
export function seededRandom(seed: number): { float(): number; int(below: number): number } {
  let state = seed >>> 0
  const float = (): number => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  return { float, int: (below) => Math.floor(float() * below) }
}
