/** Content in and out (issue 15): import by dropping files and by the picker, Download menu, Print. */
import { readFileSync } from 'node:fs'
import mammoth from 'mammoth'
import { expectAccessible } from './axe'
import { expect, test } from './fixtures'

// Accessibility audits at two widths and two schemes take a while on a busy machine.
test.describe.configure({ timeout: 150_000 })
/** For what waits on a first conversion on the server. */
const SLOW = 30_000

test('files dropped on the list become documents, with progress and a per-file error', async ({ user }) => {
  const alice = await user('Alice')
  const page = alice.page
  await page.goto('/')
  await expect(page.getByTestId('doc-row').first().or(page.getByTestId('empty-state'))).toBeVisible()

  // Hold the imports until the progress has been seen: no timing luck involved.
  let release: () => void = () => {}
  const gate = new Promise<void>((resolve) => {
    release = resolve
  })
  await page.route('**/api/docs/import**', async (route) => {
    await gate
    await route.continue()
  })

  const transfer = await page.evaluateHandle(() => {
    const data = new DataTransfer()
    // No type for the .md, as browsers often give none: the extension decides.
    data.items.add(new File(['# Dropped notes\n\n- **first** point\n- second'], 'notes.md', { type: '' }))
    data.items.add(
      new File(['<h2>Agenda</h2><p>Items<script>alert(1)</script></p>'], 'agenda.html', { type: 'text/html' }),
    )
    data.items.add(new File(['not a word file'], 'broken.docx', { type: '' }))
    return data
  })
  const listPage = page.locator('.list-page')
  await listPage.dispatchEvent('dragenter', { dataTransfer: transfer })
  await expect(page.locator('.drop-hint')).toBeVisible()
  await listPage.dispatchEvent('dragover', { dataTransfer: transfer })
  await listPage.dispatchEvent('drop', { dataTransfer: transfer })
  await expect(page.locator('.drop-hint')).toBeHidden()

  const panel = page.getByTestId('import-panel')
  await expect(page.getByTestId('import-heading')).toHaveText('Importing 1 of 3 files…')
  const files = panel.getByTestId('import-file')
  await expect(files).toHaveCount(3)
  await expect(files.nth(0)).toHaveAttribute('data-state', 'importing')
  await expect(files.nth(1)).toHaveText(/agenda\.html\s*Waiting/)
  await expect(page.getByTestId('announcer')).toContainText('Importing 3 files')
  await expectAccessible(page, 'list, importing')
  release()

  // The server converts on first use (Tiptap, happy-dom, mammoth load then): generous on a busy machine.
  await expect(page.getByTestId('import-heading')).toHaveText('Imported 2 of 3 files; 1 failed', { timeout: SLOW })
  await expect(page.getByTestId('import-progress')).toHaveAttribute('value', '3')
  await expect(files.nth(0)).toContainText('Imported as “Dropped notes”')
  await expect(files.nth(1)).toContainText('Imported as “Agenda”')
  await expect(files.nth(2)).toContainText('Failed: the file could not be read')
  await expect(page.getByTestId('announcer')).toContainText('broken.docx: the file could not be read')
  // The new documents are in the list.
  await expect(page.getByTestId('doc-row').filter({ hasText: 'Dropped notes' })).toHaveCount(1)
  await expect(page.getByTestId('doc-row').filter({ hasText: 'Agenda' })).toHaveCount(1)
  await expectAccessible(page, 'list, import finished with an error')

  // Opening one shows the converted content; the script is gone.
  await files.nth(1).getByRole('link').click()
  await expect(page.getByTestId('editor')).toContainText('Items')
  await expect(page.getByTestId('editor').locator('h2')).toHaveText('Agenda')
  await expect(page.getByTestId('editor').locator('script')).toHaveCount(0)
})

