import type { AccessStore } from '../access'
import type { Identity } from '../identity'

/** What every page gets from main.ts. */
export interface AppContext {
  storage: Storage
  access: AccessStore
  identity: Identity
}

/** A rendered page; `dispose` runs before the next page renders. */
export interface Page {
  dispose(): void
}
