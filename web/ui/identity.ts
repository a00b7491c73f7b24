/**
 * "You": your name as others see it on your caret and avatar, edited in place; a click on the
 * colour dot picks the next colour. Saved in localStorage and shared by every tab.
 */
import { h } from '../dom'
import { type Identity, PALETTE, cleanName, saveIdentity } from '../identity'

export interface IdentityEditor {
  element: HTMLElement
  /** Shows an identity changed elsewhere (another tab). */
  show(identity: Identity): void
}

export function createIdentityEditor(
  initial: Identity,
  storage: Storage,
  onChange: (identity: Identity) => void,
): IdentityEditor {
  let identity = initial
  const swatch = h('button', {
    type: 'button',
    class: 'swatch',
    'aria-label': 'Change your colour',
    title: 'Change your colour',
    'data-testid': 'user-color',
  })
  const input = h('input', {
    type: 'text',
    class: 'name-input',
    'aria-label': 'Your name, as others see it',
    title: 'Your name, as others see it',
    maxlength: 40,
    autocomplete: 'nickname',
    spellcheck: 'false',
    'data-testid': 'user-name-input',
  })
  const element = h('div', { class: 'identity' }, swatch, input)

  const show = (next: Identity): void => {
    identity = next
    swatch.style.setProperty('--user-color', next.color)
    if (document.activeElement !== input) input.value = next.name
  }
  const commit = (next: Identity): void => {
    saveIdentity(storage, next)
    show(next)
    onChange(next)
  }

  input.addEventListener('input', () => {
    const name = cleanName(input.value)
    if (name !== null && name !== identity.name) commit({ ...identity, name })
  })
  input.addEventListener('blur', () => {
    input.value = identity.name
  })
  input.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' || event.key === 'Escape') input.blur()
  })
  swatch.addEventListener('click', () => {
    const index = PALETTE.indexOf(identity.color as (typeof PALETTE)[number])
    commit({ ...identity, color: PALETTE[(index + 1) % PALETTE.length] ?? PALETTE[0] })
  })
  show(initial)
  return { element, show }
}
