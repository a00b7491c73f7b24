// @vitest-environment happy-dom
/**
 * Image uploads in two editors on two Y.Docs wired to each other as the server would: the
 * placeholder is Alice's alone and keeps its place while Bob edits, the image reaches Bob only
 * once uploaded, a failure leaves nothing, an upload without a connection waits for it.
 */
import { Editor } from '@tiptap/core'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { Awareness } from 'y-protocols/awareness'
import type { WebsocketProvider } from 'y-websocket'
import * as Y from 'yjs'
import type { Network } from '../sync/network'
import { DOCUMENT_FIELD } from '../sync/session'
import { editorExtensions } from './extensions'
import { type ImageUploadOptions, type UploadFailure, altFromFileName, imageUploadKey } from './imageUpload'
import { clickInto } from './testPeople'

const REMOTE = 'remote'

interface Deferred {
  resolve(value: { url: string }): void
  reject(failure: UploadFailure): void
}

let editors: Editor[] = []
afterEach(() => {
  for (const editor of editors) editor.destroy()
  editors = []
  document.body.replaceChildren()
})

class FakeNetwork implements Network {
  online = true
  readonly #listeners = new Set<(online: boolean) => void>()
  subscribe(listener: (online: boolean) => void): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }
  set(online: boolean): void {
    this.online = online
    for (const listener of [...this.#listeners]) listener(online)
  }
}

function paragraph(text: string): Y.XmlElement {
  const element = new Y.XmlElement('paragraph')
  element.insert(0, [new Y.XmlText(text)])
  return element
}

function editorOn(doc: Y.Doc, name: string, images?: ImageUploadOptions): Editor {
  const provider = { awareness: new Awareness(doc) } as unknown as WebsocketProvider
  const element = document.createElement('div')
  document.body.append(element)
  const editor = new Editor({
    element,
    extensions: editorExtensions({ doc, provider, identity: { id: name, name, color: '#1971c2' }, images }),
  })
  editors.push(editor)
  return editor
}

function setup(network: Network = new FakeNetwork()) {
  const seed = new Y.Doc()
  seed.getXmlFragment(DOCUMENT_FIELD).push([paragraph('first'), paragraph('second')])
  const docs = [new Y.Doc(), new Y.Doc()] as const
  for (const doc of docs) Y.applyUpdate(doc, Y.encodeStateAsUpdate(seed), REMOTE)
  for (const [from, to] of [
    [docs[0], docs[1]],
    [docs[1], docs[0]],
  ] as const) {
    from.on('update', (update: Uint8Array, origin: unknown) => {
      if (origin !== REMOTE) Y.applyUpdate(to, update, REMOTE)
    })
  }
  const calls: Deferred[] = []
  const upload = (): Promise<{ url: string }> => new Promise((resolve, reject) => calls.push({ resolve, reject }))
  const alice = editorOn(docs[0], 'Alice', { upload, network })
  const bob = editorOn(docs[1], 'Bob')
  return { alice, bob, calls, docs }
}

const png = (name: string): File => new File([new Uint8Array([0x89, 0x50, 0x4e, 0x47])], name, { type: 'image/png' })

const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0))

const placeholders = (editor: Editor): HTMLElement[] => [
  ...editor.view.dom.querySelectorAll<HTMLElement>('[data-testid="image-uploading"]'),
]

/** Node names of the document's top level. */
const blocks = (editor: Editor): string[] => {
  const names: string[] = []
  editor.state.doc.forEach((node) => {
    names.push(node.type.name === 'paragraph' ? node.textContent : node.type.name)
  })
  return names
}

