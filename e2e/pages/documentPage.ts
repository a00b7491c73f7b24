/** The editor page as tests use it: by the stable `data-testid` hooks only. */
import { type Locator, type Page, expect } from '@playwright/test'

/** How long a page may take to load and sync (see {@link DocumentPage.ready}). */
const PAGE_LOAD_MS = 30_000

export class DocumentPage {
  readonly page: Page
  readonly editor: Locator
  readonly title: Locator
  readonly status: Locator
  readonly presence: Locator

  constructor(page: Page) {
    this.page = page
    this.editor = page.getByTestId('editor')
    this.title = page.getByTestId('doc-title')
    this.status = page.getByTestId('connection-status')
    this.presence = page.getByTestId('presence-list').getByTestId('presence-user')
  }

  async goto(id: string, query = ''): Promise<void> {
    await this.page.goto(`/d/${id}${query}`)
    await this.ready()
  }

  /**
   * The content is shown and the connection is up. A page load (the bundle parsed, a socket
   * opened, the document synced) is given longer than a reaction on a loaded page: on a busy CI
   * machine the third load in one test once took more than the 10 s default.
   */
  async ready(): Promise<void> {
    await expect(this.editor).toBeVisible({ timeout: PAGE_LOAD_MS })
    await expect(this.status).toHaveAttribute('data-state', 'connected', { timeout: PAGE_LOAD_MS })
  }

  /** The `index`-th top-level block of the document (0 = the first). */
  block(index: number): Locator {
    return this.editor.locator(':scope > *').nth(index)
  }

  tool(name: string): Locator {
    return this.page.getByTestId(`toolbar-${name}`)
  }

  /**
   * Puts the caret at the very end of the document, and waits until the editor itself has it
   * there. Ctrl+End moves only the browser's selection; ProseMirror reads it on the next
   * `selectionchange`, and an editor update landing in between (carets re-rendered after a
   * presence change) can write the old selection back: keys typed then land at the old caret.
   * `charactersBefore` moves the caret that many characters back from the end (same paragraph).
   */
  async focusEnd(charactersBefore = 0): Promise<void> {
    await expect(async () => {
      await this.editor.click()
      await this.page.keyboard.press('Control+End')
      for (let i = 0; i < charactersBefore; i++) await this.page.keyboard.press('ArrowLeft')
      await expect.poll(() => this.#caretBeforeEnd(), { timeout: 1_000 }).toBe(charactersBefore)
    }).toPass()
  }

  /**
   * Puts the caret at the end of the `index`-th top-level textblock (0 = the first), and waits
   * until the editor itself has it there (see focusEnd()).
   */
  async focusEndOfBlock(index: number): Promise<void> {
    await expect(async () => {
      await this.block(index).click()
      await this.page.keyboard.press('End')
      await expect.poll(() => this.#caretAtEndOfBlock(index), { timeout: 1_000 }).toBe(true)
    }).toPass()
  }

  #caretAtEndOfBlock(index: number): Promise<boolean> {
    return this.editor.evaluate((element, index) => {
      interface Node {
        nodeSize: number
        isTextblock: boolean
        child(index: number): Node
        childCount: number
      }
      const editor = (
        element as HTMLElement & { editor?: { state: { doc: Node; selection: { empty: boolean; head: number } } } }
      ).editor
      if (editor === undefined || index >= editor.state.doc.childCount) return false
      const { doc, selection } = editor.state
      let end = 0
      for (let i = 0; i <= index; i++) end += doc.child(i).nodeSize
      return doc.child(index).isTextblock && selection.empty && selection.head === end - 1
    }, index)
  }

  /** How far the editor's caret is before the end of the last textblock; null for a range. */
  #caretBeforeEnd(): Promise<number | null> {
    return this.editor.evaluate((element) => {
      interface Node {
        isTextblock: boolean
        lastChild: Node | null
        content: { size: number }
      }
      const editor = (
        element as HTMLElement & { editor?: { state: { doc: Node; selection: { empty: boolean; head: number } } } }
      ).editor
      if (editor === undefined) return null
      const { doc, selection } = editor.state
      // The end of the last textblock: one position inside each closing boundary on the way down.
      let end = doc.content.size
      for (let node: Node | null = doc.lastChild; node !== null && !node.isTextblock; node = node.lastChild) end -= 1
      return selection.empty ? end - 1 - selection.head : null
    })
  }

  async type(text: string): Promise<void> {
    await this.focusEnd()
    await this.page.keyboard.type(text)
  }

  /**
   * Inserts text at the end as one input event, as a paste or an input method does. Typed key by
   * key, text becomes one undo step only if no two keys are more than the undo manager's 500 ms
   * apart, which a loaded machine does not promise.
   */
  async insert(text: string): Promise<void> {
    await this.focusEnd()
    await this.page.keyboard.insertText(text)
  }

  /** Types into a new paragraph at the end. */
  async typeParagraph(text: string): Promise<void> {
    await this.focusEnd()
    await this.page.keyboard.press('Enter')
    await this.page.keyboard.type(text)
  }

  /**
   * The document's text, one line per top-level block. (Not innerText: ProseMirror adds a
   * trailing <br> after a widget such as a remote caret at the end of a line.)
   */
  async text(): Promise<string> {
    return this.editor.evaluate((editor) => Array.from(editor.children, (block) => block.textContent ?? '').join('\n'))
  }

  /** Everything typed here has been confirmed by the server. */
  async saved(): Promise<void> {
    await expect(this.status).toHaveAttribute('data-pending', 'false')
    await expect(this.status).toHaveAttribute('data-state', 'connected')
  }

  remoteCaret(name: string): Locator {
    return this.editor.locator(`[data-testid="remote-caret"][data-user-name="${name}"]`)
  }

  /** The app shell is cached by the service worker: the page can be reloaded offline. */
  async offlineReady(): Promise<void> {
    await expect(this.page.locator('html')).toHaveAttribute('data-offline-ready', 'true')
  }
}
