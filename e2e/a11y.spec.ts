/**
 * Accessibility (issue 17): every view passes axe-core's WCAG 2.x A/AA and best-practice rules in
 * light and dark mode, at desktop and phone width; the app works from the keyboard alone; screen
 * readers hear arrivals, departures and the connection; high contrast and reduced motion are
 * respected. New panels, menus and dialogs add their views to the audits below, or call
 * `expectAccessible(page, view)` (e2e/axe.ts) in their own tests.
 */
import type { Page } from '@playwright/test'
import { expectAccessible, expectFocusVisible, focusState } from './axe'
import { Tandem, createUser, expect, test } from './fixtures'
import { DocumentPage } from './pages/documentPage'

const CONTENT = [
  '# Plan',
  'Some **bold**, *italic*, ~~struck~~ and `code` with [a link](https://example.com).',
  '## Steps',
  '- one',
  '- two',
  '1. first',
  '> quoted',
  '```',
  'let x = 1',
  '```',
  '---',
  'The end.',
].join('\n\n')

/** The contrast of a remote caret's name label (a ::after pseudo-element, which axe does not check). */
function caretLabelContrast(page: Page, name: string): Promise<number> {
  return new DocumentPage(page).remoteCaret(name).evaluate((caret) => {
    const label = getComputedStyle(caret, '::after')
    const rgb = (value: string) => (value.match(/\d+(\.\d+)?/g) ?? []).slice(0, 3).map(Number)
    const lum = (value: string) =>
      rgb(value)
        .map((c) => (c / 255 <= 0.03928 ? c / 255 / 12.92 : ((c / 255 + 0.055) / 1.055) ** 2.4))
        .reduce((sum, c, i) => sum + c * ([0.2126, 0.7152, 0.0722][i] ?? 0), 0)
    const [a, b] = [lum(label.color), lum(label.backgroundColor)].sort((x, y) => y - x) as [number, number]
    return (a + 0.05) / (b + 0.05)
  })
}

/*
 * Every view, opened one after the other in one browser context (and a second person's), each
 * audited at both widths in both schemes. A new view, panel, menu or dialog is added to one of
 * these, opened in the state people see it in.
 */
test('the list and message views pass axe in light and dark mode, at desktop and phone width', async ({ browser }) => {
  // Many views in one test (cheaper than a test per view): more time than one journey needs.
  test.slow()
  // A server of its own: the list must start empty.
  const tandem = await Tandem.start()
  try {
    const alice = await createUser(browser, tandem.url, 'Alice Adams')
    const page = alice.page
    await page.goto('/')
    await expect(page.getByTestId('empty-state')).toBeVisible()
    await expectAccessible(page, 'empty list')

    await tandem.createDoc('Plan', CONTENT)
    await tandem.createDoc('Old notes')
    await expect(page.getByTestId('doc-row')).toHaveCount(2)
    await expectAccessible(page, 'list')

    const row = page.getByTestId('doc-row').filter({ hasText: 'Plan' })
    await row.getByTestId('doc-rename').click()
    await expect(row.getByTestId('doc-rename-input')).toBeFocused()
    await expectAccessible(page, 'list, renaming')
    await page.keyboard.press('Escape')

    await row.getByTestId('doc-delete').click()
    await expect(page.getByTestId('dialog')).toBeVisible()
    await expectAccessible(page, 'delete dialog')
    await page.keyboard.press('Escape')
    await expect(page.getByTestId('dialog')).toHaveCount(0)

    await page.getByTestId('doc-row').filter({ hasText: 'Old notes' }).getByTestId('doc-delete').click()
    await page.getByTestId('delete-confirm').click()
    await expect(page.getByTestId('toast')).toBeVisible()
    await expectAccessible(page, 'list with a notice')

    await page.getByTestId('search').fill('nothing like this')
    await expect(page.getByTestId('no-results')).toBeVisible()
    await expectAccessible(page, 'list, no results')

    await page.goto('/d/AAAAAAAAAAAAAAAAAAAAAA')
    await expect(page.getByTestId('not-found')).toBeVisible()
    await expectAccessible(page, 'not found')
    // Injecting axe through the DevTools protocol is not blocked by the app's CSP: close() checks.
    await alice.close()
  } finally {
    await tandem.stop()
  }
})

