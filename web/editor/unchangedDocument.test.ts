// @vitest-environment happy-dom
/**
 * The sync plugin writes the document to Yjs after your changes, not after transactions that
 * leave it as it was. Each test also runs with upstream's plugin view, so that an upgrade that
 * makes the fix moot is noticed.
 */
import { afterEach, describe, expect, it } from 'vitest'
import type * as Y from 'yjs'
import { caretTransaction, endOf, forgetPeople, pair } from './testPeople'

afterEach(forgetPeople)

function people(fixed: boolean) {
  return pair(['abc', 'Bob writes here'], { configure: fixed ? {} : { collaboration: { upstreamSyncView: true } } })
}

/** Counts the Yjs transactions on `doc` from now on. */
function transactions(doc: Y.Doc): () => number {
  let count = 0
  doc.on('beforeTransaction', () => count++)
  return () => count
}

describe('a transaction that leaves the document as it was', () => {
  for (const fixed of [true, false]) {
    it(
      fixed
        ? 'is not written to Yjs: a click, someone’s caret moving'
        : 'is written to Yjs as an empty transaction without the fix (upstream)',
      async () => {
        const { alice, bob } = people(fixed)
        const counted = transactions(alice.doc)
        alice.editor.commands.setTextSelection(2)
        bob.awareness.setLocalStateField('cursor', null)
        await caretTransaction()
        expect(counted()).toBe(fixed ? 0 : 2)

        // A change still is, and reaches Bob.
        alice.editor.chain().setTextSelection(endOf(alice.editor, 0)).insertContent('d').run()
        expect(counted()).toBe(fixed ? 1 : 3)
        expect(bob.editor.state.doc.child(0).textContent).toBe('abcd')
      },
    )
  }
})
