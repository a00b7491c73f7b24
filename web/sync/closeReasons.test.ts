import { describe, expect, it } from 'vitest'
import { CloseCode } from '../../protocol/closeCodes'
import { endingFor } from './closeReasons'

describe('endingFor', () => {
  it('maps final codes to what the page shows', () => {
    expect(endingFor(CloseCode.notFound, 'document deleted')).toEqual({ kind: 'deleted' })
    expect(endingFor(CloseCode.unauthorized, 'token expired')).toEqual({ kind: 'denied', reason: 'token expired' })
    expect(endingFor(CloseCode.forbidden, 'read-only access')).toEqual({ kind: 'denied', reason: 'read-only access' })
    expect(endingFor(CloseCode.documentTooLarge, '')).toEqual({ kind: 'tooLarge' })
    expect(endingFor(CloseCode.shareRevoked, 'share link revoked')).toEqual({ kind: 'revoked' })
    expect(endingFor(CloseCode.badMessage, 'schema')).toEqual({ kind: 'broken', reason: 'schema' })
  })

  it('treats every other code as a reason to reconnect', () => {
    for (const code of [
      1000,
      1001,
      1006,
      CloseCode.serviceRestart,
      CloseCode.internalError,
      CloseCode.tryAgainLater,
      4500,
    ]) {
      expect(endingFor(code, '')).toBeNull()
    }
  })
})
