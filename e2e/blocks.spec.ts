/**
 * Issue 13 §2, §4, §5: tables, task lists, images and highlight in the editor, shared live by
 * people in separate browsers; paste that keeps structure; the editor at phone width.
 */
import { expectAccessible } from './axe'
import { expect, test } from './fixtures'
import type { DocumentPage } from './pages/documentPage'

// Several browsers per test on a shared, busy machine: opening a page can take a while.
test.describe.configure({ timeout: 180_000 })
test.use({ navigationTimeout: 60_000 })

const TABLE = '| Name | Role |\n| --- | --- |\n| Ada | lead |'
const TASKS = '- [ ] buy milk\n- [ ] call Bob'
const BLOCKS = `# Blocks\n\n${TABLE}\n\n${TASKS}\n\nA ==highlighted== word.\n\n![A chart of sales](/api/files/missing-chart)\n\nThe end.`

/** The document as the editor holds it (ProseMirror JSON). */
function editorJSON(doc: DocumentPage): Promise<unknown> {
  return doc.editor.evaluate((element) =>
    (element as HTMLElement & { editor: { getJSON(): unknown } }).editor.getJSON(),
  )
}

/** Dispatches a paste of `data` (type → text) on the editor, as the browser does for Ctrl+V. */
async function paste(doc: DocumentPage, data: Record<string, string>): Promise<void> {
  await doc.editor.evaluate((element, data) => {
    const transfer = new DataTransfer()
    for (const [type, value] of Object.entries(data)) transfer.setData(type, value)
    element.dispatchEvent(new ClipboardEvent('paste', { clipboardData: transfer, bubbles: true, cancelable: true }))
  }, data)
}

async function serverJSON(url: string, id: string): Promise<{ content: Array<{ type: string }> }> {
  const response = await fetch(`${url}/api/docs/${id}/content?format=json`)
  return (await response.json()) as { content: Array<{ type: string }> }
}

test('one person adds a table row while the other types in a cell: both converge', async ({ tandem, user }) => {
  const id = await tandem.createDoc('Table', TABLE)
  const alice = await (await user('Alice')).open(id)
  const bob = await (await user('Bob')).open(id)

  await bob.editor.locator('td').nth(1).click()
  await bob.page.keyboard.press('End')
  await alice.editor.locator('td').first().click()
  await expect(alice.tool('table-row-after')).toBeVisible()
  await expect(alice.tool('table')).toHaveAttribute('aria-disabled', 'true')

  await Promise.all([
    bob.page.keyboard.type(' and reviewer', { delay: 20 }),
    (async () => {
      await alice.tool('table-row-after').click({ timeout: 30_000 })
      await alice.editor.locator('tr').nth(2).locator('td').first().click()
      await alice.page.keyboard.type('Grace')
    })(),
  ])

  for (const doc of [alice, bob]) {
    await expect(doc.editor.locator('tr')).toHaveCount(3)
    await expect(doc.editor.locator('td').nth(1)).toHaveText('lead and reviewer')
    await expect(doc.editor.locator('td').nth(2)).toHaveText('Grace')
  }
  await expect.poll(async () => JSON.stringify(await editorJSON(alice))).toBe(JSON.stringify(await editorJSON(bob)))
  await alice.saved()
  await bob.saved()
  const text = await tandem.text(id)
  expect(text).toContain('lead and reviewer')
  expect(text).toContain('Grace')

  // Tab moves to the next cell (from "Grace" to the last one), and past the last one makes a new row.
  await alice.page.keyboard.press('Tab')
  await alice.page.keyboard.type('last')
  await alice.page.keyboard.press('Tab')
  await alice.page.keyboard.type('new row')
  await expect(bob.editor.locator('td').nth(3)).toHaveText('last')
  await expect(bob.editor.locator('tr')).toHaveCount(4)
  await expect(bob.editor.locator('tr').last()).toContainText('new row')
})

test('a task checked by one shows checked at the other; view-only people cannot tick', async ({ tandem, user }) => {
  const id = await tandem.createDoc('Tasks', TASKS)
  const alice = await (await user('Alice')).open(id)
  const bob = await (await user('Bob')).open(id)
  const carol = await (await user('Carol')).open(id, '?role=view')

  const boxes = (doc: DocumentPage) => doc.editor.getByTestId('task-checkbox')
  await expect(boxes(bob)).toHaveCount(2)
  await expect(boxes(alice).first()).toHaveAccessibleName('To do: buy milk')

  await boxes(alice).first().click()
  await expect(boxes(bob).first()).toBeChecked()
  await expect(boxes(carol).first()).toBeChecked()
  await expect(boxes(alice).first()).toHaveAccessibleName('Done: buy milk')

  // Keyboard: the checkbox takes focus and Space ticks it.
  await boxes(bob).nth(1).focus()
  await expect(boxes(bob).nth(1)).toBeFocused()
  await bob.page.keyboard.press('Space')
  await expect(boxes(alice).nth(1)).toBeChecked()

  // View-only: the boxes are disabled, and a click changes nothing here or anywhere.
  await expect(boxes(carol).first()).toBeDisabled()
  await boxes(carol).first().click({ force: true })
  await expect(boxes(carol).first()).toBeChecked()
  await alice.saved()
  await bob.saved()
  const json = JSON.stringify(await serverJSON(tandem.url, id))
  expect(json.match(/"checked":true/g)?.length).toBe(2)

  // Typed: "[ ] " at the start of a line starts a task list.
  await alice.typeParagraph('[ ] ')
  await alice.page.keyboard.type('typed task')
  await expect(boxes(bob)).toHaveCount(3)
})

