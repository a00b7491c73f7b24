// @vitest-environment happy-dom
/**
 * The caret plugin works out your caret again when your selection or the text moved, not after
 * someone else's caret moved. Each test also runs with upstream's plugin view.
 */
import { ySyncPluginKey } from '@tiptap/y-tiptap'
import { afterEach, describe, expect, it } from 'vitest'
import { type Person, endOf, forgetPeople, person, relay, twoDocs } from './testPeople'

afterEach(forgetPeople)

function pair(fixed: boolean): { alice: Person; bob: Person } {
  const docs = twoDocs(['Alice writes here', 'Bob writes here'])
  const configure: Record<string, object> = fixed ? {} : { collaborationCaret: { upstreamCaretView: true } }
  const alice = person('Alice', docs[0], [], configure)
  // happy-dom has no focus to speak of; the caret is published only while focused.
  alice.editor.view.hasFocus = () => true
  const bob = person('Bob', docs[1], [], configure)
  relay(alice, bob)
  return { alice, bob }
}

/** Counts the lookups in Alice's binding mapping: each position walk makes one per block it passes. */
function lookups(alice: Person): () => number {
  const mapping = (ySyncPluginKey.getState(alice.editor.state) as { binding: { mapping: Map<unknown, unknown> } })
    .binding.mapping
  let count = 0
  const get = mapping.get.bind(mapping)
  mapping.get = (key: unknown) => {
    count++
    return get(key)
  }
  return () => count
}

/** The caret plugin dispatches awareness changes one macrotask later. */
const caretTransaction = () => new Promise((resolve) => setTimeout(resolve, 0))

describe('your caret', () => {
  for (const fixed of [true, false]) {
    it(
      fixed
        ? 'is not worked out again when someone else’s caret moves'
        : 'is worked out again when someone else’s caret moves without the fix (upstream)',
      async () => {
        const { alice, bob } = pair(fixed)
        alice.editor.commands.setTextSelection(endOf(alice.editor, 0))
        const published = () => alice.awareness.getLocalState()?.cursor as { head: unknown } | undefined
        expect(published()).toBeDefined()
        const counted = lookups(alice)

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
