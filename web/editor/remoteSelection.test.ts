// @vitest-environment happy-dom
/**
 * Your selection across someone else's changes: Alice (with the fix) and Carol (upstream's
 * binding, without it) hold the same selection while Bob edits; after each of his changes both
 * must hold the same selection and document. What Alice's binding saves must be upstream's
 * relative positions, and a remote keystroke must not walk the blocks before her caret.
 */
import { getRelativeSelection, relativePositionToAbsolutePosition } from '@tiptap/y-tiptap'
import { afterEach, describe, expect, it, vi } from 'vitest'
import * as Y from 'yjs'
import { DOCUMENT_FIELD } from '../sync/session'
import { positionOf, saveSelection } from './remoteSelection'
import {
  bindingOf,
  endOf,
  forgetPeople,
  mappingLookups,
  pair,
  type Person,
  picker,
  random,
  randomSelection,
  select,
  textPositions,
  threePeople,
} from './testPeople'

afterEach(forgetPeople)

const TEXTS = Array.from({ length: 40 }, (_, i) => `Paragraph ${i} says something`)

interface Binding {
  doc: Y.Doc
  type: Y.XmlFragment
  mapping: Map<unknown, unknown>
  _isLocalCursorInView(): boolean
}

/** Alice with the fix (less the extensions in `aliceWithout`), Bob, and Carol without it. */
function three(
  texts: readonly string[] = TEXTS,
  aliceWithout: readonly string[] = [],
): { alice: Person; bob: Person; carol: Person } {
  return threePeople(texts.map((text) => `<p>${text}</p>`).join(''), {
    // Without the in-place path, which takes most remote changes before this fix sees them.
    alice: ['remoteInPlace', ...aliceWithout],
    carol: ['remoteSelection', 'remoteInPlace'],
  })
}

function expectSameRelative(a: Y.RelativePosition | null, b: Y.RelativePosition | null): void {
  expect(a !== null && b !== null && Y.compareRelativePositions(a, b)).toBe(true)
}

/** Bob's top-level paragraph `index` as Yjs text. */
function textOf(bob: Person, index: number): Y.XmlText {
  return (bob.doc.getXmlFragment(DOCUMENT_FIELD).get(index) as Y.XmlElement).get(0) as Y.XmlText
}

