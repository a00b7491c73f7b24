/**
 * Images (issue 13 §3): pasted, dropped or picked from the toolbar, uploaded to the server and
 * shown to everyone as an `image` node with an `/api/files/…` URL; a refused file leaves nothing
 * broken and says why; an upload without a connection waits for it.
 */
import { crc32, deflateSync } from 'node:zlib'
import type { Page } from '@playwright/test'
import { expectAccessible } from './axe'
import { Tandem, createUser, expect, test } from './fixtures'
import type { DocumentPage } from './pages/documentPage'

/** A real PNG of `width`×`height` (a colour gradient), so the browser has something to decode. */
function png(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer): Buffer => {
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data])
    const length = Buffer.alloc(4)
    length.writeUInt32BE(data.length)
    const crc = Buffer.alloc(4)
    crc.writeUInt32BE(crc32(body))
    return Buffer.concat([length, body, crc])
  }
  const header = Buffer.alloc(13)
  header.writeUInt32BE(width, 0)
  header.writeUInt32BE(height, 4)
  header.set([8, 2, 0, 0, 0], 8)
  const rows: number[] = []
  for (let y = 0; y < height; y++) {
    rows.push(0)
    for (let x = 0; x < width; x++) rows.push((x * 5) % 256, (y * 7) % 256, 180)
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(Buffer.from(rows))),
    chunk('IEND', Buffer.alloc(0)),
  ])
}

interface FileSpec {
  name: string
  type: string
  base64: string
}

const picture = (name: string): FileSpec => ({ name, type: 'image/png', base64: png(48, 32).toString('base64') })

/** Pastes files as the browser does: a ClipboardEvent whose DataTransfer holds them. */
async function pasteFiles(page: Page, files: FileSpec[]): Promise<void> {
  await page.getByTestId('editor').evaluate((editor, specs) => {
    const data = new DataTransfer()
    for (const spec of specs) {
      const bytes = Uint8Array.from(atob(spec.base64), (char) => char.charCodeAt(0))
      data.items.add(new File([bytes], spec.name, { type: spec.type }))
    }
    editor.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }))
  }, files)
}

/** Drops files onto the middle of the editor. */
async function dropFiles(page: Page, files: FileSpec[]): Promise<void> {
  await page.getByTestId('editor').evaluate((editor, specs) => {
    const data = new DataTransfer()
    for (const spec of specs) {
      const bytes = Uint8Array.from(atob(spec.base64), (char) => char.charCodeAt(0))
      data.items.add(new File([bytes], spec.name, { type: spec.type }))
    }
    const box = editor.getBoundingClientRect()
    const at = { clientX: box.left + 20, clientY: box.top + 10 }
    editor.dispatchEvent(new DragEvent('dragover', { dataTransfer: data, bubbles: true, cancelable: true, ...at }))
    editor.dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true, ...at }))
  }, files)
}

/** Images in the document (ProseMirror adds an empty `img.ProseMirror-separator` after a widget at a line's end). */
const images = (doc: DocumentPage) => doc.editor.locator('img:not(.ProseMirror-separator)')

/** The editor shows exactly one image, with this alt text, from the server, and the browser decoded it. */
async function expectImage(doc: DocumentPage, alt: string): Promise<string> {
  const image = images(doc)
  await expect(image).toHaveCount(1)
  await expect(image).toHaveAttribute('alt', alt)
  await expect(image).toHaveAttribute('src', /^\/api\/files\/[A-Za-z0-9_-]{22}$/)
  await expect
    .poll(() => image.evaluate((element: HTMLImageElement) => element.complete && element.naturalWidth))
    .toBe(48)
  return (await image.getAttribute('src')) ?? ''
}

test('an image pasted by one shows at the other, after a reload and after a server restart', async ({ browser }) => {
  const tandem = await Tandem.start()
  try {
    const id = await tandem.createDoc('Images', 'Before the picture.')
    const aliceUser = await createUser(browser, tandem.url, 'Alice')
    const bobUser = await createUser(browser, tandem.url, 'Bob')
    const alice = await aliceUser.open(id)
    const bob = await bobUser.open(id)

    await alice.focusEnd()
    await pasteFiles(alice.page, [picture('Harbour at dusk.png')])
    const src = await expectImage(alice, 'Harbour at dusk')
    expect(await expectImage(bob, 'Harbour at dusk')).toBe(src)
    await expect(alice.editor.getByTestId('image-uploading')).toHaveCount(0)
    await alice.saved()

    // Stored as a link to the server's file, never as the bytes themselves.
    const stored = JSON.stringify(await (await fetch(`${tandem.url}/api/docs/${id}/content?format=json`)).json())
    expect(stored).toContain(`"src":"${src}"`)
    expect(stored).not.toContain('data:')

    await bob.page.reload()
    await bob.ready()
    await expectImage(bob, 'Harbour at dusk')

    await tandem.restart('SIGTERM')
    const carolUser = await createUser(browser, tandem.url, 'Carol')
    const carol = await carolUser.open(id)
    expect(await expectImage(carol, 'Harbour at dusk')).toBe(src)
    await carolUser.close()
    await bobUser.close()
    await aliceUser.close()
  } finally {
    await tandem.stop()
  }
})

