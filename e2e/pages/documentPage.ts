/** The editor page as tests use it: by the stable `data-testid` hooks only. */
import { type Locator, type Page, expect } from '@playwright/test'

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

  /** The content is shown and the connection is up. */
  async ready(): Promise<void> {
    await expect(this.editor).toBeVisible()
    await expect(this.status).toHaveAttribute('data-state', 'connected')
  }

  tool(name: string): Locator {
    return this.page.getByTestId(`toolbar-${name}`)
  }

  /** Puts the caret at the very end of the document. */
  async focusEnd(): Promise<void> {
    await this.editor.click()
    await this.page.keyboard.press('Control+End')
  }

  async type(text: string): Promise<void> {
    await this.focusEnd()
    await this.page.keyboard.type(text)
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
