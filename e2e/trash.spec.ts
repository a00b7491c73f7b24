/**
 * The trash (issue 14) in the browser: deleting from the list offers Undo; the Trash view
 * restores and deletes forever; an editor whose document was deleted and restored elsewhere
 * opens it again and says so; with tokens the trash is an admin's. Every view is audited by axe.
 */
import { signToken } from '../server/common/auth'
import { expectAccessible } from './axe'
import { Tandem, createUser, expect, test } from './fixtures'

async function trashIds(tandem: Tandem): Promise<string[]> {
  const body = (await (await fetch(`${tandem.url}/api/trash?limit=100`)).json()) as { items: Array<{ id: string }> }
  return body.items.map((item) => item.id)
}

test('delete from the list, undo it, then restore and delete forever from the Trash view', async ({ browser }) => {
  test.slow() // several axe audits, each at two widths in two schemes
  // A server of its own: the trash must hold only what this test put there.
  const tandem = await Tandem.start()
  try {
    const [plan, notes, old] = [
      await tandem.createDoc('Plan', 'The plan'),
      await tandem.createDoc('Notes'),
      await tandem.createDoc('Old'),
    ]
    const alice = await createUser(browser, tandem.url, 'Alice Adams')
    const page = alice.page
    await page.goto('/')
    const row = (title: string) => page.getByTestId('doc-row').filter({ hasText: title })
    await expect(page.getByTestId('doc-row')).toHaveCount(3)

    // Delete says where the document goes, and Undo brings it back.
    await row('Plan').getByTestId('doc-delete').click()
    await expect(page.getByTestId('dialog')).toContainText('It goes to the Trash')
    await page.getByTestId('delete-confirm').click()
    await expect(row('Plan')).toHaveCount(0)
    const undo = page.getByTestId('toast-action')
    await expect(undo).toBeVisible()
    await expect(undo).toBeFocused()
    await expect(page.getByTestId('toasts')).toHaveAttribute('role', 'status')
    await expect(page.getByTestId('toasts')).toContainText('Moved “Plan” to the trash')
    await expectAccessible(page, 'list with the undo toast')
    await page.keyboard.press('Enter')
    await expect(row('Plan')).toHaveCount(1)
    await expect(row('Plan').locator('a')).toBeFocused()
    expect(await tandem.text(plan)).toBe('The plan')
    expect(await trashIds(tandem)).toEqual([])

    // Escape dismisses the toast; the documents stay in the trash.
    for (const title of ['Notes', 'Old']) {
      await row(title).getByTestId('doc-delete').click()
      await page.getByTestId('delete-confirm').click()
      await expect(row(title)).toHaveCount(0)
      await expect(undo).toBeVisible()
      await page.keyboard.press('Escape')
      await expect(undo).toHaveCount(0)
    }
    expect(await trashIds(tandem)).toEqual([old, notes])

    // The Trash view: newest deleted first.
    await page.getByTestId('trash-link').click()
    await expect(page).toHaveURL(/\/trash$/)
    await expect(page).toHaveTitle('Trash · tandem')
    const trashRows = page.getByTestId('trash-row')
    await expect(trashRows.getByTestId('trash-row-title')).toHaveText(['Old', 'Notes'])
    await expectAccessible(page, 'trash')

    await trashRows.filter({ hasText: 'Notes' }).getByTestId('trash-restore').click()
    await expect(trashRows).toHaveCount(1)
    // An earlier toast ("Restored “Plan”") may still be showing beside this one.
    await expect(page.getByTestId('toast').filter({ hasText: 'Restored “Notes”' })).toHaveCount(1)
    expect(await trashIds(tandem)).toEqual([old])

    await trashRows.filter({ hasText: 'Old' }).getByTestId('trash-purge').click()
    await expect(page.getByTestId('dialog')).toContainText('This cannot be undone')
    await expectAccessible(page, 'delete forever dialog')
    await page.keyboard.press('Escape')
    await expect(trashRows).toHaveCount(1)
    await trashRows.filter({ hasText: 'Old' }).getByTestId('trash-purge').click()
    await page.getByTestId('purge-confirm').click()
    await expect(page.getByTestId('trash-empty')).toBeVisible()
    // The row's neighbour is gone too: focus is on the heading, not lost.
    await expect(page.getByRole('heading', { name: 'Trash', exact: true })).toBeFocused()
    await expectAccessible(page, 'empty trash')
    expect(await trashIds(tandem)).toEqual([])
    expect((await fetch(`${tandem.url}/api/docs/${old}`)).status).toBe(404)

    await page.getByTestId('all-documents').click()
    await expect(page.getByTestId('doc-row')).toHaveCount(2)
    await expect(row('Notes')).toHaveCount(1)
    await alice.close()
  } finally {
    await tandem.stop()
  }
})

