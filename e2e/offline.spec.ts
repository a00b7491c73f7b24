/** Case 5: offline edits are kept on the device and merged when the connection returns. */
import { expect, test } from './fixtures'

test('both edit while one is offline; both end with both edits', async ({ tandem, user }) => {
  const id = await tandem.createDoc('Case 5a')
  const aliceUser = await user('Alice')
  const alice = await aliceUser.open(id)
  const bob = await (await user('Bob')).open(id)
  await alice.type('Shared start.')
  await expect(bob.editor).toHaveText('Shared start.')

  await aliceUser.context.setOffline(true)
  await expect(alice.status).toHaveAttribute('data-state', 'offline')
  await alice.typeParagraph('Alice wrote this offline.')
  await bob.typeParagraph('Bob wrote this online.')
  await bob.saved()
  await expect(alice.status).toHaveAttribute('data-pending', 'true')
  await expect(alice.status).toHaveAttribute('data-saved-on-device', 'true')
  expect(await alice.text()).not.toContain('Bob wrote this online.')
  expect(await bob.text()).not.toContain('Alice wrote this offline.')

  await aliceUser.context.setOffline(false)
  await alice.saved()
  for (const doc of [alice, bob]) {
    await expect(doc.editor).toContainText('Alice wrote this offline.')
    await expect(doc.editor).toContainText('Bob wrote this online.')
  }
  await expect.poll(async () => (await alice.text()) === (await bob.text())).toBe(true)
  expect(await tandem.text(id)).toContain('Alice wrote this offline.')
})

test('edits made offline survive a reload while still offline', async ({ tandem, user }) => {
  const id = await tandem.createDoc('Case 5b')
  const aliceUser = await user('Alice')
  const alice = await aliceUser.open(id)
  const bob = await (await user('Bob')).open(id)
  await alice.offlineReady()

  await aliceUser.context.setOffline(true)
  await expect(alice.status).toHaveAttribute('data-state', 'offline')
  await alice.type('Typed on a train.')
  await expect(alice.status).toHaveAttribute('data-saved-on-device', 'true')

  // Leaving with changes the server has not seen asks for confirmation first.
  const dialogs: string[] = []
  alice.page.on('dialog', (dialog) => {
    dialogs.push(dialog.type())
    void dialog.accept()
  })
  await alice.page.reload()
  expect(dialogs).toEqual(['beforeunload'])

  await expect(alice.editor).toHaveText('Typed on a train.')
  await expect(alice.status).toHaveAttribute('data-state', 'offline')
  await expect(alice.title).toHaveValue('Case 5b')
  expect(await bob.text()).not.toContain('Typed on a train.')

  await aliceUser.context.setOffline(false)
  await alice.saved()
  await expect(bob.editor).toHaveText('Typed on a train.')
  expect((await tandem.text(id)).trim()).toBe('Typed on a train.')
})
