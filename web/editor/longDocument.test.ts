// @vitest-environment happy-dom
/** A document of LONG_DOCUMENT_BLOCKS top-level blocks or more marks its editor `is-long` (styles.css). */
import { afterEach, describe, expect, it } from 'vitest'
import { LONG_DOCUMENT_BLOCKS } from './longDocument'
import { endOf, forgetPeople, pair } from './testPeople'

afterEach(forgetPeople)

describe('a long document', () => {
  it('marks its editor, and a shorter one does not, as blocks come and go', () => {
    const { alice, bob } = pair(Array.from({ length: LONG_DOCUMENT_BLOCKS - 1 }, (_, i) => `Paragraph ${i}`))
    const dom = alice.editor.view.dom
    expect(dom.classList.contains('is-long')).toBe(false)
    expect(dom.classList.contains('prose') || dom.classList.contains('ProseMirror')).toBe(true)
    bob.editor.chain().setTextSelection(endOf(bob.editor, 3)).splitBlock().run()
    expect(alice.editor.state.doc.childCount).toBe(LONG_DOCUMENT_BLOCKS)
    expect(dom.classList.contains('is-long')).toBe(true)
    expect(dom.classList.contains('ProseMirror')).toBe(true)
    alice.editor.commands.deleteRange({ from: endOf(alice.editor, 4), to: endOf(alice.editor, 5) })
    expect(bob.editor.state.doc.childCount).toBe(LONG_DOCUMENT_BLOCKS - 1)
    expect(dom.classList.contains('is-long')).toBe(false)
  })
})
