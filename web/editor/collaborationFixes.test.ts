// @vitest-environment happy-dom
/**
 * Two editors with the app's extensions on two Y.Docs, wired to each other as the server would
 * (document updates and awareness), so that "someone else" edits while we look at one editor's
 * stored marks and undo stack. Each test also runs without CollaborationFixes and expects the
 * upstream glitch, so that it notices when an upgrade of @tiptap/y-tiptap makes the fix moot.
 */
import type { Editor } from '@tiptap/core'
import { yUndoPluginKey } from '@tiptap/y-tiptap'
import { afterEach, describe, expect, it } from 'vitest'
import type * as Y from 'yjs'
import { type Person, caretTransaction, clickInto, endOf, forgetPeople, pair, watcher } from './testPeople'

afterEach(forgetPeople)

/** Alice and Bob on one document of two paragraphs, their updates relayed to each other at once. */
function people(withFixes: boolean): { alice: Person; bob: Person } {
  return pair(['Bob writes here', 'Alice writes here'], { without: withFixes ? [] : ['collaborationFixes'] })
}

/**
 * Bob types at the end of his paragraph and his caret moves (awareness). The caret plugin turns
 * awareness changes into a transaction one macrotask later (y-tiptap batches them with a 0 ms
 * timeout), so this waits for one macrotask after it.
 */
async function bobTypes(bob: Person, text: string): Promise<void> {
  bob.editor.chain().setTextSelection(endOf(bob.editor, 0)).insertContent(text).run()
  bob.awareness.setLocalStateField('typing', text)
  await caretTransaction()
}

function undoManager(editor: Editor): Y.UndoManager {
  return yUndoPluginKey.getState(editor.state).undoManager as Y.UndoManager
}

describe('marks switched at the caret', () => {
  for (const withFixes of [true, false]) {
    it(withFixes ? 'survive an edit by someone else' : 'are lost without the fix (upstream)', async () => {
      const { alice, bob } = people(withFixes)
      alice.editor.commands.setTextSelection(endOf(alice.editor, 1))
      alice.editor.commands.toggleBold()
      alice.editor.commands.toggleItalic()
      expect(alice.editor.isActive('bold')).toBe(true)

      await bobTypes(bob, '!')
      expect(alice.editor.getText()).toContain('Bob writes here!')

      expect(alice.editor.isActive('bold')).toBe(withFixes)
      expect(alice.editor.isActive('italic')).toBe(withFixes)
      alice.editor.commands.insertContent('x')
      const marks = alice.editor.state.doc.child(1).lastChild?.marks.map((mark) => mark.type.name) ?? []
      expect(marks.sort()).toEqual(withFixes ? ['bold', 'italic'] : [])
    })
  }

  it('survive someone typing before the caret, in the same paragraph', async () => {
    const { alice, bob } = people(true)
    alice.editor.commands.setTextSelection(endOf(alice.editor, 1))
    alice.editor.commands.toggleBold()
    const caret = alice.editor.state.selection.head

    bob.editor
      .chain()
      .setTextSelection(endOf(bob.editor, 0) + 2)
      .insertContent('>> ')
      .run()

    expect(alice.editor.state.doc.child(1).textContent).toBe('>> Alice writes here')
    expect(alice.editor.state.selection.head).toBe(caret + 3)
    expect(alice.editor.isActive('bold')).toBe(true)
  })

  it('stay switched off inside formatted text', async () => {
    const { alice, bob } = people(true)
    alice.editor
      .chain()
      .setTextSelection({ from: endOf(alice.editor, 1) - 4, to: endOf(alice.editor, 1) })
      .setBold()
      .setTextSelection(endOf(alice.editor, 1))
      .run()
    expect(alice.editor.isActive('bold')).toBe(true)
    alice.editor.commands.toggleBold()
    expect(alice.editor.isActive('bold')).toBe(false)

    await bobTypes(bob, '!')

    expect(alice.editor.isActive('bold')).toBe(false)
    alice.editor.commands.insertContent('x')
    expect(alice.editor.state.doc.child(1).lastChild?.text).toBe('x')
    expect(alice.editor.state.doc.child(1).lastChild?.marks).toEqual([])
  })

  it('are not restored when the caret lands where the mark is not allowed', () => {
    const { alice, bob } = people(true)
    alice.editor.commands.setTextSelection(endOf(alice.editor, 1))
    alice.editor.commands.toggleBold()
    // Bob turns Alice's paragraph into a code block, which allows no marks.
    bob.editor.chain().setTextSelection(endOf(bob.editor, 1)).setCodeBlock().run()

    expect(alice.editor.state.doc.child(1).type.name).toBe('codeBlock')
    expect(alice.editor.isActive('bold')).toBe(false)
  })
})

