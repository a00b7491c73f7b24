/**
 * The avatars of everyone in the document, you first, updated as people come and go. Clicking
 * someone else's avatar takes you to where they are in the text.
 */
import { useEffect, useState } from 'preact/hooks'
import type { Awareness } from 'y-protocols/awareness'
import { initials } from '../identity'
import { type PresenceUser, presenceUsers } from '../sync/presence'

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
    <ul class="presence" data-testid="presence-list" aria-label="People in this document" data-count={people.length}>
      {people.map((user) => (
        <li
          key={user.key}
          class={user.self ? 'avatar avatar-self' : 'avatar'}
          data-testid="presence-user"
          data-user-name={user.name}
          data-self={String(user.self)}
          title={user.self ? `${user.name} (you)` : user.name}
          style={{ '--user-color': user.color }}
        >
          {user.self ? (
            <span class="avatar-face" role="img" aria-label={`${user.name} (you)`}>
              <span aria-hidden="true">{initials(user.name)}</span>
            </span>
          ) : (
            <button
              type="button"
              class="avatar-face"
              aria-label={`${user.name}: go to their cursor`}
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
