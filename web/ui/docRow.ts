/**
 * One row of the document list: the link (title, with a search the text around the first match,
 * "edited 3 minutes ago"), Rename in place (Enter saves, Escape cancels) and Delete. Updated in
 * place on every refresh, so focus and an open rename survive; matched words are emphasised.
 */
import type { DocumentSummary } from '../api'
import { h } from '../dom'
import { documentPath } from '../router'
import { exactTime, relativeTime } from '../time'
import { highlighted } from './highlight'
import { MAX_TITLE_LENGTH } from './title'

export interface DocRowActions {
  /** Saves a new title; the row shows it at once and reverts if this throws. */
  rename(row: DocRow, title: string): Promise<void>
  remove(row: DocRow): void
}

export class DocRow {
  readonly element: HTMLLIElement
  summary: DocumentSummary
  readonly #link: HTMLAnchorElement
  readonly #title: HTMLSpanElement
  readonly #snippet: HTMLSpanElement
  readonly #edited: HTMLSpanElement
  /** What the title and snippet were last drawn from, to redraw only on change. */
  #drawn = ''
  #words: readonly string[] = []
  readonly #rename: HTMLButtonElement
  readonly #remove: HTMLButtonElement
  readonly #actions: DocRowActions
  #renaming = false

  constructor(summary: DocumentSummary, actions: DocRowActions) {
    this.summary = summary
    this.#actions = actions
    this.#title = h('span', { class: 'doc-row-title', 'data-testid': 'doc-row-title' })
    this.#snippet = h('span', { class: 'doc-row-snippet', 'data-testid': 'doc-row-snippet', hidden: true })
    this.#edited = h('span', { class: 'doc-row-edited', 'data-testid': 'doc-row-edited' })
    this.#link = h(
      'a',
      { class: 'doc-row-link', href: documentPath(summary.id), 'data-link': true },
      this.#title,
      this.#snippet,
      this.#edited,
    )
    this.#rename = h('button', { type: 'button', class: 'button button-quiet', 'data-testid': 'doc-rename' }, 'Rename')
    this.#remove = h(
      'button',
      { type: 'button', class: 'button button-quiet button-danger-text', 'data-testid': 'doc-delete' },
      'Delete',
    )
    this.#rename.addEventListener('click', () => this.startRename())
    this.#remove.addEventListener('click', () => actions.remove(this))
    this.element = h(
      'li',
      { class: 'doc-row', 'data-testid': 'doc-row', 'data-doc-id': summary.id },
      this.#link,
      h('div', { class: 'doc-row-actions' }, this.#rename, this.#remove),
    )
    this.update(summary)
  }

  get renaming(): boolean {
    return this.#renaming
  }

  /** @param words the search's folded words (`queryWords`), emphasised in title and snippet */
  update(summary: DocumentSummary, words: readonly string[] = this.#words): void {
    this.summary = summary
    this.#words = words
    const updated = new Date(summary.updatedAt)
    this.#edited.textContent = `edited ${relativeTime(updated)}`
    this.#edited.title = exactTime(updated)
    if (this.#renaming) return
    const drawn = JSON.stringify([summary.title, summary.snippet ?? null, words])
    if (drawn !== this.#drawn) {
      this.#drawn = drawn
      this.#title.replaceChildren(...highlighted(summary.title, words))
      const snippet = summary.snippet ?? ''
      this.#snippet.hidden = snippet === ''
      this.#snippet.replaceChildren(...(snippet === '' ? [] : highlighted(snippet, words)))
    }
    this.#rename.setAttribute('aria-label', `Rename “${summary.title}”`)
    this.#remove.setAttribute('aria-label', `Delete “${summary.title}”`)
  }

  startRename(): void {
    if (this.#renaming) return
    this.#renaming = true
    const input = h('input', {
      type: 'text',
      class: 'rename-input',
      value: this.summary.title,
      maxlength: MAX_TITLE_LENGTH,
      'aria-label': `New title for “${this.summary.title}”`,
      'data-testid': 'doc-rename-input',
    })
    const form = h('form', { class: 'rename-form' }, input)
    this.#link.hidden = true
    this.element.prepend(form)
    input.focus()
    input.select()

    const finish = async (save: boolean): Promise<void> => {
      if (!this.#renaming) return
      this.#renaming = false
      const next = input.value.replace(/\s+/g, ' ').trim()
      form.remove()
      this.#link.hidden = false
      this.#link.focus()
      if (!save || next === '' || next === this.summary.title) return
      const previous = this.summary
      this.update({ ...previous, title: next })
      try {
        await this.#actions.rename(this, next)
      } catch {
        this.update(previous)
      }
    }
    form.addEventListener('submit', (event) => {
      event.preventDefault()
      void finish(true)
    })
    input.addEventListener('keydown', (event) => {
      if (event.key === 'Escape') {
        event.preventDefault()
        void finish(false)
      }
    })
    input.addEventListener('blur', () => void finish(true))
  }
}
