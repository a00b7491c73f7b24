// @vitest-environment happy-dom
/**
 * Alice's editor receives Bob's keystrokes (two Y.Docs relayed to each other as the server would,
 * each keystroke a task of its own, as WebSocket messages are). happy-dom lays nothing out, so
 * the binding's DOM measurement (`_isDomSelectionInView`) is replaced by what "the screen" shows,
 * and counted: where it runs is what `CursorInView` is about.
 */
import { Editor, type Extensions } from '@tiptap/core'
import { ySyncPluginKey } from '@tiptap/y-tiptap'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { Awareness } from 'y-protocols/awareness'
import type { WebsocketProvider } from 'y-websocket'
import * as Y from 'yjs'
import { DOCUMENT_FIELD } from '../sync/session'
import { editorExtensions } from './extensions'

const REMOTE = 'remote'

interface Binding {
  _isLocalCursorInView(): boolean
  _isDomSelectionInView(): boolean
}

let cleanups: (() => void)[] = []

afterEach(() => {
  for (const cleanup of cleanups) cleanup()
  cleanups = []
  document.body.replaceChildren()
})

function editorOn(doc: Y.Doc, name: string, withFix: boolean): Editor {
  const awareness = new Awareness(doc)
  const provider = { awareness } as unknown as WebsocketProvider
  const extensions: Extensions = editorExtensions({
    doc,
    provider,
    identity: { id: name, name, color: '#1971c2' },
  }).filter((extension) => withFix || extension.name !== 'cursorInView')
  const element = document.createElement('div')
  document.body.append(element)
  const editor = new Editor({ element, extensions })
  cleanups.push(() => {
    editor.destroy()
    awareness.destroy()
    doc.destroy()
  })
  return editor
}

function nextFrame(): Promise<void> {
  return new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)))
}

/** Alice (focused, her caret in the last paragraph) and Bob, typing into the first. */
function setup(withFix: boolean) {
  const seed = new Y.Doc()
  const paragraphs = Array.from({ length: 20 }, (_, i) => {
    const element = new Y.XmlElement('paragraph')
    element.insert(0, [new Y.XmlText(`Paragraph ${i}`)])
    return element
  })
  seed.getXmlFragment(DOCUMENT_FIELD).push(paragraphs)
  const docs = [new Y.Doc(), new Y.Doc()] as const
  for (const doc of docs) Y.applyUpdate(doc, Y.encodeStateAsUpdate(seed), REMOTE)
  const alice = editorOn(docs[0], 'Alice', withFix)
  const bob = editorOn(docs[1], 'Bob', true)
  const counts = { asked: 0, inRemoteChange: 0, elsewhere: 0 }
  let applying = false
  const screen = { caretShown: true }
  const binding = ySyncPluginKey.getState(alice.state).binding as Binding
  const ask = binding._isLocalCursorInView.bind(binding)
  binding._isLocalCursorInView = () => {
    counts.asked++
    return ask()
  }
  binding._isDomSelectionInView = () => {
    if (applying) counts.inRemoteChange++
    else counts.elsewhere++
    return screen.caretShown
  }
  alice.view.hasFocus = () => true
  alice.commands.setTextSelection(alice.state.doc.content.size - 2)
  docs[1].on('update', (update: Uint8Array, origin: unknown) => {
    if (origin === REMOTE) return
    applying = true
    try {
      Y.applyUpdate(docs[0], update, REMOTE)
    } finally {
      applying = false
    }
  })
  const scroll = vi.spyOn(alice.view as unknown as { scrollToSelection: () => void }, 'scrollToSelection')
  /** Bob's keystrokes, each in a task of its own. */
  async function bobTypes(keystrokes: number): Promise<void> {
    for (let i = 0; i < keystrokes; i++) {
      bob.chain().setTextSelection(11).insertContent('x').run()
      await new Promise((resolve) => setTimeout(resolve, 0))
    }
  }
  return { alice, binding, counts, screen, scroll, bobTypes }
}

describe('whether your caret is on screen, when someone else types', () => {
  it('is measured in animation frames, not inside their keystrokes', async () => {
    const { alice, counts, bobTypes } = setup(true)
    await nextFrame()
    const measured = counts.elsewhere
    expect(measured).toBeGreaterThan(0)
    await bobTypes(5)
    expect(alice.state.doc.firstChild?.textContent).toBe('Paragraph xxxxx0')
    expect(counts.asked).toBe(5)
    expect(counts.inRemoteChange).toBe(0)
    await nextFrame()
    expect(counts.elsewhere).toBeGreaterThan(measured)
  })

  // lib0 tells the binding it is not in a browser here (Node's \`process\`), and then it never
  // measures; so this checks that upstream asks on every keystroke and that its answer, in a
  // browser, is a measurement of the DOM selection made there and then.
  it('is asked on each of their keystrokes, and measured then, without the fix (upstream)', async () => {
    const { binding, counts, bobTypes } = setup(false)
    await bobTypes(5)
    expect(counts.asked).toBe(5)
    const upstream = Object.getPrototypeOf(binding) as Binding
    expect(upstream._isLocalCursorInView.toString()).toContain('this._isDomSelectionInView()')
  })

  it('keeps the caret in view only when it was on screen in the last frame', async () => {
    const { alice, screen, scroll, bobTypes } = setup(true)
    screen.caretShown = false
    alice.commands.setTextSelection(alice.state.doc.content.size - 3)
    await nextFrame()
    await bobTypes(2)
    await nextFrame()
    expect(scroll).not.toHaveBeenCalled()

    screen.caretShown = true
    alice.commands.setTextSelection(alice.state.doc.content.size - 2)
    await nextFrame()
    await bobTypes(2)
    await nextFrame()
    expect(scroll).toHaveBeenCalled()
  })
})
