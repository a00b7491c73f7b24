/**
 * The two seams the fixes around y-tiptap's plugins use, in one place: running code around a
 * plugin view's `update`, and around its state's `apply`. Both replace the plugin's spec before
 * the editor state is made from it, as Tiptap itself wraps the undo plugin's `spec.view`.
 */
import type { EditorState, Plugin, Transaction } from '@tiptap/pm/state'
import type { EditorView } from '@tiptap/pm/view'

/** Runs the upstream `update` (or not) around which an `Around` decides. */
export type AroundUpdate = (update: () => void, editorView: EditorView, before: EditorState) => void

/**
 * Wraps each view of `plugin`: `make` is called once per view, after upstream's view exists, and
 * returns what runs around its `update` — or null to leave that view as it is.
 */
export function aroundViewUpdate(plugin: Plugin, make: (editorView: EditorView) => AroundUpdate | null): void {
  const upstream = plugin.spec.view
  if (upstream === undefined) return
  plugin.spec.view = (editorView) => {
    const view = upstream(editorView)
    const update = view.update
    const around = update === undefined ? null : make(editorView)
    if (update === undefined || around === null) return view
    return {
      ...view,
      update: (editorView, before) => around(() => update.call(view, editorView, before), editorView, before),
    }
  }
}

/** Upstream's `apply` of the wrapped state field, bound to its arguments. */
export type UpstreamApply = () => unknown

/** Wraps the `apply` of `plugin`'s state field with `apply`, which may call upstream's. */
export function aroundStateApply(
  plugin: Plugin,
  apply: (
    upstream: UpstreamApply,
    tr: Transaction,
    value: unknown,
    oldState: EditorState,
    newState: EditorState,
  ) => unknown,
): void {
  const field = plugin.spec.state
  if (field === undefined) return
  const upstream = field.apply
  plugin.spec.state = {
    ...field,
    apply(tr, value, oldState, newState) {
      return apply(() => upstream.call(this, tr, value, oldState, newState), tr, value, oldState, newState)
    },
  }
}