test('the editor and its dialogs pass axe in light and dark mode, at desktop and phone width', async ({
  tandem,
  user,
}) => {
  test.slow() // many views, as above
  const id = await tandem.createDoc('Plan', CONTENT)
  const readOnlyId = await tandem.createDoc('Read me', CONTENT)
  // Someone else in the document, in a colour too light for white text: their avatar and caret.
  const bob = await user('Bob Brown', { color: '#e67700' })
  await (await bob.open(id)).type(' Bob was here')
  const alice = await user('Alice Adams')
  const page = alice.page
  const doc = await alice.open(id)
  await expect(doc.remoteCaret('Bob Brown')).toBeVisible()
  await doc.focusEnd()
  await page.keyboard.press('Shift+Home')
  await expect(doc.tool('bold')).toHaveAttribute('aria-pressed', 'false')
  await expectAccessible(page, 'editor')
  expect(await caretLabelContrast(page, 'Bob Brown')).toBeGreaterThanOrEqual(4.5)

  await page.keyboard.press('Control+k')
  await expect(page.getByTestId('link-input')).toBeFocused()
  await expectAccessible(page, 'link form')
  await page.keyboard.press('Escape')
  await expect(page.getByTestId('link-input')).toHaveCount(0)

  await page.getByTestId('share-button').click()
  await expect(page.getByTestId('share-url')).not.toHaveValue('')
  await expectAccessible(page, 'share dialog')
  await page.keyboard.press('Escape')

  await page.getByTestId('shortcuts-button').click()
  await expect(page.getByTestId('shortcuts-dialog')).toBeVisible()
  await expectAccessible(page, 'shortcuts dialog')
  await page.keyboard.press('Escape')

  const reader = new DocumentPage(bob.page)
  await reader.goto(readOnlyId, '?role=view')
  await expect(bob.page.getByTestId('view-only')).toBeVisible()
  await expectAccessible(bob.page, 'read-only editor')

  await fetch(`${tandem.url}/api/docs/${readOnlyId}`, { method: 'DELETE' })
  await expect(bob.page.getByTestId('doc-deleted')).toBeVisible()
  await expectAccessible(bob.page, 'deleted')
})

/** Presses Tab (or Shift+Tab) until `testId` has focus; every stop on the way shows its focus, on screen. */
async function tabTo(page: Page, testId: string, options: { backwards?: boolean; max?: number } = {}): Promise<void> {
  const stops: string[] = []
  for (let i = 0; i < (options.max ?? 15); i++) {
    await page.keyboard.press(options.backwards === true ? 'Shift+Tab' : 'Tab')
    const state = await focusState(page)
    stops.push(state.element)
    // The editor shows focus by its text caret.
    if (state.element !== '[data-testid=editor]')
      expect(state, `focus visible on ${state.element} (after ${stops.join(', ')})`).toMatchObject({
        shown: true,
        inViewport: true,
      })
    if (state.element === `[data-testid=${testId}]`) return
  }
  throw new Error(`${testId} never got focus; stops: ${stops.join(', ')}`)
}

