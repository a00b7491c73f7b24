/** Case 6: content survives a page reload and a server restart. */
import { Tandem, createUser, expect, test } from './fixtures'

test('content survives a page reload and a server restart', async ({ browser }) => {
  const tandem = await Tandem.start()
  try {
    const id = await tandem.createDoc('Case 6')
    const aliceUser = await createUser(browser, tandem.url, 'Alice')
    const alice = await aliceUser.open(id)
    await alice.type('Written before the reload.')
    await alice.saved()

    await alice.page.reload()
    await alice.ready()
    await expect(alice.editor).toHaveText('Written before the reload.')

    await tandem.restart('SIGTERM')
    await alice.ready()
    await alice.typeParagraph('Written after a graceful restart.')
    await alice.saved()

    // A crash keeps whatever the server confirmed.
    await tandem.restart('SIGKILL')
    await alice.ready()

    // A browser with nothing cached gets everything from the restarted server.
    const bobUser = await createUser(browser, tandem.url, 'Bob')
    const bob = await bobUser.open(id)
    await expect(bob.editor).toHaveText(/^Written before the reload\.\s*Written after a graceful restart\.$/)
    await bob.typeParagraph('Bob, after the crash.')
    await expect(alice.editor).toContainText('Bob, after the crash.')
    await bobUser.close()
    await aliceUser.close()
  } finally {
    await tandem.stop()
  }
})
