// @vitest-environment happy-dom
/**
 * Remote changes as narrow steps: Alice's editor receives Bob's edits (two Y.Docs relayed to each
 * other as the server would) and every transaction Alice's state applies is recorded. With the
 * fix a remote keystroke replaces only its block; the document still equals the Yjs state after
 * random concurrent edits, Alice's caret stays where it was, and undo works. One test runs without
 * the fix and expects the upstream whole-document replace, to notice when an upgrade of
 * @tiptap/y-tiptap makes the fix moot. The binding's rebuild of untouched blocks
 * (`keepUntouchedNodes.ts`) is tested here too: with the same pair of editors and random edits
 * (now with blocks and text moved by drag and drop, undo and redo), its mapping must equal a
 * fresh build from Yjs.
 */
import { Editor, type Extensions } from '@tiptap/core'
import { type Node as ProseMirrorNode, Slice } from '@tiptap/pm/model'
import { type Transaction, TextSelection } from '@tiptap/pm/state'
import { ReplaceStep } from '@tiptap/pm/transform'
import {
  initProseMirrorDoc,
  prosemirrorJSONToYXmlFragment,
  yXmlFragmentToProseMirrorRootNode,
  ySyncPluginKey,
} from '@tiptap/y-tiptap'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { Awareness } from 'y-protocols/awareness'
import type { WebsocketProvider } from 'y-websocket'
import * as Y from 'yjs'
import { DOCUMENT_FIELD } from '../sync/session'
import { editorExtensions } from './extensions'
import { adoptNodes, narrowStep } from './narrowRemoteChanges'

const REMOTE = 'remote'

interface Person {
  editor: Editor
  doc: Y.Doc
  applied: Transaction[]
}

let people: Person[] = []
let cleanups: (() => void)[] = []

afterEach(() => {
  for (const { editor, doc } of people) {
    editor.destroy()
    doc.destroy()
  }
  for (const cleanup of cleanups) cleanup()
  people = []
  cleanups = []
  document.body.replaceChildren()
})

/**
 * The fixes of the binding's remote changes these tests are about; `remoteInPlace` takes most
 * remote changes before the binding's rebuild, so it is left out wherever that rebuild is tested.
 */
const FIXES = ['narrowRemoteChanges', 'keepUntouchedNodes', 'remoteInPlace']

/**
 * With the fix: every extension. Without it: upstream's binding, none of `FIXES`. Or a list of the
 * extensions left out besides `remoteInPlace`.
 */
function person(name: string, doc: Y.Doc, withFix: boolean | readonly string[]): Person {
  const awareness = new Awareness(doc)
  cleanups.push(() => awareness.destroy())
  const provider = { awareness } as unknown as WebsocketProvider
  const identity = { id: name, name, color: '#1971c2' }
  const without = withFix === true ? [] : withFix === false ? FIXES : [...withFix, 'remoteInPlace']
  const extensions: Extensions = editorExtensions({ doc, provider, identity }).filter(
    (extension) => !without.includes(extension.name),
  )
  const element = document.createElement('div')
  document.body.append(element)
  const editor = new Editor({ element, extensions })
  const applied: Transaction[] = []
  editor.on('transaction', ({ transaction, appendedTransactions }) => {
    applied.push(transaction, ...appendedTransactions)
  })
  const created = { editor, doc, applied }
  people.push(created)
  return created
}

function paragraph(text: string): object {
  return { type: 'paragraph', content: text === '' ? [] : [{ type: 'text', text }] }
}

const START = {
  type: 'doc',
  content: [
    { type: 'heading', attrs: { level: 2 }, content: [{ type: 'text', text: 'Plan' }] },
    ...Array.from({ length: 30 }, (_, i) => paragraph(`Paragraph number ${i} with some words in it.`)),
    {
      type: 'bulletList',
      content: ['one', 'two', 'three'].map((text) => ({ type: 'listItem', content: [paragraph(text)] })),
    },
    {
      type: 'table',
      content: [0, 1].map((row) => ({
        type: 'tableRow',
        content: [0, 1].map((column) => ({
          type: 'tableCell',
          attrs: { colspan: 1, rowspan: 1, colwidth: null },
          content: [paragraph(`cell ${row}.${column}`)],
        })),
      })),
    },
    paragraph('The end.'),
  ],
}

