/** The avatars of everyone in the document, you first; updated as people come and go. */
import type { Awareness } from 'y-protocols/awareness'
import { h } from '../dom'
import { initials } from '../identity'
import { presenceUsers } from '../sync/presence'

export interface PresenceList {
  element: HTMLElement
  destroy(): void
}

export function createPresenceList(awareness: Awareness): PresenceList {
  const list = h('ul', { class: 'presence', 'data-testid': 'presence-list', 'aria-label': 'People in this document' })
  const render = (): void => {
    const users = presenceUsers(awareness.getStates(), awareness.clientID)
    list.replaceChildren(
      ...users.map((user) => {
        const label = user.self ? `${user.name} (you)` : user.name
        const avatar = h(
          'li',
          {
            class: `avatar${user.self ? ' avatar-self' : ''}`,
            'data-testid': 'presence-user',
            'data-user-name': user.name,
            'data-self': String(user.self),
            title: label,
            'aria-label': label,
          },
          h('span', { 'aria-hidden': 'true' }, initials(user.name)),
        )
        avatar.style.setProperty('--user-color', user.color)
        return avatar
      }),
    )
    list.dataset.count = String(users.length)
  }
  render()
  awareness.on('change', render)
  return {
    element: list,
    destroy() {
      awareness.off('change', render)
    },
  }
}
