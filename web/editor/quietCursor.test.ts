// @vitest-environment happy-dom
/**
 * Alice and Bob, both focused, their document updates and awareness relayed to each other at
 * once as the server would. What Alice's browser would send of her caret is counted (her
 * awareness updates of origin "local": y-websocket sends each one).
 */
import type { DecorationSet } from '@tiptap/pm/view'
import { yCursorPluginKey } from '@tiptap/y-tiptap'
import { afterEach, describe, expect, it } from 'vitest'
import type * as Y from 'yjs'
import { type Person, endOf, forgetPeople, person, relay, twoDocs } from './testPeople'

afterEach(forgetPeople)

/** Someone focused in an editor, with or without the fix. */
function focused(name: string, doc: Y.Doc, withFix: boolean): Person {
  const created = person(name, doc, withFix ? [] : ['quietCursor'])
  created.editor.view.hasFocus = () => true
  return created
}

function tick(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0))
}

async function setup(withFix: boolean) {
  const docs = twoDocs(['Bob writes here', 'Alice writes here', 'The end'])
  const alice = focused('Alice', docs[0], withFix)
  const bob = focused('Bob', docs[1], withFix)
  relay(alice, bob)
  alice.editor.commands.setTextSelection(endOf(alice.editor, 1) - 6)
  bob.editor.commands.setTextSelection(endOf(bob.editor, 0))
  await tick()
  const sent = { alice: 0 }
  alice.awareness.on('update', (_: unknown, origin: unknown) => {
    if (origin === 'local') sent.alice++
  })
  return { alice, bob, sent }
}

function caretsShownTo(person: Person): number {
  return (yCursorPluginKey.getState(person.editor.state) as DecorationSet).find().length
}

describe('your caret, while someone else types', () => {
  it('is not sent again after their keystrokes when it did not change', async () => {
    const { alice, bob, sent } = await setup(true)
    for (const key of 'abc') bob.editor.commands.insertContent(key)
    await tick()
    expect(alice.editor.state.doc.firstChild?.textContent).toBe('Bob writes hereabc')
    expect(sent.alice).toBe(0)
    // It still goes out when it moves.
    alice.editor.commands.setTextSelection(endOf(alice.editor, 1))
    expect(sent.alice).toBe(1)
  })

  it('is sent again after every keystroke of theirs without the fix (upstream)', async () => {
    const { alice, bob, sent } = await setup(false)
    for (const key of 'abc') bob.editor.commands.insertContent(key)
    await tick()
    expect(alice.editor.state.doc.firstChild?.textContent).toBe('Bob writes hereabc')
    expect(sent.alice).toBe(3)
  })

  it('is sent again after a change to the blocks, for whoever made it to see it again', async () => {
    const { bob, sent } = await setup(true)
    bob.editor.commands.splitBlock()
    await tick()
    expect(sent.alice).toBeGreaterThan(0)
  })
})

describe('the others’ carets after an edit of yours', () => {
  it('come back after a paragraph is replaced by another (structural to ProseMirror, text to Yjs)', async () => {
    const { alice } = await setup(true)
    expect(caretsShownTo(alice)).toBeGreaterThan(0)
    const { schema, state } = alice.editor
    // The last paragraph, away from Alice's caret (a caret of hers that moved would redraw them too).
    const start = endOf(alice.editor, 1) + 1
    const end = start + state.doc.child(2).nodeSize
    alice.editor.view.dispatch(
      state.tr.replaceWith(start, end, schema.node('paragraph', null, schema.text('The new end'))),
    )
    expect(alice.editor.state.doc.child(2).textContent).toBe('The new end')
    // The caret plugin hides them on a structural edit of one's own (upstream) …
    expect(caretsShownTo(alice)).toBe(0)
    await tick()
    // … and they are drawn again, though nobody sent a caret.
    expect(caretsShownTo(alice)).toBeGreaterThan(0)
  })
})
