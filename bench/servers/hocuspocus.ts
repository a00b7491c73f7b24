/**
 * Hocuspocus as it ships: the stock `Server`, in memory, no extensions. Listens on `PORT`.
 */
import { Server } from '@hocuspocus/server'

const server = new Server({
  port: Number(process.env.PORT),
  address: '127.0.0.1',
  quiet: true,
  stopOnSignals: true,
})
await server.listen()
