// @vitest-environment happy-dom
/**
 * Your changes reach Yjs — and the other person — as before, whether written as a change of one
 * block or, for anything else, by upstream's write of the whole document; a keystroke no longer
 * looks at every block. Each test also runs with upstream's writes.
 */
import type { Editor } from '@tiptap/core'
import { yXmlFragmentToProseMirrorRootNode, ySyncPluginKey } from '@tiptap/y-tiptap'
import { afterEach, describe, expect, it, vi } from 'vitest'
import * as Y from 'yjs'
import { DOCUMENT_FIELD } from '../sync/session'
import { type Person, endOf, forgetPeople, pair } from './testPeople'

afterEach(() => {
  vi.restoreAllMocks()
  forgetPeople()
})

function people(fixed: boolean): { alice: Person; bob: Person } {
  return pair(['First paragraph', 'Second paragraph', 'Third paragraph'], {
    configure: fixed ? {} : { collaboration: { upstreamLocalWrites: true } },
  })
}

/** Alice's Yjs document holds what her editor shows, and Bob's editor shows it too. */
function expectInSync(alice: Person, bob: Person): void {
  const inYjs = yXmlFragmentToProseMirrorRootNode(alice.doc.getXmlFragment(DOCUMENT_FIELD), alice.editor.schema)
  expect(inYjs.toJSON()).toEqual(alice.editor.state.doc.toJSON())
  expect(bob.editor.getJSON()).toEqual(alice.editor.getJSON())
}

function startOf(editor: Editor, index: number): number {
  return endOf(editor, index) - editor.state.doc.child(index).content.size
}

describe('your changes written to Yjs', () => {
  for (const fixed of [true, false]) {
    it(`${fixed ? '' : '(upstream) '}reach Yjs and the other person: text, marks, attributes, lists, splits, joins`, () => {
      const { alice, bob } = people(fixed)
      const edits: Array<(editor: Editor) => void> = [
        (editor) => editor.chain().setTextSelection(endOf(editor, 1)).insertContent(' typed').run(),
        (editor) =>
          editor
            .chain()
            .setTextSelection({ from: startOf(editor, 1), to: startOf(editor, 1) + 6 })
            .toggleBold()
            .run(),
        // Two blocks changed, none added or removed: not a change of one block.
        (editor) =>
          editor
            .chain()
            .setTextSelection({ from: startOf(editor, 1) + 1, to: endOf(editor, 2) - 1 })
            .toggleItalic()
            .run(),
        (editor) => editor.chain().setTextSelection(startOf(editor, 0)).setNode('heading', { level: 2 }).run(),
        (editor) => editor.chain().setTextSelection(startOf(editor, 0)).setNode('heading', { level: 3 }).run(),
        (editor) => editor.chain().setTextSelection(startOf(editor, 2)).toggleBulletList().run(),
        (editor) =>
          editor
            .chain()
            .setTextSelection(endOf(editor, 2) - 2)
            .insertContent(' in a list')
            .run(),
        (editor) =>
          editor
            .chain()
            .setTextSelection(startOf(editor, 1) + 3)
            .splitBlock()
            .run(),
        (editor) => editor.chain().setTextSelection(startOf(editor, 2)).joinBackward().run(),
        (editor) =>
          editor
            .chain()
            .setTextSelection({ from: startOf(editor, 0) + 2, to: endOf(editor, 1) - 2 })
            .deleteSelection()
            .run(),
        (editor) =>
          editor
            .chain()
            .setTextSelection(startOf(editor, 0))
            .deleteRange({ from: startOf(editor, 0), to: startOf(editor, 0) + 1 })
            .run(),
      ]
      for (const edit of edits) {
        edit(alice.editor)
        expectInSync(alice, bob)
      }
      expect(alice.editor.state.doc.child(0).type.name).toBe('heading')
      expect(alice.editor.getText()).toContain('in a list')
    })

    it(
      fixed
        ? 'a keystroke in a block lists no other block and saves no selection'
        : 'a keystroke lists every block and saves the selection twice without the fix (upstream)',
      () => {
        const { alice, bob } = people(fixed)
        const fragment = alice.doc.getXmlFragment(DOCUMENT_FIELD)
        const binding = ySyncPluginKey.getState(alice.editor.state).binding as { beforeTransactionSelection: unknown }
        const saved: unknown[] = []
        alice.doc.on('afterTransaction', (transaction: Y.Transaction) => {
          if (transaction.origin === ySyncPluginKey) saved.push(binding.beforeTransactionSelection)
        })
        const toArray = vi.spyOn(Y.XmlFragment.prototype, 'toArray')
        alice.editor.chain().setTextSelection(endOf(alice.editor, 1)).insertContent('x').run()
        expect(bob.editor.state.doc.child(1).textContent).toBe('Second paragraphx')
        const listedAll = toArray.mock.contexts.filter((context) => context === fragment).length
        expect(listedAll).toBe(fixed ? 0 : 1)
        expect(saved).toHaveLength(1)
        expect(saved[0] === null).toBe(fixed)
      },
    )
  }
})
