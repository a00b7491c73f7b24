/**
 * What the page does when the session ends: a full-page message when the document is gone or
 * closed to us (a document never shown here was simply not found), or a banner over the
 * text, which stays readable, when it can no longer be saved.
 */
import type { Ending } from '../../sync/closeReasons'
import { DELETED, LINK_REVOKED, type Message, NOT_FOUND, accessDenied } from '../message'

export interface Banner {
  testId: string
  text: string
  action?: { label: string; run(): void }
}

export type Outcome = { kind: 'message'; message: Message } | { kind: 'banner'; banner: Banner }

export function outcomeOf(ending: Ending, editorShown: boolean, reload: () => void = () => location.reload()): Outcome {
  switch (ending.kind) {
    case 'deleted':
      return { kind: 'message', message: editorShown ? DELETED : NOT_FOUND }
    case 'denied':
      return { kind: 'message', message: accessDenied(ending.reason) }
    case 'revoked':
      return { kind: 'message', message: LINK_REVOKED }
    case 'tooLarge':
      return {
        kind: 'banner',
        banner: {
          testId: 'doc-too-large',
          text: 'This document reached its size limit. Your latest changes could not be saved.',
        },
      }
    case 'broken':
      return {
        kind: 'banner',
        banner: {
          testId: 'doc-error',
          text: 'Something went wrong while syncing this document. Reload to keep editing.',
          action: { label: 'Reload', run: reload },
        },
      }
  }
}

export function Banners(props: { banner: Banner | null }) {
  const { banner } = props
  return (
    <div class="banners">
      {banner !== null && (
        <div class="banner" role="alert" data-testid={banner.testId}>
          <span>{banner.text}</span>
          {banner.action !== undefined && (
            <button type="button" class="button" onClick={banner.action.run}>
              {banner.action.label}
            </button>
          )}
        </div>
      )}
    </div>
  )
}
