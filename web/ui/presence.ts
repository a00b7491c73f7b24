/**
 * The avatars of everyone in the document, you first, updated as people come and go. Clicking
 * someone else's avatar takes you to where they are in the text.
 */
import type { Awareness } from 'y-protocols/awareness'
import { h } from '../dom'
import { initials } from '../identity'
import { type PresenceUser, presenceUsers } from '../sync/presence'

export interface PresenceList {
  element: HTMLElement
  destroy(): void
}

export function createPresenceList(awareness: Awareness, onSelect: (user: PresenceUser) => void): PresenceList {
  const list = h('ul', { class: 'presence', 'data-testid': 'presence-list', 'aria-label': 'People in this document' })
  const render = (): void => {
    const users = presenceUsers(awareness.getStates(), awareness.clientID)
    list.replaceChildren(
      ...users.map((user) => {
        const letters = h('span', { 'aria-hidden': 'true' }, initials(user.name))
        const face = user.self
          ? h('span', { class: 'avatar-face', role: 'img', 'aria-label': `${user.name} (you)` }, letters)
          : h(
              'button',
              { type: 'button', class: 'avatar-face', 'aria-label': `${user.name}: go to their cursor`, on: { click: () => onSelect(user) } },
              letters,
            )
        const avatar = h(
          'li',
          {
            class: `avatar${user.self ? ' avatar-self' : ''}`,
            'data-testid': 'presence-user',
            'data-user-name': user.name,
            'data-self': String(user.self),
            title: user.self ? `${user.name} (you)` : user.name,
          },
          face,
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
