/**
 * Response headers that tell browsers what a response may do: Hono's `secureHeaders` on every
 * response, with a Content-Security-Policy that allows nothing unless a route sets its own (the
 * web app and the HTML export do; `overwrite: false` keeps theirs).
 *
 * Strict-Transport-Security is left to whatever terminates TLS: tandem itself speaks plain HTTP,
 * and a year of HSTS for a name (with subdomains) is the operator's decision.
 */
import { secureHeaders } from 'hono/secure-headers'
import type { MiddlewareHandler } from 'hono'
import type { AppEnv } from './env'
import { canonicalHostName } from './hosts'

/** For API answers (JSON, text, Markdown, errors, metrics): nothing runs, nothing loads. */
export const API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'; sandbox"

/**
 * For `GET /api/docs/:id/content?format=html`, a document rendered as a page of its own: no
 * script, no style, no frames, in a sandbox (an origin of its own, so nothing it contains can
 * reach the app's storage); images from the web and this server may show.
 */
export const HTML_EXPORT_CSP =
  "default-src 'none'; img-src 'self' https: http:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'; sandbox"

/**
 * For the web app: its own scripts and styles only (no inline script or style: the build emits
 * none and the editor's base styles live in styles.css), the API and the sync socket on this
 * host, images from anywhere on the web for documents that show them.
 *
 * `connect-src 'self'` covers ws: and wss: of the same host in CSP level 3; the explicit socket
 * origins are for browsers that predate it. `host` is a `Host` header the host check accepted.
 */
export function appCsp(host: string | undefined): string {
  const name = host === undefined || canonicalHostName(host) === null ? null : new URL(`http://${host}`).host
  const sockets = name === null ? '' : ` ws://${name} wss://${name}`
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' https: http:",
    "font-src 'self'",
    `connect-src 'self'${sockets}`,
    "worker-src 'self'",
    "manifest-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ')
}

export function securityHeaders(): MiddlewareHandler<AppEnv> {
  return secureHeaders({
    contentSecurityPolicy: {
      defaultSrc: ["'none'"],
      frameAncestors: ["'none'"],
      baseUri: ["'none'"],
      formAction: ["'none'"],
      sandbox: [],
    },
    xFrameOptions: 'DENY',
    strictTransportSecurity: false,
    overwrite: false,
  })
}
