/**
 * What a close code from the sync endpoint means for the person at the keyboard. Codes in
 * 4400–4499 are final (y-websocket stops reconnecting); everything else is "reconnecting".
 */
import { CloseCode } from '../../protocol/closeCodes'

export type Ending =
  | { kind: 'deleted' }
  | { kind: 'denied'; reason: string }
  | { kind: 'tooLarge' }
  | { kind: 'broken'; reason: string }
  /** The share link this page was opened with was revoked (or its document deleted). */
  | { kind: 'revoked' }

export function endingFor(code: number, reason: string): Ending | null {
  switch (code) {
    case CloseCode.notFound:
      return { kind: 'deleted' }
    case CloseCode.unauthorized:
    case CloseCode.forbidden:
      return { kind: 'denied', reason }
    case CloseCode.documentTooLarge:
      return { kind: 'tooLarge' }
    case CloseCode.shareRevoked:
      return { kind: 'revoked' }
    default:
      return code >= 4400 && code < 4500 ? { kind: 'broken', reason } : null
  }
}