describe('your selection across remote changes', () => {
  it('is saved as the relative positions upstream makes, and restored where upstream restores it (random edits)', () => {
    // Alice's restore finds her blocks in the narrowed step's document, in the binding's own whole
    // document (without the narrowing), or falls back to Yjs (without the kept nodes).
    const variants: [number, string[]][] = [
      [1, []],
      [2, []],
      [3, []],
      [4, ['narrowRemoteChanges']],
      [5, ['keepUntouchedNodes']],
    ]
    let walksSaved = 0
    let resolvedCheaply = 0
    for (const [seed, aliceWithout] of variants) {
      const next = random(seed)
      const pick = picker(next)
      const { alice, bob, carol } = three(TEXTS, aliceWithout)
      const lookups = mappingLookups(alice)
      const upstreamLookups = mappingLookups(carol)
      for (let round = 0; round < 60; round++) {
        const positions = textPositions(alice.editor)
        const [anchor, head] = randomSelection(positions, next, 0.6)
        select(alice.editor, anchor, head)
        select(carol.editor, anchor, head)
        const binding = bindingOf<Binding>(alice)
        const ours = saveSelection(binding as never, alice.editor.state)
        const upstream = getRelativeSelection(binding as never, alice.editor.state)
        expectSameRelative(ours.anchor, upstream.anchor)
        expectSameRelative(ours.head, upstream.head)
        // And back: where upstream resolves them, or undefined (upstream asked).
        for (const position of [ours.anchor, ours.head]) {
          if (position === null) continue
          const cheap = positionOf(binding as never, alice.editor.state.doc, position)
          if (cheap === undefined) continue
          resolvedCheaply++
          expect(cheap).toBe(
            relativePositionToAbsolutePosition(binding.doc, binding.type, position, binding.mapping as never),
          )
        }

        const [ownBefore, upstreamBefore] = [lookups(), upstreamLookups()]
        const at = pick(textPositions(bob.editor))
        const kind = next()
        const chain = bob.editor.chain().setTextSelection(at)
        if (kind < 0.45) chain.insertContent(pick(['x', 'yz', ' ', 'word '])).run()
        else if (kind < 0.55) chain.splitBlock().run()
        else if (kind < 0.62) chain.joinBackward().run()
        else if (kind < 0.67) chain.toggleBulletList().run()
        else if (kind < 0.71) chain.toggleBlockquote().run()
        else if (kind < 0.75)
          chain
            .setTextSelection({ from: at, to: Math.min(at + 5, pick(positions)) })
            .toggleBold()
            .run()
        else if (kind < 0.8) chain.deleteRange({ from: at, to: pick(textPositions(bob.editor)) }).run()
        else {
          // One Yjs transaction changing two paragraphs far apart: the blocks between them,
          // Alice's perhaps, are replaced by the very same nodes.
          const fragment = bob.doc.getXmlFragment(DOCUMENT_FIELD)
          const paragraphs = fragment.toArray().flatMap((element, index) => {
            const first = element instanceof Y.XmlElement && element.nodeName === 'paragraph' ? element.get(0) : null
            return first instanceof Y.XmlText ? [index] : []
          })
          const first = pick(paragraphs)
          const last = pick(paragraphs)
          bob.doc.transact(() => {
            textOf(bob, first).insert(1, 'A')
            if (last !== first) textOf(bob, last).insert(0, 'B')
          })
        }
        const context = `seed ${seed}, round ${round}, kind ${kind.toFixed(2)}`
        if (lookups() - ownBefore < upstreamLookups() - upstreamBefore) walksSaved++
        expect(alice.editor.getJSON(), context).toEqual(carol.editor.getJSON())
        expect(alice.editor.state.selection.toJSON(), context).toEqual(carol.editor.state.selection.toJSON())
      }
      forgetPeople()
    }
    // The rounds where Alice's binding walked less than Carol's: the cheap path was taken (not
    // always: Bob's edits in her blocks, her caret at a block's start).
    expect(walksSaved).toBeGreaterThan(150)
    // Positions turned back without the walk, compared with upstream's (582 of about 600).
    expect(resolvedCheaply).toBeGreaterThan(400)
  })

  it('costs a remote keystroke no walk over the blocks before your caret', () => {
    const texts = Array.from({ length: 60 }, (_, i) => `Paragraph ${i}`)
    const { alice, bob, carol } = three(texts)
    select(alice.editor, endOf(alice.editor, 30) - 2)
    select(carol.editor, endOf(carol.editor, 30) - 2)
    const lookups = mappingLookups(alice)
    const upstreamLookups = mappingLookups(carol)
    bob.editor.commands.insertContentAt(endOf(bob.editor, 45), '!')
    expect(alice.editor.state.selection.toJSON()).toEqual(carol.editor.state.selection.toJSON())
    // Both bindings' rebuilds look up each of the 60 blocks once (`createNodeIfNotExists`); Carol's
    // also walks the 30 blocks before the caret four times (save and restore, anchor and head).
    expect(upstreamLookups() - lookups()).toBeGreaterThanOrEqual(4 * 30)
    expect(lookups()).toBeLessThan(60 + 5)
  })

  it('is found by its block when one change replaces a range holding it, even a selection across blocks', () => {
    const { alice, bob, carol } = three()
    for (const someone of [alice, carol])
      select(someone.editor, endOf(someone.editor, 12) - 3, endOf(someone.editor, 20) - 1)
    const lookups = mappingLookups(alice)
    const upstreamLookups = mappingLookups(carol)
    bob.doc.transact(() => {
      textOf(bob, 5).insert(0, 'before ')
      textOf(bob, 16).insert(0, 'between ')
      textOf(bob, 30).insert(0, 'after ')
    })
    expect(alice.editor.state.doc.child(16).textContent).toBe('between Paragraph 16 says something')
    expect(alice.editor.state.selection.toJSON()).toEqual(carol.editor.state.selection.toJSON())
    expect(alice.editor.state.selection.toJSON()).toEqual({
      type: 'text',
      anchor: endOf(alice.editor, 12) - 3,
      head: endOf(alice.editor, 20) - 1,
    })
    // Carol's binding walks the 12 and 20 blocks before the ends twice each (save, restore); Alice's does not.
    expect(upstreamLookups() - lookups()).toBeGreaterThanOrEqual(2 * (12 + 20))
  })

  it('is left to upstream when someone edits the block your caret is in', () => {
    const { alice, bob, carol } = three()
    for (const someone of [alice, carol]) select(someone.editor, endOf(someone.editor, 7) - 4)
    bob.editor.commands.insertContentAt(endOf(bob.editor, 7) - 'says something'.length, 'typed ')
    bob.editor.commands.insertContentAt(endOf(bob.editor, 7), ' and more')
    expect(alice.editor.state.doc.child(7).textContent).toBe('Paragraph 7 typed says something and more')
    expect(alice.editor.state.selection.toJSON()).toEqual(carol.editor.state.selection.toJSON())
    expect(alice.editor.state.selection.from).toBe(endOf(alice.editor, 7) - ' and more'.length - 4)
  })

  it('asks for a scroll to your caret when it was in view, as upstream does', async () => {
    for (const inView of [true, false]) {
      const { alice, bob } = pair(TEXTS, { without: ['remoteInPlace'] })
      select(alice.editor, endOf(alice.editor, 3) - 1)
      bindingOf<Binding>(alice)._isLocalCursorInView = () => inView
      const view = alice.editor.view as unknown as { scrollToSelection: () => void }
      const scroll = vi.spyOn(view, 'scrollToSelection')
      bob.editor.commands.insertContentAt(endOf(bob.editor, 9), '!')
      await new Promise((resolve) => requestAnimationFrame(resolve))
      await new Promise((resolve) => setTimeout(resolve, 0))
      expect(scroll).toHaveBeenCalledTimes(inView ? 1 : 0)
      forgetPeople()
    }
  })
})
