/**
 * Issue 15: share links that keep their word on an open server. A view link (`/s/<shareId>`)
 * shows the document read-only and live, and nothing its page receives — the URLs it asks for,
 * its REST and WebSocket traffic, its DOM, the browser storage it names — contains the
 * document's id, which on an open server is the key to edit it. Revoking the link closes it.
 * Also the small things: Ctrl+S, "Offline" only when the browser is, no false "Not synced yet".
 */
import type { Page } from '@playwright/test'
import * as Y from 'yjs'
import { covers } from '../web/sync/delivery'
import { expectAccessible } from './axe'
import { Tandem, createUser, expect, test } from './fixtures'
import { DocumentPage } from './pages/documentPage'

/** Everything a page receives or names, recorded as it happens. */
function recordTraffic(page: Page) {
  const seen = { urls: [] as string[], bodies: [] as string[], frames: [] as Buffer[], closes: 0 }
  page.on('request', (request) => seen.urls.push(request.url()))
  page.on('response', async (response) => {
    if (!new URL(response.url()).pathname.startsWith('/api/')) return
    seen.bodies.push(await response.text().catch(() => ''))
  })
  page.on('websocket', (ws) => {
    seen.urls.push(ws.url())
    ws.on('framesent', (frame) => seen.frames.push(Buffer.from(frame.payload)))
    ws.on('framereceived', (frame) => seen.frames.push(Buffer.from(frame.payload)))
    ws.on('close', () => seen.closes++)
  })
  return seen
}

/** IndexedDB database names, localStorage and sessionStorage keys, Cache Storage entries. */
async function storageNames(page: Page): Promise<string[]> {
  return page.evaluate(async () => {
    const names = (await indexedDB.databases()).map((db) => `idb:${db.name}`)
    for (const storage of [localStorage, sessionStorage]) {
      for (let i = 0; i < storage.length; i++)
        names.push(`storage:${storage.key(i)}=${storage.getItem(storage.key(i) ?? '')}`)
    }
    for (const cache of await caches.keys()) {
      for (const request of await (await caches.open(cache)).keys()) names.push(`cache:${cache}:${request.url}`)
    }
    names.push(`cookie:${document.cookie}`)
    return names
  })
}

async function createViewLink(page: Page): Promise<string> {
  await page.getByTestId('share-button').click()
  const dialog = page.getByTestId('share-dialog')
  await expect(dialog.getByTestId('view-links-empty')).toBeVisible()
  await dialog.getByTestId('view-link-create').click()
  const url = dialog.getByTestId('view-link-url').last()
  await expect(url).toHaveValue(/\/s\/[\w-]{22}$/)
  // Focus goes to the new link's Copy button, and the dialog says what happened.
  await expect(dialog.getByTestId('view-link-copy').last()).toBeFocused()
  return url.inputValue()
}

test('the Share dialog says what each link allows, lists view links with Revoke, and passes axe', async ({
  tandem,
  user,
}) => {
  test.slow()
  const id = await tandem.createDoc('Dialog')
  const alice = await user('Alice')
  await alice.open(id)
  await alice.page.getByTestId('share-button').click()
  const dialog = alice.page.getByTestId('share-dialog')
  await expect(dialog.getByTestId('share-open-server')).toContainText('anyone who can reach it can open the list')
  await expect(dialog.getByTestId('share-edit-allows')).toContainText('can read and change the document')
  await expect(dialog.getByTestId('share-view-allows')).toContainText('not change it')
  await expect(dialog.getByTestId('share-url')).toHaveValue(new RegExp(`/d/${id}$`))
  await alice.page.keyboard.press('Escape')
  await expect(dialog).toHaveCount(0)
  await expect(alice.page.getByTestId('share-button')).toBeFocused()

  const link = await createViewLink(alice.page)
  expect(link).not.toContain(id)
  await expectAccessible(alice.page, 'share dialog with a view link')
  await alice.page.keyboard.press('Escape')
  await expect(alice.page.getByTestId('share-button')).toBeFocused()
  // Listed again when the dialog opens; Revoke takes it away and focus goes to "Create view link".
  await alice.page.getByTestId('share-button').click()
  await expect(dialog.getByTestId('view-link-url')).toHaveValue(link)
  await dialog.getByTestId('view-link-revoke').click()
  await expect(dialog.getByTestId('view-link')).toHaveCount(0)
  await expect(dialog.getByTestId('view-link-create')).toBeFocused()
  await expect(dialog.getByTestId('view-links-empty')).toBeVisible()
})

