// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest'
import { queryWords } from '../../protocol/search'
import { highlighted } from './highlight'

function render(text: string, query: string): HTMLElement {
  const element = document.createElement('p')
  element.append(...highlighted(text, queryWords(query)))
  return element
}

describe('highlighted', () => {
  it('marks matched words, accents and case folded, the last query word as a prefix', () => {
    expect(render('Le Café de Noël et la cafetière', 'cafe noel').innerHTML).toBe(
      'Le <mark class="match">Café</mark> de <mark class="match">Noël</mark> et la cafetière',
    )
    expect(render('Le Café de Noël et la cafetière', 'noel caf').innerHTML).toBe(
      'Le <mark class="match">Café</mark> de <mark class="match">Noël</mark> et la <mark class="match">cafetière</mark>',
    )
  })

  it('keeps markup in the text as text', () => {
    const element = render('<img src=x onerror=alert(1)> script', 'script')
    expect(element.querySelector('img')).toBeNull()
    expect(element.textContent).toBe('<img src=x onerror=alert(1)> script')
    expect(element.querySelectorAll('mark')).toHaveLength(1)
  })

  it('is the plain text when nothing matches', () => {
    expect(render('plain', 'other').innerHTML).toBe('plain')
    expect(render('', 'other').innerHTML).toBe('')
  })
})