/** Alice and Bob on one document, updates relayed at once (or held back, for concurrent edits). */
function pair(
  withFix: boolean | readonly string[],
  clientIds: readonly [number, number] = [1, 2],
): { alice: Person; bob: Person; hold: (held: boolean) => void } {
  // Fixed client ids: concurrent inserts are ordered by client id, so runs with and without the
  // fix can be compared.
  const seed = new Y.Doc()
  seed.clientID = 3
  const schemaEditor = new Editor({
    extensions: editorExtensions({
      doc: new Y.Doc(),
      provider: { awareness: new Awareness(new Y.Doc()) } as unknown as WebsocketProvider,
      identity: { id: 's', name: 's', color: '#000000' },
    }),
  })
  prosemirrorJSONToYXmlFragment(schemaEditor.schema, START, seed.getXmlFragment(DOCUMENT_FIELD))
  schemaEditor.destroy()
  const docs = [new Y.Doc(), new Y.Doc()] as const
  docs[0].clientID = clientIds[0]
  docs[1].clientID = clientIds[1]
  for (const doc of docs) Y.applyUpdate(doc, Y.encodeStateAsUpdate(seed), REMOTE)
  const alice = person('Alice', docs[0], withFix)
  const bob = person('Bob', docs[1], true)
  let held = false
  const queues: [Uint8Array[], Uint8Array[]] = [[], []]
  const flush = (): void => {
    for (const [i, to] of [
      [0, bob],
      [1, alice],
    ] as const) {
      const queue = queues[i]
      while (queue.length > 0) Y.applyUpdate(to.doc, queue.shift() as Uint8Array, REMOTE)
    }
  }
  for (const [i, from] of [
    [0, alice],
    [1, bob],
  ] as const) {
    from.doc.on('update', (update: Uint8Array, origin: unknown) => {
      if (origin === REMOTE) return
      queues[i].push(update)
      if (!held) flush()
    })
  }
  return {
    alice,
    bob,
    hold(value) {
      held = value
      if (!held) flush()
    },
  }
}

/** Start of the `index`-th top-level block's text. */
function blockStart(editor: Editor, index: number): number {
  let pos = -1
  editor.state.doc.forEach((_node, offset, i) => {
    if (i === index) pos = offset + 1
  })
  return pos
}

function docSteps(transactions: Transaction[]): ReplaceStep[] {
  return transactions.flatMap((tr) => tr.steps.filter((step): step is ReplaceStep => step instanceof ReplaceStep))
}

/** The document as its Yjs state has it, as ProseMirror JSON. */
function yjsJSON(person: Person): unknown {
  return yXmlFragmentToProseMirrorRootNode(person.doc.getXmlFragment(DOCUMENT_FIELD), person.editor.schema).toJSON()
}

