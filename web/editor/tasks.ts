/**
 * Task lists in the editor. Tiptap's task item (3.31.3) draws a real checkbox, and a click or
 * Space on it toggles `checked` in the document, which Yjs carries to everyone at once. What it
 * does not do is show when you may not: for view-only people it reverts the click, but the box
 * looks and announces itself as usable. This plugin disables every task checkbox while the
 * editor is not editable (view-only access, or a session that ended), and enables them again.
 */
import { Extension, type NodeViewRenderer } from '@tiptap/core'
import { Plugin, PluginKey } from '@tiptap/pm/state'
import type { EditorView, NodeView, ViewMutationRecord } from '@tiptap/pm/view'

export const TASK_CHECKBOX = 'li[data-type="taskItem"] > label > input[type="checkbox"]'

function syncCheckboxes(view: EditorView): void {
  const disabled = !view.editable
  for (const checkbox of view.dom.querySelectorAll<HTMLInputElement>(TASK_CHECKBOX)) {
    if (checkbox.disabled !== disabled) checkbox.disabled = disabled
  }
}

/**
 * The task item's node view as Tiptap makes it, plus: its checkbox has a test id and starts
 * disabled when the editor is read-only, and ProseMirror ignores DOM changes outside the item's
 * text (the checkbox, its label). Without that, the plugin below disabling a checkbox is a DOM
 * change ProseMirror reads back, re-renders, and the plugin runs again, for ever.
 */
export function withCheckboxes(parent: NodeViewRenderer): NodeViewRenderer {
  return (props) => {
    const view = parent(props) as NodeView
    const checkbox = view.dom instanceof HTMLElement ? view.dom.querySelector('input[type="checkbox"]') : null
    if (checkbox instanceof HTMLInputElement) {
      checkbox.dataset.testid = 'task-checkbox'
      checkbox.disabled = !props.editor.isEditable
    }
    const content = view.contentDOM ?? null
    return Object.assign(view, {
      ignoreMutation: (mutation: ViewMutationRecord) =>
        mutation.type !== 'selection' && (content === null || !content.contains(mutation.target)),
    })
  }
}

export const TaskCheckboxes = Extension.create({
  name: 'taskCheckboxes',
  addProseMirrorPlugins() {
    return [
      new Plugin({
        key: new PluginKey('taskCheckboxes'),
        view(view) {
          syncCheckboxes(view)
          return { update: syncCheckboxes }
        },
      }),
    ]
  },
})

/** What a task's checkbox is called: its state and its text ("Done: write the report"). */
export function taskCheckboxLabel(text: string, checked: boolean): string {
  const task = text.trim() === '' ? 'empty task' : text.trim()
  return `${checked ? 'Done' : 'To do'}: ${task}`
}
