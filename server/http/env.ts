import type { IncomingMessage } from 'node:http'
import type { Access } from '../auth'
import type { UpgradeTicket } from '../sync/upgrade'

/** Hono's typing of what middleware puts on the context and what the Node adapter passes in. */
export interface AppEnv {
  Bindings: {
    /** Set by @hono/node-server and by the upgrade handler. */
    incoming?: IncomingMessage
    /** Present only on WebSocket upgrade requests: the route calls it to accept the upgrade. */
    acceptUpgrade?: (ticket: UpgradeTicket) => void
  }
  Variables: {
    access: Access
    requestId: string
  }
}
