/**
 * "Is the document still there for us?", asked over REST. A socket refused before it opens
 * (document deleted, token expired) looks like a network failure to the browser, so the session
 * asks once at start and then every few seconds while the server seems unreachable; the answer
 * can end the session the same way a close code does.
 */
import { type ApiClient, ApiError, type ShareApiClient, call } from '../api'
import type { Ending } from './closeReasons'

export type DocumentCheck =
  | { kind: 'found'; title: string }
  | { kind: 'ended'; ending: Ending }
  /** No answer (network down, server away) or one that says nothing about the document (5xx). */
  | { kind: 'unknown' }

/** Asks once; never rejects. Injected into the session, so tests need no server. */
export type DocumentChecker = () => Promise<DocumentCheck>

/** The checker the app uses: `GET /api/docs/:id`. */
export function restDocumentChecker(api: ApiClient, docId: string): DocumentChecker {
  return async () => {
    try {
      const record = await call(api.api.docs[':id'].$get({ param: { id: docId } }))
      return { kind: 'found', title: record.title }
    } catch (error) {
      return checkFromError(error)
    }
  }
}

/**
 * A share link page's checker: `GET /api/shares/:shareId`. An unknown link is a revoked one (or
 * its document was deleted; the page cannot tell, and need not).
 */
export function shareDocumentChecker(api: ShareApiClient, shareId: string): DocumentChecker {
  return async () => {
    try {
      const shared = await call(api.api.shares[':shareId'].$get({ param: { shareId } }))
      return { kind: 'found', title: shared.title }
    } catch (error) {
      const check = checkFromError(error)
      return check.kind === 'ended' && check.ending.kind === 'deleted'
        ? { kind: 'ended', ending: { kind: 'revoked' } }
        : check
    }
  }
}

export function checkFromError(error: unknown): DocumentCheck {
  if (!(error instanceof ApiError) || error.unreachable) return { kind: 'unknown' }
  if (error.status === 404) return { kind: 'ended', ending: { kind: 'deleted' } }
  if (error.status === 401 || error.status === 403)
    return { kind: 'ended', ending: { kind: 'denied', reason: error.message } }
  return { kind: 'unknown' }
}

export interface DocumentWatchOptions {
  check: DocumentChecker
  /** How often to ask while the server seems unreachable. */
  intervalMs?: number
  onFound(title: string): void
  onEnded(ending: Ending): void
}

export const RECHECK_MS = 5000

/**
 * Runs the checks: one now, then every `intervalMs` while {@link setUnreachable} says so. One
 * question at a time; an answer that arrives after {@link stop} is dropped.
 */
export class DocumentWatch {
  readonly #options: DocumentWatchOptions
  #timer: ReturnType<typeof setInterval> | null = null
  #asking = false
  #stopped = false

  constructor(options: DocumentWatchOptions) {
    this.#options = options
  }

  /** Asks now (unless a question is already out). */
  check(): void {
    if (this.#stopped || this.#asking) return
    this.#asking = true
    void this.#options.check().then((answer) => {
      this.#asking = false
      if (this.#stopped) return
      if (answer.kind === 'found') this.#options.onFound(answer.title)
      else if (answer.kind === 'ended') this.#options.onEnded(answer.ending)
    })
  }

  get polling(): boolean {
    return this.#timer !== null
  }

  /** The socket cannot reach the server although the browser is online: ask now and then regularly. */
  setUnreachable(unreachable: boolean): void {
    if (this.#stopped) return
    if (unreachable && this.#timer === null) {
      this.check()
      this.#timer = setInterval(() => this.check(), this.#options.intervalMs ?? RECHECK_MS)
    } else if (!unreachable && this.#timer !== null) {
      clearInterval(this.#timer)
      this.#timer = null
    }
  }

  stop(): void {
    this.#stopped = true
    if (this.#timer !== null) clearInterval(this.#timer)
    this.#timer = null
  }
}
