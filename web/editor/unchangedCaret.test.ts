// @vitest-environment happy-dom
/**
 * The caret plugin works out your caret again when your selection or the text moved, not after
 * someone else's caret moved. Each test also runs with upstream's plugin view.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { type Person, caretTransaction, endOf, forgetPeople, mappingLookups, pair } from './testPeople'

afterEach(forgetPeople)

function people(fixed: boolean): { alice: Person; bob: Person } {
  const both = pair(['Alice writes here', 'Bob writes here'], {
    configure: fixed ? {} : { collaborationCaret: { upstreamCaretView: true } },
  })
  // happy-dom has no focus to speak of; the caret is published only while focused.
  both.alice.editor.view.hasFocus = () => true
  return both
}

describe('your caret', () => {
  for (const fixed of [true, false]) {
    it(
      fixed
        ? 'is not worked out again when someone else’s caret moves'
        : 'is worked out again when someone else’s caret moves without the fix (upstream)',
      async () => {
        const { alice, bob } = people(fixed)
        alice.editor.commands.setTextSelection(endOf(alice.editor, 0))
        const published = () => alice.awareness.getLocalState()?.cursor as { head: unknown } | undefined
        expect(published()).toBeDefined()
        const counted = mappingLookups(alice)

        bob.awareness.setLocalStateField('cursor', null)
        await caretTransaction()
        expect(counted() === 0).toBe(fixed)

        // Moving it still publishes it.
        const before = published()
        alice.editor.commands.setTextSelection(endOf(alice.editor, 1))
        expect(published()).not.toEqual(before)
      },
    )
  }
})
