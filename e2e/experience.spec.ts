/** The rest of "nothing missing": sharing, identity, keyboard, phone width, counts, links, dark mode. */
import { signToken } from '../server/common/auth'
import { Tandem, createUser, expect, test } from './fixtures'
import { DocumentPage } from './pages/documentPage'

test('a view-only share link opens the document read-only and live', async ({ tandem, user }) => {
  const id = await tandem.createDoc('Shared')
  const alice = await (await user('Alice')).open(id)
  await alice.page.getByTestId('share-button').click()
  const dialog = alice.page.getByTestId('share-dialog')
  await dialog.getByTestId('view-link-create').click()
  // An open server's view link is opaque: /s/<shareId>, never the document's id (e2e/share.spec.ts).
  await expect(dialog.getByTestId('view-link-url')).toHaveValue(/\/s\/[\w-]{22}$/)
  const link = await dialog.getByTestId('view-link-url').inputValue()
  await dialog.getByTestId('share-dialog-close').click()

  const bobUser = await user('Bob')
  await bobUser.page.goto(link)
  const bob = new (await import('./pages/documentPage')).DocumentPage(bobUser.page)
  await bob.ready()
  await expect(bob.page.getByTestId('view-only')).toBeVisible()
  await expect(bob.editor).toHaveAttribute('contenteditable', 'false')
  await expect(bob.page.getByTestId('toolbar')).toBeHidden()
  await expect(bob.title).not.toBeEditable()
  await expect(alice.page.getByTestId('presence-list').locator('[data-user-name="Bob"]')).toHaveCount(1)

  await alice.type('Read this, Bob.')
  await expect(bob.editor).toHaveText('Read this, Bob.')
})

test('with AUTH_SECRET, share links carry tokens; a view token is read-only, no token is refused', async ({
  browser,
}) => {
  test.slow() // its own server, four browsers, and a token left to expire
  const secret = 'e2e-secret-that-is-long-enough'
  const tandem = await Tandem.start({ AUTH_SECRET: secret })
  try {
    const admin = await signToken({ doc: '*', role: 'admin', expiresInSeconds: 3600 }, secret)
    const alice = await createUser(browser, tandem.url, 'Alice')
    await alice.page.goto(`/?token=${admin}`)
    await expect(alice.page).toHaveURL(/\/$/)
    await expect(alice.page.getByTestId('empty-state')).toBeVisible()
    await alice.page.getByTestId('new-doc').click()
    const aliceDoc = new DocumentPage(alice.page)
    await aliceDoc.ready()
    const id = new URL(alice.page.url()).pathname.split('/').pop() ?? ''
    // Typed once the editor has the caret (see DocumentPage.type) and kept by the server.
    await aliceDoc.type('Members only.')
    await aliceDoc.saved()

    await alice.page.getByTestId('share-button').click()
    await alice.page.getByTestId('share-role').selectOption('view')
    await expect(alice.page.getByTestId('share-url')).toHaveValue(
      new RegExp(`/d/${id}\\?token=[\\w-]+\\.[\\w-]+\\.[\\w-]+$`),
    )
    const viewLink = await alice.page.getByTestId('share-url').inputValue()

    const bob = await createUser(browser, tandem.url, 'Bob')
    await bob.page.goto(viewLink)
    await expect(bob.page.getByTestId('editor')).toHaveText('Members only.')
    await expect(bob.page.getByTestId('view-only')).toBeVisible()
    await expect(bob.page.getByTestId('editor')).toHaveAttribute('contenteditable', 'false')
    await expect(bob.page).toHaveURL(`${tandem.url}/d/${id}`)
    // Remembered: the same document opens again without the token in the address.
    await bob.page.reload()
    await expect(bob.page.getByTestId('editor')).toHaveText('Members only.')

    const eve = await createUser(browser, tandem.url, 'Eve')
    await eve.page.goto(`/d/${id}`)
    await expect(eve.page.getByTestId('access-denied')).toBeVisible()
    await eve.page.goto('/')
    await expect(eve.page.getByTestId('token-input')).toBeVisible()

    // A link that expires while open ends the session (close 4401) with a clear message. The
    // browser is made before the token, whose seconds must cover opening the page on a busy
    // machine; the waits are measured from its expiry, not from whenever the page opened.
    const carol = await createUser(browser, tandem.url, 'Carol')
    const lifetimeMs = 15_000
    const expiresAt = Date.now() + lifetimeMs
    const brief = await signToken({ doc: id, role: 'edit', expiresInSeconds: lifetimeMs / 1000 }, secret)
    await carol.page.goto(`/d/${id}?token=${brief}`)
    await expect(carol.page.getByTestId('editor')).toHaveText('Members only.', {
      timeout: Math.max(1, expiresAt - Date.now()),
    })
    await expect(carol.page.getByTestId('access-denied')).toBeVisible({
      timeout: Math.max(0, expiresAt - Date.now()) + 15_000,
    })
    await expect(carol.page.getByTestId('access-denied')).toContainText('expired')
    for (const u of [alice, bob, eve, carol]) await u.close()
  } finally {
    await tandem.stop()
  }
})

