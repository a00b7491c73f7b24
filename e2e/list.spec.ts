/** Case 7: the document list: create, rename, search, delete; the effect on open editors. */
import { Tandem, createUser, expect, test } from './fixtures'

test('create, rename and delete from the list; others see the rename and the deletion', async ({ user }) => {
  const alice = await user('Alice')
  const page = alice.page
  await page.goto('/')
  await page.getByTestId('new-doc').click()
  await expect(page).toHaveURL(/\/d\/[\w-]{22}$/)
  const id = new URL(page.url()).pathname.split('/').pop() ?? ''
  const title = page.getByTestId('doc-title')
  await expect(title).toBeFocused()
  await page.keyboard.type('Quarterly plan')
  await page.keyboard.press('Enter')
  await expect(page.getByTestId('editor')).toBeFocused()
  await page.keyboard.type('Goals for the quarter.')

  const bob = await (await user('Bob')).open(id)
  await expect(bob.title).toHaveValue('Quarterly plan')
  await expect(bob.editor).toHaveText('Goals for the quarter.')

  await page.getByTestId('home-link').click()
  await expect(page).toHaveURL(/\/$/)
  const row = page.getByTestId('doc-row').filter({ hasText: 'Quarterly plan' })
  await expect(row).toHaveCount(1)
  await expect(row.getByTestId('doc-row-edited')).toHaveText(/^edited (just now|1 minute ago)$/)
  await expect(page.getByTestId('doc-row').first()).toContainText('Quarterly plan')

  await row.getByTestId('doc-rename').click()
  await row.getByTestId('doc-rename-input').fill('Q3 plan')
  await row.getByTestId('doc-rename-input').press('Enter')
  const renamed = page.getByTestId('doc-row').filter({ hasText: 'Q3 plan' })
  await expect(renamed).toHaveCount(1)
  await expect(bob.title).toHaveValue('Q3 plan')
  await expect(bob.title).toHaveText('Q3 plan')

  await page.getByTestId('search').fill('q3 PL')
  await expect(page.getByTestId('doc-row')).toHaveCount(1)
  await page.getByTestId('search').fill('no such title anywhere')
  await expect(page.getByTestId('no-results')).toBeVisible()
  await page.getByTestId('search').fill('')
  await expect(renamed).toHaveCount(1)

  await renamed.getByTestId('doc-delete').click()
  await page.getByTestId('confirm-cancel').click()
  await expect(renamed).toHaveCount(1)
  await renamed.getByTestId('doc-delete').click()
  await page.getByTestId('delete-confirm').click()
  await expect(renamed).toHaveCount(0)

  await expect(bob.page.getByTestId('doc-deleted')).toBeVisible()
  await expect(bob.editor).toHaveCount(0)
  await bob.page.getByTestId('back-to-list').click()
  await expect(bob.page.getByTestId('doc-row').filter({ hasText: 'Q3 plan' })).toHaveCount(0)
  await bob.page.goto(`/d/${id}`)
  await expect(bob.page.getByTestId('not-found')).toBeVisible()
})

test('a rename in the editor or over REST shows in other tabs and in the list', async ({ tandem, user }) => {
  const id = await tandem.createDoc('Before')
  const alice = await (await user('Alice')).open(id)
  const bob = await (await user('Bob')).open(id)
  const carol = await user('Carol')
  await carol.page.goto('/')
  const row = carol.page.getByTestId('doc-row').filter({ has: carol.page.locator(`[href="/d/${id}"]`) })
  await expect(row.getByTestId('doc-row-title')).toHaveText('Before')

  await alice.title.fill('Renamed in the editor')
  await expect(bob.title).toHaveValue('Renamed in the editor')
  await expect(row.getByTestId('doc-row-title')).toHaveText('Renamed in the editor')

  await tandem.rename(id, 'Renamed over REST')
  await expect(alice.title).toHaveValue('Renamed over REST', { timeout: 1000 })
  await expect(bob.title).toHaveValue('Renamed over REST', { timeout: 1000 })
  await expect(alice.page).toHaveTitle('Renamed over REST · tandem')
  await expect(row.getByTestId('doc-row-title')).toHaveText('Renamed over REST')
})

test('a first visit shows the empty state, and an unknown document a way back', async ({ browser }) => {
  const tandem = await Tandem.start()
  try {
    const visitor = await createUser(browser, tandem.url, 'Newcomer')
    await visitor.page.goto('/')
    await expect(visitor.page.getByTestId('empty-state')).toBeVisible()
    await expect(visitor.page.getByTestId('doc-row')).toHaveCount(0)

    await visitor.page.goto('/d/AAAAAAAAAAAAAAAAAAAAAA')
    await expect(visitor.page.getByTestId('not-found')).toBeVisible()
    await visitor.page.getByTestId('back-to-list').click()
    await expect(visitor.page.getByTestId('empty-state')).toBeVisible()
    await visitor.page.getByTestId('empty-new-doc').click()
    await expect(visitor.page.getByTestId('editor')).toBeVisible()
    await visitor.page.goto('/some/unknown/page')
    await expect(visitor.page.getByTestId('not-found')).toBeVisible()
    await visitor.close()
  } finally {
    await tandem.stop()
  }
})

test('a title typed just before leaving the page is still saved', async ({ tandem, user }) => {
  const id = await tandem.createDoc('Draft')
  const alice = await (await user('Alice')).open(id)
  const bob = await (await user('Bob')).open(id)
  await alice.title.fill('Final name')
  await alice.page.goto('/')
  await expect(bob.title).toHaveValue('Final name')
  await expect(alice.page.getByTestId('doc-row').filter({ hasText: 'Final name' })).toHaveCount(1)
})
