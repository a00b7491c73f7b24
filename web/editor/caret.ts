/**
 * How other people's carets look: a thin bar in their colour with their name above it. Names
 * and colours come from other browsers, so both are validated and the name is never parsed as
 * markup. The name label is a CSS pseudo-element (`content: attr(data-user-name)`) rather than
 * an element with text, so that the editor's text (innerText, textContent) is exactly the
 * document's, whoever else is typing in it; for the same reason carets are hidden from screen
 * readers, which hear who is here from the presence list. The label's text is black or white,
 * whichever reads on that colour (4.5:1 at least, whatever colour was sent). Selections are
 * tinted and underlined with a dotted line, so they show without relying on colour alone.
 */
import { MAX_NAME_LENGTH, isHexColor } from '../identity'
import { readableTextOn } from '../ui/colors'

const FALLBACK_COLOR = '#868e96'

export function renderCaret(user: Record<string, unknown>): HTMLElement {
  const name =
    typeof user.name === 'string' && user.name.trim() !== '' ? user.name.trim().slice(0, MAX_NAME_LENGTH) : 'Anonymous'
  const color = isHexColor(user.color) ? user.color : FALLBACK_COLOR
  const caret = document.createElement('span')
  caret.className = 'collaboration-carets__caret'
  caret.style.setProperty('--caret-color', color)
  caret.style.setProperty('--caret-text', readableTextOn(color))
  caret.setAttribute('data-testid', 'remote-caret')
  caret.setAttribute('data-user-name', name)
  caret.setAttribute('aria-hidden', 'true')
  return caret
}

export function selectionAttributes(user: Record<string, unknown>): { style: string; class: string } {
  const color = isHexColor(user.color) ? user.color : FALLBACK_COLOR
  return {
    style: `background-color: ${color}33; border-bottom: 2px dotted ${color}`,
    class: 'collaboration-carets__selection',
  }
}
