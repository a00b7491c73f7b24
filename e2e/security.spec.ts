/** The app under its Content-Security-Policy, and what the browser makes of the HTML export. */
import { expect, test } from './fixtures'

test('the app works under its Content-Security-Policy, with nothing blocked', async ({ tandem, user }) => {
  const alice = await user('Alice')
  const response = await alice.page.goto('/')
  const csp = response?.headers()['content-security-policy'] ?? ''
  expect(csp).toContain("script-src 'self'")
  expect(csp).toContain("style-src 'self'")
  expect(csp).toContain("frame-ancestors 'none'")
  expect(response?.headers()['x-frame-options']).toBe('DENY')
  await expect(alice.page.getByTestId('new-doc')).toBeVisible()

  const id = await tandem.createDoc('Under CSP', '# Heading\n\nSome **bold** text and a [link](https://example.com).')
  const doc = await alice.open(id)
  await doc.type(' Typed under a strict policy.')
  await expect.poll(() => tandem.text(id)).toContain('Typed under a strict policy.')
  // The service worker runs under the policy its script was served with.
  await expect
    .poll(() =>
      alice.page.evaluate(async () => (await navigator.serviceWorker.getRegistration())?.active?.state ?? null),
    )
    .toBe('activated')
  const bob = await (await user('Bob')).open(id)
  await expect(bob.editor).toContainText('Typed under a strict policy.')
  // Another person's caret and selection (CSSOM styles, no inline style attributes) show.
  await bob.type(' Bob.')
  await bob.page.keyboard.press('Shift+Home')
  await expect(doc.remoteCaret('Bob')).toBeVisible()
  await expect(alice.page.locator('.collaboration-carets__selection').first()).toBeVisible()
  expect(alice.cspViolations).toEqual([])
})

test('the HTML export is a sandboxed page that runs nothing', async ({ tandem, user }) => {
  const id = await tandem.createDoc('Export', 'Plain [text](https://example.com)')
  const alice = await user('Alice')
  const response = await alice.page.goto(`/api/docs/${id}/content?format=html`)
  expect(response?.headers()['content-security-policy']).toMatch(/^default-src 'none';.*\bsandbox\b/)
  await expect(alice.page.locator('a')).toHaveAttribute('href', 'https://example.com')
  // In a sandbox the page has an opaque origin: no access to the app's storage.
  expect(await alice.page.evaluate(() => window.origin).catch(() => 'no script')).not.toBe(tandem.url)
  await alice.page.goto('/')
})

test('the editor makes only links the server accepts, however they come in', async ({ tandem, user }) => {
  const id = await tandem.createDoc('Links')
  const alice = await (await user('Alice')).open(id)
  await alice.type('Start. ')
  // Pasted HTML: the javascript: link loses its link, the other one its target, rel and class.
  await alice.editor.evaluate((editor) => {
    const data = new DataTransfer()
    data.setData(
      'text/html',
      '<a href="javascript:alert(1)">bad</a> and <a href="https://ok.test/" target="_self" rel="opener" class="evil-class">good</a>',
    )
    data.setData('text/plain', 'bad and good')
    editor.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }))
  })
  // Typed addresses: an https one is linked, an ftp one (not in the policy) stays text.
  await alice.typeParagraph('ftp://files.example.com and https://auto.example.com ')
  await expect(alice.editor).toContainText('ftp://files.example.com and https://auto.example.com')
  await expect(alice.editor).toContainText('bad and good')
  await alice.saved()

  const response = await fetch(`${tandem.url}/api/docs/${id}/content?format=json`)
  const links: Array<{ text: string; attrs: Record<string, unknown> }> = []
  const walk = (node: {
    text?: string
    marks?: Array<{ type: string; attrs: Record<string, unknown> }>
    content?: unknown[]
  }): void => {
    for (const mark of node.marks ?? [])
      if (mark.type === 'link') links.push({ text: node.text ?? '', attrs: mark.attrs })
    for (const child of node.content ?? []) walk(child as typeof node)
  }
  walk(await response.json())
  const policy = { target: '_blank', rel: 'noopener noreferrer nofollow', class: null, title: null }
  expect(links).toEqual([
    { text: 'good', attrs: { href: 'https://ok.test/', ...policy } },
    { text: 'https://auto.example.com', attrs: { href: 'https://auto.example.com', ...policy } },
  ])
  // Still connected: nothing the editor sent was refused by the schema firewall (4400).
  await expect(alice.status).toHaveAttribute('data-state', 'connected')
})
