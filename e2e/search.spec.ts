/**
 * Full-text search on the list page (issue 15): words of bodies found with accents and case
 * folded, snippets with matched words emphasised and nothing of them parsed as markup, the count
 * announced, edits in an editor found, and the results view audited by axe.
 */
import { expectAccessible } from './axe'
import { expect, test } from './fixtures'

test('search finds words in bodies, shows snippets safely, announces the count and passes axe', async ({
  tandem,
  user,
}) => {
  // Four axe audits on a machine shared with other tests.
  test.slow()
  const weekly = await tandem.createDoc(
    'Weekly sync',
    '# Topics\n\nThe **Agendum** for Tuesday: the budget, then lunch at the Café Zéphyr. `<img src=x onerror=alert(1)>` stays text.',
  )
  await tandem.createDoc('Zephyr notes', 'Nothing else in here.')
  const alice = await user('Alice')
  const page = alice.page
  await page.goto('/')

  const search = page.getByTestId('search')
  await expect(search).toHaveAccessibleName('Search documents by title and text')
  await search.fill('agendum CAFE')
  const rows = page.getByTestId('doc-row')
  await expect(rows).toHaveCount(1)
  const row = rows.first()
  await expect(row).toHaveAttribute('data-doc-id', weekly)
  const snippet = row.getByTestId('doc-row-snippet')
  await expect(snippet).toBeVisible()
  await expect(snippet).toContainText('Agendum for Tuesday')
  await expect(snippet.locator('mark')).toHaveText(['Agendum', 'Café'])
  // What the document holds as text stays text in the snippet.
  await expect(snippet).toContainText('<img src=x onerror=alert(1)>')
  await expect(page.locator('.doc-list img')).toHaveCount(0)
  await expect(page.getByTestId('announcer')).toContainText('1 document matches “agendum CAFE”.')

  // Two documents for a prefix of a title word, the title match first; both titles emphasised.
  await search.fill('zephy')
  await expect(rows).toHaveCount(2)
  await expect(rows.first().getByTestId('doc-row-title')).toHaveText('Zephyr notes')
  await expect(rows.first().getByTestId('doc-row-title').locator('mark')).toHaveText('Zephyr')
  await expect(page.getByTestId('announcer')).toContainText('2 documents match “zephy”.')
  await expectAccessible(page, 'list, search results')

  // Query text is data: no error, no markup.
  await search.fill('"<b>" OR -1=1 %_* NEAR(a b)')
  await expect(page.getByTestId('no-results')).toBeVisible()
  await expect(page.getByTestId('list-error')).toHaveCount(0)
  await search.fill('')
  await expect(rows.filter({ hasText: 'Weekly sync' })).toHaveCount(1)
  await expect(page.getByTestId('doc-row-snippet').filter({ visible: true })).toHaveCount(0)
})

test('words typed in the editor are found from the list within seconds', async ({ tandem, user }) => {
  test.slow()
  const id = await tandem.createDoc('Travel plans', 'Things to pack.')
  const bob = await user('Bob')
  const doc = await bob.open(id)
  await doc.focusEnd()
  await bob.page.keyboard.type(' And the quokkascope')
  await expect.poll(() => tandem.text(id)).toContain('quokkascope')
  const alice = await user('Alice')
  await alice.page.goto('/')
  await alice.page.getByTestId('search').fill('quokkascope')
  // The list refreshes itself every second; the index follows edits within a few.
  await expect(alice.page.getByTestId('doc-row')).toHaveCount(1)
  await expect(alice.page.getByTestId('doc-row-snippet').locator('mark')).toHaveText('quokkascope')
})
