/**
 * Full-text search on PostgreSQL: a `tsvector` per document under a GIN index, built in
 * JavaScript from the folded words (`protocol/search.ts`) — title words weighted A, body words
 * B — and written as a `tsvector` literal, so neither PostgreSQL's parser (which would keep
 * `example.com` or `3.14` whole) nor an `unaccent` extension (which needs a superuser) is
 * involved, and matching is the same as SQLite's. Queries are `tsquery` literals of quoted words.
 */
import { foldedWords } from '../../../protocol/search'
import {
  MAX_INDEXED_BODY_CHARS,
  SNIPPET_SCAN_CHARS,
  type SearchEntry,
  type SearchIndex,
  type SearchPage,
  type SearchQuery,
} from '../search/types'
import { decodeSearchCursor, encodeSearchCursor } from '../search/cursor'
import type { PostgresDatabase } from './database'

// Bounds of the tsvector type (PostgreSQL's documentation, "Text Search Types").
const MAX_POSITION = 16_383
const MAX_POSITIONS_PER_LEXEME = 256
/** Lexemes are at most 2 kB; a longer "word" is no word anyone searches for. */
const MAX_LEXEME_BYTES = 1_000

function quote(word: string): string {
  return `'${word.replaceAll('\\', '\\\\').replaceAll("'", "''")}'`
}

/** The tsvector literal of a title and a body: every word with its positions and weight. */
export function tsvectorLiteral(title: string, body: string): string {
  const lexemes = new Map<string, string[]>()
  let position = 0
  const add = (words: string[], weight: 'A' | 'B'): void => {
    for (const word of words) {
      position = Math.min(position + 1, MAX_POSITION)
      if (Buffer.byteLength(word) > MAX_LEXEME_BYTES) continue
      let positions = lexemes.get(word)
      if (positions === undefined) {
        positions = []
        lexemes.set(word, positions)
      }
      if (positions.length < MAX_POSITIONS_PER_LEXEME && position < MAX_POSITION) positions.push(`${position}${weight}`)
    }
  }
  add(foldedWords(title), 'A')
  add(foldedWords(body), 'B')
  return [...lexemes]
    .map(([word, positions]) => (positions.length === 0 ? quote(word) : `${quote(word)}:${positions.join(',')}`))
    .join(' ')
}

/** Every word must match, the last also as a prefix. */
function tsqueryLiteral(words: readonly string[]): string {
  return words.map((word, index) => (index === words.length - 1 ? `${quote(word)}:*` : quote(word))).join(' & ')
}

interface RankedRow {
  id: string
  tier: 0 | 1
  score: number
}

interface RecordRow {
  id: string
  title: string
  created_at: string
  updated_at: string
  body: string
}

export class PostgresSearchIndex implements SearchIndex {
  readonly #database: PostgresDatabase

  constructor(database: PostgresDatabase) {
    this.#database = database
  }

  get #pool() {
    return this.#database.pool
  }

  async upsert(entry: SearchEntry, readAt: number): Promise<boolean> {
    const body = entry.body.slice(0, MAX_INDEXED_BODY_CHARS)
    try {
      await this.#pool.query(
        `INSERT INTO search_documents (doc_id, body, vector, title_vector, indexed_at)
              VALUES ($1, $2, $3::tsvector, $4::tsvector, $5)
         ON CONFLICT (doc_id) DO UPDATE
            SET body = excluded.body, vector = excluded.vector, title_vector = excluded.title_vector,
                indexed_at = excluded.indexed_at
          WHERE search_documents.indexed_at <= excluded.indexed_at`,
        [entry.id, body, tsvectorLiteral(entry.title, body), tsvectorLiteral(entry.title, ''), readAt],
      )
    } catch (error) {
      // foreign_key_violation: the document is gone.
      if ((error as { code?: unknown }).code === '23503') return false
      throw error
    }
    return true
  }

  async remove(id: string): Promise<void> {
    await this.#pool.query('DELETE FROM search_documents WHERE doc_id = $1', [id])
  }

  /**
   * Ranks on the search table alone, a chunk at a time, then reads only the chunk's documents
   * (as SQLite does): a document the second read drops (trashed) is made up for by the next
   * chunk.
   */
  async search(query: SearchQuery): Promise<SearchPage> {
    const after = query.cursor === undefined ? null : decodeSearchCursor(query.cursor)
    const tsquery = tsqueryLiteral(query.words)
    let position: { tier: number; score: number; id: string } | null = after
    const found: Array<RecordRow & RankedRow> = []
    for (let chunk = query.limit + 1; found.length <= query.limit; chunk *= 2) {
      const ranked = await this.#pool.query<RankedRow>(
        `SELECT doc_id AS id, tier, score FROM (
           SELECT doc_id,
                  CASE WHEN title_vector @@ $1::tsquery THEN 0 ELSE 1 END AS tier,
                  (-ts_rank(vector, $1::tsquery, 1))::float8 AS score
             FROM search_documents WHERE vector @@ $1::tsquery
         ) hits
         WHERE (tier, score, doc_id) > ($2::integer, $3::float8, $4::text)
         ORDER BY tier, score, doc_id LIMIT $5`,
        [tsquery, position?.tier ?? -1, position?.score ?? 0, position?.id ?? '', chunk],
      )
      const records = await this.#pool.query<RecordRow>(
        `SELECT d.id, d.title, d.created_at, d.updated_at, substr(s.body, 1, ${SNIPPET_SCAN_CHARS}) AS body
           FROM documents d JOIN search_documents s ON s.doc_id = d.id
          WHERE d.id = ANY($1::text[]) AND d.deleted_at IS NULL`,
        [ranked.rows.map((row) => row.id)],
      )
      const byId = new Map(records.rows.map((row) => [row.id, row]))
      for (const hit of ranked.rows) {
        const record = byId.get(hit.id)
        if (record !== undefined) found.push({ ...record, tier: hit.tier, score: hit.score })
        if (found.length > query.limit) break
      }
      const last = ranked.rows.at(-1)
      if (last === undefined || ranked.rows.length < chunk) break
      position = last
    }
    const last = found.length > query.limit ? found[query.limit - 1] : undefined
    return {
      items: found.slice(0, query.limit).map((row) => ({
        id: row.id,
        title: row.title,
        createdAt: new Date(Number(row.created_at)),
        updatedAt: new Date(Number(row.updated_at)),
        body: row.body,
      })),
      nextCursor: last === undefined ? null : encodeSearchCursor({ tier: last.tier, score: last.score, id: last.id }),
    }
  }

  async stale(afterId: string, limit: number): Promise<string[]> {
    const { rows } = await this.#pool.query<{ id: string }>(
      `SELECT d.id FROM documents d LEFT JOIN search_documents s ON s.doc_id = d.id
        WHERE d.id > $1 AND (s.doc_id IS NULL OR s.indexed_at < d.updated_at)
        ORDER BY d.id LIMIT $2`,
      [afterId, limit],
    )
    return rows.map((row) => row.id)
  }
}
