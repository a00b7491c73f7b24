/**
 * `GET /api/shares/:shareId`: what a share link's page may know about its document (title and
 * role), addressed by the link's opaque id and never answering the document's id. No token: the
 * share id is the credential, on an open server and with `AUTH_SECRET` alike (`access.ts`
 * exempts this path). The document's content reaches the page through `/ws/s/:shareId`.
 */
import { Hono } from 'hono'
import type { DocumentService } from '../documents/service'
import type { AppEnv } from './env'

/** Paths that `accessMiddleware` leaves alone. */
export const SHARE_API_PREFIX = '/api/shares/'

export function shareRoutes(documents: DocumentService) {
  return new Hono<AppEnv>().get('/:shareId', async (c) => {
    const shared = await documents.sharedDocument(c.req.param('shareId'))
    // A revoked link must stop showing its title at once, not from a cache.
    c.header('Cache-Control', 'no-store')
    return c.json(shared, 200)
  })
}
