/**
 * Full-text search latency: 10,000 documents of a few KB (windows of the automerge-paper text,
 * real English prose with its real word frequencies), then two-word queries — two words of 4+
 * letters from a random document, the second as typed so far (a prefix) in half of them — timed
 * end to end as the API runs them: the index's ranked page of 20, and the snippets cut from it.
 * Reports p50/p95/p99 per database. Not a test: `npm run bench:search`, results by hand into
 * docs/benchmarks.md ("Full-text search").
 *
 *   npm run bench:search                       # SQLite and PostgreSQL, 10,000 documents
 *   npm run bench:search -- --docs 2000 --queries 200 --backend sqlite
 *
 * PostgreSQL is the local test server (`TANDEM_TEST_POSTGRES_URL`, default
 * postgres://postgres@127.0.0.1:5432/postgres), in a database of its own, dropped afterwards.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { pino } from 'pino'
import * as Y from 'yjs'
import { foldedWords, makeSnippet } from '../protocol/search'
import { newDocumentId } from '../server/model/ids'
import { openPostgresDatabase } from '../server/storage/postgres/database'
import { PostgresDocumentStore } from '../server/storage/postgres/documents'
import { PostgresSearchIndex } from '../server/storage/postgres/search'
import type { SearchIndex } from '../server/storage/search/types'
import { SqliteDocumentStore } from '../server/storage/sqlite/documents'
import { SqliteSearchIndex } from '../server/storage/sqlite/search'
import type { DocumentStore } from '../server/storage/types'
import { createTestDatabase } from '../server/test/postgres'
import { seededRandom } from '../server/test/random'
import { loadTrace } from '../server/test/trace'
import { percentile } from './stats'

const { values } = parseArgs({
  options: {
    docs: { type: 'string', default: '10000' },
    queries: { type: 'string', default: '500' },
    backend: { type: 'string', default: 'both' },
    'doc-chars': { type: 'string', default: '3000' },
  },
})
const DOCS = Number(values.docs)
const QUERIES = Number(values.queries)
const DOC_CHARS = Number(values['doc-chars'])
const log = pino({ level: 'silent' })

interface Corpus {
  documents: Array<{ title: string; body: string }>
  queries: string[][]
}

function makeCorpus(): Corpus {
  const random = seededRandom(15)
  const paper = loadTrace().endContent
  const documents: Corpus['documents'] = []
  for (let index = 0; index < DOCS; index++) {
    const start = random.int(Math.max(1, paper.length - DOC_CHARS))
    const from = paper.indexOf(' ', start) + 1
    const body = paper.slice(from, paper.lastIndexOf(' ', from + DOC_CHARS))
    const words = body.split(/\s+/).filter((word) => /^[a-z]{4,}$/i.test(word))
    const title = Array.from({ length: 2 + random.int(4) }, () => words[random.int(words.length)] ?? 'note').join(' ')
    documents.push({ title, body })
  }
  const queries: string[][] = []
  for (let index = 0; index < QUERIES; index++) {
    const document = documents[random.int(documents.length)] as Corpus['documents'][number]
    const words = foldedWords(document.body).filter((word) => word.length >= 4)
    const first = words[random.int(words.length)] ?? 'edit'
    let second = words[random.int(words.length)] ?? 'text'
    if (index % 2 === 1) second = second.slice(0, 3 + random.int(second.length - 2))
    queries.push([first, second])
  }
  return { documents, queries }
}

interface Result {
  backend: string
  indexSeconds: number
  p50: number
  p95: number
  p99: number
  max: number
  meanHits: number
  /** Mean CPU milliseconds per query of the process doing the work (SQLite: this one; PostgreSQL: its backend). */
  cpuMean: number
  /** p99 of CPU milliseconds per query, where measurable per query (SQLite only). */
  cpuP99: number | null
  load: string
}

/** CPU time (user + system) of a process, in milliseconds, from /proc (Linux; 10 ms ticks). */
function processCpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? []
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100
}

/** The CPU time a query cost: this process's, or the given backend's. */
interface CpuClock {
  perQuery: boolean
  now(): number
}

const ownCpu: CpuClock = {
  perQuery: true,
  now: () => {
    const usage = process.cpuUsage()
    return (usage.user + usage.system) / 1000
  },
}

