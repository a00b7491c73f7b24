/**
 * Issue 13 §1: someone else's edits must not disturb what you are doing — a mark switched at the
 * caret stays switched, and your undo steps are the same as when you are alone
 * (web/editor/collaborationFixes.ts works around the Yjs binding for both).
 */
import { inflateSync } from 'node:zlib'
import { expect, test } from './fixtures'
import type { DocumentPage } from './pages/documentPage'

const BOB_LINE = 'Bob writes here'

/** The colour of a 1×1 PNG (a screenshot's): one row of one pixel reads the same under any filter. */
function onePixel(png: Buffer): number[] {
  const data: Buffer[] = []
  for (let at = 8; at < png.length; at += 12 + png.readUInt32BE(at)) {
    if (png.toString('latin1', at + 4, at + 8) === 'IDAT')
      data.push(png.subarray(at + 8, at + 8 + png.readUInt32BE(at)))
  }
  const row = inflateSync(Buffer.concat(data))
  return Array.from(row.subarray(1, png[25] === 6 ? 5 : 4))
}

/** The text of the block holding `name`'s caret, up to that caret; null while it is not shown. */
function textBeforeRemoteCaret(doc: DocumentPage, name: string): Promise<string | null> {
  return doc.editor.evaluate((editor, name) => {
    const caret = Array.from(editor.querySelectorAll('[data-testid="remote-caret"]')).find(
      (element) => element.getAttribute('data-user-name') === name,
    )
    const block = caret === undefined ? null : Array.from(editor.children).find((child) => child.contains(caret))
    if (caret === undefined || block === undefined || block === null) return null
    const range = document.createRange()
    range.setStart(block, 0)
    range.setEndBefore(caret)
    return range.toString()
  }, name)
}

/**
 * Bob types `key` at his caret (the end of the first block), and Alice's editor has both his text
 * and his moved caret: the remote change and the awareness transaction after it, which is what
 * used to end Alice's undo step and drop her stored marks.
 */
async function bobTypes(bob: DocumentPage, alice: DocumentPage, key: string, typedSoFar: string): Promise<void> {
  await bob.page.keyboard.type(key)
  await expect(alice.block(0)).toHaveText(BOB_LINE + typedSoFar)
  await expect.poll(() => textBeforeRemoteCaret(alice, 'Bob')).toBe(BOB_LINE + typedSoFar)
}

interface MarkCase {
  tool: string
  tag: string
  switchOn: (doc: DocumentPage) => Promise<void>
}

const shortcut =
  (keys: string) =>
  (doc: DocumentPage): Promise<void> =>
    doc.page.keyboard.press(keys)
const button =
  (tool: string) =>
  (doc: DocumentPage): Promise<void> =>
    doc.tool(tool).click()

const CASES: Record<string, MarkCase[]> = {
  'keyboard shortcuts': [
    { tool: 'bold', tag: 'strong', switchOn: shortcut('Control+b') },
    { tool: 'italic', tag: 'em', switchOn: shortcut('Control+i') },
    { tool: 'underline', tag: 'u', switchOn: shortcut('Control+u') },
    { tool: 'code', tag: 'code', switchOn: shortcut('Control+e') },
  ],
  'toolbar buttons': [
    { tool: 'bold', tag: 'strong', switchOn: button('bold') },
    { tool: 'italic', tag: 'em', switchOn: button('italic') },
    { tool: 'strike', tag: 's', switchOn: button('strike') },
  ],
}

