/**
 * The editor's life on the document page: opens Tiptap on the session's Y.Doc into a host
 * element, adds the toolbar when the document may be edited, keeps word and character counts
 * (debounced: counting walks the whole text), and closes it all again. Tiptap is imperative, so
 * this stays plain TypeScript; the page's components only give it an element.
 */
import { Editor } from '@tiptap/core'
import type { WebsocketProvider } from 'y-websocket'
import type * as Y from 'yjs'
import type { Identity } from '../identity'
import { DocumentCounter, type TextCounts } from './counts'
import { editorExtensions } from './extensions'
import type { ImageUploadOptions } from './imageUpload'
import { type Toolbar, createToolbar } from './toolbar'

export interface EditorHostOptions {
  doc: Y.Doc
  provider: WebsocketProvider
  identity: Identity
  readOnly: boolean
  /** Image uploads; absent, the editor takes no files. */
  images?: ImageUploadOptions | undefined
  /** New counts, at most every `countDelayMs`. */
  onCounts(counts: TextCounts): void
  countDelayMs?: number
}

export class EditorHost {
  readonly editor: Editor
  readonly toolbar: Toolbar | null
  readonly #options: EditorHostOptions
  readonly #element: HTMLElement
  #countTimer: ReturnType<typeof setTimeout> | null = null
  readonly #counter = new DocumentCounter()

  constructor(element: HTMLElement, options: EditorHostOptions) {
    this.#options = options
    this.#element = element
    this.editor = new Editor({
      element,
      extensions: editorExtensions({
        doc: options.doc,
        provider: options.provider,
        identity: options.identity,
        images: options.readOnly ? undefined : options.images,
      }),
      editable: !options.readOnly,
      // Tiptap would add its base styles as an inline <style>, which the app's CSP refuses; they
      // are in styles.css instead.
      injectCSS: false,
      editorProps: {
        attributes: {
          class: 'prose',
          'data-testid': 'editor',
          'aria-label': 'Document content',
          'aria-multiline': 'true',
          role: 'textbox',
          spellcheck: 'true',
        },
      },
    })
    this.editor.on('update', this.#recount)
    this.#recount()
    if (options.readOnly) this.editor.view.dom.setAttribute('aria-readonly', 'true')
    this.toolbar = options.readOnly ? null : createToolbar(this.editor)
    element.addEventListener('click', this.#openLink)
  }

  setIdentity(identity: Identity): void {
    this.editor.commands.updateUser({ id: identity.id, name: identity.name, color: identity.color })
  }

  /** Stops editing (the session ended but the text stays readable). */
  freeze(): void {
    this.editor.setEditable(false)
  }

  focusStart(): void {
    this.editor.commands.focus('start')
  }

  /** Scrolls to someone's caret and flashes it; false when they are not in the text. */
  goToCaret(name: string): boolean {
    const caret = this.#element.querySelector<HTMLElement>(
      `[data-testid="remote-caret"][data-user-name="${CSS.escape(name)}"]`,
    )
    if (caret === null) return false
    const still = matchMedia('(prefers-reduced-motion: reduce)').matches
    caret.scrollIntoView({ block: 'center', behavior: still ? 'auto' : 'smooth' })
    caret.classList.add('is-flashing')
    setTimeout(() => caret.classList.remove('is-flashing'), 1300)
    return true
  }

  destroy(): void {
    if (this.#countTimer !== null) clearTimeout(this.#countTimer)
    this.#countTimer = null
    this.#element.removeEventListener('click', this.#openLink)
    this.toolbar?.destroy()
    this.editor.destroy()
  }

  readonly #recount = (): void => {
    if (this.#countTimer !== null) return
    this.#countTimer = setTimeout(() => {
      this.#countTimer = null
      if (this.editor.isDestroyed) return
      this.#options.onCounts(this.#counter.count(this.editor.state.doc))
    }, this.#options.countDelayMs ?? 150)
  }

  /** Links open with Ctrl/⌘+click while editing (a plain click places the caret), or a click when reading. */
  readonly #openLink = (event: MouseEvent): void => {
    const link = (event.target as Element | null)?.closest('a[href]')
    if (!(link instanceof HTMLAnchorElement)) return
    if (this.editor.isEditable && !event.ctrlKey && !event.metaKey) return
    event.preventDefault()
    window.open(link.href, '_blank', 'noopener,noreferrer')
  }
}
