/**
 * Full-text search on SQLite: an FTS5 table (built into better-sqlite3) holding the folded words
 * of each title and body (`protocol/search.ts`), contentless — the text itself is kept once, in
 * `search_documents`, for snippets. The `unicode61 remove_diacritics 2` tokenizer splits what
 * JavaScript already folded, so SQLite and PostgreSQL match alike. A query is built from words
 * only, each quoted as an FTS5 string: no operator of the query text ever reaches FTS5.
 */
import Database from 'better-sqlite3'
import { foldedWords } from '../../../protocol/search'
import {
  MAX_INDEXED_BODY_CHARS,
  SNIPPET_SCAN_CHARS,
  type SearchEntry,
  type SearchHit,
  type SearchIndex,
  type SearchPage,
  type SearchQuery,
} from '../search/types'
import { InvalidCursor } from '../../common/errors'
import { decodeSearchCursor, encodeSearchCursor } from '../search/cursor'

/** How much more a word in the title counts than one in the body, within a tier. */
const TITLE_WEIGHT = 4

interface RankedParams {
  match: string
  titleMatch: string
  tier: number
  score: number
  rid: number
  chunk: number
}

interface RankedRow {
  rid: number
  tier: 0 | 1
  score: number
}

interface RecordRow {
  rid: number
  id: string
  title: string
  created_at: number
  updated_at: number
  body: string
}

type HitRow = RecordRow & RankedRow

/** Words as one FTS5 string each (words hold only letters and digits; quotes doubled anyway). */
function ftsQuery(words: readonly string[]): string {
  return words.map((word, index) => `"${word.replaceAll('"', '""')}"${index === words.length - 1 ? '*' : ''}`).join(' ')
}

export class SqliteSearchIndex implements SearchIndex {
  readonly #db: Database.Database
  readonly #statements
  constructor(db: Database.Database) {
    this.#db = db
    this.#statements = {
      find: db.prepare<[string], { rid: number; indexed_at: number }>(
        'SELECT entry AS rid, indexed_at FROM search_documents WHERE doc_id = ?',
      ),
      insert: db.prepare<[string, string, number]>(
        'INSERT INTO search_documents (doc_id, body, indexed_at) VALUES (?, ?, ?)',
      ),
      update: db.prepare<[string, number, number]>(
        'UPDATE search_documents SET body = ?, indexed_at = ? WHERE entry = ?',
      ),
      unindex: db.prepare<[number]>('DELETE FROM search_fts WHERE rowid = ?'),
      index: db.prepare<[number, string, string]>('INSERT INTO search_fts (rowid, title, body) VALUES (?, ?, ?)'),
      remove: db.prepare<[string]>('DELETE FROM search_documents WHERE doc_id = ?'),
      ranked: db.prepare<[RankedParams], RankedRow>(
        `SELECT rid, tier, score FROM (
           SELECT rowid AS rid,
                  CASE WHEN rowid IN (SELECT rowid FROM search_fts WHERE search_fts MATCH @titleMatch)
                       THEN 0 ELSE 1 END AS tier,
                  bm25(search_fts, ${TITLE_WEIGHT}, 1) AS score
             FROM search_fts WHERE search_fts MATCH @match
         ) WHERE (tier, score, rid) > (@tier, @score, @rid)
         ORDER BY tier, score, rid LIMIT @chunk`,
      ),
      // Trashed documents are not found.
      records: db.prepare<[string], RecordRow>(
        `SELECT s.entry AS rid, d.id, d.title, d.created_at, d.updated_at,
                substr(s.body, 1, ${SNIPPET_SCAN_CHARS}) AS body
           FROM search_documents s JOIN documents d ON d.id = s.doc_id
          WHERE s.entry IN (SELECT value FROM json_each(?)) AND d.deleted_at IS NULL`,
      ),
      stale: db.prepare<[string, number], string>(
        `SELECT d.id FROM documents d LEFT JOIN search_documents s ON s.doc_id = d.id
          WHERE d.id > ? AND (s.doc_id IS NULL OR s.indexed_at < d.updated_at)
          ORDER BY d.id LIMIT ?`,
      ),
    }
  }

  async upsert(entry: SearchEntry, readAt: number): Promise<boolean> {
    const title = foldedWords(entry.title).join(' ')
    const body = entry.body.slice(0, MAX_INDEXED_BODY_CHARS)
    const words = foldedWords(body).join(' ')
    return this.#db.transaction((): boolean => {
      const existing = this.#statements.find.get(entry.id)
      if (existing !== undefined) {
        if (existing.indexed_at > readAt) return true
        this.#statements.update.run(body, readAt, existing.rid)
        this.#statements.unindex.run(existing.rid)
        this.#statements.index.run(existing.rid, title, words)
        return true
      }
      let rid: number
      try {
        rid = Number(this.#statements.insert.run(entry.id, body, readAt).lastInsertRowid)
      } catch (error) {
        if (error instanceof Database.SqliteError && error.code === 'SQLITE_CONSTRAINT_FOREIGNKEY') return false
        throw error
      }
      this.#statements.index.run(rid, title, words)
      return true
    })()
  }

  async remove(id: string): Promise<void> {
    this.#statements.remove.run(id)
  }

  /**
   * Ranks in FTS5 alone (its index has every score), a chunk at a time, and joins only the
   * chunk's rows with their documents: joining every match first cost most of a search that
   * matches thousands (docs/benchmarks.md, "Full-text search"). A document the join drops
   * (trashed) is made up for by the next chunk.
   */
  async search(query: SearchQuery): Promise<SearchPage> {
    const after = query.cursor === undefined ? null : decodeSearchCursor(query.cursor)
    if (after !== null && !/^\d+$/.test(after.id)) throw new InvalidCursor()
    const match = ftsQuery(query.words)
    let position = after === null ? null : { tier: after.tier, score: after.score, rid: Number(after.id) }
    const found: Array<HitRow & { body: string }> = []
    for (let chunk = query.limit + 1; found.length <= query.limit; chunk *= 2) {
      const ranked = this.#statements.ranked.all({
        match,
        titleMatch: `title : (${match})`,
        tier: position?.tier ?? -1,
        score: position?.score ?? 0,
        rid: position?.rid ?? 0,
        chunk,
      })
      const rows = new Map(
        this.#statements.records.all(JSON.stringify(ranked.map((row) => row.rid))).map((row) => [row.rid, row]),
      )
      for (const hit of ranked) {
        const row = rows.get(hit.rid)
        if (row !== undefined) found.push({ ...row, tier: hit.tier, score: hit.score })
        if (found.length > query.limit) break
      }
      const last = ranked.at(-1)
      if (last === undefined || ranked.length < chunk) break
      position = last
    }
    const items: SearchHit[] = found.slice(0, query.limit).map((row) => ({
      id: row.id,
      title: row.title,
      createdAt: new Date(row.created_at),
      updatedAt: new Date(row.updated_at),
      body: row.body,
    }))
    const last = found.length > query.limit ? found[query.limit - 1] : undefined
    return {
      items,
      nextCursor:
        last === undefined ? null : encodeSearchCursor({ tier: last.tier, score: last.score, id: String(last.rid) }),
    }
  }

  async stale(afterId: string, limit: number): Promise<string[]> {
    return this.#statements.stale.pluck().all(afterId, limit)
  }
}
