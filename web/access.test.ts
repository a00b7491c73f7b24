import { describe, expect, it } from 'vitest'
import { AccessStore, decodeToken } from './access'
import { memoryStorage } from './memoryStorage'

const NOW = Date.UTC(2024, 4, 10) // ms
const DOC = 'AAAAAAAAAAAAAAAAAAAAAA'

function jwt(claims: Record<string, unknown>): string {
  const encode = (value: unknown): string =>
    btoa(String.fromCharCode(...new TextEncoder().encode(JSON.stringify(value))))
      .replace(/\+/g, '-')
      .replace(/\//g, '_')
      .replace(/=+$/, '')
  return `${encode({ alg: 'HS256', typ: 'JWT' })}.${encode(claims)}.signature`
}

const inAnHour = NOW / 1000 + 3600

describe('decodeToken', () => {
  it('reads the claims tandem signs', () => {
    expect(decodeToken(jwt({ doc: DOC, role: 'view', exp: inAnHour, name: 'Zoë' }))).toEqual({
      doc: DOC,
      role: 'view',
      exp: inAnHour,
      name: 'Zoë',
    })
  })

  it('refuses anything else', () => {
    expect(decodeToken('not-a-token')).toBeNull()
    expect(decodeToken(jwt({ doc: DOC, role: 'owner', exp: inAnHour }))).toBeNull()
    expect(decodeToken('a.%%%.c')).toBeNull()
  })
})

describe('AccessStore', () => {
  it('takes a document token out of a share link and remembers it for that document only', () => {
    const storage = memoryStorage()
    const access = new AccessStore(storage, () => NOW)
    const token = jwt({ doc: DOC, role: 'edit', exp: inAnHour })
    const clean = access.absorb(new URL(`http://x/d/${DOC}?token=${token}&role=view`), DOC)
    expect(clean?.toString()).toBe(`http://x/d/${DOC}?role=view`)
    expect(access.tokenFor(DOC)).toBe(token)
    expect(access.tokenFor('BBBBBBBBBBBBBBBBBBBBBB')).toBeNull()
    expect(access.generalToken()).toBeNull()
  })

  it('uses a token for every document as the general one', () => {
    const access = new AccessStore(memoryStorage(), () => NOW)
    const token = jwt({ doc: '*', role: 'admin', exp: inAnHour })
    access.absorb(new URL(`http://x/?token=${token}`), null)
    expect(access.generalToken()).toBe(token)
    expect(access.tokenFor(DOC)).toBe(token)
  })

  it('offers the trash to everyone on an open server, and with tokens to admins only', () => {
    const open = new AccessStore(memoryStorage(), () => NOW)
    expect(open.canManageTrash()).toBe(true)
    expect(open.canManageTrash(DOC)).toBe(true)
    const withToken = (claims: Record<string, unknown>, docId: string | null = null) => {
      const access = new AccessStore(memoryStorage(), () => NOW)
      access.absorb(new URL(`http://x/?token=${jwt({ exp: inAnHour, ...claims })}`), docId)
      return access
    }
    expect(withToken({ doc: '*', role: 'admin' }).canManageTrash()).toBe(true)
    expect(withToken({ doc: '*', role: 'edit' }).canManageTrash()).toBe(false)
    expect(withToken({ doc: '*', role: 'edit' }).canManageTrash(DOC)).toBe(false)
    expect(withToken({ doc: DOC, role: 'admin' }, DOC).canManageTrash(DOC)).toBe(true)
    expect(withToken({ doc: DOC, role: 'edit' }, DOC).canManageTrash(DOC)).toBe(false)
  })

  it('offers a view token read-only, and honours ?role=view on an open server', () => {
    const access = new AccessStore(memoryStorage(), () => NOW)
    const view = jwt({ doc: DOC, role: 'view', exp: inAnHour })
    access.absorb(new URL(`http://x/d/${DOC}?token=${view}`), DOC)
    expect(access.documentAccess(DOC, new URL(`http://x/d/${DOC}`))).toMatchObject({ readOnly: true, role: 'view' })
    const open = new AccessStore(memoryStorage(), () => NOW)
    expect(open.documentAccess(DOC, new URL(`http://x/d/${DOC}?role=view`))).toEqual({
      token: null,
      role: 'view',
      readOnly: true,
    })
    expect(open.documentAccess(DOC, new URL(`http://x/d/${DOC}`)).readOnly).toBe(false)
  })

  it('does not send a token it knows has expired', () => {
    const storage = memoryStorage()
    const token = jwt({ doc: DOC, role: 'edit', exp: NOW / 1000 - 1 })
    new AccessStore(storage, () => NOW).absorb(new URL(`http://x/d/${DOC}?token=${token}`), DOC)
    expect(new AccessStore(storage, () => NOW).tokenFor(DOC)).toBeNull()
  })

  it('leaves a URL without a token alone', () => {
    expect(new AccessStore(memoryStorage()).absorb(new URL('http://x/d/abc'), 'abc')).toBeNull()
  })
})
