import { describeFanoutContract } from './contract'
import { MemoryBus, type MemoryFanout } from './memory'
import type { Fanout } from './types'

describeFanoutContract('in-memory bus', () => {
  const bus = new MemoryBus()
  return {
    open: async () => bus.join(),
    async cut(fanout: Fanout) {
      const member = fanout as MemoryFanout
      member.disconnect()
      return async () => member.reconnect()
    },
    cleanup: async () => undefined,
  }
})
