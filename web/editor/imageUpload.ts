/**
 * Images into the document: from the toolbar's file picker, dropped or pasted as files. Each is
 * uploaded to the server (`POST /api/docs/:id/files`) and only then written into the document as
 * an `image` node with the returned `/api/files/…` URL: never base64, and nothing anyone else
 * sees until the image is there to show.
 *
 * While a file uploads, a placeholder shows where it will go: a widget decoration, local to this
 * editor and never part of the shared document. Its place is kept as a Yjs relative position,
 * because the binding applies someone else's edit as one step that replaces the whole document
 * (mapping a position through that step would throw it to the start or the end); local edits map
 * it through their steps. A failed upload removes the placeholder and says why (a toast, which is
 * also a live region); an upload that cannot reach the server waits for the connection and tries
 * again, as long as the page is open.
 */
import { type Editor, Extension } from '@tiptap/core'
import { type EditorState, Plugin, PluginKey } from '@tiptap/pm/state'
import { Decoration, DecorationSet, type EditorView } from '@tiptap/pm/view'
import {
  absolutePositionToRelativePosition,
  relativePositionToAbsolutePosition,
  ySyncPluginKey,
} from '@tiptap/y-tiptap'
import type * as Y from 'yjs'
import type { Network } from '../sync/network'
import { announce } from '../ui/announce'
import { toast } from '../ui/toast'
import { readDom } from './keySelection'

/** What the server accepts (it decides from the bytes; this only spares an upload bound to fail). */
export const IMAGE_TYPES = ['image/png', 'image/jpeg', 'image/gif', 'image/webp']
const ACCEPTED = 'PNG, JPEG, GIF or WebP'

/** A refusal of the upload, with the API's error code; `retry` when it may work later. */
export interface UploadFailure {
  code: string
  message: string
  retry: boolean
}

export interface ImageUploadOptions {
  /** Uploads the file; resolves with its URL, or rejects with an {@link UploadFailure}. */
  upload: (file: File) => Promise<{ url: string }>
  network: Network
}

declare module '@tiptap/core' {
  interface Commands<ReturnType> {
    imageUpload: {
      /** Opens the file picker; chosen images are uploaded at the selection. */
      openImagePicker: () => ReturnType
      /** Uploads image files and inserts them at `pos` (the selection by default). */
      uploadImages: (files: File[], pos?: number) => ReturnType
    }
  }
}

interface PendingUpload {
  id: number
  pos: number
  /** Where it goes, as Yjs sees it; null until the binding has the latest local edit. */
  anchor: unknown
  name: string
  waiting: boolean
}

type Meta = { add: PendingUpload } | { remove: number } | { waiting: number; value: boolean }

interface SyncState {
  doc: Y.Doc
  type: Y.XmlFragment
  binding: { mapping: unknown } | null
}

export const imageUploadKey = new PluginKey<PendingUpload[]>('imageUpload')

/** The alt text a picture starts with: its file name without the extension. */
export function altFromFileName(name: string): string {
  const base = name.replace(/\.[A-Za-z0-9]{1,5}$/, '').trim()
  return base === '' ? 'Image' : base
}

const clamp = (pos: number, state: EditorState): number => Math.max(0, Math.min(pos, state.doc.content.size))

function syncState(state: EditorState): SyncState | null {
  const sync = ySyncPluginKey.getState(state) as SyncState | undefined
  return sync?.binding ? sync : null
}

function toAnchor(state: EditorState, pos: number): unknown {
  const sync = syncState(state)
  if (sync === null) return null
  return absolutePositionToRelativePosition(pos, sync.type, sync.binding?.mapping as never)
}

function fromAnchor(state: EditorState, anchor: unknown): number | null {
  const sync = syncState(state)
  if (sync === null || anchor === null) return null
  const pos = relativePositionToAbsolutePosition(sync.doc, sync.type, anchor, sync.binding?.mapping as never)
  return pos === null ? null : clamp(pos, state)
}

function placeholder(upload: PendingUpload): HTMLElement {
  const element = document.createElement('span')
  element.className = 'image-uploading'
  element.contentEditable = 'false'
  element.setAttribute('data-testid', 'image-uploading')
  element.textContent = upload.waiting
    ? `Waiting for the connection to upload ${upload.name}…`
    : `Uploading ${upload.name}…`
  return element
}

