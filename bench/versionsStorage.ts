/**
 * What versions cost in storage: the automerge-paper trace (260k edits of one paper) replayed
 * into the document shape Tiptap edits, with a full version recorded every N edits, stored by the
 * real SQLite version store, and thinned by the real retention policy as time passes.
 *
 *   npx tsx bench/versionsStorage.ts [secondsPerEdit=1]
 *
 * Time is simulated: one edit every `secondsPerEdit` seconds (the trace has no timestamps), so
 * the paper takes 260k × that to write. Prints, per N, the versions kept and their bytes at the
 * end of the writing, a day later, 30 days later and a year later, and the log-only baseline.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pino } from 'pino'
import * as Y from 'yjs'
import { DOCUMENT_FIELD } from '../protocol/fields'
import { DEFAULT_RETENTION, versionsToPrune } from '../server/documents/retention'
import { newDocumentId, newVersionId } from '../server/model/ids'
import { stateKey } from '../server/model/restore'
import { SqliteDocumentStore } from '../server/storage/sqlite/documents'
import { SqliteVersionStore } from '../server/storage/sqlite/versions'
import { loadTrace } from '../server/test/trace'

const DAY = 86_400_000
const secondsPerEdit = Number(process.argv[2] ?? 1)
const trace = loadTrace()
const patches = trace.txns.flatMap((txn) => txn.patches)

const kib = (bytes: number): string => `${(bytes / 1024).toFixed(0)} KiB`
const mib = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MiB`

async function run(everyEdits: number): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), 'tandem-bench-versions-'))
  const path = join(dir, 'tandem.db')
  const documents = new SqliteDocumentStore({
    path,
    compactThreshold: 500,
    synchronous: 'normal',
    log: pino({ level: 'silent' }),
  })
  const versions = new SqliteVersionStore(documents.database)
  const docId = newDocumentId()
  const doc = new Y.Doc()
  const paragraph = new Y.XmlElement('paragraph')
  const text = new Y.XmlText()
  doc.transact(() => {
    paragraph.insert(0, [text])
    doc.getXmlFragment(DOCUMENT_FIELD).insert(0, [paragraph])
  })
  await documents.create({ id: docId, title: 'paper', initialUpdate: Y.encodeStateAsUpdate(doc) })
  const start = Date.UTC(2026, 0, 1)
  let now = start
  let recorded = 0
  let recordedBytes = 0
  const record = async (): Promise<void> => {
    const state = Y.encodeStateAsUpdate(doc)
    recorded++
    recordedBytes += state.length
    await versions.record({
      id: newVersionId(),
      docId,
      kind: 'auto',
      name: null,
      createdAt: new Date(now),
      state,
      stateKey: stateKey(doc),
    })
    // As the server does after each version.
    await versions.remove(docId, versionsToPrune(await versions.timeline(docId), now, DEFAULT_RETENTION))
  }
  for (let index = 0; index < patches.length; index++) {
    const [position, deleted, inserted] = patches[index] as [number, number, string]
    if (deleted > 0) text.delete(position, deleted)
    if (inserted !== '') text.insert(position, inserted)
    now += secondsPerEdit * 1000
    if ((index + 1) % everyEdits === 0) await record()
  }
  if (patches.length % everyEdits !== 0) await record()
  const finalState = Y.encodeStateAsUpdate(doc).length
  const rows: string[] = []
  const measure = async (label: string, at: number): Promise<void> => {
    await versions.remove(docId, versionsToPrune(await versions.timeline(docId), at, DEFAULT_RETENTION))
    const kept = await versions.timeline(docId)
    const bytes = (
      documents.database
        .prepare('SELECT COALESCE(SUM(length(state)), 0) AS bytes FROM versions WHERE doc_id = ?')
        .get(docId) as { bytes: number }
    ).bytes
    rows.push(
      `| ${everyEdits} | ${label} | ${kept.length} | ${mib(bytes)} | ${kib(bytes / Math.max(1, kept.length))} |`,
    )
  }
  await measure('end of writing', now)
  await measure('+1 day', now + DAY)
  await measure('+30 days', now + 30 * DAY)
  await measure('+1 year', now + 365 * DAY)
  documents.database.exec('VACUUM')
  documents.database.pragma('wal_checkpoint(TRUNCATE)')
  const fileBytes = statSync(path).size
  rows.push(
    `| ${everyEdits} | recorded in all: ${recorded} versions, ${mib(recordedBytes)}; final state ${kib(finalState)}; file after a year and VACUUM ${mib(fileBytes)} | | | |`,
  )
  await documents.close()
  rmSync(dir, { recursive: true, force: true })
  return rows
}

const hours = (patches.length * secondsPerEdit) / 3600
console.log(
  `automerge-paper: ${patches.length} edits, one every ${secondsPerEdit} s (${hours.toFixed(1)} h of writing)`,
)
console.log('| a version every N edits | when | versions kept | bytes kept | per version |')
console.log('| --- | --- | --- | --- | --- |')
for (const every of [500, 1800, 10_000]) {
  const started = performance.now()
  for (const row of await run(every)) console.log(row)
  console.error(`N=${every}: ${((performance.now() - started) / 1000).toFixed(1)} s`)
}