describe('a remote keystroke', () => {
  for (const withFix of [true, false]) {
    it(withFix ? 'replaces only its paragraph' : 'replaces the whole document without the fix (upstream)', () => {
      const { alice, bob } = pair(withFix)
      const before = alice.editor.state.doc
      alice.applied.length = 0
      bob.editor
        .chain()
        .setTextSelection(blockStart(bob.editor, 5) + 3)
        .insertContent('x')
        .run()

      const steps = docSteps(alice.applied)
      expect(steps).toHaveLength(1)
      const step = steps[0] as ReplaceStep
      const paragraph = before.child(5)
      const from = blockStart(alice.editor, 5) - 1
      if (withFix) {
        expect([step.from, step.to]).toEqual([from, from + paragraph.nodeSize])
        // Every other block is the very node it was.
        const after = alice.editor.state.doc
        for (let i = 0; i < before.childCount; i++) if (i !== 5) expect(after.child(i)).toBe(before.child(i))
      } else {
        expect([step.from, step.to]).toEqual([0, before.content.size])
      }
      expect(alice.editor.state.doc.child(5).textContent).toBe('Parxagraph number 4 with some words in it.')
      expect(alice.editor.getJSON()).toEqual(yjsJSON(alice))
    })
  }

  it('in a list item replaces only that item’s paragraph', () => {
    const { alice, bob } = pair(true)
    const listIndex = 31
    const before = alice.editor.state.doc
    alice.applied.length = 0
    let itemText = -1
    bob.editor.state.doc.child(listIndex).descendants((node, pos) => {
      if (itemText === -1 && node.isText && node.text === 'two') itemText = pos
    })
    const listStart = blockStart(bob.editor, listIndex)
    bob.editor.commands.insertContentAt(listStart + itemText + 3, '!')

    const [step] = docSteps(alice.applied)
    const item = before.child(listIndex).child(1)
    const itemFrom = listStart + before.child(listIndex).child(0).nodeSize
    expect([step?.from, step?.to]).toEqual([itemFrom + 1, itemFrom + 1 + (item.firstChild?.nodeSize ?? 0)])
    expect(alice.editor.state.doc.child(listIndex).child(0)).toBe(before.child(listIndex).child(0))
    expect(alice.editor.state.doc.child(listIndex).child(1).textContent).toBe('two!')
    expect(alice.editor.getJSON()).toEqual(yjsJSON(alice))
  })
})

describe('narrowStep', () => {
  it('turns the old document into one equal to the new', () => {
    const { alice } = pair(true)
    const before = alice.editor.state.doc
    const tr = alice.editor.state.tr
      .insertText('abc', blockStart(alice.editor, 3))
      .delete(blockStart(alice.editor, 10), blockStart(alice.editor, 12))
    const step = narrowStep(before, tr.doc)
    const result = step?.apply(before).doc as ProseMirrorNode
    expect(result.eq(tr.doc)).toBe(true)
    expect(result.child(0)).toBe(before.child(0))
    expect(result.lastChild).toBe(before.lastChild)
    expect(narrowStep(before, before)).toBeNull()
  })
})

describe('adoptNodes', () => {
  it('looks up only the blocks that differ from those of the document before', () => {
    const { alice } = pair(true)
    const { editor } = alice
    const binding = ySyncPluginKey.getState(editor.state).binding as {
      type: Y.XmlFragment
      mapping: Map<unknown, ProseMirrorNode>
    }
    const { mapping } = binding
    const looked: unknown[] = []
    const get = mapping.get.bind(mapping)
    mapping.get = (key) => {
      looked.push(key)
      return get(key)
    }
    const before = editor.state.doc
    const after = editor.state.tr.insertText('e', blockStart(editor, 5)).doc
    adoptNodes(mapping, binding.type, after, before)
    expect(looked).toEqual([binding.type.get(5)])
    expect(mapping.get(binding.type.get(5))).toBe(after.child(5))
    expect(mapping.get(binding.type.get(4))).toBe(before.child(4))

    // In the list (block 31), down the item that changed: the list, its item, the item's paragraph.
    looked.length = 0
    const list = binding.type.get(31) as Y.XmlElement
    const item = list.get(1) as Y.XmlElement
    const inList = editor.state.tr.insertText('f', blockStart(editor, 31) + before.child(31).child(0).nodeSize + 2).doc
    adoptNodes(mapping, binding.type, inList, before)
    expect(inList.child(31).child(1).textContent).toBe('ftwo')
    expect(looked).toEqual([list, item, item.get(0)])
    expect(mapping.get(item.get(0))).toBe(inList.child(31).child(1).child(0))
  })
})