test('keyboard only: create, title, format, list, link, share, shortcuts and skip to the document', async ({
  user,
}) => {
  const alice = await user('Alice')
  const page = alice.page
  const keys = page.keyboard
  await page.goto('/')
  await expect(page.getByTestId('new-doc')).toBeVisible()
  await tabTo(page, 'new-doc')
  await keys.press('Enter')
  await expect(page).toHaveURL(/\/d\/[\w-]{22}$/)
  const doc = new DocumentPage(page)
  await doc.ready()

  // A new document starts in its title; Enter moves on to the text.
  await expect(doc.title).toBeFocused()
  await expectFocusVisible(page, 'the title')
  await keys.type('Keyboard plan')
  await keys.press('Enter')
  await expect(doc.editor).toBeFocused()
  await keys.type('Make this bold')
  await keys.press('Shift+Home')
  await keys.press('Control+b')
  await expect(doc.editor.locator('strong')).toHaveText('Make this bold')
  await keys.press('End')
  await keys.press('Enter')

  // The toolbar: one Tab stop before the title, arrow keys between its buttons.
  await tabTo(page, 'doc-title', { backwards: true, max: 1 })
  await keys.press('Shift+Tab')
  await expect(page.getByTestId('toolbar').locator('button:focus')).toHaveCount(1)
  await expectFocusVisible(page, 'the toolbar')
  for (let i = 0; i < 20 && !(await doc.tool('bullet-list').evaluate((b) => b === document.activeElement)); i++)
    await keys.press('ArrowRight')
  await expect(doc.tool('bullet-list')).toBeFocused()
  await keys.press('Enter')
  await expect(doc.editor).toBeFocused()
  await keys.type('first item')
  await expect(doc.editor.locator('ul > li')).toHaveText('first item')

  // Link form: Ctrl+K opens it, Escape closes it and goes back to the text.
  await keys.press('Shift+Home')
  await keys.press('Control+k')
  await expect(page.getByTestId('link-input')).toBeFocused()
  await expectFocusVisible(page, 'the link field')
  await keys.press('Escape')
  await expect(page.getByTestId('link-input')).toHaveCount(0)
  await expect(doc.editor).toBeFocused()
  // Ctrl+/ works from the text too, and gives focus back there.
  await keys.press('Control+/')
  await expect(page.getByTestId('shortcuts-dialog')).toBeVisible()
  await keys.press('Escape')
  await expect(page.getByTestId('shortcuts-dialog')).toHaveCount(0)
  await expect(doc.editor).toBeFocused()

  // Share: reachable backwards from the text, a modal that keeps focus and gives it back.
  await tabTo(page, 'share-button', { backwards: true })
  await keys.press('Enter')
  const dialog = page.getByTestId('share-dialog')
  await expect(dialog).toBeVisible()
  await expect(page.getByTestId('share-url')).not.toHaveValue('')
  for (let i = 0; i < 6; i++) {
    // Past its last control, focus leaves for the browser's own UI (the body here), never the page behind.
    const where = await page.evaluate(() =>
      document.activeElement === document.body
        ? 'browser'
        : document.activeElement?.closest('dialog')
          ? 'dialog'
          : 'page',
    )
    expect(where).not.toBe('page')
    if (where === 'dialog') await expectFocusVisible(page, 'a control of the share dialog')
    await keys.press('Tab')
  }
  await keys.press('Escape')
  await expect(dialog).toHaveCount(0)
  await expect(page.getByTestId('share-button')).toBeFocused()

  // Ctrl+/ lists the shortcuts; Escape closes it and focus goes back where it was.
  await keys.press('Control+/')
  const shortcuts = page.getByTestId('shortcuts-dialog')
  await expect(shortcuts).toBeVisible()
  await expect(shortcuts.locator('[data-shortcut="bold"]')).toHaveText(/^Bold\s*Ctrl\+B$/)
  await expect(shortcuts.locator(':focus')).toHaveCount(1)
  await keys.press('Escape')
  await expect(shortcuts).toHaveCount(0)
  await expect(page.getByTestId('share-button')).toBeFocused()
  // …and the button beside Share opens it too.
  await tabTo(page, 'shortcuts-button', { backwards: true, max: 1 })
  await keys.press('Enter')
  await expect(shortcuts).toBeVisible()
  await keys.press('Escape')
  await expect(page.getByTestId('shortcuts-button')).toBeFocused()

  // "Skip to document" is the first stop and puts focus into the text.
  await page.reload()
  await doc.ready()
  await tabTo(page, 'skip-link', { max: 1 })
  await keys.press('Enter')
  await expect(doc.editor).toBeFocused()
  await expect(page).not.toHaveURL(/#/)

  await expect
    .poll(() => alice.page.evaluate(() => document.querySelector('strong')?.textContent))
    .toBe('Make this bold')
  await doc.saved()
})

test('screen readers hear who joins and leaves, and the connection lost and back', async ({ browser }) => {
  // A server of its own: it goes away and comes back.
  const tandem = await Tandem.start()
  try {
    const id = await tandem.createDoc('Live')
    const aliceUser = await createUser(browser, tandem.url, 'Alice')
    const alice = await aliceUser.open(id)
    const heard = alice.page.getByTestId('announcer')
    await expect(heard).toHaveAttribute('aria-live', 'polite')

    const bobUser = await createUser(browser, tandem.url, 'Bob')
    await bobUser.open(id)
    await expect(heard).toContainText('Bob joined.')
    await expect(bobUser.page.getByTestId('announcer')).toContainText('Alice is also here.')
    await bobUser.close()
    await expect(heard).toContainText('Bob left.')
    // Opening the page said nothing about connecting: sighted people see no news there either.
    expect(await heard.textContent()).not.toContain('Connect')

    await tandem.pause()
    await expect(heard).toContainText('Connection lost.')
    await alice.type('Written while the server was away.')
    await expect(alice.status).toHaveAttribute('data-pending', 'true')
    await tandem.resume()
    await expect(heard).toContainText('Connected again.')
    await expect(heard).toContainText('All changes saved.')
    await alice.saved()
    expect(await tandem.text(id)).toContain('Written while the server was away.')
    await aliceUser.close()
  } finally {
    await tandem.stop()
  }
})

test('high contrast and reduced motion: nothing essential disappears, nothing moves', async ({ tandem, user }) => {
  const paragraphs = Array.from({ length: 60 }, (_, i) => `Paragraph ${i + 1}.`).join('\n\n')
  const id = await tandem.createDoc('Contrast', paragraphs)
  const aliceUser = await user('Alice')
  await aliceUser.page.emulateMedia({ forcedColors: 'active', reducedMotion: 'reduce' })
  const alice = await aliceUser.open(id)
  const bob = await (await user('Bob')).open(id)
  // Bob selects a word far down the document.
  await bob.focusEnd()
  await bob.page.keyboard.press('Control+Shift+ArrowLeft')
  await expect(alice.remoteCaret('Bob')).toBeAttached()
  const page = alice.page
  // Bob's caret and his selection can arrive in different presence batches: wait for both.
  await expect(page.locator('.collaboration-carets__selection').first()).toBeAttached()

  await expect(alice.status).toContainText('Connected')
  const looks = await page.evaluate(() => {
    const style = (selector: string, pseudo?: string) => {
      const element = document.querySelector(selector)
      if (element === null) throw new Error(`no ${selector}`)
      return getComputedStyle(element, pseudo)
    }
    const caret = style('[data-testid="remote-caret"]')
    const label = style('[data-testid="remote-caret"]', '::after')
    const selection = style('.collaboration-carets__selection')
    const dot = style('.status-dot')
    return {
      forced: matchMedia('(forced-colors: active)').matches,
      caretBar: caret.borderLeftColor,
      label: label.content,
      labelBackground: label.backgroundColor,
      selection: `${selection.borderBottomStyle} ${selection.borderBottomWidth}`,
      dot: dot.borderTopStyle,
    }
  })
  expect(looks).toMatchObject({ forced: true, label: '"Bob"', selection: 'dotted 2px', dot: 'solid' })
  expect(looks.caretBar).not.toBe('rgba(0, 0, 0, 0)')
  expect(looks.labelBackground).not.toBe('rgba(0, 0, 0, 0)')

  // Focus rings show: the share button's outline, the title's (transparent outside high contrast).
  await page.getByTestId('share-button').focus()
  await expectFocusVisible(page, 'the share button, in high contrast')
  await alice.title.focus()
  await expectFocusVisible(page, 'the title, in high contrast')
  // A pressed toolbar button looks pressed.
  await alice.focusEnd()
  await page.keyboard.press('Control+b')
  await expect(alice.tool('bold')).toHaveAttribute('aria-pressed', 'true')
  const [pressed, plain] = await Promise.all(
    ['bold', 'italic'].map((name) => alice.tool(name).evaluate((b) => getComputedStyle(b).backgroundColor)),
  )
  expect(pressed).not.toBe(plain)

  // Going to Bob's caret jumps there at once (no smooth scroll) and outlines it instead of flashing.
  await page.evaluate(() => window.scrollTo(0, 0))
  await page.getByTestId('presence-list').locator('[data-user-name="Bob"]').getByRole('button').click()
  const caretNow = await alice.remoteCaret('Bob').evaluate((caret) => {
    const box = caret.getBoundingClientRect()
    const label = getComputedStyle(caret, '::after')
    return {
      inView: box.top >= 0 && box.bottom <= innerHeight,
      animation: Number.parseFloat(label.animationDuration),
      outline: label.outlineStyle,
    }
  })
  expect(caretNow.inView).toBe(true)
  expect(caretNow.animation).toBeLessThan(0.01)
  expect(caretNow.outline).toBe('solid')
})
