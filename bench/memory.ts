/**
 * Scenario 7: big documents in memory. Builds Tiptap-shaped documents from many edits (the
 * automerge-paper trace replayed into one paragraph after another), stores them in a real
 * tandem (SQLite), and measures:
 * - heap per open document as a multiple of its stored size (after a full GC, joiners' cached
 *   state included), and the time to load it from storage;
 * - RSS with 100 documents of about 1 MB open at once.
 *
 *   node --expose-gc --import tsx bench/memory.ts [--sizes 4,20] [--many 100]
 *
 * Prints a Markdown table for docs/benchmarks.md.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { pino } from 'pino'
import { loadConfig } from '../server/config'
import { buildTandem } from '../server/main'
import { newDocumentId } from '../server/model/ids'
import { TRACE_PATH } from '../server/test/trace'
import { workDir } from './build'
import { loadBigDocument } from './trace'

const gc = (globalThis as { gc?: () => void }).gc
if (gc === undefined) throw new Error('run with node --expose-gc')

function collect(): number {
  for (let i = 0; i < 3; i++) gc?.()
  return process.memoryUsage().heapUsed
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { sizes: { type: 'string' }, many: { type: 'string' } } })
  const sizes = (values.sizes ?? '4,20').split(',').map(Number)
  const many = Number(values.many ?? 100)
  const dataDir = mkdtempSync(join(tmpdir(), 'tandem-memory-'))
  const config = loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent', ROOM_UNLOAD_GRACE_MS: '3600000' })
  const tandem = await buildTandem(config, pino({ level: 'silent' }))
  const rows: string[] = []
  try {
    // A trace replay is the many-edits shape; paragraphs of it make the sizes (cached).
    for (const mb of sizes) {
      const { update } = loadBigDocument(TRACE_PATH, Math.round(mb * 2 ** 20), workDir)
      const id = newDocumentId()
      await tandem.store.create({ id, title: `${mb} MB`, initialUpdate: update })
      const before = collect()
      const started = performance.now()
      await tandem.rooms.withRoom(id, (room) => room.encodeState())
      const loadMs = performance.now() - started
      const after = collect()
      const multiple = (after - before) / update.length
      rows.push(
        `| ${(update.length / 2 ** 20).toFixed(1)} MiB | ${((after - before) / 2 ** 20).toFixed(0)} MiB | ${multiple.toFixed(1)}× | ${loadMs.toFixed(0)} ms |`,
      )
      process.stdout.write(`${rows.at(-1)}\n`)
      await tandem.rooms.documentDeleted(id)
    }
    const oneMb = loadBigDocument(TRACE_PATH, 2 ** 20, workDir).update
    const rssBefore = process.memoryUsage().rss
    const ids: string[] = []
    for (let i = 0; i < many; i++) {
      const id = newDocumentId()
      await tandem.store.create({ id, title: `doc ${i}`, initialUpdate: oneMb })
      ids.push(id)
    }
    for (const id of ids) await tandem.rooms.withRoom(id, (room) => room.encodeState())
    collect()
    const rss = process.memoryUsage().rss
    rows.push(
      `\n${many} documents of ${(oneMb.length / 2 ** 20).toFixed(2)} MiB open: RSS ${(rss / 2 ** 20).toFixed(0)} MiB (${((rss - rssBefore) / 2 ** 20).toFixed(0)} MiB more than before opening them), estimate for the memory budget ${(tandem.rooms.estimatedMemoryBytes / 2 ** 20).toFixed(0)} MiB`,
    )
    process.stdout.write(`${rows.at(-1)}\n`)
  } finally {
    await tandem.rooms.closeAll(1001, 'done')
    await tandem.store.close()
    rmSync(dataDir, { recursive: true, force: true })
  }
  process.stdout.write(
    `\n| stored size | heap of the open document | multiple | load from storage |\n|---:|---:|---:|---:|\n${rows.join('\n')}\n`,
  )
  process.exit(0)
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
  process.exit(1)
})