for (const [via, cases] of Object.entries(CASES)) {
  test(`a mark switched on at the caret (${via}) survives someone else's edit`, async ({ tandem, user }) => {
    const lines = cases.map((_, i) => `line ${i + 1}`)
    const id = await tandem.createDoc('Marks', [BOB_LINE, ...lines].join('\n\n'))
    const alice = await (await user('Alice')).open(id)
    const bob = await (await user('Bob')).open(id)
    await bob.focusEndOfBlock(0)

    let bobTyped = ''
    for (const [i, mark] of cases.entries()) {
      await test.step(mark.tool, async () => {
        const block = i + 1
        await alice.focusEndOfBlock(block)
        await mark.switchOn(alice)
        await expect(alice.tool(mark.tool)).toHaveAttribute('aria-pressed', 'true')

        bobTyped += String(i)
        await bobTypes(bob, alice, String(i), bobTyped)

        await expect(alice.tool(mark.tool)).toHaveAttribute('aria-pressed', 'true')
        await alice.page.keyboard.type('x')
        for (const doc of [alice, bob]) {
          await expect(doc.block(block)).toHaveText(`line ${block}x`)
          await expect(doc.block(block).locator(mark.tag)).toHaveText('x')
        }
      })
    }
  })
}

test("a mark switched off at the caret stays off through someone else's edit", async ({ tandem, user }) => {
  const id = await tandem.createDoc('Marks off', `${BOB_LINE}\n\nplain **bold**`)
  const alice = await (await user('Alice')).open(id)
  const bob = await (await user('Bob')).open(id)
  await bob.focusEndOfBlock(0)

  await alice.focusEndOfBlock(1)
  await expect(alice.tool('bold')).toHaveAttribute('aria-pressed', 'true')
  await alice.page.keyboard.press('Control+b')
  await expect(alice.tool('bold')).toHaveAttribute('aria-pressed', 'false')

  await bobTypes(bob, alice, '!', '!')

  await expect(alice.tool('bold')).toHaveAttribute('aria-pressed', 'false')
  await alice.page.keyboard.type('x')
  for (const doc of [alice, bob]) {
    await expect(doc.block(1)).toHaveText('plain boldx')
    await expect(doc.block(1).locator('strong')).toHaveText('bold')
  }
})

test("someone else's typing does not split your undo steps", async ({ tandem, user }) => {
  const id = await tandem.createDoc('Undo steps', `${BOB_LINE}\n\nAlice writes here`)
  const alice = await (await user('Alice')).open(id)
  const bob = await (await user('Bob')).open(id)
  await bob.focusEndOfBlock(0)
  await alice.focusEndOfBlock(1)

  // The undo manager joins changes less than 500 ms apart into one step; Alice's keys here are
  // further apart (each waits for Bob's key to arrive), which alone would make one step each on
  // a slow machine. Lifting that limit leaves only what ends a step regardless of time, which is
  // what someone else's typing did: alone, Alice's whole burst is then one step.
  await alice.editor.evaluate((element) => {
    interface Plugin {
      key: string
      getState(state: unknown): { undoManager: { captureTimeout: number } }
    }
    const { state } = (element as HTMLElement & { editor: { state: { plugins: Plugin[] } } }).editor
    const undo = state.plugins.find((plugin) => plugin.key.startsWith('y-undo'))
    if (undo === undefined) throw new Error('no y-undo plugin')
    undo.getState(state).undoManager.captureTimeout = 3_600_000
  })

  let bobTyped = ''
  for (const [i, key] of [...' burst'].entries()) {
    await alice.page.keyboard.type(key)
    bobTyped += String(i)
    await bobTypes(bob, alice, String(i), bobTyped)
  }
  await expect(alice.block(1)).toHaveText('Alice writes here burst')

  await alice.page.keyboard.press('Control+z')
  for (const doc of [alice, bob]) {
    await expect(doc.block(1)).toHaveText('Alice writes here')
    await expect(doc.block(0)).toHaveText(BOB_LINE + bobTyped)
  }
  await expect(alice.tool('undo')).toHaveAttribute('aria-disabled', 'true')

  await alice.page.keyboard.press('Control+Shift+z')
  for (const doc of [alice, bob]) {
    await expect(doc.block(1)).toHaveText('Alice writes here burst')
    await expect(doc.block(0)).toHaveText(BOB_LINE + bobTyped)
  }
})