describe('links typed by someone else', () => {
  it('are not made here: only the editor they are typed in autolinks', () => {
    const { alice } = pair(true)
    const paragraph = alice.doc.getXmlFragment(DOCUMENT_FIELD).get(1) as Y.XmlElement
    const text = paragraph.get(0) as Y.XmlText
    // As the space after the address arrives from someone typing it.
    alice.doc.transact(() => text.insert(text.length, ' https://example.com'), REMOTE)
    alice.doc.transact(() => text.insert(text.length, ' '), REMOTE)
    const linked = (index: number): boolean => {
      let found = false
      alice.editor.state.doc.child(index).descendants((node) => {
        found ||= node.marks.some((mark) => mark.type.name === 'link')
      })
      return found
    }
    expect(alice.editor.state.doc.child(1).textContent.endsWith(' https://example.com ')).toBe(true)
    expect(linked(1)).toBe(false)

    // Your own typing still is.
    alice.editor.chain().setTextSelection(blockStart(alice.editor, 2)).insertContent('https://example.org').run()
    alice.editor.commands.insertContent(' ')
    expect(linked(2)).toBe(true)
    // Without the fix, that edit of Alice's would also have written the link she had made of
    // Bob's address into Yjs, as her change (the binding kept it out while applying his).
    const delta = text.toDelta() as { attributes?: Record<string, unknown> }[]
    expect(delta.some((part) => part.attributes?.link !== undefined)).toBe(false)
  })
})

