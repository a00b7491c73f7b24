/**
 * Which host names tandem answers to, for HTTP requests and WebSocket upgrades alike.
 *
 * DNS rebinding: any web page can point its own name at 127.0.0.1 a moment after it loaded, and
 * the browser then treats tandem as that page's own origin. What such a request cannot change is
 * the name it was sent to, the `Host` header, so a request must name a configured host. Ports are
 * not compared: the name is what an attacker controls, and loopback servers move between ports
 * (the Vite dev server on 5173 proxies to 8080 and keeps its own `Host`).
 *
 * Entries of an allow-list are canonical host names (`docs.example.com`, `127.0.0.1`, `[::1]`),
 * `.example.com` for that name and every subdomain, or `*` for any name (no protection).
 */

import type { MiddlewareHandler } from 'hono'
import { HostNotAllowed } from '../common/errors'
import type { AppEnv } from './env'

/** Names every tandem answers to: the machine itself. */
export const LOOPBACK_HOSTS = ['localhost', '127.0.0.1', '[::1]'] as const

/** Addresses that mean "every interface": a server is never reached under these names. */
const WILDCARD_ADDRESSES = new Set(['0.0.0.0', '[::]'])

/**
 * The canonical host name of `host[:port]` as the WHATWG URL parser sees it (lower case,
 * punycode, IPv4 in dotted form, IPv6 in brackets, no trailing dot); null when it is not one.
 */
export function canonicalHostName(value: string): string | null {
  const trimmed = value.trim()
  if (trimmed === '' || /[/?#@\\\s]/.test(trimmed)) return null
  try {
    const hostname = new URL(`http://${trimmed}`).hostname
    return hostname === '' ? null : hostname.replace(/\.$/, '')
  } catch {
    return null
  }
}

/** The host name of a bind address such as `HOST` (`::1` needs brackets to be parsed as one). */
export function bindAddressHostName(address: string): string | null {
  const name = canonicalHostName(address.includes(':') && !address.startsWith('[') ? `[${address}]` : address)
  return name === null || WILDCARD_ADDRESSES.has(name) ? null : name
}

/**
 * Parses one `ALLOWED_HOSTS` entry into an allow-list entry; null when it is not a host name.
 * A port given with the name is accepted and ignored.
 */
export function allowListEntry(entry: string): string | null {
  const value = entry.trim().toLowerCase()
  if (value === '*') return '*'
  if (value.startsWith('.')) {
    const suffix = canonicalHostName(value.slice(1))
    return suffix === null ? null : `.${suffix}`
  }
  return canonicalHostName(value)
}

/** Whether `host` (a `Host` header value, `name[:port]`) names a host on the allow-list. */
export function hostAllowed(allowed: readonly string[], host: string | undefined): boolean {
  if (allowed.includes('*')) return true
  if (host === undefined) return false
  const name = canonicalHostName(host)
  if (name === null) return false
  return allowed.some((entry) =>
    entry.startsWith('.') ? name === entry.slice(1) || name.endsWith(entry) : name === entry,
  )
}

/**
 * Whether a browser page at `origin` may open a socket: no `Origin` (not a browser), an origin
 * listed in `ALLOWED_ORIGINS`, or one whose host is on the host allow-list. The request's own
 * `Host` counts only when the allow-list is `*`, where there is no list to judge by; a rebinding
 * page sends its own name in both headers, so trusting `Host` otherwise would let it in.
 */
export function originAllowed(
  origin: string | undefined,
  requestHost: string | undefined,
  allowedHosts: readonly string[],
  allowedOrigins: readonly string[] | null,
): boolean {
  if (origin === undefined) return true
  if (allowedOrigins !== null && (allowedOrigins.includes('*') || allowedOrigins.includes(origin))) return true
  let url: URL
  try {
    url = new URL(origin)
  } catch {
    return false
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return false
  if (allowedHosts.includes('*')) return requestHost !== undefined && canonicalHostName(requestHost) === url.hostname
  return hostAllowed(allowedHosts, url.host)
}

/** The 421 for a request addressed to a name this server does not answer to. */
export function hostRefusal(host: string | undefined): HostNotAllowed {
  const named = host === undefined ? 'no host' : `host ${JSON.stringify(host.slice(0, 100))}`
  return new HostNotAllowed(`${named} is not one this server answers to (see ALLOWED_HOSTS)`)
}

/**
 * Refuses requests whose `Host` is not allowed, except paths for which `exempt` says the host
 * does not matter (health checks from load balancers address the server by IP).
 */
export function hostCheck(allowed: readonly string[], exempt: (path: string) => boolean): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (exempt(c.req.path)) return next()
    // @hono/node-server builds the URL from `Host`; app.request() has only the URL.
    const host = c.req.header('host') ?? new URL(c.req.url).host
    if (!hostAllowed(allowed, host)) throw hostRefusal(host)
    return next()
  }
}
