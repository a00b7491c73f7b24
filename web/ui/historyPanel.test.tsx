// @vitest-environment happy-dom
import { render } from 'preact'
import { act } from 'preact/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { VersionDto } from '../../protocol/api'
import { createVersionsApi } from '../versionsApi'
import { HistoryPanel } from './historyPanel'

const paragraphs = (...texts: string[]) => ({
  type: 'doc',
  content: texts.map((text) => ({ type: 'paragraph', content: [{ type: 'text', text }] })),
})

const versions: VersionDto[] = [
  {
    id: 'vvvvvvvvvvvvvvv2',
    createdAt: new Date(Date.now() - 60_000).toISOString(),
    kind: 'named',
    name: 'Draft',
    authors: [{ sub: 'u1', name: 'Ada' }],
  },
  {
    id: 'vvvvvvvvvvvvvvv1',
    createdAt: new Date(Date.now() - 3_600_000).toISOString(),
    kind: 'auto',
    name: null,
    authors: [],
  },
]

const settle = async (): Promise<void> => {
  for (let i = 0; i < 5; i++) await act(() => new Promise((resolve) => setTimeout(resolve, 0)))
}

describe('HistoryPanel', () => {
  let root: HTMLElement
  const calls: string[] = []
  beforeEach(() => {
    calls.length = 0
    vi.stubGlobal(
      'fetch',
      vi.fn(async (input: Request | string, init?: RequestInit) => {
        const request = input instanceof Request ? input : new Request(input, init)
        const url = new URL(request.url)
        calls.push(`${request.method} ${url.pathname}`)
        const json = (body: unknown) =>
          new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } })
        if (url.pathname.endsWith('/versions')) return json({ items: versions, nextCursor: null })
        if (url.pathname.endsWith('/vvvvvvvvvvvvvvv2/content')) return json(paragraphs('kept', 'old words'))
        if (url.pathname.endsWith('/vvvvvvvvvvvvvvv1/content')) return json(paragraphs('kept'))
        if (url.pathname.endsWith('/restore')) return json({ restored: versions[0], before: versions[1] })
        return new Response('{}', { status: 404 })
      }),
    )
    root = document.createElement('div')
    document.body.append(root)
  })
  afterEach(() => {
    act(() => render(null, root))
    document.body.replaceChildren()
    vi.unstubAllGlobals()
  })

  const open = async (canEdit = true) => {
    act(() =>
      render(
        <HistoryPanel
          docId="d"
          api={createVersionsApi(null)}
          canEdit={canEdit}
          canDelete={false}
          current={() => paragraphs('kept', 'new words')}
          onClose={() => undefined}
        />,
        root,
      ),
    )
    await settle()
  }
  const items = () => [...root.querySelectorAll<HTMLButtonElement>('[data-testid="history-item"]')]

  it('lists versions newest first with their name or kind, time and authors', async () => {
    await open()
    expect(items().map((item) => item.querySelector('.history-item-title')?.textContent)).toEqual([
      'Draft',
      'Automatic version',
    ])
    expect(items()[0]?.textContent).toContain('Ada')
    expect(items()[1]?.textContent).toContain('No changes by anyone recorded')
    expect(root.querySelector('time')?.getAttribute('datetime')).toBe(versions[0]?.createdAt)
  })

  it('shows a selected version against the current document, then against the version before', async () => {
    await open()
    act(() => items()[0]?.click())
    await settle()
    expect(items()[0]?.getAttribute('aria-pressed')).toBe('true')
    const diff = () => root.querySelector('[data-testid="history-diff"]')
    expect(diff()?.querySelector('ins')?.textContent).toContain('old')
    expect(diff()?.querySelector('del')?.textContent).toContain('new')
    expect(root.querySelector('[data-testid="history-summary"]')?.textContent).toContain(
      '1 word here not in the current document',
    )
    const previous = root.querySelector<HTMLInputElement>('input[value="previous"]')
    act(() => previous?.click())
    await settle()
    expect(diff()?.querySelector('del')).toBeNull()
    expect(diff()?.querySelector('ins')?.textContent).toContain('old words')
  })

  it('restores after confirmation and says so', async () => {
    await open()
    act(() => items()[0]?.click())
    await settle()
    act(() => root.querySelector<HTMLButtonElement>('[data-testid="restore-version"]')?.click())
    const confirm = document.querySelector<HTMLButtonElement>('[data-testid="confirm-restore"]')
    expect(confirm).not.toBeNull()
    act(() => confirm?.click())
    await settle()
    expect(calls).toContain('POST /api/docs/d/versions/vvvvvvvvvvvvvvv2/restore')
    expect(document.querySelector('[data-testid="announcer"]')?.textContent).toContain('Version restored')
  })

  it('offers no saving or restoring to a reader', async () => {
    await open(false)
    act(() => items()[0]?.click())
    await settle()
    expect(root.querySelector('[data-testid="save-version"]')).toBeNull()
    expect(root.querySelector('[data-testid="restore-version"]')).toBeNull()
  })
})