test('the Trash view pages through a long trash', async ({ browser }) => {
  const tandem = await Tandem.start()
  try {
    for (let i = 0; i < 55; i++) {
      const id = await tandem.createDoc(`Doc ${i}`)
      await fetch(`${tandem.url}/api/docs/${id}`, { method: 'DELETE' })
    }
    const alice = await createUser(browser, tandem.url, 'Alice')
    await alice.page.goto('/trash')
    await expect(alice.page.getByTestId('trash-row')).toHaveCount(50)
    await alice.page.getByTestId('trash-load-more').click()
    await expect(alice.page.getByTestId('trash-row')).toHaveCount(55)
    await expect(alice.page.getByTestId('trash-load-more')).toHaveCount(0)
    await alice.close()
  } finally {
    await tandem.stop()
  }
})

test('an editor of a document deleted and restored elsewhere says so and opens it again', async ({ tandem, user }) => {
  test.slow() // an axe audit, and a restore noticed on the page's next check
  const id = await tandem.createDoc('Shared', 'Kept words')
  const bob = await user('Bob')
  const doc = await bob.open(id)
  await expect(doc.editor).toContainText('Kept words')

  expect((await fetch(`${tandem.url}/api/docs/${id}`, { method: 'DELETE' })).status).toBe(204)
  await expect(bob.page.getByTestId('doc-deleted')).toContainText('It is in the trash')
  await expectAccessible(bob.page, 'deleted, in the trash')

  expect((await fetch(`${tandem.url}/api/trash/${id}/restore`, { method: 'POST' })).status).toBe(200)
  await expect(doc.editor).toContainText('Kept words')
  await expect(bob.page.getByTestId('announcer')).toContainText('This document was restored from the trash')
  await doc.type(' and more')
  await expect.poll(() => tandem.text(id)).toContain('Kept words and more')
})

test('with AUTH_SECRET, the trash is hidden from a token that is not an admin’s, and explained', async ({
  browser,
}) => {
  test.slow() // a server of its own, an axe audit and four page loads
  const secret = 'trash-e2e-secret-0123456789'
  const tandem = await Tandem.start({ AUTH_SECRET: secret })
  try {
    const editor = await signToken({ doc: '*', role: 'edit', expiresInSeconds: 3600 }, secret)
    const carol = await createUser(browser, tandem.url, 'Carol')
    await carol.page.goto(`/?token=${editor}`)
    await expect(carol.page.getByTestId('empty-state')).toBeVisible()
    await expect(carol.page.getByTestId('trash-link')).toHaveCount(0)
    await carol.page.goto('/trash')
    await expect(carol.page.getByTestId('trash-denied')).toContainText('The trash is for administrators')
    await expectAccessible(carol.page, 'trash, not an admin')

    const admin = await signToken({ doc: '*', role: 'admin', expiresInSeconds: 3600 }, secret)
    await carol.page.goto(`/?token=${admin}`)
    await carol.page.getByTestId('trash-link').click()
    await expect(carol.page.getByTestId('trash-empty')).toBeVisible()
    await carol.close()
  } finally {
    await tandem.stop()
  }
})
