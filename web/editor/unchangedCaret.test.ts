// @vitest-environment happy-dom
/**
 * The caret plugin works out your caret again when your selection or the text moved, not after
 * someone else's caret moved. Each test also runs with upstream's plugin view.
 */
import { absolutePositionToRelativePosition, ySyncPluginKey } from '@tiptap/y-tiptap'
import { afterEach, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import {
  caretTransaction,
  endOf,
  forgetPeople,
  mappingLookups,
  pair,
  type Person,
  random,
  randomSelection,
  select,
  textPositions,
} from './testPeople'

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

  for (const fixed of [true, false]) {
    it(
      fixed
        ? 'is published as upstream’s relative positions, found without a walk over the blocks before it'
        : 'is found by a walk over the blocks before it without the fix (upstream)',
      () => {
        const { alice } = pair(
          Array.from({ length: 60 }, (_, i) => `Paragraph ${i}`),
          { configure: fixed ? {} : { collaborationCaret: { upstreamCaretView: true } } },
        )
        alice.editor.view.hasFocus = () => true
        const { type, mapping } = (
          ySyncPluginKey.getState(alice.editor.state) as {
            binding: { type: Y.XmlFragment; mapping: Map<unknown, unknown> }
          }
        ).binding
        const next = random(11)
        const published = () => alice.awareness.getLocalState()?.cursor as { anchor: unknown; head: unknown }
        for (let round = 0; round < 40; round++) {
          select(alice.editor, ...randomSelection(textPositions(alice.editor), next, 0.7))
          if (next() < 0.5) alice.editor.commands.insertContent('k')
          const { anchor, head } = alice.editor.state.selection
          for (const [position, pos] of [
            [published().anchor, anchor],
            [published().head, head],
          ] as const) {
            const upstream = absolutePositionToRelativePosition(pos, type, mapping as never)
            expect(
              Y.compareRelativePositions(Y.createRelativePositionFromJSON(position), upstream),
              `round ${round}`,
            ).toBe(true)
          }
        }
        // A keystroke in the 31st block: upstream's walk passes the 30 before it twice (anchor, head).
        select(alice.editor, endOf(alice.editor, 30) - 2)
        const lookups = mappingLookups(alice)
        alice.editor.commands.insertContent('k')
        if (fixed) expect(lookups()).toBeLessThan(10)
        else expect(lookups()).toBeGreaterThanOrEqual(2 * 30)
      },
    )
  }
})