test('a view link never reveals the document id, shows it read-only and live, and closes when revoked', async ({
  tandem,
  user,
}) => {
  test.slow()
  const id = await tandem.createDoc('Quarterly plan', 'First line.')
  const alice = await user('Alice')
  const doc = await alice.open(id)
  const link = await createViewLink(alice.page)
  await alice.page.keyboard.press('Escape')

  // Bob: a fresh browser that only has the link.
  const bob = await user('Bob')
  const seen = recordTraffic(bob.page)
  await bob.page.goto(link)
  const shared = new DocumentPage(bob.page)
  await shared.ready()
  await expect(shared.editor).toHaveText('First line.')
  await expect(shared.title).toHaveValue('Quarterly plan')
  await expect(bob.page.getByTestId('view-only')).toBeVisible()
  await expect(shared.editor).toHaveAttribute('contenteditable', 'false')
  await expect(shared.title).not.toBeEditable()
  await expect(bob.page.getByTestId('share-button')).toHaveCount(0)
  await expect(bob.page.getByTestId('home-link')).toHaveCount(0)

  // Live: Alice's edit reaches Bob.
  await doc.focusEnd()
  await alice.page.keyboard.type(' Two.')
  await expect(shared.editor).toHaveText('First line. Two.')
  // Typing changes nothing, here or on the server.
  await shared.editor.click()
  await bob.page.keyboard.type('Bob')
  await bob.page.keyboard.press('Enter')
  await expect(shared.editor).toHaveText('First line. Two.')
  expect((await tandem.text(id)).trim()).toBe('First line. Two.')

  // Nothing the page received or named holds the id.
  expect(seen.urls.some((url) => url.includes('/ws/s/'))).toBe(true)
  expect(seen.frames.length).toBeGreaterThan(0)
  expect(seen.bodies.length).toBeGreaterThan(0)
  expect(seen.urls.filter((url) => url.includes(id))).toEqual([])
  expect(seen.bodies.filter((body) => body.includes(id))).toEqual([])
  expect(seen.frames.filter((frame) => frame.includes(id))).toEqual([])
  expect(await bob.page.content()).not.toContain(id)
  const names = await storageNames(bob.page)
  expect(names.some((name) => name.startsWith('idb:tandem:share:'))).toBe(true)
  expect(names.filter((name) => name.includes(id))).toEqual([])

  // Revoking closes Bob's socket at once, and the page says why; the link stays dead.
  const closesBefore = seen.closes
  await alice.page.getByTestId('share-button').click()
  await alice.page.getByTestId('share-dialog').getByTestId('view-link-revoke').click()
  await expect(bob.page.getByTestId('share-revoked')).toBeVisible()
  await expect(bob.page.getByTestId('share-revoked')).toContainText('This link no longer works')
  expect(seen.closes).toBeGreaterThan(closesBefore)
  await bob.page.reload()
  await expect(bob.page.getByTestId('share-revoked')).toBeVisible()
  expect(seen.urls.filter((url) => url.includes(id))).toEqual([])
  expect(await bob.page.content()).not.toContain(id)
})

test('the share link page passes axe in light and dark mode', async ({ tandem, user }) => {
  test.slow()
  const id = await tandem.createDoc('Audited', 'Some text to read.')
  const alice = await user('Alice')
  await alice.open(id)
  const link = await createViewLink(alice.page)
  const bob = await user('Bob')
  await bob.page.goto(link)
  await new DocumentPage(bob.page).ready()
  await expectAccessible(bob.page, 'share link page')
  // Ctrl+S on a view-only page says there is nothing to save.
  await bob.page.keyboard.press('Control+s')
  await expect(bob.page.getByTestId('toast').filter({ hasText: /view only/ })).toBeVisible()
})

