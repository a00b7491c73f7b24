/**
 * The two pages and the history API: links inside the app change the page without a reload,
 * so an open document's connection and presence are torn down deliberately, not by unload.
 */
export type Route =
  | { page: 'list' }
  | { page: 'trash' }
  | { page: 'document'; id: string }
  /** A view link by share id (`/s/:shareId`): the document, read-only, without its id. */
  | { page: 'shared'; shareId: string }
  | { page: 'missing' }

export function matchRoute(pathname: string): Route {
  if (pathname === '/' || pathname === '/index.html') return { page: 'list' }
  if (pathname === TRASH_PATH || pathname === `${TRASH_PATH}/`) return { page: 'trash' }
  const match = /^\/d\/([^/]+)\/?$/.exec(pathname)
  if (match?.[1] !== undefined) {
    try {
      return { page: 'document', id: decodeURIComponent(match[1]) }
    } catch {
      return { page: 'missing' }
    }
  }
  const shared = /^\/s\/([A-Za-z0-9_-]+)\/?$/.exec(pathname)
  if (shared?.[1] !== undefined) return { page: 'shared', shareId: shared[1] }
  return { page: 'missing' }
}

export const TRASH_PATH = '/trash'

export const NAVIGATE_EVENT = 'tandem:navigate'

/** Goes to `path` inside the app (main.ts renders the new page). */
export function navigate(path: string, options: { replace?: boolean; state?: Record<string, unknown> } = {}): void {
  const state = options.state ?? null
  if (options.replace === true) history.replaceState(state, '', path)
  else history.pushState(state, '', path)
  window.dispatchEvent(new Event(NAVIGATE_EVENT))
}

export function documentPath(id: string): string {
  return `/d/${encodeURIComponent(id)}`
}
