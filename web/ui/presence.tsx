/**
 * The avatars of everyone in the document, you first, updated as people come and go. Clicking
 * someone else's avatar takes you to where they are in the text. For screen readers the list
 * says how many people are here and each avatar says who (with the initials it shows); the
 * initials are black or white, whichever reads on that person's colour.
 */
import { useEffect, useState } from 'preact/hooks'
import type { Awareness } from 'y-protocols/awareness'
import { initials } from '../identity'
import { type PresenceUser, presenceUsers } from '../sync/presence'
import { readableTextOn } from './colors'

function usePeople(awareness: Awareness): PresenceUser[] {
  const read = () => presenceUsers(awareness.getStates(), awareness.clientID)
  const [people, setPeople] = useState(read)
  useEffect(() => {
    const update = () => setPeople(read())
    update()
    awareness.on('change', update)
    return () => awareness.off('change', update)
  }, [awareness])
  return people
}

export function PresenceList(props: { awareness: Awareness; onSelect(user: PresenceUser): void }) {
  const people = usePeople(props.awareness)
  return (
    <ul
      class="presence"
      data-testid="presence-list"
      aria-label={`People in this document: ${people.length}`}
      data-count={people.length}
    >
      {people.map((user) => (
        <li
          key={user.key}
          class={user.self ? 'avatar avatar-self' : 'avatar'}
          data-testid="presence-user"
          data-user-name={user.name}
          data-self={String(user.self)}
          title={user.self ? `${user.name} (you)` : user.name}
          style={{ '--user-color': user.color, '--user-text': readableTextOn(user.color) }}
        >
          {user.self ? (
            <span class="avatar-face" role="img" aria-label={`${user.name} (you)`}>
              <span aria-hidden="true">{initials(user.name)}</span>
            </span>
          ) : (
            <button
              type="button"
              class="avatar-face"
              // The initials are what speech users see and say: the name contains them (WCAG 2.5.3).
              aria-label={`${initials(user.name)}: ${user.name}, go to their cursor`}
              onClick={() => props.onSelect(user)}
            >
              <span aria-hidden="true">{initials(user.name)}</span>
            </button>
          )}
        </li>
      ))}
    </ul>
  )
}