test('a pasted HTML table (Google Docs) keeps its cells, headings, links and marks, and no script runs', async ({
  tandem,
  user,
}) => {
  const id = await tandem.createDoc('Paste HTML', 'first')
  const alice = await (await user('Alice')).open(id)
  const bob = await (await user('Bob')).open(id)
  await alice.focusEnd()
  await alice.page.keyboard.press('Enter')
  const html = [
    '<meta charset="utf-8"><b style="font-weight:normal;" id="docs-internal-guid-12ab34cd-7fff-1234-5678-9abcdef01234">',
    '<h2 dir="ltr"><span style="font-size:16pt;font-weight:400">From Docs</span></h2>',
    '<div dir="ltr"><table style="border:none"><colgroup><col width="120"><col width="auto"></colgroup><tbody>',
    '<tr><td><p dir="ltr"><span>a1</span></p></td><td><p><span>b1</span></p></td></tr>',
    '<tr><td><p><span>a2</span></p></td><td colspan="0"><p><span>b2</span></p></td></tr>',
    '</tbody></table></div>',
    '<ul><li><p><span>see </span><a href="https://example.com/docs"><span>the docs</span></a>',
    '<span style="font-weight:700"> bold</span><span style="font-style:italic"> italic</span></p></li>',
    '<li><p><a href="javascript:window.__pasted=1">bad link</a></p></li></ul>',
    '<script>window.__pasted = 1</script><img src="x" onerror="window.__pasted = 1">',
    '<p style="font-family:Arial">plain</p></b>',
  ].join('')
  await paste(alice, { 'text/html': html, 'text/plain': 'From Docs a1 b1 a2 b2 see the docs bold italic plain' })

  for (const doc of [alice, bob]) {
    await expect(doc.editor.locator('h2')).toHaveText('From Docs')
    await expect(doc.editor.locator('table td')).toHaveText(['a1', 'b1', 'a2', 'b2'])
    await expect(doc.editor.locator('a[href="https://example.com/docs"]')).toHaveText('the docs')
    await expect(doc.editor.locator('strong')).toHaveText([' bold'])
    await expect(doc.editor.locator('em')).toHaveText([' italic'])
    await expect(doc.editor.getByText('bad link')).toBeVisible()
    await expect(doc.editor.locator('a[href^="javascript"]')).toHaveCount(0)
    await expect(doc.editor.locator('p', { hasText: 'plain' })).toBeVisible()
  }
  expect(await alice.page.evaluate(() => (window as { __pasted?: number }).__pasted)).toBeUndefined()
  await alice.saved()
  expect((await serverJSON(tandem.url, id)).content.map((node) => node.type)).toEqual([
    'paragraph',
    'heading',
    'table',
    'bulletList',
    'paragraph',
  ])
})

test('pasted Markdown text becomes a heading, lists, a task list and a table; plain text stays text', async ({
  tandem,
  user,
}) => {
  const id = await tandem.createDoc('Paste Markdown', 'first')
  const alice = await (await user('Alice')).open(id)
  const bob = await (await user('Bob')).open(id)
  await alice.focusEnd()
  await alice.page.keyboard.press('Enter')
  await paste(alice, {
    'text/plain': `## Groceries\n\n- eggs\n- milk\n\n- [x] bread\n\n${TABLE}\n\n> quoted **bold**`,
  })
  for (const doc of [alice, bob]) {
    await expect(doc.editor.locator('h2')).toHaveText('Groceries')
    await expect(doc.editor.locator('ul:not([data-type]) > li')).toHaveText(['eggs', 'milk'])
    await expect(doc.editor.getByTestId('task-checkbox')).toBeChecked()
    await expect(doc.editor.locator('th')).toHaveText(['Name', 'Role'])
    await expect(doc.editor.locator('blockquote strong')).toHaveText('bold')
  }

  // Text that is not Markdown stays one paragraph of text (here in the quote the caret is in).
  await alice.focusEnd()
  await alice.page.keyboard.press('Enter')
  await paste(alice, { 'text/plain': 'Just 5 * 3 - 1, #not a heading' })
  await expect(bob.editor.locator('blockquote p').last()).toHaveText('Just 5 * 3 - 1, #not a heading')
  await alice.saved()
  expect((await serverJSON(tandem.url, id)).content.map((node) => node.type)).toEqual([
    'paragraph',
    'heading',
    'bulletList',
    'taskList',
    'table',
    'blockquote',
  ])
})

