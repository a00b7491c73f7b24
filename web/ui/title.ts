/**
 * The document title at the top of the page, edited in place. Renames are saved over REST
 * (the server owns the title and writes it into the document's `meta` map, which is how every
 * other open tab sees it within a moment). A remote rename never overwrites what you are typing.
 *
 * It is a one-line textarea so that long titles wrap like a heading; its text content mirrors
 * its value so that the title reads the same to scripts and assistive tools either way.
 */
import { h } from '../dom'

export const MAX_TITLE_LENGTH = 200

export interface TitleEditor {
  element: HTMLTextAreaElement
  /** The title as the server has it now. */
  showSaved(title: string): void
  /** Tries again to save a rename that failed (e.g. once back online). */
  retry(): void
  /** Saves what is typed now instead of after the pause (the page is being left). */
  flush(): void
  /** A typed title has not been saved yet. */
  readonly pending: boolean
  focus(select: boolean): void
  setReadOnly(readOnly: boolean): void
  destroy(): void
}

export interface TitleEditorOptions {
  save(title: string): Promise<void>
  /** Enter in the title: move on to the body, like a heading. */
  onEnter(): void
  onSaveFailed(error: unknown): void
}

function normalize(value: string): string {
  return value.replace(/\s+/g, ' ').trim()
}

export function createTitleEditor(options: TitleEditorOptions): TitleEditor {
  const element = h('textarea', {
    class: 'title',
    rows: 1,
    maxlength: MAX_TITLE_LENGTH,
    placeholder: 'Untitled',
    'aria-label': 'Document title',
    spellcheck: 'true',
    'data-testid': 'doc-title',
  })
  let saved: string | null = null
  let timer: ReturnType<typeof setTimeout> | null = null
  let saving: Promise<void> | null = null

  const fit = (): void => {
    element.style.height = 'auto'
    element.style.height = `${element.scrollHeight}px`
  }
  const setValue = (value: string): void => {
    element.value = value
    element.defaultValue = value
    fit()
  }
  const dirty = (): boolean => saved !== null && normalize(element.value) !== saved

  const commit = async (): Promise<void> => {
    if (timer !== null) clearTimeout(timer)
    timer = null
    const title = normalize(element.value)
    if (title === '' || title === saved || element.readOnly) return
    if (saving !== null) {
      await saving
      return commit()
    }
    saving = options.save(title).then(
      () => {
        saved = title
      },
      (error: unknown) => options.onSaveFailed(error),
    )
    try {
      await saving
    } finally {
      saving = null
    }
  }

  element.addEventListener('input', () => {
    if (/[\r\n]/.test(element.value)) element.value = element.value.replace(/[\r\n]+/g, ' ')
    element.defaultValue = element.value
    fit()
    if (timer !== null) clearTimeout(timer)
    timer = setTimeout(() => void commit(), 500)
  })
  element.addEventListener('keydown', (event) => {
    if (event.key === 'Enter') {
      event.preventDefault()
      void commit()
      options.onEnter()
    } else if (event.key === 'Escape' && saved !== null) {
      setValue(saved)
      element.blur()
    }
  })
  element.addEventListener('blur', () => {
    if (normalize(element.value) === '' && saved !== null) setValue(saved)
    else void commit()
  })
  window.addEventListener('resize', fit)

  return {
    element,
    showSaved(title) {
      const typing = document.activeElement === element && dirty()
      saved = title
      if (!typing && timer === null && saving === null) setValue(title)
      document.title = `${title} · tandem`
    },
    retry() {
      if (dirty()) void commit()
    },
    flush() {
      if (timer !== null || dirty()) void commit()
    },
    get pending() {
      return timer !== null || saving !== null || dirty()
    },
    focus(select) {
      element.focus()
      if (select) element.select()
    },
    setReadOnly(readOnly) {
      element.readOnly = readOnly
    },
    destroy() {
      window.removeEventListener('resize', fit)
    },
  }
}
