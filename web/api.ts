/**
 * The REST client, typed from the API contract browser and server share (`protocol/api.ts`,
 * against which the server's routes are type-checked), so a change to a route's shape breaks the
 * type check instead of failing at run time.
 */
import type { Hono } from 'hono'
import { hc } from 'hono/client'
import type {
  DocumentListItemDto,
  DocumentsApi,
  FileDto,
  SharesApi,
  TrashApi,
  TrashedDocumentDto,
} from '../protocol/api'

type Api = Hono<object, DocumentsApi & TrashApi>

export type ApiClient = ReturnType<typeof hc<Api>>

/** A share link page's client: `/api/shares/:shareId`, with no token (the share id is the credential). */
export type ShareApiClient = ReturnType<typeof hc<Hono<object, SharesApi>>>

export function createShareApi(): ShareApiClient {
  return hc<Hono<object, SharesApi>>(location.origin)
}

/** An answer that is not a success: `status` 0 means the server could not be reached. */
export class ApiError extends Error {
  override name = 'ApiError'
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message)
  }

  get unreachable(): boolean {
    return this.status === 0
  }
}

export function createApi(token: string | null): ApiClient {
  return hc<Api>(location.origin, {
    headers: (): Record<string, string> => (token === null ? {} : { Authorization: `Bearer ${token}` }),
  })
}

interface ErrorBody {
  error?: { code?: unknown; message?: unknown }
}

async function errorFrom(response: Response): Promise<ApiError> {
  let body: ErrorBody = {}
  try {
    body = (await response.json()) as ErrorBody
  } catch {
    // Not our JSON error shape (e.g. a proxy's HTML page): the status alone has to do.
  }
  const code = typeof body.error?.code === 'string' ? body.error.code : `http_${response.status}`
  const message = typeof body.error?.message === 'string' ? body.error.message : response.statusText
  return new ApiError(response.status, code, message)
}

/**
 * Awaits a typed call and returns its JSON body, or throws {@link ApiError} (also when the
 * network failed, with status 0).
 */
export async function call<T>(request: Promise<{ ok: boolean; json(): Promise<T> } & Response>): Promise<T> {
  let response
  try {
    response = await request
  } catch (error) {
    throw new ApiError(0, 'unreachable', error instanceof Error ? error.message : 'network error')
  }
  if (!response.ok) throw await errorFrom(response)
  return response.json()
}

/** Like {@link call}, for answers without a body (204). */
export async function callEmpty(request: Promise<Response>): Promise<void> {
  let response
  try {
    response = await request
  } catch (error) {
    throw new ApiError(0, 'unreachable', error instanceof Error ? error.message : 'network error')
  }
  if (!response.ok) throw await errorFrom(response)
}

/**
 * Uploads an image of a document (`POST /api/docs/:id/files`, the file itself as the body).
 * A plain `fetch`: the typed client speaks JSON bodies only.
 *
 * @throws {ApiError} status 0 when the server could not be reached
 */
export function uploadFile(token: string | null, docId: string, file: Blob): Promise<FileDto> {
  const headers: Record<string, string> = { 'Content-Type': file.type === '' ? 'application/octet-stream' : file.type }
  if (token !== null) headers.Authorization = `Bearer ${token}`
  return call<FileDto>(
    fetch(`/api/docs/${encodeURIComponent(docId)}/files`, { method: 'POST', headers, body: file }) as Promise<
      Response & { json(): Promise<FileDto> }
    >,
  )
}
export type TrashedDocument = TrashedDocumentDto
/** A document in the list; `snippet` only in search results. */
export type DocumentSummary = DocumentListItemDto
