/**
 * y-tiptap's sync plugin state is untyped; the part the editor's fixes around the binding read
 * (`narrowRemoteChanges.ts`, `keepUntouchedNodes.ts`, `remoteSelection.ts`), in one place, and
 * the seam they wrap the binding's Yjs observer at.
 */
import type { EditorState } from '@tiptap/pm/state'
import { ySyncPluginKey } from '@tiptap/y-tiptap'
import type * as Y from 'yjs'

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

/** The binding's Yjs observer (`ProsemirrorBinding._typeChanged`, bound). */
export type BindingObserver = (events: Y.YEvent<Y.AbstractType<unknown>>[], transaction: Y.Transaction) => void

/** The part of `ProsemirrorBinding` {@link aroundBindingObserver} uses. */
interface ObservingBinding {
  type: Y.XmlFragment
  prosemirrorView: unknown
  _observeFunction: BindingObserver
}

/**
 * Replaces the binding's Yjs observer by `around(upstream)`. The binding observes through
 * `_observeFunction` from `initView` to `destroy`; if it observes already, the new observer takes
 * the old one's place.
 */
export function aroundBindingObserver(
  binding: ObservingBinding,
  around: (upstream: BindingObserver) => BindingObserver,
): void {
  const upstream = binding._observeFunction
  const observer = around(upstream)
  const observing = binding.prosemirrorView !== null
  if (observing) binding.type.unobserveDeep(upstream)
  binding._observeFunction = observer
  if (observing) binding.type.observeDeep(observer)
}