test('Ctrl+S says whether everything is saved instead of opening the browser’s dialog', async ({ tandem, user }) => {
  test.slow()
  const id = await tandem.createDoc('Saving')
  const alice = await user('Alice')
  const doc = await alice.open(id)
  await doc.type('Saved.')
  await doc.saved()
  await alice.page.evaluate(() => {
    window.addEventListener('keydown', (event) => {
      if (event.key.toLowerCase() === 's')
        document.documentElement.dataset.savePrevented = String(event.defaultPrevented)
    })
  })
  await alice.page.keyboard.press('Control+s')
  await expect(alice.page.getByTestId('toast').filter({ hasText: 'All changes saved.' })).toBeVisible()
  await expect(alice.page.locator('html')).toHaveAttribute('data-save-prevented', 'true')
  await alice.page.keyboard.press('Meta+s')
  await expect(alice.page.getByTestId('toast').filter({ hasText: 'All changes saved.' })).toHaveCount(2)

  // Offline with an edit not yet on the server: it says so, truthfully.
  await alice.context.setOffline(true)
  await expect(doc.status).toHaveAttribute('data-state', 'offline')
  await doc.type(' More.')
  await expect(doc.status).toHaveAttribute('data-saved-on-device', 'true')
  await alice.page.keyboard.press('Control+s')
  await expect(alice.page.getByTestId('toast').filter({ hasText: /^Not synced yet: you are offline/ })).toBeVisible()
  await alice.context.setOffline(false)
  await doc.saved()
})

test('"Offline" only when the browser is offline; a server that is away is said as such', async ({ browser }) => {
  test.slow()
  const tandem = await Tandem.start()
  const alice = await createUser(browser, tandem.url, 'Alice')
  try {
    const id = await tandem.createDoc('Away')
    const doc = new DocumentPage(alice.page)
    await doc.goto(id)
    await alice.context.setOffline(true)
    await expect(doc.status).toHaveAttribute('data-state', 'offline')
    await expect(doc.status).toContainText('Offline')
    await alice.context.setOffline(false)
    await expect(doc.status).toHaveAttribute('data-state', 'connected')

    await tandem.pause()
    await expect(doc.status).toHaveAttribute('data-state', 'unreachable', { timeout: 20_000 })
    await expect(doc.status).toContainText('Can’t reach the server')
    await expect(doc.status).not.toContainText('Offline')
    await tandem.resume()
    await expect(doc.status).toHaveAttribute('data-state', 'connected', { timeout: 20_000 })
  } finally {
    await alice.close()
    await tandem.stop()
  }
})

test('after a reload while offline, nothing is pending and the last sync is remembered', async ({ tandem, user }) => {
  test.slow()
  const id = await tandem.createDoc('Train')
  const aliceUser = await user('Alice')
  const alice = await aliceUser.open(id)
  await alice.offlineReady()
  await alice.type('Stored.')
  await alice.saved()
  // The server's confirmation is kept with the device copy (written at most once a second, so
  // an earlier confirmation may be stored already): wait until the stored one covers everything
  // the device copy holds, which is what the reload compares it with.
  await expect.poll(() => confirmationCoversDeviceCopy(aliceUser.page, `tandem:doc:${id}`)).toBe(true)

  await aliceUser.context.setOffline(true)
  await alice.page.reload()
  await expect(alice.editor).toHaveText('Stored.')
  await expect(alice.status).toHaveAttribute('data-state', 'offline')
  await expect(alice.status).toHaveAttribute('data-pending', 'false')
  await expect(alice.page.getByTestId('last-synced')).not.toHaveText('Not synced yet')
  await expect(alice.page.getByTestId('last-synced')).toHaveText(/^Last synced/)
  await aliceUser.context.setOffline(false)
  await alice.saved()
})

/**
 * Whether the server's confirmation stored with a device copy (IndexedDB `name`) covers the
 * updates stored in that copy: what a reload loads is then known to be on the server.
 */
async function confirmationCoversDeviceCopy(page: Page, name: string): Promise<boolean> {
  const stored = await page.evaluate(
    (name) =>
      new Promise<{ confirmed: unknown; updates: number[][] } | null>((resolve) => {
        const open = indexedDB.open(name)
        open.onsuccess = () => {
          const db = open.result
          const transaction = db.transaction(['custom', 'updates'], 'readonly')
          const confirmed = transaction.objectStore('custom').get('confirmed')
          const updates = transaction.objectStore('updates').getAll()
          transaction.oncomplete = () => {
            db.close()
            resolve({
              confirmed: confirmed.result,
              updates: (updates.result as Uint8Array[]).map((update) => [...update]),
            })
          }
          transaction.onerror = transaction.onabort = () => {
            db.close()
            resolve(null)
          }
        }
        open.onerror = () => resolve(null)
      }),
    name,
  )
  if (stored === null || typeof stored.confirmed !== 'string' || stored.updates.length === 0) return false
  const { stateVector } = JSON.parse(stored.confirmed) as { stateVector: number[] }
  const held = Y.encodeStateVectorFromUpdate(Y.mergeUpdates(stored.updates.map((update) => Uint8Array.from(update))))
  return covers(Uint8Array.from(stateVector), held)
}
