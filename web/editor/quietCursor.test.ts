// @vitest-environment happy-dom
/**
 * Alice and Bob, both focused, their document updates and awareness relayed to each other at
 * once as the server would. What Alice's browser would send of her caret is counted (her
 * awareness updates of origin "local": y-websocket sends each one).
 */
import { Editor, type Extensions } from '@tiptap/core'
import type { DecorationSet } from '@tiptap/pm/view'
import { yCursorPluginKey } from '@tiptap/y-tiptap'
import { afterEach, describe, expect, it } from 'vitest'
import { Awareness, applyAwarenessUpdate, encodeAwarenessUpdate } from 'y-protocols/awareness'
import type { WebsocketProvider } from 'y-websocket'
import * as Y from 'yjs'
import { DOCUMENT_FIELD } from '../sync/session'
import { editorExtensions } from './extensions'

const REMOTE = 'remote'

interface Person {
  editor: Editor
  doc: Y.Doc
  awareness: Awareness
}

let cleanups: (() => void)[] = []

afterEach(() => {
  for (const cleanup of cleanups) cleanup()
  cleanups = []
  document.body.replaceChildren()
})

function person(name: string, doc: Y.Doc, withFix: boolean): Person {
  const awareness = new Awareness(doc)
  const provider = { awareness } as unknown as WebsocketProvider
  const extensions: Extensions = editorExtensions({
    doc,
    provider,
    identity: { id: name, name, color: '#1971c2' },
  }).filter((extension) => withFix || extension.name !== 'quietCursor')
  const element = document.createElement('div')
  document.body.append(element)
  const editor = new Editor({ element, extensions })
  editor.view.hasFocus = () => true
  cleanups.push(() => {
    editor.destroy()
    awareness.destroy()
    doc.destroy()
  })
  return { editor, doc, awareness }
}

function tick(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0))
}

/** End of the `index`-th paragraph's text. */
function endOf(editor: Editor, index: number): number {
  let end = -1
  editor.state.doc.forEach((node, offset, i) => {
    if (i === index) end = offset + node.nodeSize - 1
  })
  return end
}

async function setup(withFix: boolean) {
  const seed = new Y.Doc()
  seed.getXmlFragment(DOCUMENT_FIELD).push(
    ['Bob writes here', 'Alice writes here', 'The end'].map((text) => {
      const element = new Y.XmlElement('paragraph')
      element.insert(0, [new Y.XmlText(text)])
      return element
    }),
  )
  const docs = [new Y.Doc(), new Y.Doc()] as const
  for (const doc of docs) Y.applyUpdate(doc, Y.encodeStateAsUpdate(seed), REMOTE)
  const alice = person('Alice', docs[0], withFix)
  const bob = person('Bob', docs[1], withFix)
  for (const [from, to] of [
    [alice, bob],
    [bob, alice],
  ] as const) {
    from.doc.on('update', (update: Uint8Array, origin: unknown) => {
      if (origin !== REMOTE) Y.applyUpdate(to.doc, update, REMOTE)
    })
    type Changes = { added: number[]; updated: number[]; removed: number[] }
    from.awareness.on('update', ({ added, updated, removed }: Changes, origin: unknown) => {
      if (origin === REMOTE) return
      applyAwarenessUpdate(
        to.awareness,
        encodeAwarenessUpdate(from.awareness, [...added, ...updated, ...removed]),
        REMOTE,
      )
    })
  }
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
