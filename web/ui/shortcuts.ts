/**
 * Every keyboard shortcut the app has, in one place: the toolbar's tooltips and
 * `aria-keyshortcuts`, and the shortcuts dialog (Ctrl+/), are made from this list. A feature
 * that adds a shortcut adds it here (and binds it where it lives).
 *
 * Keys are written as ProseMirror writes them (`Mod-Shift-Z`; `Mod` is ⌘ on Apple devices and
 * Ctrl elsewhere); alternatives are separate entries of `keys`. The editor's come from Tiptap
 * 3.31.3 as configured in `server/content/schema.ts` (StarterKit without its undo, so undo and
 * redo are the collaboration extension's own) and from `editor/link.ts`.
 */

export interface Shortcut {
  label: string
  /** Key combinations, any of which does it. */
  keys?: readonly string[]
  /** Or: what to type (Markdown at the start of a line). */
  typed?: string
}

export const SHORTCUTS = {
  shortcuts: { label: 'Show keyboard shortcuts', keys: ['Mod-/'] },
  save: { label: 'Say whether all changes are saved (they save as you type)', keys: ['Mod-S'] },
  undo: { label: 'Undo', keys: ['Mod-Z'] },
  redo: { label: 'Redo', keys: ['Mod-Shift-Z', 'Mod-Y'] },
  selectAll: { label: 'Select all', keys: ['Mod-A'] },
  bold: { label: 'Bold', keys: ['Mod-B'] },
  italic: { label: 'Italic', keys: ['Mod-I'] },
  underline: { label: 'Underline', keys: ['Mod-U'] },
  strike: { label: 'Strikethrough', keys: ['Mod-Shift-S'] },
  code: { label: 'Inline code', keys: ['Mod-E'] },
  link: { label: 'Link', keys: ['Mod-K'] },
  highlight: { label: 'Highlight', keys: ['Mod-Shift-H'] },
  paragraph: { label: 'Normal text', keys: ['Mod-Alt-0'] },
  h1: { label: 'Heading 1', keys: ['Mod-Alt-1'] },
  h2: { label: 'Heading 2', keys: ['Mod-Alt-2'] },
  h3: { label: 'Heading 3', keys: ['Mod-Alt-3'] },
  h4: { label: 'Heading 4', keys: ['Mod-Alt-4'] },
  h5: { label: 'Heading 5', keys: ['Mod-Alt-5'] },
  h6: { label: 'Heading 6', keys: ['Mod-Alt-6'] },
  bulletList: { label: 'Bulleted list', keys: ['Mod-Shift-8'] },
  orderedList: { label: 'Numbered list', keys: ['Mod-Shift-7'] },
  taskList: { label: 'Task list', keys: ['Mod-Shift-9'] },
  nextCell: { label: 'Next table cell (a new row after the last)', keys: ['Tab'] },
  previousCell: { label: 'Previous table cell', keys: ['Shift-Tab'] },
  toggleTask: { label: 'Tick or untick a task (its checkbox focused)', keys: ['Space'] },
  indent: { label: 'Indent list item', keys: ['Tab'] },
  outdent: { label: 'Outdent list item', keys: ['Shift-Tab'] },
  blockquote: { label: 'Quote', keys: ['Mod-Shift-B'] },
  codeBlock: { label: 'Code block', keys: ['Mod-Alt-C'] },
  lineBreak: { label: 'Line break', keys: ['Shift-Enter', 'Mod-Enter'] },
  mdHeading: { label: 'Heading 1 (## for 2, ### for 3)', typed: '# ' },
  mdBulletList: { label: 'Bulleted list', typed: '- ' },
  mdOrderedList: { label: 'Numbered list', typed: '1. ' },
  mdBlockquote: { label: 'Quote', typed: '> ' },
  mdCodeBlock: { label: 'Code block', typed: '``` ' },
  mdTaskList: { label: 'Task list ([x] for a done task)', typed: '[ ] ' },
  mdDivider: { label: 'Divider', typed: '---' },
  mdBold: { label: 'Bold', typed: '**text**' },
  mdItalic: { label: 'Italic', typed: '*text*' },
  mdCode: { label: 'Inline code', typed: '`text`' },
  mdHighlight: { label: 'Highlight', typed: '==text==' },
  toolbarMove: { label: 'Previous or next toolbar button', keys: ['ArrowLeft', 'ArrowRight'] },
  toolbarEnds: { label: 'First or last toolbar button', keys: ['Home', 'End'] },
  close: { label: 'Close a dialog or menu', keys: ['Escape'] },
} as const satisfies Record<string, Shortcut>

