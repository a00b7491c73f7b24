/**
 * y-tiptap's sync plugin state is untyped; the part the editor's fixes around the binding read
 * (`narrowRemoteChanges.ts`, `keepUntouchedNodes.ts`), in one place.
 */
import type { EditorState } from '@tiptap/pm/state'
import { ySyncPluginKey } from '@tiptap/y-tiptap'

export interface YSyncState<Binding> {
  binding?: Binding
  snapshot?: unknown
  prevSnapshot?: unknown
}

/** The sync plugin's state; `Binding` is the part of its `ProsemirrorBinding` the caller uses. */
export function ySyncState<Binding>(state: EditorState): YSyncState<Binding> | undefined {
  return ySyncPluginKey.getState(state) as YSyncState<Binding> | undefined
}

/** Whether the editor shows the live document, not a snapshot of the version history. */
export function showsLiveDocument<Binding>(sync: YSyncState<Binding> | undefined): sync is YSyncState<Binding> {
  return sync !== undefined && sync.snapshot == null && sync.prevSnapshot == null
}