describe('image uploads', () => {
  it('show a placeholder only here, then put the image where it was, for everyone', async () => {
    const { alice, bob, calls, docs } = setup()
    // Between the two paragraphs.
    const between = alice.state.doc.child(0).nodeSize
    alice.commands.uploadImages([png('Holiday photo.png')], between)
    await settle()
    expect(placeholders(alice).map((element) => element.textContent)).toEqual(['Uploading Holiday photo.png…'])
    expect(placeholders(bob)).toEqual([])
    expect(docs[1].getXmlFragment(DOCUMENT_FIELD).toString()).not.toContain('image')

    // Bob adds a paragraph at the top while it uploads: the binding replaces Alice's whole document.
    bob
      .chain()
      .insertContentAt(0, { type: 'paragraph', content: [{ type: 'text', text: 'new top' }] })
      .run()
    expect(blocks(alice)).toEqual(['new top', 'first', 'second'])
    // And Alice types before it.
    alice.chain().setTextSelection(1).insertContent('>> ').run()
    await settle()
    const caret = alice.state.selection.head

    calls[0]?.resolve({ url: '/api/files/AAAAAAAAAAAAAAAAAAAAAA' })
    await settle()
    expect(placeholders(alice)).toEqual([])
    for (const editor of [alice, bob]) {
      expect(blocks(editor)).toEqual(['>> new top', 'first', 'image', 'second'])
    }
    // Her caret stayed where she was typing.
    expect(alice.state.selection.head).toBe(caret)
    const image = bob.state.doc.child(2)
    expect(image.attrs).toMatchObject({ src: '/api/files/AAAAAAAAAAAAAAAAAAAAAA', alt: 'Holiday photo' })
  })

  it('leave a click not yet read by ProseMirror where it was when the upload finishes', async () => {
    const { alice, calls } = setup()
    alice.commands.uploadImages([png('Holiday photo.png')], alice.state.doc.child(0).nodeSize)
    await settle()
    alice.commands.setTextSelection(2)
    // Alice clicks into "second"; ProseMirror hears of it only after the upload is done.
    const selectionChanged = clickInto(alice, 1, 3)
    calls[0]?.resolve({ url: '/api/files/AAAAAAAAAAAAAAAAAAAAAA' })
    await settle()
    selectionChanged()
    expect(blocks(alice)).toEqual(['first', 'image', 'second'])
    alice.commands.insertContent('X')
    expect(blocks(alice)).toEqual(['first', 'image', 'secXond'])
  })

  it('leave nothing behind when the server refuses the file, and say why', async () => {
    const { alice, bob, calls } = setup()
    alice.commands.uploadImages([png('fake.png')], 0)
    await settle()
    expect(placeholders(alice)).toHaveLength(1)
    calls[0]?.reject({ code: 'unsupported_media_type', message: 'only images', retry: false })
    await settle()
    expect(placeholders(alice)).toEqual([])
    expect(imageUploadKey.getState(alice.state)).toEqual([])
    expect(blocks(alice)).toEqual(['first', 'second'])
    expect(blocks(bob)).toEqual(['first', 'second'])
    // The toast region shows its first notice a moment after it appears (ui/toast.ts).
    await vi.waitFor(() =>
      expect(document.querySelector('[data-testid="toast"]')?.textContent).toBe(
        '“fake.png” was not added: it is not a PNG, JPEG, GIF or WebP image.',
      ),
    )
  })

  it('refuse a file that is no image without uploading it', async () => {
    const { alice, calls } = setup()
    alice.commands.uploadImages([new File(['hello'], 'notes.txt', { type: 'text/plain' })], 0)
    await settle()
    expect(calls).toEqual([])
    expect(placeholders(alice)).toEqual([])
  })

  it('wait for the connection when offline, then upload', async () => {
    const network = new FakeNetwork()
    const { alice, bob, calls } = setup(network)
    network.set(false)
    alice.commands.uploadImages([png('later.png')], 0)
    await settle()
    calls[0]?.reject({ code: 'unreachable', message: 'offline', retry: true })
    await settle()
    expect(placeholders(alice).map((element) => element.textContent)).toEqual([
      'Waiting for the connection to upload later.png…',
    ])
    expect(calls).toHaveLength(1)
    network.set(true)
    await settle()
    expect(calls).toHaveLength(2)
    calls[1]?.resolve({ url: '/api/files/BBBBBBBBBBBBBBBBBBBBBB' })
    await settle()
    expect(blocks(bob)).toEqual(['image', 'first', 'second'])
  })

  it('take the file name without its extension as the alt text', () => {
    expect(altFromFileName('Holiday photo.png')).toBe('Holiday photo')
    expect(altFromFileName('archive.tar.gz')).toBe('archive.tar')
    expect(altFromFileName('.png')).toBe('Image')
    expect(altFromFileName('no extension')).toBe('no extension')
  })
})