test('your name is editable and others see it on your avatar and caret', async ({ tandem, user }) => {
  const id = await tandem.createDoc('Names')
  const alice = await (await user('Alice')).open(id)
  const bobUser = await user('Bob')
  const bob = await bobUser.open(id)
  await bob.type('hi')
  await expect(alice.remoteCaret('Bob')).toBeVisible()

  await bob.page.getByTestId('user-name-input').fill('Robert')
  await expect(alice.page.getByTestId('presence-list').locator('[data-user-name="Robert"]')).toHaveCount(1)
  await bob.type('!')
  await expect(alice.remoteCaret('Robert')).toBeVisible()
  await alice.page.getByTestId('presence-list').locator('[data-user-name="Robert"]').getByRole('button').click()
  await expect(alice.remoteCaret('Robert')).toBeInViewport()

  await bob.page.reload()
  await expect(bob.page.getByTestId('user-name-input')).toHaveValue('Robert')
})

test('the toolbar works from the keyboard, with labels and visible focus', async ({ tandem, user }) => {
  const id = await tandem.createDoc('Keyboard')
  const alice = await (await user('Alice')).open(id)
  const bob = await (await user('Bob')).open(id)
  const keys = alice.page.keyboard
  await alice.type('make me bold')
  await keys.press('Control+a')

  await keys.press('Shift+Tab')
  await expect(alice.title).toBeFocused()
  await keys.press('Shift+Tab')
  await expect(alice.tool('h1')).toBeFocused()
  for (let i = 0; i < 3; i++) await keys.press('ArrowRight')
  const bold = alice.tool('bold')
  await expect(bold).toBeFocused()
  await expect(bold).toHaveAccessibleName('Bold')
  expect(await bold.evaluate((el) => getComputedStyle(el).outlineStyle)).not.toBe('none')
  await keys.press('Enter')
  await expect(bob.editor.locator('strong')).toHaveText('make me bold')
  await expect(bold).toHaveAttribute('aria-pressed', 'true')

  for (const name of [
    'undo',
    'redo',
    'h1',
    'h2',
    'h3',
    'italic',
    'strike',
    'code',
    'bullet-list',
    'ordered-list',
    'blockquote',
    'code-block',
    'hr',
  ]) {
    await expect(alice.tool(name)).toHaveAttribute('aria-label', /.+/)
  }
})

test('links, word count and last sync time', async ({ tandem, user }) => {
  const id = await tandem.createDoc('Details')
  const alice = await (await user('Alice')).open(id)
  const bob = await (await user('Bob')).open(id)
  await alice.type('one two three')
  await expect(alice.page.getByTestId('word-count')).toHaveText('3 words · 13 characters')
  await expect(bob.page.getByTestId('word-count')).toHaveText('3 words · 13 characters')

  await alice.page.keyboard.press('Control+a')
  await alice.page.keyboard.press('Control+k')
  await alice.page.getByTestId('link-input').fill('example.com/docs')
  await alice.page.getByTestId('link-input').press('Enter')
  await expect(bob.editor.locator('a')).toHaveAttribute('href', 'https://example.com/docs')

  await alice.saved()
  await expect(alice.page.getByTestId('last-synced')).toHaveAttribute('data-time', /^\d{4}-\d\d-\d\dT/)
  await expect(alice.page.getByTestId('last-synced')).toHaveText('Last synced just now')
})

test('usable at phone width, and dark when the system is', async ({ tandem, user }) => {
  const id = await tandem.createDoc('Phone')
  const phone = await user('Pat', { viewport: { width: 375, height: 740 } })
  const doc = await phone.open(id)
  await doc.type('Typed on a phone.')
  await doc.tool('bullet-list').click()
  await expect(doc.editor.locator('ul > li')).toHaveText('Typed on a phone.')
  for (const testId of ['connection-status', 'presence-list', 'share-button', 'doc-title', 'toolbar']) {
    await expect(doc.page.getByTestId(testId)).toBeInViewport()
  }
  expect(await doc.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375)

  const light = await doc.page.evaluate(() => getComputedStyle(document.body).backgroundColor)
  await doc.page.emulateMedia({ colorScheme: 'dark' })
  await expect.poll(() => doc.page.evaluate(() => getComputedStyle(document.body).backgroundColor)).not.toBe(light)
  expect(await doc.page.evaluate(() => getComputedStyle(document.body).backgroundColor)).toBe('rgb(20, 21, 24)')
})
