/**
 * How other people's carets look: a thin bar in their colour with their name above it. Names
 * and colours come from other browsers, so both are validated and the name is never parsed as
 * markup. The name label is a CSS pseudo-element (`content: attr(data-user-name)`) rather than
 * an element with text, so that the editor's text (innerText, textContent) is exactly the
 * document's, whoever else is typing in it.
 */
import { MAX_NAME_LENGTH, isHexColor } from '../identity'

const FALLBACK_COLOR = '#868e96'

export function renderCaret(user: Record<string, unknown>): HTMLElement {
  const name =
    typeof user.name === 'string' && user.name.trim() !== '' ? user.name.trim().slice(0, MAX_NAME_LENGTH) : 'Anonymous'
  const color = isHexColor(user.color) ? user.color : FALLBACK_COLOR
  const caret = document.createElement('span')
  caret.className = 'collaboration-carets__caret'
  caret.style.setProperty('--caret-color', color)
  caret.setAttribute('data-testid', 'remote-caret')
  caret.setAttribute('data-user-name', name)
  caret.setAttribute('aria-hidden', 'true')
  return caret
}

export function selectionAttributes(user: Record<string, unknown>): { style: string; class: string } {
  const color = isHexColor(user.color) ? user.color : FALLBACK_COLOR
  return { style: `background-color: ${color}33`, class: 'collaboration-carets__selection' }
}