async function measure(
  backend: string,
  corpus: Corpus,
  store: DocumentStore,
  index: SearchIndex,
  concurrency: number,
  cpu: () => Promise<CpuClock>,
): Promise<Result> {
  const empty = Y.encodeStateAsUpdate(new Y.Doc())
  const started = performance.now()
  let next = 0
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < corpus.documents.length) {
        const document = corpus.documents[next++] as Corpus['documents'][number]
        const id = newDocumentId()
        await store.create({ id, title: document.title, initialUpdate: empty })
        await index.upsert({ id, title: document.title, body: document.body }, Date.now())
      }
    }),
  )
  const indexSeconds = (performance.now() - started) / 1000
  // Warm up the caches (as a running server's are), then time one query at a time.
  for (const words of corpus.queries.slice(0, 20)) await index.search({ words, limit: 20 })
  const clock = await cpu()
  const samples: number[] = []
  const cpuSamples: number[] = []
  let hits = 0
  const cpuStart = clock.now()
  for (const words of corpus.queries) {
    const begin = performance.now()
    const cpuBegin = clock.perQuery ? clock.now() : 0
    const page = await index.search({ words, limit: 20 })
    for (const item of page.items) makeSnippet(item.body, words)
    samples.push(performance.now() - begin)
    if (clock.perQuery) cpuSamples.push(clock.now() - cpuBegin)
    hits += page.items.length
  }
  const cpuTotal = clock.now() - cpuStart
  samples.sort((a, b) => a - b)
  return {
    backend,
    indexSeconds,
    p50: percentile(samples, 50),
    p95: percentile(samples, 95),
    p99: percentile(samples, 99),
    max: samples.at(-1) ?? 0,
    meanHits: hits / corpus.queries.length,
    cpuMean: cpuTotal / corpus.queries.length,
    cpuP99: clock.perQuery ? percentile(cpuSamples, 99) : null,
    load: loadavg()
      .map((value) => value.toFixed(1))
      .join(' / '),
  }
}

async function sqlite(corpus: Corpus): Promise<Result> {
  const dir = mkdtempSync(join(tmpdir(), 'tandem-bench-search-'))
  const store = new SqliteDocumentStore({
    path: join(dir, 'tandem.db'),
    compactThreshold: 100,
    synchronous: 'normal',
    log,
  })
  try {
    return await measure('SQLite (FTS5)', corpus, store, new SqliteSearchIndex(store.database), 1, async () => ownCpu)
  } finally {
    await store.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

async function postgres(corpus: Corpus): Promise<Result> {
  const database = await createTestDatabase()
  try {
    const store = await PostgresDocumentStore.open({
      connectionString: database.url,
      poolSize: 8,
      queryTimeoutMs: 60_000,
      compactThreshold: 100,
      log,
    })
    try {
      // Queries run on a pool of one connection: one backend process does (and is charged for) them all.
      const queries = await openPostgresDatabase({
        connectionString: database.url,
        poolSize: 1,
        queryTimeoutMs: 60_000,
        log,
      })
      try {
        const search = new PostgresSearchIndex(queries)
        const write = new PostgresSearchIndex(store.database)
        const split: SearchIndex = {
          upsert: (entry, readAt) => write.upsert(entry, readAt),
          remove: (id) => write.remove(id),
          stale: (after, limit) => write.stale(after, limit),
          search: (query) => search.search(query),
        }
        return await measure('PostgreSQL (tsvector, GIN)', corpus, store, split, 8, async () => {
          const { rows } = await queries.pool.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')
          const pid = rows[0]?.pid as number
          return { perQuery: false, now: () => processCpuMs(pid) }
        })
      } finally {
        await queries.close()
      }
    } finally {
      await store.close()
    }
  } finally {
    await database.drop()
  }
}

const corpus = makeCorpus()
const bytes = corpus.documents.reduce((sum, document) => sum + document.body.length, 0)
process.stdout.write(
  `${DOCS} documents, ${(bytes / DOCS / 1024).toFixed(1)} KB of text each on average; ${QUERIES} two-word queries\n`,
)
const results: Result[] = []
if (values.backend !== 'postgres') results.push(await sqlite(corpus))
if (values.backend !== 'sqlite') results.push(await postgres(corpus))
process.stdout.write(
  '| Database | Indexing | p50 | p95 | p99 | max | CPU per query, mean | CPU p99 | Hits per page | Load average (1/5/15 min) |\n',
)
process.stdout.write('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |\n')
for (const result of results) {
  const ms = (value: number): string => `${value.toFixed(1)} ms`
  process.stdout.write(
    `| ${result.backend} | ${result.indexSeconds.toFixed(1)} s | ${ms(result.p50)} | ${ms(result.p95)} | ${ms(result.p99)} | ${ms(result.max)} | ${ms(result.cpuMean)} | ${result.cpuP99 === null ? '–' : ms(result.cpuP99)} | ${result.meanHits.toFixed(1)} | ${result.load} |\n`,
  )
}
