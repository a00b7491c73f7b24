/**
 * The REST client for a document's versions, typed from the API contract (`VersionsApi` in
 * `protocol/api.ts`), against which the server's routes are type-checked.
 */
import type { Hono } from 'hono'
import { hc } from 'hono/client'
import type { VersionsApi } from '../protocol/api'

type Api = Hono<object, VersionsApi>

export type VersionsClient = ReturnType<typeof hc<Api>>

export function createVersionsApi(token: string | null): VersionsClient {
  return hc<Api>(location.origin, {
    headers: (): Record<string, string> => (token === null ? {} : { Authorization: `Bearer ${token}` }),
  })
}
