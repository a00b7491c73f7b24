/**
 * The History panel (issue 14): two people, one saves a version, the other changes the text,
 * the first sees what changed and restores the version, and both editors show it at once; the
 * panel, its preview and its dialogs pass the accessibility audit; and a keyboard-only journey
 * (issue 17) opens History, saves a version and restores one without a mouse.
 */
import { expectAccessible, expectFocusVisible } from './axe'
import { expect, test } from './fixtures'

// Two browsers, three audits of four views each, and several restores: more than the default minute.
test.slow()

test('the History panel shows what changed and restores a version for everyone', async ({ tandem, user }) => {
  test.setTimeout(300_000)
  // A level-one heading in the text: the editor page has none of its own (axe's page-has-heading-one).
  const id = await tandem.createDoc('History', '# Notes\n\nThe first paragraph.')
  const alice = await (await user('Alice')).open(id)
  const bob = await (await user('Bob')).open(id)
  await alice.typeParagraph('Written by Alice.')
  await expect(bob.editor).toContainText('Written by Alice.')
  await alice.saved()

  const page = alice.page
  await page.getByTestId('history-button').click()
  const panel = page.getByTestId('history')
  await expect(panel).toBeVisible()
  await expect(page.getByTestId('history-button')).toHaveAttribute('aria-expanded', 'true')
  await page.getByTestId('save-version').click()
  await expectAccessible(page, 'save version dialog')
  await page.getByTestId('save-version-dialog-input').fill('Before Bob')
  await page.getByTestId('save-version-dialog-confirm').click()
  await expect(page.getByTestId('announcer')).toContainText('Version “Before Bob” saved')
  const item = panel.getByTestId('history-item').filter({ hasText: 'Before Bob' })
  await expect(item).toBeVisible()
  // Authors come from what each editor declared (no tokens on this server).
  await expect(item).toContainText('Alice')

  await bob.typeParagraph('Bob was here.')
  await expect(alice.editor).toContainText('Bob was here.')
  await bob.saved()

  // Selected, the version is compared with the current document: Bob's words are not in it.
  await item.click()
  await expect(item).toHaveAttribute('aria-pressed', 'true')
  const preview = page.getByTestId('history-preview')
  await expect(preview.getByTestId('diff-deleted')).toContainText('Bob was here.')
  await expect(page.getByTestId('history-summary')).toContainText('3 words of the current document not here')
  // Inserted and deleted text differ by more than colour.
  const decoration = await preview
    .getByTestId('diff-deleted')
    .first()
    .evaluate((element) => getComputedStyle(element).textDecorationLine)
  expect(decoration).toContain('line-through')
  await expectAccessible(page, 'History panel with a version selected')
  await preview.getByLabel('The version before').check()
  await expect(preview.getByTestId('diff-inserted').first()).toBeVisible()
  await preview.getByLabel('The current document').check()

  await page.getByTestId('restore-version').click()
  await expect(page.getByTestId('dialog')).toBeVisible()
  await expectAccessible(page, 'restore confirmation')
  await page.getByTestId('confirm-restore').click()
  await expect(page.getByTestId('announcer')).toContainText('Version restored')
  for (const doc of [alice, bob]) {
    await expect(doc.editor).not.toContainText('Bob was here.')
    await expect(doc.editor).toContainText('Written by Alice.')
  }
  // The state before is kept, so the restore can be undone from the panel.
  const before = panel.getByTestId('history-item').filter({ hasText: 'Before a restore' })
  await expect(before).toBeVisible()
  await before.click()
  await expect(preview.getByTestId('diff-inserted')).toContainText('Bob was here.')
  await page.getByTestId('restore-version').click()
  await page.getByTestId('confirm-restore').click()
  for (const doc of [alice, bob]) await expect(doc.editor).toContainText('Bob was here.')
  expect((await tandem.text(id)).includes('Bob was here.')).toBe(true)

  await page.keyboard.press('Escape')
  await expect(panel).toHaveCount(0)
})

test('keyboard only: open History, save a version, and restore one', async ({ tandem, user }) => {
  const id = await tandem.createDoc('Keyboard history', 'Kept line.')
  const aliceUser = await user('Alice')
  const alice = await aliceUser.open(id)
  const bob = await (await user('Bob')).open(id)
  const page = alice.page

  // Tab from the top of the page to the History button.
  await page.locator('body').focus()
  const historyButton = page.getByTestId('history-button')
  for (let presses = 0; presses < 40; presses++) {
    if (await historyButton.evaluate((button) => button === document.activeElement)) break
    await page.keyboard.press('Tab')
  }
  await expect(historyButton).toBeFocused()
  await page.keyboard.press('Enter')
  const panel = page.getByTestId('history')
  await expect(panel.getByRole('heading', { name: 'History' })).toBeFocused()

  // Past the panel's Close button to Save version… → name → Enter.
  await page.keyboard.press('Tab')
  await expect(panel.getByRole('button', { name: 'Close History' })).toBeFocused()
  await page.keyboard.press('Tab')
  await expect(page.getByTestId('save-version')).toBeFocused()
  await expectFocusVisible(page, 'Save version…')
  await page.keyboard.press('Enter')
  await expect(page.getByTestId('save-version-dialog-input')).toBeFocused()
  await page.keyboard.type('Good state')
  await page.keyboard.press('Enter')
  await expect(page.getByTestId('announcer')).toContainText('saved')
  const item = panel.getByTestId('history-item').filter({ hasText: 'Good state' })
  await expect(item).toBeVisible()

  // Someone else changes the text meanwhile.
  await bob.typeParagraph('Unwanted line.')
  await expect(alice.editor).toContainText('Unwanted line.')
  await bob.saved()

  // Tab to the version, select it, Tab on to "Restore this version", confirm with the keyboard.
  await page.getByTestId('save-version').focus()
  for (let presses = 0; presses < 10; presses++) {
    if (await item.evaluate((button) => button === document.activeElement)) break
    await page.keyboard.press('Tab')
  }
  await expect(item).toBeFocused()
  await page.keyboard.press('Enter')
  await expect(item).toHaveAttribute('aria-pressed', 'true')
  const restore = page.getByTestId('restore-version')
  for (let presses = 0; presses < 10; presses++) {
    if (await restore.evaluate((button) => button === document.activeElement)) break
    await page.keyboard.press('Tab')
  }
  await expect(restore).toBeFocused()
  await expectFocusVisible(page, 'Restore this version')
  await page.keyboard.press('Enter')
  await expect(page.getByTestId('confirm-cancel')).toBeFocused()
  await page.keyboard.press('Tab')
  await expect(page.getByTestId('confirm-restore')).toBeFocused()
  await page.keyboard.press('Enter')
  await expect(page.getByTestId('announcer')).toContainText('Version restored')
  await expect(bob.editor).not.toContainText('Unwanted line.')
  await expect(alice.editor).not.toContainText('Unwanted line.')
  await expect(alice.editor).toContainText('Kept line.')

  // Escape closes the panel and gives focus back to the History button.
  await expect(restore).toBeFocused()
  await page.keyboard.press('Escape')
  await expect(panel).toHaveCount(0)
  await expect(historyButton).toBeFocused()
})