test('the toolbar’s Image button uploads the chosen picture, and its alt text can be changed', async ({
  tandem,
  user,
}) => {
  const id = await tandem.createDoc('Picked')
  const alice = await (await user('Alice')).open(id)
  const bob = await (await user('Bob')).open(id)
  const button = alice.page.getByRole('button', { name: 'Image', exact: true })
  await expect(button).toBeVisible()
  await alice.focusEnd()
  const chooser = alice.page.waitForEvent('filechooser')
  await button.click()
  await (await chooser).setFiles({ name: 'diagram.png', mimeType: 'image/png', buffer: png(48, 32) })
  await expectImage(alice, 'diagram')
  await expectImage(bob, 'diagram')

  // Select the image, describe it.
  await images(alice).click()
  const alt = alice.page.getByRole('button', { name: 'Alt text…' })
  await expect(alt).toBeVisible()
  await alt.click()
  const field = alice.page.getByRole('textbox', { name: 'Alt text' })
  await expect(field).toHaveValue('diagram')
  await field.fill('Flow of an update from the browser to the database')
  await field.press('Enter')
  await expect(images(bob)).toHaveAttribute('alt', 'Flow of an update from the browser to the database')
})

test('a refused file says why and leaves nothing broken', async ({ tandem, user }) => {
  const id = await tandem.createDoc('Refusals', 'Some text.')
  const alice = await (await user('Alice')).open(id)
  const bob = await (await user('Bob')).open(id)
  const toasts = alice.page.getByTestId('toast')

  // Not an image by its type: refused at once, nothing sent.
  await dropFiles(alice.page, [
    { name: 'notes.txt', type: 'text/plain', base64: Buffer.from('hello').toString('base64') },
  ])
  await expect(toasts.filter({ hasText: '“notes.txt” was not added' })).toBeVisible()

  // Claims to be a PNG, is HTML: the server reads the bytes and refuses it (415).
  const html = Buffer.from('<!doctype html><script>alert(1)</script>').toString('base64')
  await alice.focusEnd()
  await pasteFiles(alice.page, [{ name: 'evil.png', type: 'image/png', base64: html }])
  await expect(
    toasts.filter({ hasText: '“evil.png” was not added: it is not a PNG, JPEG, GIF or WebP image.' }),
  ).toBeVisible()

  for (const doc of [alice, bob]) {
    await expect(images(doc)).toHaveCount(0)
    await expect(doc.editor.getByTestId('image-uploading')).toHaveCount(0)
    await expect(doc.editor).toHaveText('Some text.')
  }
})

test('an image pasted offline is uploaded when the connection returns', async ({ tandem, user }) => {
  const id = await tandem.createDoc('Offline image', 'Text.')
  const aliceUser = await user('Alice')
  const alice = await aliceUser.open(id)
  const bob = await (await user('Bob')).open(id)
  await alice.offlineReady()

  await aliceUser.context.setOffline(true)
  await expect(alice.status).toHaveAttribute('data-state', 'offline')
  await alice.focusEnd()
  await pasteFiles(alice.page, [picture('offline.png')])
  await expect(alice.editor.getByTestId('image-uploading')).toHaveText(
    'Waiting for the connection to upload offline.png…',
  )
  await expect(images(bob)).toHaveCount(0)

  await aliceUser.context.setOffline(false)
  await expectImage(alice, 'offline')
  await expectImage(bob, 'offline')
  await expect(alice.editor.getByTestId('image-uploading')).toHaveCount(0)
})

test('a document with an image is accessible', async ({ tandem, user }) => {
  const id = await tandem.createDoc('Accessible image', '# Sales\n\nA chart follows.')
  const alice = await (await user('Alice')).open(id)
  await alice.focusEnd()
  await pasteFiles(alice.page, [picture('Chart of sales.png')])
  await expectImage(alice, 'Chart of sales')
  await expectAccessible(alice.page, 'document with an image')
})