test("someone's name shows over their caret while they type, and fades a few seconds after", async ({
  tandem,
  user,
}) => {
  const id = await tandem.createDoc('Names', `${BOB_LINE}\n\nAlice reads here`)
  const alice = await (await user('Alice')).open(id)
  const bob = await (await user('Bob')).open(id)
  await bob.focusEndOfBlock(0)
  await bobTypes(bob, alice, '!', '!')
  /** The fade of Bob's name label (its CSS animation), as Alice's page runs it. */
  const fade = () =>
    alice.page.evaluate(() => {
      const caret = document.querySelector('[data-testid="remote-caret"][data-user-name="Bob"]')
      const animation = document
        .getAnimations()
        .find((a) => (a.effect as KeyframeEffect | null)?.target === caret && a instanceof CSSAnimation)
      if (caret === null || animation === undefined) return null
      const timing = (animation.effect as KeyframeEffect).getComputedTiming()
      const marked = (caret as HTMLElement & { seen?: boolean }).seen === true
      ;(caret as HTMLElement & { seen?: boolean }).seen = true
      return {
        name: (animation as CSSAnimation).animationName,
        pseudo: (animation.effect as KeyframeEffect).pseudoElement,
        delay: timing.delay,
        fill: timing.fill,
        marked,
        opacityAtEnd: (animation.effect as KeyframeEffect).getKeyframes().at(-1)?.opacity,
      }
    })
  await expect.poll(fade).toMatchObject({ name: 'caret-name', pseudo: '::after', delay: 3000, fill: 'forwards' })
  expect((await fade())?.opacityAtEnd).toBe('0')
  // Bob types again: his caret is drawn anew (not the element marked above), its fade starts over.
  await bobTypes(bob, alice, '?', '!?')
  await expect.poll(async () => (await fade())?.marked).toBe(false)
})

test('a long document: blocks off screen are not rendered, and a name over the first line still shows', async ({
  tandem,
  user,
}) => {
  // LONG_DOCUMENT_BLOCKS (web/editor/longDocument.ts) paragraphs and more.
  const paragraphs = Array.from({ length: 1200 }, (_, i) => `Paragraph ${i} of a long document.`)
  const id = await tandem.createDoc('Long', [BOB_LINE, ...paragraphs].join('\n\n'))
  const alice = await (await user('Alice')).open(id)
  const bob = await (await user('Bob')).open(id)
  await expect(alice.editor).toHaveClass(/\bis-long\b/)
  const visibility = (index: number) =>
    alice.editor.evaluate(
      (editor, index) => getComputedStyle(editor.children[index] as Element).contentVisibility,
      index,
    )
  expect(await visibility(1100)).toBe('auto')
  // Printed, every block is drawn.
  await alice.page.emulateMedia({ media: 'print' })
  expect(await visibility(1100)).toBe('visible')
  await alice.page.emulateMedia({ media: 'screen' })
  await bob.focusEndOfBlock(0)
  await bobTypes(bob, alice, '!', '!')
  // Bob's name label sits above the first line of the first block, outside that block's box:
  // painted there (the block's clip margin), not cut off by its containment. Read before it fades.
  const caret = alice.page.locator('[data-testid="remote-caret"][data-user-name="Bob"]')
  const box = await caret.boundingBox()
  if (box === null) throw new Error('no caret box')
  const shot = await alice.page.screenshot({ clip: { x: box.x + 6, y: box.y - 9, width: 1, height: 1 } })
  const pixel = onePixel(shot)
  const [r = 255, g = 255, b = 255] = pixel
  expect(r + g + b, `pixel ${pixel.join(',')}`).toBeLessThan(600)
  // Typing at the end of the long document reaches the other side.
  await alice.type(' The end.')
  await expect(bob.block(1200)).toHaveText('Paragraph 1199 of a long document. The end.')
})
