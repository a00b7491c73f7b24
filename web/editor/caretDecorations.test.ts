// @vitest-environment happy-dom
/**
 * Someone's caret moving redraws that caret only, and what Alice sees is what a full redraw
 * shows. Each test also runs with upstream's drawing.
 */
import type { Decoration } from '@tiptap/pm/view'
import { createDecorations, defaultAwarenessStateFilter, yCursorPluginKey } from '@tiptap/y-tiptap'
import { afterEach, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { DOCUMENT_FIELD } from '../sync/session'
import { type Person, REMOTE, caretTransaction, endOf, forgetPeople, mappingLookups, pair, watcher } from './testPeople'

afterEach(forgetPeople)

const TEXTS = Array.from({ length: 30 }, (_, i) => `Paragraph number ${i} of the document`)

function group(fixed: boolean) {
  const { alice, bob } = pair(TEXTS, { configure: fixed ? {} : { collaborationCaret: { upstreamCaretDrawing: true } } })
  const watchers = ['Carol', 'Dan', 'Eve', 'Frank'].map((name) => watcher(alice, name))
  return { alice, bob, watchers }
}

/** Where each caret (by person: its key's first word) and selection is. */
function described(decorations: Decoration[]): string[] {
  return decorations
    .map((d) => `${d.from}-${d.to}:${(d.spec as { key?: string }).key?.split(' ')[0] ?? 'selection'}`)
    .sort()
}

/** What a full redraw shows now (upstream's `createDecorations` over every state). */
function fullDraw(alice: Person): string[] {
  const cursor = () => document.createElement('span')
  return described(
    createDecorations(alice.editor.state, alice.awareness, defaultAwarenessStateFilter, cursor, () => ({})).find(),
  )
}

function shown(alice: Person): string[] {
  return described(yCursorPluginKey.getState(alice.editor.state).find())
}

describe('the others’ carets', () => {
  for (const fixed of [true, false]) {
    it(`${fixed ? '' : '(upstream) '}are shown where a full redraw puts them, through moves, remote edits and your own`, async () => {
      const { alice, bob, watchers } = group(fixed)
      for (const [i, w] of watchers.entries()) w.moveTo(20 + i, 3, 3 + 2 * i)
      await caretTransaction()
      // Four carets, and the three selections that are not empty.
      expect(shown(alice)).toHaveLength(7)
      expect(shown(alice)).toEqual(fullDraw(alice))
      const steps: Array<() => void> = [
        () => watchers[1]?.moveTo(2, 5, 9),
        () => bob.editor.chain().setTextSelection(endOf(bob.editor, 0)).insertContent('typed ').run(),
        () => watchers[3]?.moveTo(0, 1),
        () => alice.editor.chain().setTextSelection(endOf(alice.editor, 1)).insertContent('mine ').run(),
        () => watchers[1]?.moveTo(1, 2, 4),
        () => watchers[0]?.awareness.setLocalStateField('cursor', null),
        () => watchers[2]?.awareness.setLocalState(null),
        () => watchers[0]?.moveTo(29, 0),
        // Someone else types right at a caret, inside a selection, at its ends, and deletes
        // around a caret: where mapping and the carets' relative positions could disagree.
        () => watchers[3]?.moveTo(5, 4),
        () =>
          bob.editor
            .chain()
            .setTextSelection(endOf(bob.editor, 5) - 30)
            .insertContent('at ')
            .run(),
        () => watchers[1]?.moveTo(6, 2, 12),
        () =>
          bob.editor
            .chain()
            .setTextSelection(endOf(bob.editor, 6) - 35)
            .insertContent('in ')
            .run(),
        () =>
          bob.editor
            .chain()
            .setTextSelection(endOf(bob.editor, 6) - 38)
            .insertContent('start ')
            .run(),
        () =>
          bob.editor
            .chain()
            .setTextSelection(endOf(bob.editor, 6) - 25)
            .insertContent('end ')
            .run(),
        () => bob.editor.commands.deleteRange({ from: endOf(bob.editor, 5) - 34, to: endOf(bob.editor, 5) - 29 }),
        () => bob.editor.chain().setTextSelection(endOf(bob.editor, 8)).splitBlock().run(),
      ]
      for (const step of steps) {
        step()
        await caretTransaction()
        expect(shown(alice)).toEqual(fullDraw(alice))
      }
    })

    it(
      fixed
        ? 'are not resolved again when another one moves'
        : 'are all resolved again when one moves without the fix (upstream)',
      async () => {
        const { alice, watchers } = group(fixed)
        for (const [i, w] of watchers.entries()) w.moveTo(25 + i, 3)
        await caretTransaction()
        const counted = mappingLookups(alice)
        fullDraw(alice)
        const full = counted()
        watchers[0]?.moveTo(24, 1)
        await caretTransaction()
        const oneMove = counted() - full
        expect(oneMove).toBeGreaterThan(0)
        expect(oneMove < full / 2).toBe(fixed)
      },
    )

    it(
      fixed
        ? 'are drawn where their person moved without a walk over the blocks before them'
        : 'are drawn by a walk over the blocks before them without the fix (upstream)',
      async () => {
        const { alice, watchers } = group(fixed)
        watchers[0]?.moveTo(25, 3, 6)
        await caretTransaction()
        const counted = mappingLookups(alice)
        watchers[0]?.moveTo(26, 2, 8)
        await caretTransaction()
        const lookups = counted()
        expect(shown(alice)).toEqual(fullDraw(alice))
        expect(shown(alice)).toHaveLength(2)
        // Upstream walks the 26 blocks before the caret twice (anchor and head).
        if (fixed) expect(lookups).toBeLessThan(10)
        else expect(lookups).toBeGreaterThanOrEqual(2 * 26)
      },
    )

    it(`${fixed ? '' : '(upstream) '}show a caret that came before the text it is in, once that text comes`, async () => {
      const { alice, watchers } = group(fixed)
      const carol = watchers[0]
      if (carol === undefined) throw new Error('no watcher')
      // Carol types; her caret reaches Alice before her keystroke does (the server sends presence
      // in batches and document updates once stored: either may come first).
      const text = (carol.doc.getXmlFragment(DOCUMENT_FIELD).get(3) as Y.XmlElement).get(0) as Y.XmlText
      const stateBefore = Y.encodeStateVector(alice.doc)
      text.insert(5, 'new ')
      carol.moveTo(3, 9)
      await caretTransaction()
      expect(shown(alice)).toEqual(fullDraw(alice))
      expect(shown(alice).some((caret) => caret.endsWith(`:${carol.awareness.clientID}`))).toBe(false)
      Y.applyUpdate(alice.doc, Y.encodeStateAsUpdate(carol.doc, stateBefore), REMOTE)
      expect(alice.editor.state.doc.child(3).textContent).toContain('new ')
      expect(shown(alice)).toEqual(fullDraw(alice))
      expect(shown(alice).some((caret) => caret.endsWith(`:${carol.awareness.clientID}`))).toBe(true)
    })

    it(
      fixed
        ? 'are moved with the text, not resolved again, when someone else types before them'
        : 'are all resolved again when someone else types without the fix (upstream)',
      async () => {
        const { alice, bob, watchers } = group(fixed)
        for (const [i, w] of watchers.entries()) w.moveTo(25 + i, 3)
        await caretTransaction()
        const counted = mappingLookups(alice)
        fullDraw(alice)
        const full = counted()
        bob.editor.chain().setTextSelection(endOf(bob.editor, 20)).insertContent('typed').run()
        const remoteEdit = counted() - full
        expect(shown(alice)).toEqual(fullDraw(alice))
        expect(remoteEdit < full / 2).toBe(fixed)
      },
    )
  }

  it('are new elements when their person moves (the name shows again), the same when others edit or move', async () => {
    const { alice, bob, watchers } = group(true)
    const [carol, dan] = watchers
    if (carol === undefined || dan === undefined) throw new Error('no watchers')
    carol.moveTo(10, 3)
    dan.moveTo(12, 3)
    await caretTransaction()
    const caretOf = (name: string) =>
      alice.editor.view.dom.querySelector(`[data-testid="remote-caret"][data-user-name="${name}"]`)
    const first = caretOf('Carol')
    expect(first).not.toBeNull()
    // Someone else types before her caret, and Dan moves: Carol's caret is the same element.
    bob.editor.chain().setTextSelection(endOf(bob.editor, 2)).insertContent('typed').run()
    dan.moveTo(14, 1)
    await caretTransaction()
    expect(caretOf('Carol')).toBe(first)
    // Carol moves (as she does when she types): a new element, whose label's fade starts anew.
    carol.moveTo(10, 4)
    await caretTransaction()
    expect(caretOf('Carol')).not.toBeNull()
    expect(caretOf('Carol')).not.toBe(first)
  })

  it('of a person whose state names no user are drawn as upstream draws them, also once moved by others’ edits', async () => {
    const { alice, bob, watchers } = group(true)
    const [carol] = watchers
    if (carol === undefined) throw new Error('no watchers')
    carol.moveTo(10, 3, 9)
    carol.awareness.setLocalState({ cursor: carol.awareness.getLocalState()?.cursor })
    await caretTransaction()
    // Upstream's defaults: a name from the client id, an orange colour.
    const name = `User: ${carol.awareness.clientID}`
    const drawn = () => ({
      caret: alice.editor.view.dom.querySelector(`[data-testid="remote-caret"][data-user-name="${name}"]`) !== null,
      selection: alice.editor.view.dom.querySelector('.collaboration-carets__selection')?.getAttribute('style'),
    })
    const first = drawn()
    expect(first).toEqual({ caret: true, selection: expect.stringContaining('#ffa500') })
    bob.editor.chain().setTextSelection(endOf(bob.editor, 2)).insertContent('typed').run()
    await caretTransaction()
    expect(drawn()).toEqual(first)
  })
})
