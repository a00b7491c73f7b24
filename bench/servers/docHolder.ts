/**
 * The memory floor of the join storm: a Node.js process that holds the document as a Y.Doc and
 * nothing else (Yjs and a listening `ws` server loaded, as every server under test has them; no
 * client). Reads the encoded document from `DOC_PATH`, applies it in the pieces of at most 1 MiB
 * the servers receive it in (applied whole, a 20 MB document leaves ~35 MiB more resident), forces
 * two full collections and prints its resident and heap memory as one JSON line. Started with
 * `--expose-gc`.
 */
import { readFileSync } from 'node:fs'
import { createServer } from 'node:http'
import { WebSocketServer } from 'ws'
import * as Y from 'yjs'
import { DOCUMENT_FIELD } from '../../protocol/fields'
import { splitUpdate } from '../../server/model/updateFormat'

const server = createServer()
const wss = new WebSocketServer({ server, perMessageDeflate: false, clientTracking: false })
server.listen(0, '127.0.0.1', () => {
  const path = process.env.DOC_PATH
  if (path === undefined) throw new Error('DOC_PATH is required')
  const doc = new Y.Doc()
  for (const piece of splitUpdate(new Uint8Array(readFileSync(path)), 2 ** 20)) Y.applyUpdate(doc, piece)
  const gc = (globalThis as { gc?: () => void }).gc
  gc?.()
  gc?.()
  const { rss, heapUsed } = process.memoryUsage()
  process.stdout.write(`${JSON.stringify({ rss, heapUsed, blocks: doc.getXmlFragment(DOCUMENT_FIELD).length })}\n`)
  wss.close()
  server.close()
})
