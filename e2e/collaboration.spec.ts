/** Cases 1–4 and 8: editing together, presence, per-user undo, formatting. */
import { expect, test } from './fixtures'

test('two users type in one document, see the same text and each other’s named caret', async ({ tandem, user }) => {
  const id = await tandem.createDoc('Case 1')
  const alice = await (await user('Alice')).open(id)
  const bob = await (await user('Bob')).open(id)

  await alice.type('Hello from Alice.')
  await expect(bob.editor).toHaveText('Hello from Alice.')
  await bob.type(' And Bob.')
  await expect(alice.editor).toHaveText('Hello from Alice. And Bob.')
  await expect(bob.editor).toHaveText('Hello from Alice. And Bob.')

  await expect(alice.remoteCaret('Bob')).toBeVisible()
  await expect(bob.remoteCaret('Alice')).toBeVisible()
  // The label is drawn by CSS from data-user-name, so the document's text stays clean.
  for (const [doc, other] of [
    [alice, 'Bob'],
    [bob, 'Alice'],
  ] as const) {
    const label = await doc.remoteCaret(other).evaluate((caret) => getComputedStyle(caret, '::after').content)
    expect(label).toBe(`"${other}"`)
  }
  expect(await alice.text()).toBe(await bob.text())
})

test('concurrent typing at the same spot converges to identical content', async ({ tandem, user }) => {
  const id = await tandem.createDoc('Case 2')
  const alice = await (await user('Alice')).open(id)
  const bob = await (await user('Bob')).open(id)
  await alice.type('[]')
  await expect(bob.editor).toHaveText('[]')
  for (const doc of [alice, bob]) await doc.focusEnd(1)

  await Promise.all([alice.page.keyboard.type('aaaa aaaa'), bob.page.keyboard.type('bbbb bbbb')])

  await expect
    .poll(async () => {
      const [a, b] = await Promise.all([alice.text(), bob.text()])
      return a === b ? a : `diverged: ${a} | ${b}`
    })
    .toMatch(/^\[[ab ]{18}\]$/)
  const text = await alice.text()
  expect(text.replace(/[^a]/g, '')).toHaveLength(8)
  expect(text.replace(/[^b]/g, '')).toHaveLength(8)
  await alice.saved()
  await bob.saved()
  expect((await tandem.text(id)).trim()).toBe(text)
})

test('the presence list shows everyone and drops a closed tab at once', async ({ tandem, user }) => {
  const id = await tandem.createDoc('Case 3')
  const alice = await (await user('Alice')).open(id)
  const bob = await (await user('Bob')).open(id)
  const carolUser = await user('Carol')
  const carol = await carolUser.open(id)

  for (const doc of [alice, bob, carol]) {
    await expect(doc.presence).toHaveCount(3)
    for (const name of ['Alice', 'Bob', 'Carol']) {
      await expect(doc.page.getByTestId('presence-list').locator(`[data-user-name="${name}"]`)).toHaveCount(1)
    }
  }

  await carolUser.close()
  // "At once": the server drops a closed socket's presence immediately, well before any timeout.
  for (const doc of [alice, bob]) {
    await expect(doc.presence).toHaveCount(2, { timeout: 3000 })
    await expect(doc.page.getByTestId('presence-list').locator('[data-user-name="Carol"]')).toHaveCount(0)
  }
})

test('undo removes only your own text', async ({ tandem, user }) => {
  const id = await tandem.createDoc('Case 4')
  const alice = await (await user('Alice')).open(id)
  const bob = await (await user('Bob')).open(id)

  await alice.insert('alpha')
  await expect(bob.editor).toHaveText('alpha')
  await bob.typeParagraph('beta')
  await expect(alice.editor).toContainText('beta')

  await alice.editor.focus()
  await alice.page.keyboard.press('Control+z')
  await expect(alice.editor).toHaveText('beta')
  await expect(bob.editor).toHaveText('beta')

  await alice.tool('redo').click()
  await expect(bob.editor).toContainText('alpha')
  await alice.tool('undo').click()
  await expect(bob.editor).toHaveText('beta')
  await expect(alice.tool('undo')).toHaveAttribute('aria-disabled', 'true')
})

test('formatting from the toolbar appears in the other context', async ({ tandem, user }) => {
  const id = await tandem.createDoc('Case 8')
  const alice = await (await user('Alice')).open(id)
  const bob = await (await user('Bob')).open(id)

  await alice.focusEnd()
  await alice.tool('h1').click()
  await expect(alice.tool('h1')).toHaveAttribute('aria-pressed', 'true')
  await alice.page.keyboard.type('Plan')
  await alice.page.keyboard.press('Enter')
  await alice.tool('bullet-list').click()
  await alice.page.keyboard.type('first item')
  await alice.page.keyboard.press('Enter')
  await alice.tool('bold').click()
  await expect(alice.tool('bold')).toHaveAttribute('aria-pressed', 'true')
  await alice.page.keyboard.type('strong item')

  await expect(bob.editor.locator('h1')).toHaveText('Plan')
  await expect(bob.editor.locator('ul > li')).toHaveText(['first item', 'strong item'])
  await expect(bob.editor.locator('ul strong')).toHaveText('strong item')
  await expect(bob.tool('bold')).toHaveAttribute('aria-pressed', 'false')
})

test('Markdown shortcuts and keyboard shortcuts format text', async ({ tandem, user }) => {
  const id = await tandem.createDoc('Shortcuts')
  const alice = await (await user('Alice')).open(id)
  const bob = await (await user('Bob')).open(id)
  const keys = alice.page.keyboard

  await alice.focusEnd()
  await keys.type('## Subheading')
  await keys.press('Enter')
  await keys.type('> quoted')
  await keys.press('Enter')
  await keys.press('Enter')
  await keys.type('1. one')
  await keys.press('Enter')
  await keys.press('Enter')
  await keys.press('Control+i')
  await keys.type('slanted')

  await expect(bob.editor.locator('h2')).toHaveText('Subheading')
  await expect(bob.editor.locator('blockquote')).toHaveText('quoted')
  await expect(bob.editor.locator('ol > li')).toHaveText('one')
  await expect(bob.editor.locator('em')).toHaveText('slanted')
})
