import type { Fanout, FanoutSubscription } from './types'

const silent: FanoutSubscription = {
  publishUpdate() {},
  publishAwareness() {},
  publishDeleted() {},
  unsubscribe: async () => {},
}

/** A single process has no one to tell: every room is the only copy of its document. */
export function createLocalFanout(): Fanout {
  return {
    subscribe: async () => silent,
    publishDeleted: async () => {},
    ping: async () => {},
    close: async () => {},
  }
}