describe('undo steps', () => {
  for (const withFixes of [true, false]) {
    it(withFixes ? 'are not split by someone else typing' : 'are split without the fix (upstream)', async () => {
      const { alice, bob } = people(withFixes)
      // Grouping by time is the UndoManager's own; with a long timeout only stopCapturing() splits.
      undoManager(alice.editor).captureTimeout = 60_000
      alice.editor.commands.setTextSelection(endOf(alice.editor, 1))
      // Alone, with the same pauses between keys: one step.
      for (const key of 'alone') {
        alice.editor.commands.insertContent(key)
        await new Promise((resolve) => setTimeout(resolve, 0))
      }
      expect(undoManager(alice.editor).undoStack).toHaveLength(1)
      alice.editor.commands.undo()
      expect(undoManager(alice.editor).undoStack).toHaveLength(0)

      for (const [i, key] of [...'burst'].entries()) {
        alice.editor.commands.insertContent(key)
        await bobTypes(bob, String(i))
      }
      expect(alice.editor.getText()).toContain('Bob writes here01234')
      expect(undoManager(alice.editor).undoStack).toHaveLength(withFixes ? 1 : 5)

      alice.editor.commands.undo()
      const text = alice.editor.state.doc.textBetween(0, alice.editor.state.doc.content.size, '\n')
      expect(text).toBe(
        withFixes ? 'Bob writes here01234\nAlice writes here' : 'Bob writes here01234\nAlice writes hereburs',
      )
      expect(bob.editor.getText()).toBe(alice.editor.getText())
    })
  }

  it('still end at a local change kept out of history (the binding’s own use of stopCapturing)', () => {
    const { alice } = people(true)
    undoManager(alice.editor).captureTimeout = 60_000
    alice.editor.commands.setTextSelection(endOf(alice.editor, 1))
    alice.editor.commands.insertContent('a')
    alice.editor.view.dispatch(alice.editor.state.tr.insertText('-').setMeta('addToHistory', false))
    alice.editor.commands.insertContent('b')
    expect(undoManager(alice.editor).undoStack).toHaveLength(2)
  })
})

describe('a remote change', () => {
  it('is applied as one transaction: the fixes are made to it, not appended', () => {
    const { alice, bob } = people(true)
    alice.editor.commands.setTextSelection(endOf(alice.editor, 1))
    alice.editor.commands.toggleBold()
    const appended: number[] = []
    alice.editor.on('transaction', ({ appendedTransactions }) => appended.push(appendedTransactions.length))
    bob.editor.chain().setTextSelection(endOf(bob.editor, 0)).insertContent('!').run()
    expect(alice.editor.getText()).toContain('Bob writes here!')
    expect(appended).toEqual([0])
    expect(alice.editor.isActive('bold')).toBe(true)
  })
})

describe('a click not yet read by ProseMirror', () => {
  for (const withFixes of [true, false]) {
    it(
      withFixes
        ? 'is where the caret stays when someone else’s change arrives first'
        : 'is undone by someone else’s change without the fix (upstream)',
      async () => {
        const { alice, bob } = people(withFixes)
        alice.editor.commands.setTextSelection(2)
        const before = alice.editor.state.selection.from
        const selectionChanged = clickInto(alice.editor, 1, 5)
        expect(alice.editor.state.selection.from).toBe(before)
        // Bob's keystroke reaches Alice before the browser's selectionchange event does.
        bob.editor.chain().setTextSelection(endOf(bob.editor, 0)).insertContent('!').run()
        selectionChanged()
        const inSecond = endOf(alice.editor, 0) + 2 + 5
        expect(alice.editor.state.selection.from).toBe(withFixes ? inSecond : before)
        alice.editor.commands.insertContent('X')
        expect(alice.editor.getText()).toContain(withFixes ? 'AliceX writes here' : 'BXob writes here!')
      },
    )
  }

  for (const withFixes of [true, false]) {
    it(
      withFixes
        ? 'is where the caret stays when someone else’s caret moves first'
        : 'is undone by someone else’s caret moving without the fix (upstream)',
      async () => {
        const { alice } = people(withFixes)
        // Carol has no editor here: the one editor with focus is Alice's, and an editor without
        // it takes its caret back.
        const carol = watcher(alice, 'Carol')
        carol.moveTo(0, 3)
        await caretTransaction()
        alice.editor.commands.setTextSelection(2)
        const before = alice.editor.state.selection.from
        const selectionChanged = clickInto(alice.editor, 1, 5)
        // Carol's caret moves, and Alice's caret plugin redraws it before the selectionchange event.
        carol.moveTo(0, 4)
        await caretTransaction()
        selectionChanged()
        const inSecond = endOf(alice.editor, 0) + 2 + 5
        expect(alice.editor.state.selection.from).toBe(withFixes ? inSecond : before)
        // The redraw was applied: Carol's caret is drawn where she moved it.
        const caret = alice.editor.view.dom.querySelector('.collaboration-carets__caret')
        expect(caret?.previousSibling?.textContent).toBe('Bob ')
      },
    )
  }
})