test('highlight from the toolbar and as ==text==; an image’s alt text is edited and seen by others', async ({
  tandem,
  user,
}) => {
  const id = await tandem.createDoc('Marks', '# Marks\n\nstart\n\n![old words](/api/files/missing-image)')
  const alice = await (await user('Alice')).open(id)
  const bob = await (await user('Bob')).open(id)

  await alice.focusEndOfBlock(1)
  await alice.page.keyboard.type(' and ==this==')
  await expect(bob.editor.locator('mark')).toHaveText(['this'])
  await alice.page.keyboard.press('Home')
  for (let i = 0; i < 'start'.length; i++) await alice.page.keyboard.press('Shift+ArrowRight')
  await alice.tool('highlight').click()
  await expect(alice.tool('highlight')).toHaveAttribute('aria-pressed', 'true')
  await expect(bob.editor.locator('mark')).toHaveText(['start', 'this'])

  await alice.editor.locator('img').click()
  await expect(alice.tool('image-alt')).toBeVisible()
  await alice.tool('image-alt').click()
  const input = alice.page.getByTestId('alt-text-input')
  await expect(input).toBeFocused()
  await expect(input).toHaveValue('old words')
  await expectAccessible(alice.page, 'alt text form')
  await input.fill('A bar chart of sales by month')
  await input.press('Enter')
  await expect(input).toHaveCount(0)
  await expect(bob.editor.locator('img')).toHaveAttribute('alt', 'A bar chart of sales by month')

  // Escape closes the form and gives the text its focus back.
  await alice.editor.locator('img').click()
  await alice.tool('image-alt').click()
  await alice.page.keyboard.press('Escape')
  await expect(input).toHaveCount(0)
  await expect(alice.editor).toBeFocused()
})

test('the editor with the new blocks passes axe (light, dark, desktop, phone), for editors and readers', async ({
  tandem,
  user,
}) => {
  const id = await tandem.createDoc('Audit', BLOCKS)
  const alice = await user('Alice')
  const doc = await alice.open(id)
  await expect(doc.editor.locator('table')).toBeVisible()
  await expectAccessible(alice.page, 'editor with a table, tasks, highlight and an image')

  await doc.editor.locator('td').first().click()
  await expect(doc.tool('table-delete')).toBeVisible()
  await expectAccessible(alice.page, 'editor, caret in a table')

  await doc.editor.locator('img').click()
  await expect(doc.tool('image-alt')).toBeVisible()
  await expectAccessible(alice.page, 'editor, image selected')

  const reader = await (await user('Rita')).open(id, '?role=view')
  await expect(reader.editor.getByTestId('task-checkbox').first()).toBeDisabled()
  await expectAccessible(reader.page, 'read-only editor with blocks')
})

test('at phone width the toolbar scrolls, the word count covers no text, and the blocks work by touch', async ({
  tandem,
  user,
}) => {
  const id = await tandem.createDoc('Phone', `${BLOCKS}\n\n${'Filler line.\n\n'.repeat(30)}Last line.`)
  const alice = await user('Alice', { viewport: { width: 390, height: 844 }, touch: true })
  const doc = await alice.open(id)
  const page = alice.page
  const toolbar = page.getByTestId('toolbar')

  // The toolbar is wider than the phone: it scrolls, and its faded right edge says so.
  expect(await toolbar.evaluate((element) => element.scrollWidth > element.clientWidth)).toBe(true)
  await expect(toolbar).toHaveClass(/more-after/)
  await toolbar.evaluate((element) => element.scrollBy({ left: 10_000 }))
  await expect(toolbar).toHaveClass(/more-before/)
  await expect(toolbar).not.toHaveClass(/more-after/)

  // The word count is below the sheet, whatever is scrolled into view.
  const coversText = () =>
    page.evaluate(() => {
      const pill = document.querySelector('.statusbar')?.getBoundingClientRect()
      if (pill === undefined) return true
      return Array.from(document.querySelectorAll('.prose > *, .title')).some((block) => {
        const box = block.getBoundingClientRect()
        return box.bottom > pill.top && box.top < pill.bottom && box.right > pill.left && box.left < pill.right
      })
    })
  for (const y of [0, 600, 100_000]) {
    await page.evaluate((y) => window.scrollTo(0, y), y)
    expect(await coversText(), `scrolled to ${y}`).toBe(false)
  }
  await expect(page.getByTestId('word-count')).toBeInViewport()

  // Touch: tick a task, and add a row from the table's buttons.
  await page.evaluate(() => window.scrollTo(0, 0))
  const box = doc.editor.getByTestId('task-checkbox').first()
  const target = await box.evaluate((element) => element.parentElement?.getBoundingClientRect().width ?? 0)
  expect(target).toBeGreaterThanOrEqual(24)
  await box.tap()
  await expect(box).toBeChecked()
  await doc.editor.locator('td').first().tap()
  await doc.tool('table-row-after').tap()
  await expect(doc.editor.locator('tr')).toHaveCount(3)
})
