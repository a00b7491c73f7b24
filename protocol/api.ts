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

/** What `GET /api/docs/:id/content` answers in: the content formats, and Word. */
export const EXPORT_FORMATS = [...CONTENT_FORMATS, 'docx'] as const
export type ExportFormat = (typeof EXPORT_FORMATS)[number]

/** The file name extension of each export format, for downloads. */
export const EXPORT_EXTENSIONS: Record<ExportFormat, string> = {
  json: 'json',
  html: 'html',
  markdown: 'md',
  text: 'txt',
  docx: 'docx',
}

export const DOCX_MEDIA_TYPE = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document'

/**
 * The files `POST /api/docs/import` takes, by media type (its `Content-Type`), and the file name
 * extensions the browser maps to them (browsers often give `.md` files no type at all).
 */
export const IMPORT_MEDIA_TYPES = {
  'text/markdown': 'markdown',
  'text/x-markdown': 'markdown',
  'text/html': 'html',
  'text/plain': 'text',
  [DOCX_MEDIA_TYPE]: 'docx',
} as const
export type ImportKind = (typeof IMPORT_MEDIA_TYPES)[keyof typeof IMPORT_MEDIA_TYPES]

export const IMPORT_EXTENSIONS: Record<string, string> = {
  md: 'text/markdown',
  markdown: 'text/markdown',
  html: 'text/html',
  htm: 'text/html',
  txt: 'text/plain',
  text: 'text/plain',
  docx: DOCX_MEDIA_TYPE,
}

/** The media type for a file name's extension, or null when it is not one tandem imports. */
export function importMediaTypeOf(filename: string): string | null {
  const extension = /\.([^./\\]+)$/.exec(filename)?.[1]?.toLowerCase()
  return extension === undefined ? null : (IMPORT_EXTENSIONS[extension] ?? null)
}

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
  serverBusy: 'server_busy',
  versionNotFound: 'version_not_found',
  versionNotDeletable: 'version_not_deletable',
  internal: 'internal_error',
} as const

export type ErrorCodeValue = (typeof ErrorCode)[keyof typeof ErrorCode]

/**
 * Who changed a document, as the server recorded it: from the token when the server requires
 * tokens (`sub` is the token's subject), otherwise the name the editor declared (`sub` null).
 */
export interface Author {
  sub: string | null
  name: string | null
}

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

/** A document in the list; with a search (`q`), also plain text around the first match. */
export interface DocumentListItemDto extends DocumentDto {
  /**
   * Present only when `q` has words: plain text (no markup), at most 200 characters, around
   * the first match in the body (its start when only the title matched).
   */
  snippet?: string
}

export interface DocumentPageDto {
  items: DocumentListItemDto[]
  /** Pass as `cursor` for the next page; null on the last. */
  nextCursor: string | null
}

/** A document in the trash (`GET /api/trash`). */
export interface TrashedDocumentDto extends DocumentDto {
  /** When it was moved to the trash; it is purged `TRASH_RETENTION_DAYS` later. ISO 8601. */
  deletedAt: string
}

export interface TrashPageDto {
  items: TrashedDocumentDto[]
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

/**
 * An image stored with a document (`POST /api/docs/:id/files`, raw bytes as the body). `url`
 * serves it (`GET /api/files/:fileId`) to anyone who has it, without a token, so that `<img>`
 * works; `contentType` is what the server found in the bytes.
 */
export interface FileDto {
  id: string
  url: string
  contentType: string
  size: number
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

/** `download=1` answers the content as a file to save (`Content-Disposition: attachment`). */
type ContentQuery = { query: { format?: ExportFormat | undefined; download?: '0' | '1' | undefined } }

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
  '/api/docs/import': {
    $post: Endpoint<{ query: { filename?: string | undefined } }, DocumentDto, 201>
  }
  '/api/docs/:id': {
    $get: Endpoint<Id, DocumentDto, 200>
    $patch: Endpoint<{ json: { title: string } } & Id, DocumentDto, 200>
    $delete: Endpoint<Id, null, 204, 'body'>
  }
  '/api/docs/:id/content': {
    $get: Endpoint<ContentQuery & Id, string, 200, 'body'> | Endpoint<ContentQuery & Id, ContentJson, 200>
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

export const VERSION_KINDS = ['auto', 'named', 'restore', 'import'] as const
/**
 * `auto`: recorded by the server (quiet, or long editing); `named`: saved by a person;
 * `restore`: the state just before a restore; `import`: the state just before content was replaced.
 */
export type VersionKind = (typeof VERSION_KINDS)[number]

/** Longest name of a named version. */
export const MAX_VERSION_NAME_LENGTH = 200

export interface VersionDto {
  id: string
  /** ISO 8601. */
  createdAt: string
  kind: VersionKind
  name: string | null
  /** Everyone whose changes the server stored since the version before, in the order they came. */
  authors: Author[]
}

export interface VersionPageDto {
  items: VersionDto[]
  nextCursor: string | null
}

/** What a restore answers: the version restored, and the version of the state just before (to undo). */
export interface RestoreDto {
  restored: VersionDto
  before: VersionDto
}

type VersionId = { param: { id: string; versionId: string } }

/** Every route under `/api/docs/:id/versions`. */
export type VersionsApi = {
  '/api/docs/:id/versions': {
    $get: Endpoint<{ query: { limit?: QueryValue; cursor?: string | undefined } } & Id, VersionPageDto, 200>
    $post: Endpoint<{ json: { name: string } } & Id, VersionDto, 201>
  }
  '/api/docs/:id/versions/:versionId': {
    $get: Endpoint<VersionId, VersionDto, 200>
    $delete: Endpoint<VersionId, null, 204, 'body'>
  }
  '/api/docs/:id/versions/:versionId/content': {
    $get:
      | Endpoint<{ query: { format?: ContentFormat | undefined } } & VersionId, string, 200, 'body'>
      | Endpoint<{ query: { format?: ContentFormat | undefined } } & VersionId, ContentJson, 200>
  }
  '/api/docs/:id/versions/:versionId/restore': {
    $post: Endpoint<VersionId, RestoreDto, 200>
  }
}

/** The trash (`/api/trash`): documents deleted with `DELETE /api/docs/:id`, until restored or purged. */
export type TrashApi = {
  '/api/trash': {
    $get: Endpoint<{ query: { limit?: QueryValue; cursor?: string | undefined } }, TrashPageDto, 200>
  }
  '/api/trash/:id/restore': {
    $post: Endpoint<Id, DocumentDto, 200>
  }
  '/api/trash/:id': {
    $delete: Endpoint<Id, null, 204, 'body'>
  }
}
