/** Full-page messages: not found, deleted, access denied — always with a way back. */
import { h } from '../dom'
import type { Page } from './page'

export interface Message {
  testId: string
  title: string
  text: string
  extra?: Node[]
}

function messagePanel(message: Message): HTMLElement {
  return h(
    'section',
    { class: 'message', 'data-testid': message.testId, role: 'alert' },
    h('h1', {}, message.title),
    h('p', {}, message.text),
    ...(message.extra ?? []),
    h(
      'a',
      { class: 'button button-primary', href: '/', 'data-link': true, 'data-testid': 'back-to-list' },
      'Back to all documents',
    ),
  )
}

export function messagePage(root: HTMLElement, message: Message): Page {
  document.title = `${message.title} · tandem`
  root.replaceChildren(h('main', { class: 'message-page' }, messagePanel(message)))
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
  text: 'Someone deleted this document, so it can no longer be opened or edited.',
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
