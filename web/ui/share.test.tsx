// @vitest-environment happy-dom
import { render } from 'preact'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { ApiClient } from '../api'
import { ShareDialogBody, onThisOrigin } from './share'

describe('onThisOrigin', () => {
  it('keeps the path and token, and swaps the origin for the one in use', () => {
    expect(onThisOrigin('http://127.0.0.1:8080/d/abc?token=t.k.n', 'https://docs.example.com')).toBe(
      'https://docs.example.com/d/abc?token=t.k.n',
    )
  })
})

/**
 * A client whose answers the test scripts: just enough of `hc`'s shape for the dialog. With
 * `signed`, the links carry their role (`?token=<role>`, as a signed token does) and the answer for
 * a view link waits until `release()`.
 */
function fakeApi(signed = false) {
  let release = (): void => {}
  const held = new Promise<void>((resolve) => {
    release = resolve
  })
  const links = [
    {
      id: 'share-one',
      role: 'view',
      createdAt: '2026-01-02T03:04:05Z',
      expiresAt: null,
      url: 'http://x.test/s/share-one',
    },
  ]
  const calls: string[] = []
  const json = (body: unknown, status = 200) =>
    Promise.resolve(new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } }))
  const api = {
    api: {
      docs: {
        ':id': {
          share: {
            $post: (input: { json: { role: string; revocable?: boolean } }) => {
              calls.push(`share ${input.json.role}${input.json.revocable === true ? ' revocable' : ''}`)
              return input.json.revocable === true
                ? json(
                    { url: 'http://x.test/s/share-two', role: 'view', token: null, expiresAt: null, id: 'share-two' },
                    201,
                  )
                : signed
                  ? (input.json.role === 'view' ? held : Promise.resolve()).then(() =>
                      json(
                        {
                          url: `http://x.test/d/doc1?token=${input.json.role}`,
                          role: input.json.role,
                          token: input.json.role,
                          expiresAt: null,
                          id: null,
                        },
                        201,
                      ),
                    )
                  : json(
                      { url: 'http://x.test/d/doc1', role: input.json.role, token: null, expiresAt: null, id: null },
                      201,
                    )
            },
          },
          shares: {
            $get: () => {
              calls.push('list')
              return json({ items: links })
            },
            ':shareId': {
              $delete: (input: { param: { shareId: string } }) => {
                calls.push(`revoke ${input.param.shareId}`)
                return Promise.resolve(new Response(null, { status: 204 }))
              },
            },
          },
        },
      },
    },
  }
  return { api: api as unknown as ApiClient, calls, release }
}

describe('the Share dialog', () => {
  afterEach(() => {
    document.body.replaceChildren()
  })
  const byTestId = (id: string) => document.querySelector<HTMLElement>(`[data-testid="${id}"]`)
  const all = (id: string) => [...document.querySelectorAll<HTMLElement>(`[data-testid="${id}"]`)]

  it('on an open server: warns about the list, offers the edit link, lists view links, makes and revokes them', async () => {
    const { api, calls } = fakeApi()
    const root = document.createElement('div')
    document.body.append(root)
    render(<ShareDialogBody api={api} docId="doc1" canEdit openServer />, root)
    expect(byTestId('share-open-server')?.textContent).toContain('anyone who can reach it can open the list')
    await vi.waitFor(() => expect(all('view-link')).toHaveLength(1))
    await vi.waitFor(() => expect((byTestId('share-url') as HTMLInputElement).value).toMatch(/\/d\/doc1$/))
    expect(byTestId('share-edit-allows')?.textContent).toContain('cannot be revoked')
    expect(byTestId('share-role')).toBeNull()

    byTestId('view-link-create')?.click()
    await vi.waitFor(() => expect(all('view-link')).toHaveLength(2))
    expect((all('view-link-url')[1] as HTMLInputElement).value).toMatch(/\/s\/share-two$/)
    await vi.waitFor(() => expect(document.activeElement).toBe(all('view-link-copy')[1]))

    all('view-link-revoke')[0]?.click()
    await vi.waitFor(() => expect(all('view-link')).toHaveLength(1))
    expect(calls).toContain('revoke share-one')
    await vi.waitFor(() => expect(document.activeElement).toBe(all('view-link-copy')[0]))
    all('view-link-revoke')[0]?.click()
    await vi.waitFor(() => expect(byTestId('view-links-empty')).not.toBeNull())
    await vi.waitFor(() => expect(document.activeElement).toBe(byTestId('view-link-create')))
    expect(calls).toEqual(['share edit', 'list', 'share view revocable', 'revoke share-one', 'revoke share-two'])
    render(null, root)
  })

  it('with AUTH_SECRET: a signed link for the chosen role, no open-server warning', async () => {
    const { api } = fakeApi()
    const root = document.createElement('div')
    document.body.append(root)
    render(<ShareDialogBody api={api} docId="doc1" canEdit openServer={false} />, root)
    expect(byTestId('share-open-server')).toBeNull()
    expect(byTestId('share-role')).not.toBeNull()
    await vi.waitFor(() => expect(all('view-link')).toHaveLength(1))
    render(null, root)
  })

  it('never shows the link of the role chosen before, while the new one is being made', async () => {
    const { api, release } = fakeApi(true)
    const root = document.createElement('div')
    document.body.append(root)
    render(<ShareDialogBody api={api} docId="doc1" canEdit openServer={false} />, root)
    const url = () => (byTestId('share-url') as HTMLInputElement).value
    await vi.waitFor(() => expect(url()).toMatch(/token=edit$/))
    const role = byTestId('share-role') as HTMLSelectElement
    role.value = 'view'
    role.dispatchEvent(new Event('change', { bubbles: true }))
    // Rendered again (Preact renders state changes in a microtask), the edit link is gone at once.
    await Promise.resolve()
    expect(role.value).toBe('view')
    expect(url()).toBe('')
    release()
    await vi.waitFor(() => expect(url()).toMatch(/token=view$/))
    render(null, root)
  })
})
