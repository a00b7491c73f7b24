// @vitest-environment happy-dom
/**
 * The selection y-tiptap's undo plugin remembers (`prevSel`) for undo and redo to put the caret
 * back to: worked out for your own changes and for undo and redo, not for every transaction.
 * Each test also runs with upstream's plugin, so that an upgrade that makes the fix moot is
 * noticed.
 */
import type { Editor } from '@tiptap/core'
import { getRelativeSelection, ySyncPluginKey, yUndoPluginKey } from '@tiptap/y-tiptap'
import { afterEach, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import {
  caretTransaction,
  endOf,
  forgetPeople,
  mappingLookups,
  pair,
  random,
  select,
  textPositions,
} from './testPeople'

afterEach(forgetPeople)

function people(fixed: boolean) {
  return pair(['abc', 'Bob writes here'], {
    configure: fixed ? {} : { collaboration: { upstreamUndoSelection: true } },
  })
}

function prevSel(editor: Editor): unknown {
  return (yUndoPluginKey.getState(editor.state) as { prevSel: unknown }).prevSel
}

function paragraph(editor: Editor, index: number): string {
  return editor.state.doc.child(index).textContent
}

describe('the selection the undo plugin remembers', () => {
  for (const fixed of [true, false]) {
    it(
      fixed
        ? 'is not worked out again for someone else’s keystroke or caret, nor for a click'
        : 'is worked out again for every transaction without the fix (upstream)',
      async () => {
        const { alice, bob } = people(fixed)
        alice.editor.chain().setTextSelection(endOf(alice.editor, 0)).insertContent('d').run()
        const remembered = prevSel(alice.editor)
        expect(remembered).not.toBeNull()

        bob.editor.chain().setTextSelection(endOf(bob.editor, 1)).insertContent('!').run()
        expect(paragraph(alice.editor, 1)).toBe('Bob writes here!')
        bob.awareness.setLocalStateField('cursor', null)
        bob.awareness.setLocalStateField('user', { name: 'Bob moved' })
        await caretTransaction()
        alice.editor.commands.setTextSelection(2)
        expect(prevSel(alice.editor) === remembered).toBe(fixed)
      },
    )

    it(`${fixed ? '' : '(upstream) '}undo and redo work as before, the undo leaving the caret where you are`, () => {
      const { alice, bob } = people(fixed)
      alice.editor.chain().setTextSelection(endOf(alice.editor, 0)).insertContent('d').run()
      alice.editor.commands.setTextSelection(endOf(alice.editor, 1))
      bob.editor.chain().setTextSelection(1).insertContent('12').run()
      expect(paragraph(alice.editor, 0)).toBe('12abcd')

      alice.editor.commands.undo()
      expect(paragraph(alice.editor, 0)).toBe('12abc')
      expect(alice.editor.state.selection.head).toBe(endOf(alice.editor, 1))
      alice.editor.commands.redo()
      expect(paragraph(alice.editor, 0)).toBe('12abcd')
      expect(bob.editor.getText()).toBe(alice.editor.getText())
    })
  }

  it('is worked out for your keystroke as upstream works it out, without a walk over the blocks before it', () => {
    const { alice } = pair(Array.from({ length: 60 }, (_, i) => `Paragraph ${i}`))
    const binding = (ySyncPluginKey.getState(alice.editor.state) as { binding: unknown }).binding
    const next = random(7)
    for (let round = 0; round < 40; round++) {
      const positions = textPositions(alice.editor)
      const at = positions[Math.floor(next() * positions.length)] as number
      // A caret (typing over a selection may bring appended transactions of their own).
      select(alice.editor, at)
      const before = alice.editor.state
      alice.editor.commands.insertContent('k')
      const upstream = getRelativeSelection(binding as never, before)
      const remembered = prevSel(alice.editor) as typeof upstream
      expect(Y.compareRelativePositions(remembered.anchor, upstream.anchor), `round ${round}`).toBe(true)
      expect(Y.compareRelativePositions(remembered.head, upstream.head), `round ${round}`).toBe(true)
    }
    // A keystroke in the 31st block: upstream's walk passes the 30 before it twice (anchor, head).
    select(alice.editor, endOf(alice.editor, 30) - 2)
    const lookups = mappingLookups(alice)
    alice.editor.commands.insertContent('k')
    expect(lookups()).toBeLessThan(10)
  })
})
