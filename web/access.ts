/**
 * Access tokens as the browser sees them. Share links carry `?token=JWT` (view links by share id,
 * `/s/:shareId`, carry nothing: see `pages/document/controller.tsx`; an old `?role=view` address
 * still opens read-only); the token is remembered per document, a token for every document
 * also as the general one for the list page, and removed from the address bar so that it does
 * not end up in screenshots or history. The payload is decoded only to show the right UI (view
 * only, expired); the server alone decides.
 */
export type Role = 'view' | 'edit' | 'admin'

export interface TokenClaims {
  doc: string
  role: Role
  /** Seconds since the epoch. */
  exp: number
  name?: string
}

export interface DocumentAccess {
  token: string | null
  /** What the UI offers; the server enforces the real thing. */
  readOnly: boolean
  role: Role
}

const GENERAL_KEY = 'tandem:token'
const documentKey = (docId: string): string => `tandem:token:${docId}`
const ROLES: readonly Role[] = ['view', 'edit', 'admin']

function base64UrlDecode(value: string): string {
  const base64 = value
    .replace(/-/g, '+')
    .replace(/_/g, '/')
    .padEnd(Math.ceil(value.length / 4) * 4, '=')
  const bytes = Uint8Array.from(atob(base64), (char) => char.charCodeAt(0))
  return new TextDecoder().decode(bytes)
}

/** The claims of a tandem JWT, or null when it is not one (no signature check: display only). */
export function decodeToken(token: string): TokenClaims | null {
  const payload = token.split('.')[1]
  if (payload === undefined) return null
  try {
    const claims = JSON.parse(base64UrlDecode(payload)) as Partial<TokenClaims>
    if (typeof claims.doc !== 'string' || typeof claims.exp !== 'number') return null
    if (!ROLES.includes(claims.role as Role)) return null
    return {
      doc: claims.doc,
      role: claims.role as Role,
      exp: claims.exp,
      ...(typeof claims.name === 'string' ? { name: claims.name } : {}),
    }
  } catch {
    return null
  }
}

function usable(token: string | null, now: number): string | null {
  if (token === null) return null
  const claims = decodeToken(token)
  return claims !== null && claims.exp * 1000 <= now ? null : token
}

export class AccessStore {
  readonly #storage: Storage
  readonly #now: () => number

  constructor(storage: Storage, now: () => number = Date.now) {
    this.#storage = storage
    this.#now = now
  }

  /** Takes `?token=` off `url`, remembers it, and returns the URL to show instead (or null). */
  absorb(url: URL, docId: string | null): URL | null {
    const token = url.searchParams.get('token')
    if (token === null) return null
    const claims = decodeToken(token)
    if (claims === null || claims.doc === '*') this.#storage.setItem(GENERAL_KEY, token)
    if (docId !== null && (claims === null || claims.doc === docId || claims.doc === '*')) {
      this.#storage.setItem(documentKey(docId), token)
    }
    const clean = new URL(url)
    clean.searchParams.delete('token')
    return clean
  }

  /** The general token: for listing and creating documents. */
  generalToken(): string | null {
    return usable(this.#storage.getItem(GENERAL_KEY), this.#now())
  }

  setGeneralToken(token: string): void {
    this.#storage.setItem(GENERAL_KEY, token.trim())
  }

  tokenFor(docId: string): string | null {
    return usable(this.#storage.getItem(documentKey(docId)), this.#now()) ?? this.generalToken()
  }

  /**
   * Whether to offer the trash: on an open server (no token) everyone is an admin; with tokens,
   * listing it needs an admin token for every document, restoring one an admin token for it.
   */
  canManageTrash(docId?: string): boolean {
    const token = docId === undefined ? this.generalToken() : this.tokenFor(docId)
    if (token === null) return true
    const claims = decodeToken(token)
    if (claims === null) return false
    return claims.role === 'admin' && (claims.doc === '*' || claims.doc === docId)
  }

  forget(docId: string): void {
    this.#storage.removeItem(documentKey(docId))
  }

  /** What the UI should allow in document `docId`, given the address it was opened with. */
  documentAccess(docId: string, url: URL): DocumentAccess {
    const token = this.tokenFor(docId)
    const claims = token === null ? null : decodeToken(token)
    const role: Role = url.searchParams.get('role') === 'view' ? 'view' : (claims?.role ?? 'admin')
    return { token, role, readOnly: role === 'view' }
  }
}
