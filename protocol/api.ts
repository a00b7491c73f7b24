/**
 * The REST API as browser and server agree on it (docs/api.md describes it for people): what
 * each route under `/api/docs` takes and answers, and the error codes. The server's routes are
 * checked against {@link DocumentsApi} when the server is type-checked (`server/http/app.ts`),
 * and the web app's client is typed from it, so a change on one side that the other does not
 * follow fails `npm run typecheck` instead of a request. The route table is written in the
 * shape Hono's typed client reads (`hc`), whence the type-only imports of `hono`.
 */
import type { JSONContent } from '@tiptap/core'
import type { JSONParsed } from 'hono/utils/types'

export const ROLES = ['view', 'edit', 'admin'] as const
export type Role = (typeof ROLES)[number]

export const CONTENT_FORMATS = ['json', 'html', 'markdown', 'text'] as const
export type ContentFormat = (typeof CONTENT_FORMATS)[number]

/** Stable, machine-readable error codes; `message` is for people. */
export const ErrorCode = {
  invalidRequest: 'invalid_request',
  malformedJson: 'malformed_json',
  unsupportedMediaType: 'unsupported_media_type',
  payloadTooLarge: 'payload_too_large',
  documentNotFound: 'document_not_found',
  shareNotFound: 'share_not_found',
  invalidCursor: 'invalid_cursor',
  invalidContent: 'invalid_content',
  contentUnrenderable: 'content_unrenderable',
  unauthorized: 'unauthorized',
  forbidden: 'forbidden',
  hostNotAllowed: 'host_not_allowed',
  rateLimited: 'rate_limited',
  upgradeRequired: 'upgrade_required',
  notFound: 'not_found',
  internal: 'internal_error',
} as const

export type ErrorCodeValue = (typeof ErrorCode)[keyof typeof ErrorCode]

/** The body of every failure. */
export interface ErrorBody {
  error: { code: ErrorCodeValue; message: string }
}

export interface DocumentDto {
  id: string
  title: string
  /** ISO 8601. */
  createdAt: string
  updatedAt: string
}

export interface DocumentPageDto {
  items: DocumentDto[]
  /** Pass as `cursor` for the next page; null on the last. */
  nextCursor: string | null
}

export interface ShareDto {
  url: string
  role: Role
  /** The link's token when the server requires tokens, else null. */
  token: string | null
  expiresAt: string | null
  /**
   * The share id of a revocable view link (`/s/<id>`, listed by `GET /api/docs/:id/shares`),
   * else null (a signed token, or an open server's edit link: the document's own address).
   */
  id: string | null
}

/** A revocable view link, as `GET /api/docs/:id/shares` lists it. */
export interface ShareLinkDto {
  id: string
  role: Role
  createdAt: string
  /** Null: until revoked. */
  expiresAt: string | null
  url: string
}

export interface ShareListDto {
  items: ShareLinkDto[]
}

/**
 * What a share link's page learns about its document (`GET /api/shares/:shareId`): never the
 * document's id, which on an open server is the key to edit it.
 */
export interface SharedDocumentDto {
  title: string
  role: Role
  expiresAt: string | null
}

/** Content to start a document with: a ProseMirror document (`json`), or a string in the other formats. */
export interface InitialContent {
  format: ContentFormat
  body: unknown
}

export interface CreateDocumentInput {
  title?: string | undefined
  content?: InitialContent | undefined
}

export interface ShareInput {
  role?: Role | undefined
  /** Seconds the link works. */
  expiresIn?: number | undefined
  /**
   * A view link by share id (`/s/<id>`) that can be listed and revoked instead of a signed
   * token; always so for view links on an open server.
   */
  revocable?: boolean | undefined
}

/** Query parameters arrive as strings (or lists of them when repeated). */
type QueryValue = string | string[] | undefined

/** ProseMirror JSON as the JSON export answers it (a document as Tiptap's `JSONContent`, through JSON). */
export type ContentJson = JSONParsed<JSONContent>

/** One route's input and answer, in the shape Hono's typed client (`hc`) reads. */
type Endpoint<Input, Output, Status extends number, Format extends 'json' | 'body' = 'json'> = {
  input: Input
  output: Output
  outputFormat: Format
  status: Status
}

type Id = { param: { id: string } }

/** Every route under `/api/docs`, keyed as Hono keys them (a type literal: Hono's `Schema` is indexed). */
export type DocumentsApi = {
  '/api/docs': {
    $post: Endpoint<{ json: CreateDocumentInput }, DocumentDto, 201>
    $get: Endpoint<
      { query: { limit?: QueryValue; cursor?: string | undefined; q?: string | undefined } },
      DocumentPageDto,
      200
    >
  }
  '/api/docs/:id': {
    $get: Endpoint<Id, DocumentDto, 200>
    $patch: Endpoint<{ json: { title: string } } & Id, DocumentDto, 200>
    $delete: Endpoint<Id, null, 204, 'body'>
  }
  '/api/docs/:id/content': {
    $get:
      | Endpoint<{ query: { format?: ContentFormat | undefined } } & Id, string, 200, 'body'>
      | Endpoint<{ query: { format?: ContentFormat | undefined } } & Id, ContentJson, 200>
  }
  '/api/docs/:id/share': {
    $post: Endpoint<{ json: ShareInput } & Id, ShareDto, 201>
  }
  '/api/docs/:id/shares': {
    $get: Endpoint<Id, ShareListDto, 200>
  }
  '/api/docs/:id/shares/:shareId': {
    $delete: Endpoint<{ param: { id: string; shareId: string } }, null, 204, 'body'>
  }
}

/** What a share link's page may ask (no token: the share id is the credential). */
export type SharesApi = {
  '/api/shares/:shareId': {
    $get: Endpoint<{ param: { shareId: string } }, SharedDocumentDto, 200>
  }
}
