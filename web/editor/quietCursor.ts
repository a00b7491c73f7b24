/**
 * Your caret is sent to the others when it changes, not again after each of their keystrokes.
 *
 * Upstream behaviour (@tiptap/y-tiptap 3.0.9, `yCursorPlugin`'s view `update`): after every
 * remote change to the document the caret plugin publishes your caret again
 * (`updateCursorInfo(view, { force: true })`), also when its relative positions are the same as
 * before. So each keystroke of anyone makes every other open editor encode and send its unchanged
 * caret (over the WebSocket and y-websocket's BroadcastChannel) and the server relay each of
 * those to everyone: presence traffic grows with the square of the people typing, and in the
 * typist's peers it was 13–20 % of a remote keystroke's main-thread time at 5,000 paragraphs
 * (`bench/typing.ts --profile`). What the forced caret is for: the caret plugin hides the others'
 * carets after your own structural edit (a split, a join, a block moved or pasted), "until the
 * collaborator publishes its new cursor", because for a moment their positions may resolve to the
 * wrong place; everyone else's forced republish brings them back.
 *
 * Here an unchanged caret is not sent again after a change that touched only text inside
 * existing blocks (every type the Yjs transaction changed is a `Y.XmlText`, so no position can
 * have moved to another block); after any other change — a block added, removed, moved or given
 * other attributes — it is, as upstream. And an edit of yours that ProseMirror counts as
 * structural but that reaches Yjs as text only (a paragraph replaced by another of the same kind,
 * which the binding writes as a change of its text) and leaves your caret where it was (a caret
 * of yours that moves redraws them anyway) redraws the others' carets itself, one tick later as
 * upstream's caret updates do, since nobody will publish theirs again after it. The share above
 * is from the two-person benchmark; the traffic saved grows with the people in a document.
 * Drop this once the caret plugin stops forcing (the "upstream" test beside this file then
 * fails).
 */
import { Extension } from '@tiptap/core'
import { type EditorState, Plugin, PluginKey } from '@tiptap/pm/state'
import { DecorationSet, type EditorView } from '@tiptap/pm/view'
import { setMeta, yCursorPluginKey, ySyncPluginKey } from '@tiptap/y-tiptap'
import type { Awareness } from 'y-protocols/awareness'
import * as Y from 'yjs'
import { ySyncState } from './ySyncState'

/** The awareness field CollaborationCaret keeps the caret in (its default). */
export const CURSOR_FIELD = 'cursor'

/** The part of `ProsemirrorBinding` used here. */
interface Binding {
  type: Y.XmlFragment
  doc: Y.Doc
  prosemirrorView: EditorView | null
}

/** A published caret: relative positions as JSON (or, set by this editor, as objects). */
export interface Cursor {
  anchor: unknown
  head: unknown
}

function relative(position: unknown): Y.RelativePosition {
  return position instanceof Y.RelativePosition ? position : Y.createRelativePositionFromJSON(position)
}

/** Whether two published carets are at the same relative positions (false when either is absent). */
export function sameCursor(a: Cursor | null | undefined, b: Cursor | null | undefined): boolean {
  if (a == null || b == null) return false
  return (
    Y.compareRelativePositions(relative(a.anchor), relative(b.anchor)) &&
    Y.compareRelativePositions(relative(a.head), relative(b.head))
  )
}

/** Whether `transaction` changed, under `fragment`, nothing but the contents of texts. */
function touchesOnlyText(transaction: Y.Transaction, fragment: Y.XmlFragment): boolean {
  for (const type of transaction.changed.keys()) {
    if (type instanceof Y.XmlText) continue
    if ((type as unknown) === fragment || (type._item !== null && Y.isParentOf(fragment, type._item))) return false
  }
  return true
}

/**
 * Makes the caret of `binding`'s editor quiet as described above. `updated` is the plugin view's
 * update (after the binding's own, which writes your edits to Yjs); `destroy` undoes it all.
 */
export function quietCursor(
  awareness: Awareness,
  binding: Binding,
): { updated(view: EditorView, before: EditorState): void; destroy(): void } {
  let textOnly = false
  /** The binding has just written an edit of yours that is text only in Yjs. */
  let wroteTextOnly = false
  const beforeObservers = (transaction: Y.Transaction): void => {
    textOnly = touchesOnlyText(transaction, binding.type)
  }
  const afterTransaction = (transaction: Y.Transaction): void => {
    if (transaction.origin === ySyncPluginKey && textOnly) wroteTextOnly = true
    textOnly = false
  }
  binding.doc.on('beforeObserverCalls', beforeObservers)
  binding.doc.on('afterTransaction', afterTransaction)
  const upstream = awareness.setLocalStateField
  awareness.setLocalStateField = function (this: Awareness, field: string, value: unknown): void {
    if (field === CURSOR_FIELD && textOnly) {
      const current = this.getLocalState()?.[CURSOR_FIELD] as Cursor | null | undefined
      if (sameCursor(current, value as Cursor | null)) return
    }
    upstream.call(this, field, value)
  }
  return {
    updated(view, before) {
      if (!wroteTextOnly) return
      wroteTextOnly = false
      // That edit hid the others' carets, and nobody will publish theirs again after it.
      const hid =
        yCursorPluginKey.getState(view.state) === DecorationSet.empty &&
        yCursorPluginKey.getState(before) !== DecorationSet.empty
      if (hid && othersHaveCarets(awareness)) setMeta(view, yCursorPluginKey, { awarenessUpdated: true })
    },
    destroy() {
      binding.doc.off('beforeObserverCalls', beforeObservers)
      binding.doc.off('afterTransaction', afterTransaction)
      awareness.setLocalStateField = upstream
    },
  }
}

function othersHaveCarets(awareness: Awareness): boolean {
  for (const [client, state] of awareness.getStates()) {
    if (client !== awareness.clientID && state[CURSOR_FIELD] != null) return true
  }
  return false
}

export interface QuietCursorOptions {
  /** The awareness CollaborationCaret publishes the caret in. */
  awareness: Awareness | null
}

/** Register after Collaboration: its plugin view (`initView`) must exist before this one's. */
export const QuietCursor = Extension.create<QuietCursorOptions>({
  name: 'quietCursor',
  addOptions() {
    return { awareness: null }
  },
  addProseMirrorPlugins() {
    const { awareness } = this.options
    return [
      new Plugin({
        key: new PluginKey('quietCursor'),
        view(view) {
          const binding = ySyncState<Binding>(view.state)?.binding
          if (awareness === null || binding === undefined) return {}
          const quiet = quietCursor(awareness, binding)
          return { update: (view, before) => quiet.updated(view, before), destroy: () => quiet.destroy() }
        },
      }),
    ]
  },
})
