/**
 * Full-page messages: not found, deleted, access denied — always with a way back. When the
 * message replaces a page someone was using (a document deleted while open), it is also said
 * through the live region, and focus, which went with the old page, goes to the way back.
 */
import { h } from '../dom'
import { announce } from '../ui/announce'
import type { Page } from './page'

export interface Message {
  testId: string
  title: string
  text: string
  extra?: Node[]
}

export function messagePage(root: HTMLElement, message: Message, options: { announce?: boolean } = {}): Page {
  document.title = `${message.title} · tandem`
  const back = h(
    'a',
    { class: 'button button-primary', href: '/', 'data-link': true, 'data-testid': 'back-to-list' },
    'Back to all documents',
  )
  root.replaceChildren(
    h(
      'main',
      { class: 'message-page' },
      h(
        'section',
        { class: 'message', 'data-testid': message.testId },
        h('h1', {}, message.title),
        h('p', {}, message.text),
        ...(message.extra ?? []),
        back,
      ),
    ),
  )
  if (options.announce === true) announce(`${message.title}. ${message.text}`)
  const active = document.activeElement
  if (active === null || active === document.body) back.focus()
  return { dispose() {} }
}

export const NOT_FOUND: Message = {
  testId: 'not-found',
  title: 'Document not found',
  text: 'This document does not exist or was deleted. Check the link, or pick another document.',
}

export const DELETED: Message = {
  testId: 'doc-deleted',
  title: 'This document was deleted',
  text: 'Someone deleted this document, so it can no longer be opened or edited. It is in the trash: if it is restored, it opens here again.',
}

export const LINK_REVOKED: Message = {
  testId: 'share-revoked',
  title: 'This link no longer works',
  text: 'The link was revoked, or the document it showed was deleted. Ask the person who shared it for a new one.',
}

export function accessDenied(reason: string): Message {
  return {
    testId: 'access-denied',
    title: 'You do not have access',
    text:
      reason === 'token expired'
        ? 'Your link has expired. Ask the person who shared it for a new one.'
        : 'This link does not give access to this document. Ask its owner to share it with you.',
  }
}