function imageUploadPlugin(): Plugin<PendingUpload[]> {
  return new Plugin<PendingUpload[]>({
    key: imageUploadKey,
    state: {
      init: () => [],
      apply(tr, uploads, _old, state) {
        let next = uploads
        if (tr.docChanged && next.length > 0) {
          const remote = (tr.getMeta(ySyncPluginKey) as { isChangeOrigin?: boolean } | undefined)?.isChangeOrigin
          next = next.map((upload) => {
            const pos = remote ? fromAnchor(state, upload.anchor) : null
            // A local edit is written to Yjs after this: the anchor is taken again then (view).
            return {
              ...upload,
              pos: pos ?? clamp(tr.mapping.map(upload.pos), state),
              anchor: remote ? upload.anchor : null,
            }
          })
        }
        const meta = tr.getMeta(imageUploadKey) as Meta | undefined
        if (meta === undefined) return next
        if ('add' in meta) return [...next, meta.add]
        if ('remove' in meta) return next.filter((upload) => upload.id !== meta.remove)
        return next.map((upload) => (upload.id === meta.waiting ? { ...upload, waiting: meta.value } : upload))
      },
    },
    props: {
      decorations(state) {
        const uploads = imageUploadKey.getState(state) ?? []
        if (uploads.length === 0) return null
        return DecorationSet.create(
          state.doc,
          uploads.map((upload) =>
            Decoration.widget(upload.pos, () => placeholder(upload), {
              key: `upload-${upload.id}-${upload.waiting}`,
              side: -1,
            }),
          ),
        )
      },
    },
    view: () => ({
      update(view: EditorView) {
        const uploads = imageUploadKey.getState(view.state) ?? []
        if (!uploads.some((upload) => upload.anchor === null)) return
        // After every plugin's view, the binding's included: Yjs has the local edit by then.
        queueMicrotask(() => {
          if (view.isDestroyed) return
          for (const upload of imageUploadKey.getState(view.state) ?? []) {
            if (upload.anchor === null) upload.anchor = toAnchor(view.state, upload.pos)
          }
        })
      },
    }),
  })
}

let nextUploadId = 1

/** The first delay before trying again, doubled each time up to the second. */
const RETRY_FIRST_MS = 1000
const RETRY_MAX_MS = 30_000

function describeFailure(name: string, failure: UploadFailure): string {
  switch (failure.code) {
    case 'unsupported_media_type':
      return `“${name}” was not added: it is not a ${ACCEPTED} image.`
    case 'payload_too_large':
      return `“${name}” was not added: it is too large (${failure.message}).`
    case 'forbidden':
    case 'unauthorized':
      return `“${name}” was not added: you may not add images to this document.`
    case 'document_not_found':
      return `“${name}” was not added: the document no longer exists.`
    default:
      return `“${name}” was not added: ${failure.message}`
  }
}

function asFailure(error: unknown): UploadFailure {
  if (typeof error === 'object' && error !== null && 'code' in error && 'retry' in error) return error as UploadFailure
  return { code: 'internal', message: error instanceof Error ? error.message : String(error), retry: false }
}

export const ImageUpload = Extension.create<ImageUploadOptions>({
  name: 'imageUpload',

  addOptions() {
    return {
      upload: () => Promise.reject({ code: 'internal', message: 'uploads are not set up', retry: false }),
      network: { online: true, subscribe: () => () => undefined },
    }
  },

  addCommands() {
    return {
      openImagePicker:
        () =>
        ({ editor }) => {
          if (!editor.isEditable) return false
          const input = document.createElement('input')
          input.type = 'file'
          input.accept = IMAGE_TYPES.join(',')
          input.multiple = true
          input.addEventListener('change', () => {
            const files = [...(input.files ?? [])]
            if (files.length > 0) editor.commands.uploadImages(files)
          })
          input.click()
          return true
        },
      uploadImages:
        (files, pos) =>
        ({ editor }) => {
          if (!editor.isEditable) return false
          const at = pos ?? editor.state.selection.from
          for (const file of files) void uploadOne(editor, this.options, file, at)
          return true
        },
    }
  },

  addProseMirrorPlugins() {
    const editor = this.editor
    const filesOf = (data: DataTransfer | null): File[] => [...(data?.files ?? [])]
    return [
      imageUploadPlugin(),
      new Plugin({
        key: new PluginKey('imageUploadInput'),
        props: {
          handleDrop(view, event) {
            const files = filesOf(event.dataTransfer)
            // Moving content within the editor, or nothing to upload: ProseMirror's own business.
            if (files.length === 0 || event.dataTransfer?.types.includes('application/x-prosemirror-slice'))
              return false
            event.preventDefault()
            if (!editor.isEditable) return true
            const target = view.posAtCoords({ left: event.clientX, top: event.clientY })
            editor.commands.uploadImages(files, target?.pos ?? view.state.selection.from)
            return true
          },
          handlePaste(_view, event) {
            const files = filesOf(event.clipboardData)
            if (files.length === 0) return false
            // Copied from a page or an office document, the files are pictures of the text beside
            // them: the text is what was meant. A lone picture (copied image) is uploaded.
            const html = event.clipboardData?.getData('text/html') ?? ''
            if (html !== '' && !isOnlyImages(html)) return false
            event.preventDefault()
            editor.commands.uploadImages(files)
            return true
          },
        },
      }),
    ]
  },
})

