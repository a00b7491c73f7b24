/**
 * Tests only: people editing one document in editors with the app's extensions, each on a Y.Doc of
 * their own, wired to each other as the server would. Used by the tests of the fixes around the
 * Yjs binding (happy-dom).
 */
import { Editor } from '@tiptap/core'
import { TextSelection } from '@tiptap/pm/state'
import { ySyncPluginKey } from '@tiptap/y-tiptap'
import { Awareness, applyAwarenessUpdate, encodeAwarenessUpdate } from 'y-protocols/awareness'
import type { WebsocketProvider } from 'y-websocket'
import * as Y from 'yjs'
import { DOCUMENT_FIELD } from '../sync/session'
import { editorExtensions } from './extensions'

/** The origin of what is relayed from someone else. */
export const REMOTE = 'remote'

export interface Person {
  editor: Editor
  doc: Y.Doc
  awareness: Awareness
}

let people: Person[] = []

/**
 * An editor on `doc` with the app's extensions, less those named in `without` and with the options
 * in `configure` given to those it names (to see upstream's behaviour without a fix). {@link forgetPeople} destroys it.
 */
export function person(
  name: string,
  doc: Y.Doc,
  without: readonly string[] = [],
  configure: Readonly<Record<string, object>> = {},
): Person {
  const awareness = new Awareness(doc)
  const provider = { awareness } as unknown as WebsocketProvider
  const identity = { id: name, name, color: '#1971c2' }
  const extensions = editorExtensions({ doc, provider, identity })
    .filter((extension) => !without.includes(extension.name))
    .map((extension) => {
      const options = configure[extension.name]
      return options === undefined ? extension : extension.configure(options)
    })
  const element = document.createElement('div')
  document.body.append(element)
  const created = { editor: new Editor({ element, extensions }), doc, awareness }
  people.push(created)
  return created
}

/** For `afterEach`: destroys everyone made by {@link person}. */
export function forgetPeople(): void {
  for (const { editor, doc, awareness } of people) {
    editor.destroy()
    awareness.destroy()
    doc.destroy()
  }
  people = []
  document.body.replaceChildren()
}

/** Two Y.Docs holding the same document: one paragraph per text. */
export function twoDocs(texts: readonly string[]): [Y.Doc, Y.Doc] {
  const seed = new Y.Doc()
  seed.getXmlFragment(DOCUMENT_FIELD).push(
    texts.map((text) => {
      const element = new Y.XmlElement('paragraph')
      element.insert(0, [new Y.XmlText(text)])
      return element
    }),
  )
  const docs: [Y.Doc, Y.Doc] = [new Y.Doc(), new Y.Doc()]
  for (const doc of docs) Y.applyUpdate(doc, Y.encodeStateAsUpdate(seed), REMOTE)
  return docs
}

/** Relays document updates and awareness between `a` and `b`, both ways, at once. */
export function relay(a: Person, b: Person): void {
  for (const [from, to] of [
    [a, b],
    [b, a],
  ] as const) {
    from.doc.on('update', (update: Uint8Array, origin: unknown) => {
      if (origin !== REMOTE) Y.applyUpdate(to.doc, update, REMOTE)
    })
    type Changes = { added: number[]; updated: number[]; removed: number[] }
    from.awareness.on('update', ({ added, updated, removed }: Changes, origin: unknown) => {
      if (origin === REMOTE) return
      const clients = [...added, ...updated, ...removed]
      applyAwarenessUpdate(to.awareness, encodeAwarenessUpdate(from.awareness, clients), REMOTE)
    })
  }
}

/**
 * Alice and Bob, each in an editor on a Y.Doc of one paragraph per text, relayed to each other;
 * `without` and `configure` as for {@link person}.
 */
export function pair(
  texts: readonly string[],
  options: { without?: readonly string[]; configure?: Readonly<Record<string, object>> } = {},
): { alice: Person; bob: Person } {
  const docs = twoDocs(texts)
  const alice = person('Alice', docs[0], options.without, options.configure)
  const bob = person('Bob', docs[1], options.without, options.configure)
  relay(alice, bob)
  return { alice, bob }
}

/** The caret plugin turns awareness changes into a transaction one macrotask later (y-tiptap's 0 ms timeout). */
export function caretTransaction(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0))
}

/** `someone`'s Yjs binding (`ProsemirrorBinding`), typed as the part of it a test uses. */
export function bindingOf<Binding>(someone: Person): Binding {
  return (ySyncPluginKey.getState(someone.editor.state) as { binding: Binding }).binding
}

/**
 * Alice, Bob and Carol, each in an editor on a Y.Doc of their own, all relayed to each other, the
 * document seeded by Bob once with `html` (as the server seeds a document); Alice and Carol
 * without the extensions named in `without` (to compare a fix with upstream's behaviour).
 */
