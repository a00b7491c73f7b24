/**
 * "You": your name as others see it on your caret and avatar, edited in place; a click on the
 * colour dot picks the next colour. Saved in localStorage and shared by every tab.
 */
import { useEffect, useRef } from 'preact/hooks'
import { type Identity, PALETTE, cleanName, saveIdentity } from '../identity'

export interface IdentityEditorProps {
  identity: Identity
  storage: Storage
  onChange(identity: Identity): void
}

export function IdentityEditor({ identity, storage, onChange }: IdentityEditorProps) {
  const input = useRef<HTMLInputElement>(null)
  // The field is the user's while focused: a name arriving from another tab waits for blur.
  useEffect(() => {
    if (input.current !== null && document.activeElement !== input.current) input.current.value = identity.name
  }, [identity.name])

  const commit = (next: Identity): void => {
    saveIdentity(storage, next)
    onChange(next)
  }
  const nextColour = (): void => {
    const index = PALETTE.indexOf(identity.color as (typeof PALETTE)[number])
    commit({ ...identity, color: PALETTE[(index + 1) % PALETTE.length] ?? PALETTE[0] })
  }

  return (
    <div class="identity">
      <button
        type="button"
        class="swatch"
        aria-label="Change your colour"
        title="Change your colour"
        data-testid="user-color"
        style={{ '--user-color': identity.color }}
        onClick={nextColour}
      />
      <input
        ref={input}
        type="text"
        class="name-input"
        aria-label="Your name, as others see it"
        title="Your name, as others see it"
        maxLength={40}
        autocomplete="nickname"
        spellcheck={false}
        data-testid="user-name-input"
        defaultValue={identity.name}
        onInput={(event) => {
          const name = cleanName(event.currentTarget.value)
          if (name !== null && name !== identity.name) commit({ ...identity, name })
        }}
        onBlur={(event) => {
          event.currentTarget.value = identity.name
        }}
        onKeyDown={(event) => {
          if (event.key === 'Enter' || event.key === 'Escape') event.currentTarget.blur()
        }}
      />
    </div>
  )
}