/** HTML of nothing but images (what a browser puts beside a copied image). */
function isOnlyImages(html: string): boolean {
  const parsed = new DOMParser().parseFromString(html, 'text/html')
  return (parsed.body.textContent ?? '').trim() === '' && parsed.body.querySelector('img') !== null
}

async function uploadOne(editor: Editor, options: ImageUploadOptions, file: File, at: number): Promise<void> {
  // Out of the command that started it: its own transactions come after the command's.
  await Promise.resolve()
  if (file.type !== '' && !IMAGE_TYPES.includes(file.type)) {
    toast(describeFailure(file.name, { code: 'unsupported_media_type', message: '', retry: false }), {
      kind: 'error',
      timeoutMs: 8000,
    })
    return
  }
  const id = nextUploadId++
  const upload: PendingUpload = {
    id,
    pos: clamp(at, editor.state),
    anchor: toAnchor(editor.state, clamp(at, editor.state)),
    name: file.name,
    waiting: false,
  }
  const dispatch = (meta: Meta): void => {
    if (editor.isDestroyed) return
    // Network events come at any time, also between a click and the `selectionchange` that tells
    // ProseMirror of it; the redraw of the placeholder would write the old caret over the click
    // (prosemirror-view writes the state's selection into the DOM after a redraw). So ProseMirror
    // reads the DOM first, as it does on `selectionchange`; the image is then inserted after that.
    if (!editor.view.composing) readDom(editor.view)
    editor.view.dispatch(editor.state.tr.setMeta(imageUploadKey, meta))
  }
  dispatch({ add: upload })
  announce(`Uploading ${file.name}`)
  let url: string | null = null
  let delay = RETRY_FIRST_MS
  while (url === null && !editor.isDestroyed) {
    try {
      url = (await options.upload(file)).url
    } catch (error) {
      const failure = asFailure(error)
      if (!failure.retry) {
        dispatch({ remove: id })
        toast(describeFailure(file.name, failure), { kind: 'error', timeoutMs: 8000 })
        return
      }
      dispatch({ waiting: id, value: true })
      await connectionBack(options.network, delay)
      delay = Math.min(delay * 2, RETRY_MAX_MS)
      dispatch({ waiting: id, value: false })
    }
  }
  if (url === null || editor.isDestroyed) return
  const current = (imageUploadKey.getState(editor.state) ?? []).find((item) => item.id === id)
  dispatch({ remove: id })
  const pos = current?.pos ?? editor.state.selection.from
  // The caret stays where the person went on writing meanwhile.
  editor.commands.insertContentAt(
    pos,
    { type: 'image', attrs: { src: url, alt: altFromFileName(file.name) } },
    { updateSelection: false },
  )
  announce(`Image ${file.name} added`)
}

/** Resolves when the browser comes back online, or after `delay` if it says it is (the server may be back). */
function connectionBack(network: Network, delay: number): Promise<void> {
  return new Promise((resolve) => {
    let timer: ReturnType<typeof setTimeout> | null = null
    const done = (): void => {
      if (timer !== null) clearTimeout(timer)
      unsubscribe()
      resolve()
    }
    const unsubscribe = network.subscribe((online) => {
      if (online) done()
    })
    if (network.online) timer = setTimeout(done, delay)
  })
}