export function threePeople(
  html: string,
  without: { alice?: readonly string[]; carol: readonly string[] },
): { alice: Person; bob: Person; carol: Person } {
  const alice = person('Alice', new Y.Doc(), without.alice)
  const bob = person('Bob', new Y.Doc())
  const carol = person('Carol', new Y.Doc(), without.carol)
  relay(alice, bob)
  relay(carol, alice)
  relay(carol, bob)
  bob.editor.commands.setContent(html)
  return { alice, bob, carol }
}

/** Counts the lookups in `someone`'s binding mapping from now on: a position walk makes one per block it passes. */
export function mappingLookups(someone: Person): () => number {
  const { mapping } = bindingOf<{ mapping: Map<unknown, unknown> }>(someone)
  let count = 0
  const get = mapping.get.bind(mapping)
  mapping.get = (key: unknown) => {
    count++
    return get(key)
  }
  return () => count
}

/** The end of the `index`-th top-level block's text. */
export function endOf(editor: Editor, index: number): number {
  let end = -1
  editor.state.doc.forEach((node, offset, i) => {
    if (i === index) end = offset + node.nodeSize - 1
  })
  return end
}

/**
 * Puts the DOM caret `offset` characters into the `index`-th paragraph of `editor`, as a click
 * does. A browser tells ProseMirror with a `selectionchange` event *later* (happy-dom at once):
 * it is held back here until the returned function sends it.
 */
export function clickInto(editor: Editor, index: number, offset: number): () => void {
  const text = editor.view.dom.querySelectorAll('p')[index]?.firstChild
  if (text === null || text === undefined) throw new Error(`no text in paragraph ${index}`)
  editor.view.focus()
  const hold = (event: Event): void => event.stopImmediatePropagation()
  window.addEventListener('selectionchange', hold, true)
  try {
    document.getSelection()?.collapse(text, offset)
  } finally {
    window.removeEventListener('selectionchange', hold, true)
  }
  return () => document.dispatchEvent(new Event('selectionchange'))
}

/** Someone with a caret and no editor, whose awareness reaches Alice. */
export interface Watcher {
  doc: Y.Doc
  awareness: Awareness
  /** Puts the caret `offset` characters into the `block`-th block, selecting up to `head` if given. */
  moveTo(block: number, offset: number, head?: number): void
}

/** A {@link Watcher} on a copy of `alice`'s document, whose awareness changes reach hers at once. */
export function watcher(alice: Person, name: string): Watcher {
  const doc = new Y.Doc()
  Y.applyUpdate(doc, Y.encodeStateAsUpdate(alice.doc))
  const awareness = new Awareness(doc)
  type Changes = { added: number[]; updated: number[]; removed: number[] }
  awareness.on('update', ({ added, updated, removed }: Changes) => {
    applyAwarenessUpdate(alice.awareness, encodeAwarenessUpdate(awareness, [...added, ...updated, ...removed]), REMOTE)
  })
  awareness.setLocalStateField('user', { id: name, name, color: '#2f9e44' })
  return {
    doc,
    awareness,
    moveTo(block, offset, head = offset) {
      const text = (doc.getXmlFragment(DOCUMENT_FIELD).get(block) as Y.XmlElement).get(0) as Y.XmlText
      // Tied to the character before, as y-tiptap makes a caret's positions (`absolutePositionToRelativePosition`).
      const at = (index: number) => Y.relativePositionToJSON(Y.createRelativePositionFromTypeIndex(text, index, -1))
      awareness.setLocalStateField('cursor', { anchor: at(offset), head: at(head) })
    },
  }
}

export function select(editor: Editor, anchor: number, head = anchor): void {
  editor.view.dispatch(editor.state.tr.setSelection(TextSelection.create(editor.state.doc, anchor, head)))
}

/** Every position inside a textblock of `editor`'s document. */
export function textPositions(editor: Editor): number[] {
  const positions: number[] = []
  editor.state.doc.descendants((node, pos) => {
    if (!node.isTextblock) return true
    for (let offset = 0; offset <= node.content.size; offset++) positions.push(pos + 1 + offset)
    return false
  })
  return positions
}

/**
 * A random selection among `positions` (from {@link textPositions}): a caret with chance `caret`,
 * else a range; as [anchor, head].
 */
export function randomSelection(positions: readonly number[], next: () => number, caret: number): [number, number] {
  const pick = picker(next)
  const anchor = pick(positions)
  return [anchor, next() < caret ? anchor : pick(positions)]
}

/** A small seeded generator (mulberry32), so that a failing round can be run again. */
export function random(seed: number): () => number {
  let a = seed
  return () => {
    a = (a + 0x6d2b79f5) | 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** Picks one of `items` with `next` (a {@link random} generator). */
export function picker(next: () => number): <T>(items: readonly T[]) => T {
  return <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T
}