describe('random concurrent edits', () => {
  /** A deterministic pseudo-random sequence. */
  function random(seed: number): () => number {
    let state = seed
    return () => {
      state = (state * 1103515245 + 12345) % 2 ** 31
      return state / 2 ** 31
    }
  }

  function randomEdit(editor: Editor, next: () => number): void {
    const { doc } = editor.state
    const positions: number[] = []
    doc.descendants((node, pos) => {
      if (node.isTextblock) for (let p = pos + 1; p <= pos + 1 + node.content.size; p++) positions.push(p)
    })
    const at = positions[Math.floor(next() * positions.length)] as number
    const chain = editor.chain().setTextSelection(at)
    const kind = Math.floor(next() * 15)
    if (kind === 0) chain.insertContent('word ').run()
    else if (kind === 1) {
      const to = positions[
        Math.min(positions.length - 1, positions.indexOf(at) + 1 + Math.floor(next() * 40))
      ] as number
      chain.setTextSelection({ from: at, to }).deleteSelection().run()
    } else if (kind === 2) chain.splitBlock().run()
    else if (kind === 3) chain.joinBackward().run()
    else if (kind === 4) {
      const to = positions[Math.min(positions.length - 1, positions.indexOf(at) + 5)] as number
      chain.setTextSelection({ from: at, to }).toggleBold().run()
    } else if (kind === 5) chain.toggleBulletList().run()
    else if (kind === 6) chain.toggleBlockquote().run()
    // Table edits (no-ops outside a table): rows come and go while others type in cells.
    else if (kind === 7) chain.addRowAfter().run()
    else if (kind === 8) chain.deleteRow().run()
    else if (kind === 9) chain.toggleTaskList().run()
    else if (kind === 10) chain.insertContent('ü').run()
    // Drag and drop: a top-level block, or a run of text, moved elsewhere in one transaction.
    else if (kind === 11) {
      const index = Math.floor(next() * doc.childCount)
      const from = blockStart(editor, index) - 1
      const node = doc.child(index)
      const tr = editor.state.tr.delete(from, from + node.nodeSize)
      const boundaries = [0]
      tr.doc.forEach((child, offset) => {
        boundaries.push(offset + child.nodeSize)
      })
      tr.insert(boundaries[Math.floor(next() * boundaries.length)] as number, node)
      editor.view.dispatch(tr)
    } else if (kind === 12) {
      const $at = doc.resolve(at)
      const to = Math.min($at.end(), at + 1 + Math.floor(next() * 12))
      const target = positions[Math.floor(next() * positions.length)] as number
      const tr = editor.state.tr.delete(at, to)
      const mapped = tr.mapping.map(target)
      tr.replace(mapped, mapped, doc.slice(at, to))
      editor.view.dispatch(tr)
    } else if (kind === 13) editor.commands.undo()
    else editor.commands.redo()
  }

  /**
   * The binding's mapping: no entry for a deleted type, and each element's node equal to the one
   * a fresh build from Yjs makes (so node sizes, and the positions of carets, are right).
   */
  function expectMappingTrue(person: Person): void {
    const binding = ySyncPluginKey.getState(person.editor.state).binding as {
      type: Y.XmlFragment
      mapping: Map<unknown, ProseMirrorNode | ProseMirrorNode[]>
    }
    const fresh = initProseMirrorDoc(binding.type, person.editor.schema).mapping as Map<unknown, ProseMirrorNode>
    for (const [type, node] of binding.mapping) {
      expect(type instanceof Y.AbstractType && type._item?.deleted === true).toBe(false)
      if (type instanceof Y.XmlElement)
        expect((node as ProseMirrorNode).eq(fresh.get(type) as ProseMirrorNode)).toBe(true)
    }
  }

  it('leave both editors equal to their Yjs state, as without the fix', () => {
    for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
      const results: unknown[] = []
      for (const withFix of [true, false]) {
        const { alice, bob, hold } = pair(withFix)
        const next = random(seed)
        for (let round = 0; round < 25; round++) {
          hold(true)
          for (let i = 0; i < 3; i++) {
            randomEdit(alice.editor, next)
            randomEdit(bob.editor, next)
          }
          hold(false)
          expect(alice.editor.getJSON()).toEqual(yjsJSON(alice))
          expect(bob.editor.getJSON()).toEqual(yjsJSON(bob))
          expect(alice.editor.getJSON()).toEqual(bob.editor.getJSON())
          if (withFix) expectMappingTrue(alice)
        }
        // Remote changes arrived as narrow steps with the fix, as whole-document ones without it.
        const remoteSteps = alice.applied
          .filter((tr) => (tr.getMeta(ySyncPluginKey) as { isChangeOrigin?: boolean } | undefined)?.isChangeOrigin)
          .flatMap((tr) => tr.steps)
        const whole = remoteSteps.filter(
          (step) => step instanceof ReplaceStep && step.from === 0 && (step.slice.content.size > 0 || step.to > 0),
        )
        expect(remoteSteps.length).toBeGreaterThan(20)
        if (withFix) expect(whole.length).toBeLessThan(remoteSteps.length / 4)
        else expect(whole.length).toBe(remoteSteps.length)
        results.push(alice.editor.getJSON())
        for (const { editor, doc } of people) {
          editor.destroy()
          doc.destroy()
        }
        people = []
      }
      expect(results[0]).toEqual(results[1])
    }
  })

  it('leave both editors equal to their Yjs state whichever client id wins a conflict', () => {
    for (const seed of [11, 12, 13, 14, 15, 16]) {
      const next = random(seed)
      const { alice, bob, hold } = pair(true, [1 + Math.floor(next() * 2 ** 30), 1 + Math.floor(next() * 2 ** 30)])
      for (let round = 0; round < 25; round++) {
        hold(true)
        for (let i = 0; i < 3; i++) {
          randomEdit(alice.editor, next)
          randomEdit(bob.editor, next)
        }
        hold(false)
        expect(alice.editor.getJSON()).toEqual(yjsJSON(alice))
        expect(bob.editor.getJSON()).toEqual(yjsJSON(bob))
        expect(alice.editor.getJSON()).toEqual(bob.editor.getJSON())
        expectMappingTrue(alice)
        expectMappingTrue(bob)
      }
      for (const { editor, doc } of people) {
        editor.destroy()
        doc.destroy()
      }
      people = []
    }
  })
})

