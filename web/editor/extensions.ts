/**
 * The editor's extensions: the server's content schema (so that what the browser writes is
 * exactly what the server's firewall accepts) plus collaboration, carets and cosmetics that
 * add no schema of their own.
 */
import type { Extensions, Node } from '@tiptap/core'
import { Placeholder } from '@tiptap/extensions'
import type { Node as ProseMirrorNode } from '@tiptap/pm/model'
import type { WebsocketProvider } from 'y-websocket'
import type * as Y from 'yjs'
import { contentExtensions } from '../../protocol/schema'
import type { Identity } from '../identity'
import { DOCUMENT_FIELD } from '../sync/session'
import { renderCaret, selectionAttributes } from './caret'
import { CollaborationFixes } from './collaborationFixes'
import { CursorInView } from './cursorInView'
import { QuietCursor } from './quietCursor'
import { LongDocument } from './longDocument'
import { QuickIsEmpty } from './quickIsEmpty'
import { RemoteInPlace } from './remoteInPlace'
import { RemoteSelection } from './remoteSelection'
import { CollaborationCaretWithFixes, CollaborationWithFixes } from './collaboration'
import { KeySelection } from './keySelection'
import { KeepUntouchedNodes } from './keepUntouchedNodes'
import { NarrowRemoteChanges } from './narrowRemoteChanges'
import { StructuredPaste } from './paste'
import { TaskCheckboxes, taskCheckboxLabel, withCheckboxes } from './tasks'
import { ImageUpload, type ImageUploadOptions } from './imageUpload'

/**
 * StarterKit's trailing-node plugin appends an empty paragraph whenever the document ends in
 * something else. Run in every open editor at once, that duplicates paragraphs, so it is off;
 * it adds no schema, so the schema stays the server's.
 */
export function sharedSchemaExtensions(): Extensions {
  return contentExtensions().map((extension) => {
    if (extension.name === 'starterKit') return extension.configure({ trailingNode: false })
    // A task's checkbox says what it is for and whether it is done (no schema change).
    if (extension.name === 'taskItem') {
      return (extension as Node)
        .extend({
          addNodeView() {
            const parent = this.parent?.()
            return parent === undefined || parent === null ? null : withCheckboxes(parent)
          },
        })
        .configure({
          // Tiptap's node view leaves out the data-type its HTML has; styles and tests find items by it.
          HTMLAttributes: { 'data-type': 'taskItem' },
          a11y: {
            checkboxLabel: (node: ProseMirrorNode, checked: boolean) => taskCheckboxLabel(node.textContent, checked),
          },
        })
    }
    return extension
  })
}

export function editorExtensions(options: {
  doc: Y.Doc
  provider: WebsocketProvider
  identity: Identity
  /** Image uploads (toolbar, drop, paste); without them, files are not taken. */
  images?: ImageUploadOptions | undefined
}): Extensions {
  return [
    ...sharedSchemaExtensions(),
    // Collaboration, without y-tiptap's walks of the whole document per transaction (upstream).
    CollaborationWithFixes.configure({ document: options.doc, field: DOCUMENT_FIELD }),
    // Others' edits keep your marks at the caret and your undo steps (upstream binding issues).
    CollaborationFixes,
    // Someone else's keystroke replaces only the blocks it changed, not the whole document.
    NarrowRemoteChanges,
    // …and rebuilds from Yjs only the nodes of the types it touched (upstream rebuilds them all).
    KeepUntouchedNodes,
    // …and keeps your selection without walking the document before it (upstream walks it four times).
    RemoteSelection,
    // …and, when it changed a few blocks away from your selection, touches only those (upstream lists the document).
    RemoteInPlace,
    // …and asks whether your caret is on screen without a layout per remote keystroke (upstream).
    CursorInView,
    // Your caret is sent again when it changed, not after everyone else's every keystroke (upstream).
    QuietCursor.configure({ awareness: options.provider.awareness }),
    // A key acts on the selection you see, not on one ProseMirror has not read yet (upstream race).
    KeySelection,
    // A long document's blocks off screen are not laid out or painted (styles.css).
    LongDocument,
    // Whether the document is empty, asked by the placeholder on every update, without visiting
    // every block (upstream).
    QuickIsEmpty,
    TaskCheckboxes,
    StructuredPaste,
    ...(options.images === undefined ? [] : [ImageUpload.configure(options.images)]),
    // CollaborationCaret, your caret not worked out again when nothing moved it (upstream).
    CollaborationCaretWithFixes.configure({
      provider: options.provider,
      user: { id: options.identity.id, name: options.identity.name, color: options.identity.color },
      render: renderCaret,
      selectionRender: selectionAttributes,
    }),
    Placeholder.configure({
      // Only on an empty document: a hint on every empty line would be noise.
      placeholder: ({ editor }) => (editor.isEmpty ? 'Start writing… (# for a heading, - for a list)' : ''),
    }),
  ]
}
