import type { IncomingMessage } from 'node:http'
import type { Access } from '../common/auth'

/** Hono's typing of what middleware puts on the context and what the Node adapter passes in. */
export interface AppEnv {
  Bindings: {
    /** Set by @hono/node-server. */
    incoming?: IncomingMessage
  }
  Variables: {
    access: Access
    requestId: string
  }
}
