/**
 * Whether your caret is on screen, answered from the last frame the browser drew instead of a
 * layout forced inside every remote keystroke.
 *
 * Upstream behaviour (@tiptap/y-tiptap 3.0.9, `ProsemirrorBinding._typeChanged`): before it
 * applies someone else's change, the binding asks `_isLocalCursorInView()` whether to keep your
 * caret in view; that measures the DOM selection (`_isDomSelectionInView`: `Range.getClientRects`
 * and `getBoundingClientRect`). The page has nearly always changed since it was last laid out —
 * your own keystroke, the previous remote one, a caret that moved — so the measurement makes
 * Chromium lay the document out there and then, inside the WebSocket message handler, once per
 * remote keystroke: 17 % of that handler's time at 5,000 paragraphs (`bench/typing.ts
 * --profile`), and again in the frame that follows. (Upstream remembers the answer only until the
 * next task, and each WebSocket message is a task of its own.)
 *
 * Here the selection is measured in an animation frame — where the browser lays the page out
 * anyway — after each transaction, scroll or resize, and the binding gets that answer: whether
 * your caret was in view on the screen as last drawn, i.e. before the change, which is what
 * upstream means to ask. Until a first frame has measured it, the binding measures as upstream
 * does. The answer only marks the binding's transaction `scrollIntoView`, which
 * `NarrowRemoteChanges` carries out in the next frame. Drop this once the binding stops measuring
 * layout per change (the "upstream" test beside this file then fails).
 */
import { Extension } from '@tiptap/core'
import { Plugin, PluginKey } from '@tiptap/pm/state'
import type { EditorView } from '@tiptap/pm/view'
import { ySyncState } from './ySyncState'

/** The part of `ProsemirrorBinding` used here. */
interface Binding {
  prosemirrorView: EditorView | null
  _isLocalCursorInView(): boolean
  _isDomSelectionInView(): boolean
}

/**
 * Makes `binding` answer from a per-frame measurement. `changed` is to be called after each
 * transaction (the next frame measures again); `destroy` stops listening. Without animation frames
 * (not a browser) the binding is left as it is.
 */
export function measureCursorPerFrame(binding: Binding, view: EditorView): { changed(): void; destroy(): void } {
  const idle = { changed() {}, destroy() {} }
  if (typeof requestAnimationFrame !== 'function') return idle
  const page = view.dom.ownerDocument.defaultView
  if (page === null) return idle
  let onScreen: boolean | null = null
  let frame: number | null = null
  const measure = (): void => {
    frame = null
    if (binding.prosemirrorView === view) onScreen = binding._isDomSelectionInView()
  }
  const changed = (): void => {
    frame ??= requestAnimationFrame(measure)
  }
  // The change it is asked for is dispatched next, and the plugin view's update calls `changed`.
  binding._isLocalCursorInView = () => {
    if (!view.hasFocus()) return false
    onScreen ??= binding._isDomSelectionInView()
    return onScreen
  }
  // Capture: a scroll of any scrolling ancestor, not only the window's.
  page.addEventListener('scroll', changed, { capture: true, passive: true })
  page.addEventListener('resize', changed, { passive: true })
  return {
    changed,
    destroy() {
      if (frame !== null) cancelAnimationFrame(frame)
      page.removeEventListener('scroll', changed, { capture: true })
      page.removeEventListener('resize', changed)
    },
  }
}

/** Register after Collaboration: its plugin view (`initView`) must exist before this one's. */
export const CursorInView = Extension.create({
  name: 'cursorInView',
  addProseMirrorPlugins() {
    return [
      new Plugin({
        key: new PluginKey('cursorInView'),
        view(view) {
          const binding = ySyncState<Binding>(view.state)?.binding
          if (binding === undefined) return {}
          const measuring = measureCursorPerFrame(binding, view)
          return { update: () => measuring.changed(), destroy: () => measuring.destroy() }
        },
      }),
    ]
  },
})