test('the Import button opens a file picker for the types tandem reads', async ({ user }) => {
  const page = (await user('Bob')).page
  await page.goto('/')
  const chooser = page.waitForEvent('filechooser')
  await page.getByTestId('import-button').click()
  const picker = await chooser
  expect(picker.isMultiple()).toBe(true)
  await picker.setFiles({ name: 'Plain words.txt', mimeType: 'text/plain', buffer: Buffer.from('just text') })
  await expect(page.getByTestId('import-heading')).toHaveText('Imported 1 file', { timeout: SLOW })
  await expect(page.getByTestId('doc-row').filter({ hasText: 'Plain words' })).toHaveCount(1)
  await page.getByTestId('import-dismiss').click()
  await expect(page.getByTestId('import-panel')).toHaveCount(0)
  await expect(page.getByTestId('import-button')).toBeFocused()
})

test('the Download menu saves Markdown, HTML and Word named after the title', async ({ tandem, user }) => {
  const id = await tandem.createDoc('Café plan', '# Café plan\n\nWe **ship** it.\n\n- one\n- two')
  const doc = await (await user('Carol')).open(id)
  const page = doc.page
  const button = page.getByTestId('download')
  await button.click()
  const menu = page.getByTestId('download-menu')
  await expect(menu).toBeVisible()
  await expect(page.getByTestId('download-markdown')).toBeFocused()
  await expectAccessible(page, 'editor, Download menu open')
  await page.keyboard.press('Escape')
  await expect(menu).toBeHidden()
  await expect(button).toBeFocused()

  // Keyboard: open with ArrowDown, move to Word, choose with Enter.
  await button.press('ArrowDown')
  await expect(page.getByTestId('download-markdown')).toBeFocused()
  await page.keyboard.press('ArrowDown')
  await page.keyboard.press('ArrowDown')
  await expect(page.getByTestId('download-docx')).toBeFocused()
  const wordDownload = page.waitForEvent('download', { timeout: SLOW })
  await page.keyboard.press('Enter')
  const word = await wordDownload
  expect(word.suggestedFilename()).toBe('Café plan.docx')
  const html = (await mammoth.convertToHtml({ path: await word.path() })).value
  expect(html).toContain('<h1>Café plan</h1>')
  expect(html).toContain('<strong>ship</strong>')
  expect(html).toContain('<ul><li>one</li><li>two</li></ul>')

  await button.click()
  const markdownDownload = page.waitForEvent('download', { timeout: SLOW })
  await page.getByTestId('download-markdown').click()
  const markdown = await markdownDownload
  expect(markdown.suggestedFilename()).toBe('Café plan.md')
  expect(readFileSync(await markdown.path(), 'utf8')).toBe('# Café plan\n\nWe **ship** it.\n\n- one\n- two')

  await button.click()
  const htmlDownload = page.waitForEvent('download', { timeout: SLOW })
  await page.getByTestId('download-html').click()
  const saved = await htmlDownload
  expect(saved.suggestedFilename()).toBe('Café plan.html')
  const page2 = readFileSync(await saved.path(), 'utf8')
  expect(page2).toContain('<meta charset="utf-8">')
  expect(page2).toContain('<title>Café plan</title>')
  expect(page2).toContain('<strong>ship</strong>')
})

test('printing shows only the title and the document', async ({ tandem, user }) => {
  const id = await tandem.createDoc('Printed', '# Heading\n\nBody text.')
  const doc = await (await user('Dave')).open(id)
  const page = doc.page
  await page.emulateMedia({ media: 'print' })
  await expect(doc.title).toBeVisible()
  await expect(doc.editor).toContainText('Body text.')
  for (const chrome of ['.topbar', '.toolbar-wrap', '.statusbar', '[data-testid="word-count"]', '.skip-link']) {
    await expect(page.locator(chrome).first(), chrome).toBeHidden()
  }
  const sheet = await page.locator('.sheet').evaluate((element) => {
    const style = getComputedStyle(element)
    return { border: style.borderTopStyle, shadow: style.boxShadow }
  })
  expect(sheet).toEqual({ border: 'none', shadow: 'none' })
  const headingBreak = await doc.editor.locator('h1').evaluate((element) => getComputedStyle(element).breakAfter)
  expect(headingBreak).toBe('avoid')
  const pdf = await page.pdf()
  expect(pdf.subarray(0, 4).toString()).toBe('%PDF')
  await page.emulateMedia({ media: 'screen' })
  await expect(page.locator('.topbar')).toBeVisible()
})
