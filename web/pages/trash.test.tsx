// @vitest-environment happy-dom
/**
 * The Trash view against a stubbed REST API: rows, restore with focus on the next row, the
 * empty state, and the explanation for tokens that cannot see the trash.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { AccessStore } from '../access'
import type { Identity } from '../identity'
import { memoryStorage } from '../memoryStorage'
import type { Page } from './page'
import { trashPage } from './trash'

const identity: Identity = { id: 'me', name: 'Ada', color: '#1971c2' }

function item(id: string, title: string) {
  const at = '2026-03-01T12:00:00.000Z'
  return { id, title, createdAt: at, updatedAt: at, deletedAt: at }
}

function jwt(claims: Record<string, unknown>): string {
  const encode = (value: unknown) => btoa(JSON.stringify(value)).replace(/=+$/, '')
  return `${encode({ alg: 'HS256' })}.${encode(claims)}.sig`
}

describe('the Trash view', () => {
  let root: HTMLElement
  let page: Page | null
  let trash: ReturnType<typeof item>[]
  let requests: string[]
  let status: number

  beforeEach(() => {
    root = document.createElement('div')
    document.body.append(root)
    page = null
    trash = [item('aaaaaaaaaaaaaaaaaaaaaa', 'One'), item('bbbbbbbbbbbbbbbbbbbbbb', 'Two')]
    requests = []
    status = 200
    vi.stubGlobal(
      'fetch',
      vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
        const url = new URL(input instanceof Request ? input.url : String(input))
        const method = init?.method ?? (input instanceof Request ? input.method : 'GET')
        requests.push(`${method} ${url.pathname}`)
        if (status !== 200) {
          return new Response(JSON.stringify({ error: { code: 'forbidden', message: 'no' } }), { status })
        }
        const restore = /^\/api\/trash\/([^/]+)\/restore$/.exec(url.pathname)
        if (restore !== null) {
          const found = trash.find((entry) => entry.id === restore[1])
          trash = trash.filter((entry) => entry.id !== restore[1])
          return new Response(JSON.stringify(found), { status: 200 })
        }
        return new Response(JSON.stringify({ items: trash, nextCursor: null }), { status: 200 })
      }),
    )
  })

  afterEach(() => {
    page?.dispose()
    vi.unstubAllGlobals()
    document.body.replaceChildren()
  })

  const open = (token: string | null = null): void => {
    const storage = memoryStorage()
    const access = new AccessStore(storage)
    if (token !== null) access.setGeneralToken(token)
    page = trashPage(root, { storage, access, identity })
  }
  const byTestId = (id: string) => document.querySelector<HTMLElement>(`[data-testid="${id}"]`)
  const titles = () => Array.from(document.querySelectorAll('[data-testid="trash-row-title"]'), (el) => el.textContent)

  it('lists the trash, restores a row and moves focus to the next one, then shows the empty state', async () => {
    open()
    await vi.waitFor(() => expect(titles()).toEqual(['One', 'Two']))
    const firstRestore = document.querySelector<HTMLButtonElement>('[data-testid="trash-restore"]')
    expect(firstRestore?.getAttribute('aria-label')).toBe('Restore “One”')
    firstRestore?.focus()
    firstRestore?.click()
    await vi.waitFor(() => expect(titles()).toEqual(['Two']))
    expect(requests).toContain('POST /api/trash/aaaaaaaaaaaaaaaaaaaaaa/restore')
    await vi.waitFor(() => expect(document.activeElement?.getAttribute('aria-label')).toBe('Restore “Two”'))
    document.querySelector<HTMLButtonElement>('[data-testid="trash-restore"]')?.click()
    await vi.waitFor(() => expect(byTestId('trash-empty')).not.toBeNull())
    expect(document.activeElement?.tagName).toBe('H1')
  })

  it('explains, without asking the server, when the token is not an admin’s of every document', async () => {
    open(jwt({ doc: '*', role: 'edit', exp: Date.now() / 1000 + 3600 }))
    expect(byTestId('trash-denied')?.textContent).toContain('The trash is for administrators')
    expect(byTestId('trash-list')).toBeNull()
    expect(requests).toEqual([])
  })

  it('explains when the server refuses the token', async () => {
    status = 401
    open()
    await vi.waitFor(() => expect(byTestId('trash-denied')?.textContent).toContain('needs an administrator’s token'))
  })
})