export type ShortcutId = keyof typeof SHORTCUTS

export interface ShortcutGroup {
  title: string
  ids: readonly ShortcutId[]
}

/** The shortcuts dialog, section by section. */
export const SHORTCUT_GROUPS: readonly ShortcutGroup[] = [
  { title: 'Text', ids: ['bold', 'italic', 'underline', 'strike', 'code', 'highlight', 'link'] },
  {
    title: 'Paragraphs',
    ids: [
      'paragraph',
      'h1',
      'h2',
      'h3',
      'h4',
      'h5',
      'h6',
      'bulletList',
      'orderedList',
      'taskList',
      'indent',
      'outdent',
      'blockquote',
      'codeBlock',
      'lineBreak',
    ],
  },
  {
    title: 'Markdown as you type (blocks at the start of a line)',
    ids: [
      'mdHeading',
      'mdBulletList',
      'mdOrderedList',
      'mdBlockquote',
      'mdCodeBlock',
      'mdTaskList',
      'mdDivider',
      'mdBold',
      'mdItalic',
      'mdCode',
      'mdHighlight',
    ],
  },
  { title: 'Tables and tasks', ids: ['nextCell', 'previousCell', 'toggleTask'] },
  { title: 'Editing', ids: ['undo', 'redo', 'selectAll'] },
  { title: 'Page', ids: ['shortcuts', 'save', 'toolbarMove', 'toolbarEnds', 'close'] },
]

export const isApple = (): boolean => /Mac|iPhone|iPad/.test(navigator.platform)

const KEY_NAMES: Record<string, string> = {
  ArrowLeft: '←',
  ArrowRight: '→',
  ArrowUp: '↑',
  ArrowDown: '↓',
  Escape: 'Esc',
}

/** The keys of one combination as people read them: `['Ctrl', 'Shift', 'Z']` or `['⌘', '⇧', 'Z']`. */
export function keyNames(keys: string, apple = isApple()): string[] {
  return keys.split(/-(?!$)/).map((key) => {
    if (key === 'Mod') return apple ? '⌘' : 'Ctrl'
    if (key === 'Alt') return apple ? '⌥' : 'Alt'
    if (key === 'Shift') return apple ? '⇧' : 'Shift'
    return KEY_NAMES[key] ?? key
  })
}

/** One combination as text: "Ctrl+Shift+Z", "⌘⇧Z". */
export function describeKeys(keys: string, apple = isApple()): string {
  return keyNames(keys, apple).join(apple ? '' : '+')
}

/** `aria-keyshortcuts` for a shortcut: its combinations in the ARIA syntax ("Control+Shift+Z Control+Y"). */
export function ariaKeyShortcuts(shortcut: Shortcut, apple = isApple()): string {
  return (shortcut.keys ?? [])
    .map((keys) =>
      keys
        .split(/-(?!$)/)
        .map((key) => (key === 'Mod' ? (apple ? 'Meta' : 'Control') : key))
        .join('+'),
    )
    .join(' ')
}

/** "Bold (Ctrl+B)": a tooltip with the first combination. */
export function withShortcut(label: string, shortcut: Shortcut | undefined, apple = isApple()): string {
  const first = shortcut?.keys?.[0]
  return first === undefined ? label : `${label} (${describeKeys(first, apple)})`
}

/** Ctrl+S or ⌘S, on any platform: both mean "save" to someone, and both open the browser's "Save page". */
export function isSaveShortcut(event: KeyboardEvent): boolean {
  return SHORTCUTS.save.keys.some((keys) => matchesKeys(event, keys, false) || matchesKeys(event, keys, true))
}

/** Whether a keydown is `keys` (`Mod-/`, `Mod-Shift-S`): Mod is ⌘ on Apple devices, Ctrl elsewhere. */
export function matchesKeys(event: KeyboardEvent, keys: string, apple = isApple()): boolean {
  const parts = keys.split(/-(?!$)/)
  const key = parts.at(-1) ?? ''
  const mods = new Set(parts.slice(0, -1))
  const mod = apple ? event.metaKey : event.ctrlKey
  const other = apple ? event.ctrlKey : event.metaKey
  // A "/" is typed with Shift on some layouts: Shift counts only where the shortcut names it or the key is a letter.
  const shiftMatters = mods.has('Shift') || /^[a-z]$/i.test(key)
  return (
    event.key.toLowerCase() === key.toLowerCase() &&
    mod === mods.has('Mod') &&
    !other &&
    event.altKey === mods.has('Alt') &&
    (!shiftMatters || event.shiftKey === mods.has('Shift'))
  )
}
