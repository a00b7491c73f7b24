// @vitest-environment happy-dom
/**
 * Alice's editor receives Bob's keystrokes (two Y.Docs relayed to each other as the server would,
 * each keystroke a task of its own, as WebSocket messages are). happy-dom lays nothing out, so
 * the binding's DOM measurement (`_isDomSelectionInView`) is replaced by what "the screen" shows,
 * and counted: where it runs is what `CursorInView` is about.
 */
import { ySyncPluginKey } from '@tiptap/y-tiptap'
import { afterEach, describe, expect, it, vi } from 'vitest'
import * as Y from 'yjs'
import { REMOTE, forgetPeople, person, twoDocs } from './testPeople'

interface Binding {
  _isLocalCursorInView(): boolean
  _isDomSelectionInView(): boolean
}

afterEach(forgetPeople)

function nextFrame(): Promise<void> {
  return new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)))
}

/** Alice (focused, her caret in the last paragraph) and Bob, typing into the first. */
function setup(withFix: boolean) {
  const docs = twoDocs(Array.from({ length: 20 }, (_, i) => `Paragraph ${i}`))
  const alice = person('Alice', docs[0], withFix ? [] : ['cursorInView']).editor
  const bob = person('Bob', docs[1]).editor
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
