/**
 * y-tiptap's sync plugin state is untyped; the part the editor's fixes around the binding read
 * (`narrowRemoteChanges.ts`, `keepUntouchedNodes.ts`, `remoteSelection.ts`), in one place, and
 * the seams they wrap the binding at: its Yjs observer, its save of your selection, and a plugin
 * that hands them the binding.
 */
import type { Node as ProseMirrorNode } from '@tiptap/pm/model'
import { type EditorState, Plugin, PluginKey } from '@tiptap/pm/state'
import { ySyncPluginKey } from '@tiptap/y-tiptap'
import * as Y from 'yjs'

export interface YSyncState<Binding> {
  binding?: Binding
  snapshot?: unknown
  prevSnapshot?: unknown
  /** Whether the state's last transaction was the binding's, applying a change from Yjs. */
  isChangeOrigin?: boolean
}

/** What the binding maps a Yjs type to: an element's node, or a text's run of text nodes. */
export type Mapped = ProseMirrorNode | ProseMirrorNode[]

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

/** The part of `ProsemirrorBinding` {@link aroundSelectionSave} uses. */
interface SavingBinding {
  doc: Y.Doc
  prosemirrorView: unknown
  beforeAllTransactions: () => void
}

/**
 * Replaces the binding's save of your selection (its `beforeAllTransactions` listener on the
 * Y.Doc) by `around(previous)`. The binding listens through that property from `initView` to
 * `destroy`; if it listens already, the new listener takes the old one's place.
 */
export function aroundSelectionSave(binding: SavingBinding, around: (previous: () => void) => () => void): void {
  const previous = binding.beforeAllTransactions
  const save = around(previous)
  const listening = binding.prosemirrorView !== null
  if (listening) binding.doc.off('beforeAllTransactions', previous)
  binding.beforeAllTransactions = save
  if (listening) binding.doc.on('beforeAllTransactions', save)
}

/**
 * A plugin that hands the editor's binding to `install` once, when its view is made (register its
 * extension after Collaboration, whose plugin view makes the binding's view first).
 */
export function bindingPlugin<Binding>(name: string, install: (binding: Binding) => void): Plugin {
  return new Plugin({
    key: new PluginKey(name),
    view(view) {
      const binding = ySyncState<Binding>(view.state)?.binding
      if (binding !== undefined) install(binding)
      return {}
    },
  })
}

/** The child of `fragment` that holds `type`, or null when `type` is not under `fragment`. */
export function topLevelOf(type: Y.AbstractType<unknown>, fragment: Y.XmlFragment): Y.AbstractType<unknown> | null {
  let current = type
  for (;;) {
    const parent = current._item?.parent
    if (!(parent instanceof Y.AbstractType)) return null
    if (parent === fragment) return current
    current = parent
  }
}

/** Whether `transaction` changed `type` or anything in it (the binding rebuilds those). */
export function touched(type: unknown, transaction: Y.Transaction): boolean {
  const key = type as Parameters<typeof transaction.changed.has>[0]
  // The changed types and all their ancestors (filled before deep observers such as the binding's run).
  return transaction.changed.has(key) || transaction.changedParentTypes.has(key)
}

/** Forgets the mapping entries of every type `transaction` deleted (nested ones too). */
export function forgetDeleted(mapping: Map<unknown, unknown>, transaction: Y.Transaction): void {
  Y.iterateDeletedStructs(transaction, transaction.deleteSet, (struct) => {
    if (struct instanceof Y.Item && struct.content instanceof Y.ContentType) mapping.delete(struct.content.type)
  })
}

/**
 * Where top-level block `node` is in `doc`, found by identity; null when `doc` holds it not
 * exactly once. With the array's own search and the sizes of the blocks before it summed (12 µs
 * at 5,000 blocks, against 60 for a loop over the children comparing each).
 */
export function findBlock(doc: ProseMirrorNode, node: ProseMirrorNode): { index: number; start: number } | null {
  const children = doc.content.content
  const index = children.indexOf(node)
  if (index === -1 || children.lastIndexOf(node) !== index) return null
  let start = 0
  for (let i = 0; i < index; i++) start += (children[i] as ProseMirrorNode).nodeSize
  return { index, start }
}