describe('around a remote change', () => {
  it('the caret stays in the text it was in, and typing goes on there', () => {
    const { alice, bob } = pair(true)
    const caret = blockStart(alice.editor, 8) + 4
    alice.editor.commands.setTextSelection(caret)
    // Bob types before Alice's paragraph, in it before her caret, and after it.
    bob.editor.commands.insertContentAt(blockStart(bob.editor, 2), 'aa')
    expect(alice.editor.state.selection.head).toBe(caret + 2)
    bob.editor.commands.insertContentAt(blockStart(bob.editor, 8) + 1, 'b')
    expect(alice.editor.state.selection.head).toBe(caret + 3)
    bob.editor.commands.insertContentAt(blockStart(bob.editor, 8) + 10, 'c')
    expect(alice.editor.state.selection.head).toBe(caret + 3)
    expect(alice.editor.state.selection).toBeInstanceOf(TextSelection)
    alice.editor.commands.insertContent('Z')
    expect(alice.editor.state.doc.child(8).textContent).toBe('PbaraZgraphc number 7 with some words in it.')
    expect(bob.editor.getJSON()).toEqual(alice.editor.getJSON())
  })

  it('a selection across blocks is kept', () => {
    const { alice, bob } = pair(true)
    const from = blockStart(alice.editor, 3) + 2
    const to = blockStart(alice.editor, 6) + 2
    alice.editor.commands.setTextSelection({ from, to })
    bob.editor.commands.insertContentAt(blockStart(bob.editor, 1), 'xyz')
    expect([alice.editor.state.selection.from, alice.editor.state.selection.to]).toEqual([from + 3, to + 3])
  })

  it('undo removes only one’s own change, and redo puts it back', () => {
    const { alice, bob } = pair(true)
    alice.editor.chain().setTextSelection(blockStart(alice.editor, 4)).insertContent('mine ').run()
    bob.editor.chain().setTextSelection(blockStart(bob.editor, 4)).insertContent('theirs ').run()
    bob.editor.chain().setTextSelection(blockStart(bob.editor, 20)).insertContent('far ').run()
    expect(alice.editor.state.doc.child(4).textContent).toBe('theirs mine Paragraph number 3 with some words in it.')
    alice.editor.commands.undo()
    expect(alice.editor.state.doc.child(4).textContent).toBe('theirs Paragraph number 3 with some words in it.')
    expect(alice.editor.state.doc.child(20).textContent.startsWith('far ')).toBe(true)
    expect(bob.editor.getJSON()).toEqual(alice.editor.getJSON())
    alice.editor.commands.redo()
    expect(alice.editor.state.doc.child(4).textContent).toBe('theirs mine Paragraph number 3 with some words in it.')
    expect(alice.editor.getJSON()).toEqual(yjsJSON(alice))
    expect(bob.editor.getJSON()).toEqual(alice.editor.getJSON())
  })

  it('the binding’s mapping holds the nodes the document holds', async () => {
    const { alice, bob } = pair(true)
    bob.editor.commands.insertContentAt(blockStart(bob.editor, 2), 'x')
    const { ySyncPluginKey } = await import('@tiptap/y-tiptap')
    const binding = ySyncPluginKey.getState(alice.editor.state).binding as {
      type: Y.XmlFragment
      mapping: Map<unknown, unknown>
    }
    const children = binding.type.toArray()
    alice.editor.state.doc.forEach((node, _offset, i) => {
      expect(binding.mapping.get(children[i])).toBe(node)
    })
  })
})

describe('scrolling to the caret after a remote change', () => {
  /** A remote change as the binding dispatches it: the whole document replaced, asking to scroll. */
  function remoteChange(editor: Editor, index: number): Transaction {
    const { state } = editor
    const changed = state.tr.insertText('q', blockStart(editor, index)).doc
    return state.tr
      .replace(0, state.doc.content.size, new Slice(changed.content, 0, 0))
      .setMeta('addToHistory', false)
      .setMeta(ySyncPluginKey, { isChangeOrigin: true })
      .scrollIntoView()
  }

  it('happens once, in the next animation frame, however many changes arrived', async () => {
    const { alice } = pair(true)
    const view = alice.editor.view as unknown as { scrollToSelection: () => void }
    const scroll = vi.spyOn(view, 'scrollToSelection')
    alice.editor.view.dispatch(remoteChange(alice.editor, 3))
    alice.editor.view.dispatch(remoteChange(alice.editor, 7))
    expect(alice.editor.state.doc.child(3).textContent.startsWith('q')).toBe(true)
    expect(alice.editor.state.doc.child(7).textContent.startsWith('q')).toBe(true)
    expect(scroll).not.toHaveBeenCalled()
    await new Promise((resolve) => requestAnimationFrame(resolve))
    await new Promise((resolve) => setTimeout(resolve, 0))
    expect(scroll).toHaveBeenCalledTimes(1)
  })
})

