/**
 * The document title at the top of the page, edited in place. Renames are saved over REST
 * (the server owns the title and writes it into the document's `meta` map, which is how every
 * other open tab sees it within a moment). A remote rename never overwrites what you are typing.
 *
 * It is a one-line textarea so that long titles wrap like a heading; its text content mirrors
 * its value so that the title reads the same to scripts and assistive tools either way. The
 * field is rendered by {@link TitleField}; its behaviour (debounced saves, flush on leaving,
 * retry after reconnecting) lives in {@link createTitleEditor}, which the page calls directly.
 */
import { useLayoutEffect, useRef } from 'preact/hooks'
import { MAX_TITLE_LENGTH } from '../../protocol/title'

export { MAX_TITLE_LENGTH }

export interface TitleEditor {
  /** Gives the editor its field; returns the detach function. */
  attach(element: HTMLTextAreaElement): () => void
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
  let element: HTMLTextAreaElement | null = null
  let saved: string | null = null
  let readOnly = false
  let timer: ReturnType<typeof setTimeout> | null = null
  let saving: Promise<void> | null = null

  const fit = (): void => {
    if (element === null) return
    element.style.height = 'auto'
    element.style.height = `${element.scrollHeight}px`
  }
  const setValue = (value: string): void => {
    if (element === null) return
    element.value = value
    element.defaultValue = value
    fit()
  }
  const typed = (): string => normalize(element?.value ?? saved ?? '')
  const dirty = (): boolean => saved !== null && typed() !== saved

  const commit = async (): Promise<void> => {
    if (timer !== null) clearTimeout(timer)
    timer = null
    const title = typed()
    if (title === '' || title === saved || readOnly) return
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

  const onInput = (): void => {
    if (element === null) return
    if (/[\r\n]/.test(element.value)) element.value = element.value.replace(/[\r\n]+/g, ' ')
    element.defaultValue = element.value
    fit()
    if (timer !== null) clearTimeout(timer)
    timer = setTimeout(() => void commit(), 500)
  }
  const onKeyDown = (event: KeyboardEvent): void => {
    if (event.key === 'Enter') {
      event.preventDefault()
      void commit()
      options.onEnter()
    } else if (event.key === 'Escape' && saved !== null) {
      setValue(saved)
      element?.blur()
    }
  }
  const onBlur = (): void => {
    if (typed() === '' && saved !== null) setValue(saved)
    else void commit()
  }

  return {
    attach(field) {
      element = field
      element.readOnly = readOnly
      if (saved !== null) setValue(saved)
      field.addEventListener('input', onInput)
      field.addEventListener('keydown', onKeyDown)
      field.addEventListener('blur', onBlur)
      window.addEventListener('resize', fit)
      return () => {
        field.removeEventListener('input', onInput)
        field.removeEventListener('keydown', onKeyDown)
        field.removeEventListener('blur', onBlur)
        window.removeEventListener('resize', fit)
        if (element === field) element = null
      }
    },
    showSaved(title) {
      const typing = element !== null && document.activeElement === element && dirty()
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
      element?.focus()
      if (select) element?.select()
    },
    setReadOnly(next) {
      readOnly = next
      if (element !== null) element.readOnly = next
    },
  }
}

/** The title field; `editor` gives it its behaviour. */
export function TitleField(props: { editor: TitleEditor }) {
  const field = useRef<HTMLTextAreaElement>(null)
  useLayoutEffect(() => (field.current === null ? undefined : props.editor.attach(field.current)), [props.editor])
  return (
    <textarea
      ref={field}
      class="title"
      rows={1}
      maxLength={MAX_TITLE_LENGTH}
      placeholder="Untitled"
      aria-label="Document title"
      spellcheck
      data-testid="doc-title"
    />
  )
}
