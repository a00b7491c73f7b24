/**
 * Full-text search through `GET /api/docs?q=`, on a real server for each database: body words,
 * case, accents, prefixes, word order, socket edits followed, deleted documents dropped, hostile
 * query text, pagination, snippets, and the index kept across restarts.
 */
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DocumentPageDto } from '../../protocol/api'
import { MAX_SNIPPET_LENGTH } from '../../protocol/search'
import { HOSTILE_QUERIES } from '../storage/search/contract'
import { connectClient } from '../test/clients'
import { type TestDatabase, createTestDatabase } from '../test/postgres'
import { type TestServer, startTestServer } from '../test/server'
import { waitFor } from '../test/waitFor'

interface Backend {
  name: string
  env(): Promise<Record<string, string>>
  cleanup(): Promise<void>
}

let database: TestDatabase | null = null
const backends: Backend[] = [
  { name: 'SQLite', env: async () => ({}), cleanup: async () => undefined },
  {
    name: 'PostgreSQL',
    async env() {
      database = await createTestDatabase()
      return { DATABASE_URL: database.url }
    },
    cleanup: async () => database?.drop(),
  },
]

const markdown = (body: string) => ({ format: 'markdown', body })

for (const backend of backends) {
  describe(`search over the API: ${backend.name}`, () => {
    let server: TestServer

    beforeAll(async () => {
      server = await startTestServer(await backend.env())
    })
    afterAll(async () => {
      await server.dispose()
      await backend.cleanup()
    })

    const list = async (query: Record<string, string>): Promise<{ status: number; body: DocumentPageDto }> => {
      const response = await fetch(`${server.url}/api/docs?${new URLSearchParams(query)}`)
      return { status: response.status, body: (await response.json()) as DocumentPageDto }
    }
    const ids = async (q: string): Promise<string[]> => {
      const { status, body } = await list({ q, limit: '100' })
      expect(status, q).toBe(200)
      return body.items.map((item) => item.id)
    }

    it('finds body words whatever their case and accents, every word, the last as a prefix', async () => {
      const agenda = await server.createDocument({
        title: 'Weekly sync',
        content: markdown('# Topics\n\nThe **Agenda** for Tuesday: budget, then lunch at the Café Noir.'),
      })
      const plain = await server.createDocument({ title: 'Cafe list', content: markdown('A plain cafe and a bar.') })
      expect(await ids('agenda')).toEqual([agenda])
      expect(await ids('AGENDA')).toEqual([agenda])
      expect(await ids('tuesday budget')).toEqual([agenda])
      expect(await ids('budget tuesday')).toEqual([agenda])
      expect(await ids('budget tues')).toEqual([agenda])
      expect(await ids('budg tuesday')).toEqual([])
      expect(await ids('noir café')).toEqual([agenda])
      expect(new Set(await ids('café'))).toEqual(new Set([agenda, plain]))
      expect(new Set(await ids('CAFE'))).toEqual(new Set([agenda, plain]))
      // Title matches first.
      expect((await ids('cafe'))[0]).toBe(plain)
    })

    it('answers a plain snippet of at most 200 characters around the first match, only with q', async () => {
      const filler = 'lorem ipsum dolor sit amet '.repeat(30)
      const id = await server.createDocument({
        title: 'Long',
        content: markdown(`${filler}\n\n**needle** <b>in</b> _the_ haystack ${filler}`),
      })
      const { body } = await list({ q: 'needle' })
      const item = body.items.find((candidate) => candidate.id === id)
      expect(item?.snippet).toBeDefined()
      const snippet = item?.snippet as string
      expect(snippet.length).toBeLessThanOrEqual(MAX_SNIPPET_LENGTH)
      expect(snippet).toContain('needle <b>in</b> the haystack')
      expect(snippet).not.toContain('**')
      expect(snippet.startsWith('…')).toBe(true)
      const all = await list({ limit: '100' })
      expect(all.body.items.some((candidate) => 'snippet' in candidate)).toBe(false)
    })

    it('follows socket edits within 5 seconds', async () => {
      const id = await server.createDocument({ title: 'Live' })
      const client = connectClient(server.wsUrl, id)
      try {
        await client.synced()
        client.appendParagraph('the zyxquorum appears')
        const started = Date.now()
        await waitFor(async () => (await ids('zyxquorum')).includes(id), { timeout: 5000, what: 'the edit indexed' })
        expect(Date.now() - started).toBeLessThan(5000)
      } finally {
        client.destroy()
      }
    })

    it('finds a new title at once after a rename, and drops deleted documents', async () => {
      const id = await server.createDocument({ title: 'Before', content: markdown('gonewords here') })
      const renamed = await fetch(`${server.url}/api/docs/${id}`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ title: 'Quixotic renaming' }),
      })
      expect(renamed.status).toBe(200)
      expect(await ids('quixotic')).toEqual([id])
      expect(await ids('gonewords')).toEqual([id])
      expect((await fetch(`${server.url}/api/docs/${id}`, { method: 'DELETE' })).status).toBe(204)
      expect(await ids('gonewords')).toEqual([])
      expect(await ids('quixotic')).toEqual([])
    })

    it('takes hostile query text as words: never an error', async () => {
      const id = await server.createDocument({ title: 'Hostile', content: markdown('drop table documents near') })
      for (const q of HOSTILE_QUERIES) {
        const { status } = await list({ q })
        expect(status, JSON.stringify(q)).toBe(200)
      }
      expect(await ids("'; DROP TABLE documents; --")).toEqual([id])
      // No letter or digit: the ordinary list.
      const { body } = await list({ q: '%_*"' })
      expect(body.items.length).toBeGreaterThan(1)
      expect(body.items.some((item) => 'snippet' in item)).toBe(false)
      const tooLong = await fetch(`${server.url}/api/docs?q=${'a'.repeat(201)}`)
      expect(tooLong.status).toBe(400)
    })

    it('pages through results with its cursors, and refuses a list cursor', async () => {
      const created = new Set<string>()
      for (let index = 0; index < 7; index++) {
        created.add(await server.createDocument({ title: `Paged ${index}`, content: markdown('pagination marker') }))
      }
      const seen: string[] = []
      let cursor: string | null = null
      do {
        const query: Record<string, string> = { q: 'pagination', limit: '3' }
        if (cursor !== null) query.cursor = cursor
        const { status, body } = await list(query)
        expect(status).toBe(200)
        seen.push(...body.items.map((item) => item.id))
        cursor = body.nextCursor
      } while (cursor !== null)
      expect(seen).toHaveLength(7)
      expect(new Set(seen)).toEqual(created)
      const plain = await list({ limit: '1' })
      expect(plain.body.nextCursor).not.toBeNull()
      const mixed = await fetch(
        `${server.url}/api/docs?q=pagination&cursor=${encodeURIComponent(plain.body.nextCursor as string)}`,
      )
      expect(mixed.status).toBe(400)
      expect(((await mixed.json()) as { error: { code: string } }).error.code).toBe('invalid_cursor')
    })
  })
}

describe('search index across restarts (SQLite)', () => {
  it('keeps entries, and indexes documents the index lacks at start-up', async () => {
    let server = await startTestServer()
    const dataDir = server.dataDir
    try {
      const kept = await server.createDocument({ title: 'Kept', content: markdown('persistent words') })
      const lost = await server.createDocument({ title: 'Older', content: markdown('backfilled words') })
      await server.stop()
      // As if `lost` was written before search existed.
      const db = new Database(join(dataDir, 'tandem.db'))
      db.prepare('DELETE FROM search_documents WHERE doc_id = ?').run(lost)
      db.close()
      server = await startTestServer({ DATA_DIR: dataDir })
      const found = async (q: string): Promise<string[]> => {
        const response = await fetch(`${server.url}/api/docs?q=${q}`)
        return ((await response.json()) as DocumentPageDto).items.map((item) => item.id)
      }
      expect(await found('persistent')).toEqual([kept])
      await waitFor(async () => (await found('backfilled')).includes(lost), { what: 'the catch-up' })
    } finally {
      await server.dispose()
    }
  })
})