describe('the binding’s rebuild of a remote change (keepUntouchedNodes)', () => {
  /** Nodes the binding builds (`createNodeFromYElement` ends in `schema.node`) for Bob's keystroke. */
  function nodesBuilt(without: readonly string[]): number {
    const { alice, bob } = pair(without)
    const build = vi.spyOn(alice.editor.schema, 'node')
    bob.editor.commands.insertContentAt(blockStart(bob.editor, 5) + 3, 'x')
    const built = build.mock.calls.length
    build.mockRestore()
    expect(alice.editor.state.doc.child(5).textContent).toBe('Parxagraph number 4 with some words in it.')
    expect(alice.editor.getJSON()).toEqual(yjsJSON(alice))
    return built
  }

  it('rebuilds only the touched block, not every block of the document', () => {
    // The paragraph Bob typed in; upstream (`mapping.clear()`) rebuilds all 34 blocks and their
    // list items, rows, cells and paragraphs.
    expect(nodesBuilt([])).toBe(1)
    expect(nodesBuilt(['keepUntouchedNodes'])).toBeGreaterThan(START.content.length)
  })

  it('hands the untouched blocks to ProseMirror as the very nodes the document holds', () => {
    // Without the narrowing, the binding's own whole-document step shows what it built.
    const { alice, bob } = pair(['narrowRemoteChanges'])
    const before = alice.editor.state.doc
    alice.applied.length = 0
    bob.editor.commands.insertContentAt(blockStart(bob.editor, 5) + 3, 'x')
    const [step] = docSteps(alice.applied)
    const built = step?.slice.content
    expect(built?.childCount).toBe(before.childCount)
    for (let i = 0; i < before.childCount; i++) {
      if (i === 5) expect(built?.child(i)).not.toBe(before.child(i))
      else expect(built?.child(i)).toBe(before.child(i))
    }
  })

  it('a block moved above your caret (drag and drop) keeps it in its text, as upstream', () => {
    // ueberdosis/y-tiptap's test for the change that added `mapping.clear()`: Bob moves a block
    // above the paragraph Alice is typing in.
    const results = [true, false].map((withFix) => {
      const { alice, bob } = pair(withFix)
      const caret = blockStart(alice.editor, 8) + 6
      alice.editor.commands.setTextSelection(caret)
      const moved = bob.editor.state.doc.child(20)
      const from = blockStart(bob.editor, 20) - 1
      bob.editor.view.dispatch(bob.editor.state.tr.delete(from, from + moved.nodeSize).insert(0, moved))
      expect(alice.editor.state.doc.child(0).textContent).toBe(moved.textContent)
      expect(alice.editor.state.selection.head).toBe(caret + moved.nodeSize)
      alice.editor.commands.insertContent('Z')
      expect(bob.editor.state.doc.child(9).textContent).toBe('ParagrZaph number 7 with some words in it.')
      expect(alice.editor.getJSON()).toEqual(yjsJSON(alice))
      const json = alice.editor.getJSON()
      for (const { editor, doc } of people) {
        editor.destroy()
        doc.destroy()
      }
      people = []
      return json
    })
    expect(results[0]).toEqual(results[1])
  })

  it('forgets the types a local change deletes, nested ones too', () => {
    const { alice } = pair(true)
    const binding = ySyncPluginKey.getState(alice.editor.state).binding as { mapping: Map<unknown, unknown> }
    const table = blockStart(alice.editor, 32) - 1
    alice.editor.commands.deleteRange({ from: table, to: table + alice.editor.state.doc.child(32).nodeSize })
    for (const type of binding.mapping.keys()) {
      expect(type instanceof Y.AbstractType && type._item?.deleted === true).toBe(false)
    }
  })
})
