/**
 * The formatting toolbar: every button says what it does (aria-label, tooltip with its
 * shortcut), shows whether it applies to the selection (aria-pressed), and follows the
 * toolbar keyboard pattern (one tab stop; arrow keys move between buttons). A button's
 * accessible name contains the text it shows ("H1, heading 1"), so that people who speak to
 * their computer can say what they see (WCAG 2.5.3); single letters (B, I, U, S) are icons.
 * Shortcuts come from the one list in `ui/shortcuts.ts`.
 */
import { type ChainedCommands, type Editor, objectIncludes } from '@tiptap/core'
import { h, icon } from '../dom'
import { SHORTCUTS, type Shortcut, ariaKeyShortcuts, isApple, matchesKeys, withShortcut } from '../ui/shortcuts'
import { openAltTextEditor, selectedImage } from './altText'
import { openLinkEditor } from './link'

interface Tool {
  id: string
  label: string
  /** The accessible name, when the label does not contain the button's visible text. */
  name?: string
  /** Its shortcut, shown in the tooltip and `aria-keyshortcuts`. */
  shortcut?: Shortcut
  face: () => Node
  run: (chain: ChainedCommands) => ChainedCommands
  /** Toggle tools report whether they apply to the selection. */
  active?: (editor: Editor) => boolean
  enabled?: (editor: Editor) => boolean
  /** Contextual tools (a table's rows and columns, an image's alt text) show only where they apply. */
  visible?: (editor: Editor) => boolean
  /** Opens something of its own (a form) instead of running a command. */
  open?: (editor: Editor, button: HTMLButtonElement) => void
  /** Whether the editor has what the tool needs; the button is left out otherwise. */
  available?: (editor: Editor) => boolean
}

const text =
  (label: string, className = '') =>
  (): Node =>
    h('span', { class: `tool-text ${className}`.trim() }, label)
const svg = (paths: string) => (): Node => icon(paths)

const ICONS = {
  bulletList: 'M9 6h11|M9 12h11|M9 18h11|M4.5 6h.01|M4.5 12h.01|M4.5 18h.01',
  orderedList: 'M10 6h10|M10 12h10|M10 18h10|M4 4.5l1.2-.5v4.5|M3.6 13.6c.3-.6 1.8-.9 2 .1.2.9-2 2-2 3.3h2.3',
  blockquote: 'M5 11h4v5H5v-5c0-3 1-5 3.5-6|M14 11h4v5h-4v-5c0-3 1-5 3.5-6',
  codeBlock: 'M4 4h16v16H4z|M10 9.5L7.5 12l2.5 2.5|M14 9.5l2.5 2.5-2.5 2.5',
  horizontalRule: 'M3 12h18|M7 6h10|M7 18h10',
  undo: 'M9 14L4 9l5-5|M4 9h10.5a5.5 5.5 0 0 1 0 11H11',
  redo: 'M15 14l5-5-5-5|M20 9H9.5a5.5 5.5 0 0 0 0 11H13',
  link: 'M10 14a4 4 0 0 0 5.7 0l3-3a4 4 0 0 0-5.7-5.7l-1 1|M14 10a4 4 0 0 0-5.7 0l-3 3a4 4 0 0 0 5.7 5.7l1-1',
  code: 'M9 8l-4 4 4 4|M15 8l4 4-4 4',
  image: 'M4 5h16v14H4z|M4 16l5-5 4 4 2-2 5 5|M15.5 9.5h.01',
  highlight: 'M14.5 4.5l5 5L11 18H6v-5z|M4 21h16',
  taskList: 'M4 5h4v4H4z|M4.8 16.5l1.4 1.4 2.6-2.8|M11 7h9|M11 17h9',
  table: 'M4 5h16v14H4z|M4 10h16|M4 14.5h16|M10 5v14|M15 5v14',
  rowAdd: 'M4 4h16v9H4z|M4 8.5h16|M12 15.5v5|M9.5 18h5',
  rowDelete: 'M4 4h16v9H4z|M4 8.5h16|M9.5 18h5',
  columnAdd: 'M4 4h9v16H4z|M8.5 4v16|M15.5 12h5|M18 9.5v5',
  columnDelete: 'M4 4h9v16H4z|M8.5 4v16|M15.5 12h5',
  headerRow: 'M4 5h16v14H4z|M4 10h16|M6 7.5h12',
  tableDelete: 'M4 5h16v14H4z|M9 9.5l6 6|M15 9.5l-6 6',
}

/**
 * `editor.isActive(name, attributes)`, for a node and a collapsed selection found among the
 * caret's ancestors. Upstream behaviour (@tiptap/core 3.31.3 `isNodeActive`): the nodes around
 * the selection are collected with `doc.nodesBetween(from, to)`, which walks every top-level block
 * before the caret, and the toolbar asks about a dozen nodes in each frame with a transaction: at
 * 5,000 paragraphs with the caret halfway, 3.7 ms of every second of typing in a profile. For a
 * collapsed selection those nodes are exactly the caret's ancestors, which its resolved position
 * holds. Selections that are not collapsed go to upstream, as marks do (upstream reads the
 * marks of a collapsed selection from its resolved position already).
 */
export function isActive(editor: Editor, name: string, attributes: Record<string, unknown> = {}): boolean {
  const { selection, schema } = editor.state
  const type = schema.nodes[name]
  if (type === undefined || !selection.empty) return editor.isActive(name, attributes)
  const { $from } = selection
  for (let depth = $from.depth; depth > 0; depth--) {
    const node = $from.node(depth)
    if (node.type === type && objectIncludes(node.attrs, attributes, { strict: false })) return true
  }
  return false
}

const inTable = (e: Editor): boolean => isActive(e, 'table')

/** Whether the table around the selection starts with a row of header cells. */
function hasHeaderRow(editor: Editor): boolean {
  const { $from } = editor.state.selection
  for (let depth = $from.depth; depth > 0; depth--) {
    const node = $from.node(depth)
    if (node.type.name === 'table') return node.firstChild?.firstChild?.type.name === 'tableHeader'
  }
  return false
}

const GROUPS: Tool[][] = [
  [
    {
      id: 'undo',
      label: 'Undo',
      shortcut: SHORTCUTS.undo,
      face: svg(ICONS.undo),
      run: (c) => c.undo(),
      enabled: (e) => e.can().undo(),
    },
    {
      id: 'redo',
      label: 'Redo',
      shortcut: SHORTCUTS.redo,
      face: svg(ICONS.redo),
      run: (c) => c.redo(),
      enabled: (e) => e.can().redo(),
    },
  ],
  ([1, 2, 3] as const).map((level) => ({
    id: `h${level}`,
    label: `Heading ${level}`,
    name: `H${level}, heading ${level}`,
    shortcut: SHORTCUTS[`h${level}`],
    face: text(`H${level}`, 'tool-heading'),
    run: (c: ChainedCommands) => c.toggleHeading({ level: level as 1 | 2 | 3 }),
    active: (e: Editor) => isActive(e, 'heading', { level }),
  })),
  [
    {
      id: 'bold',
      label: 'Bold',
      shortcut: SHORTCUTS.bold,
      face: text('B', 'tool-bold'),
      run: (c) => c.toggleBold(),
      active: (e) => e.isActive('bold'),
    },
    {
      id: 'italic',
      label: 'Italic',
      shortcut: SHORTCUTS.italic,
      face: text('I', 'tool-italic'),
      run: (c) => c.toggleItalic(),
      active: (e) => e.isActive('italic'),
    },
    {
      id: 'underline',
      label: 'Underline',
      shortcut: SHORTCUTS.underline,
      face: text('U', 'tool-underline'),
      run: (c) => c.toggleUnderline(),
      active: (e) => e.isActive('underline'),
    },
    {
      id: 'strike',
      label: 'Strikethrough',
      shortcut: SHORTCUTS.strike,
      face: text('S', 'tool-strike'),
      run: (c) => c.toggleStrike(),
      active: (e) => e.isActive('strike'),
    },
    {
      id: 'code',
      label: 'Inline code',
      shortcut: SHORTCUTS.code,
      face: svg(ICONS.code),
      run: (c) => c.toggleCode(),
      active: (e) => e.isActive('code'),
    },
    {
      id: 'highlight',
      label: 'Highlight',
      shortcut: SHORTCUTS.highlight,
      face: svg(ICONS.highlight),
      run: (c) => c.toggleHighlight(),
      active: (e) => e.isActive('highlight'),
    },
  ],
  [
    {
      id: 'bullet-list',
      label: 'Bulleted list',
      shortcut: SHORTCUTS.bulletList,
      face: svg(ICONS.bulletList),
      run: (c) => c.toggleBulletList(),
      active: (e) => isActive(e, 'bulletList'),
    },
    {
      id: 'ordered-list',
      label: 'Numbered list',
      shortcut: SHORTCUTS.orderedList,
      face: svg(ICONS.orderedList),
      run: (c) => c.toggleOrderedList(),
      active: (e) => isActive(e, 'orderedList'),
    },
    {
      id: 'task-list',
      label: 'Task list',
      shortcut: SHORTCUTS.taskList,
      face: svg(ICONS.taskList),
      run: (c) => c.toggleTaskList(),
      active: (e) => isActive(e, 'taskList'),
    },
    {
      id: 'blockquote',
      label: 'Quote',
      shortcut: SHORTCUTS.blockquote,
      face: svg(ICONS.blockquote),
      run: (c) => c.toggleBlockquote(),
      active: (e) => isActive(e, 'blockquote'),
    },
    {
      id: 'code-block',
      label: 'Code block',
      shortcut: SHORTCUTS.codeBlock,
      face: svg(ICONS.codeBlock),
      run: (c) => c.toggleCodeBlock(),
      active: (e) => isActive(e, 'codeBlock'),
    },
    { id: 'hr', label: 'Divider', face: svg(ICONS.horizontalRule), run: (c) => c.setHorizontalRule() },
    // Opens the file picker (editor/imageUpload.ts); shown only where uploads are set up.
    {
      id: 'image',
      label: 'Image',
      face: svg(ICONS.image),
      run: (c) => c.openImagePicker(),
      available: (e) => e.extensionManager.extensions.some((extension) => extension.name === 'imageUpload'),
    },
    {
      id: 'table',
      label: 'Table',
      name: 'Insert table',
      face: svg(ICONS.table),
      run: (c) => c.insertTable({ rows: 3, cols: 3, withHeaderRow: true }),
      enabled: (e) => !inTable(e) && e.can().insertTable({ rows: 3, cols: 3, withHeaderRow: true }),
    },
  ],
  // Shown while the caret is in a table.
  [
    {
      id: 'table-row-after',
      label: 'Add row below',
      face: svg(ICONS.rowAdd),
      run: (c) => c.addRowAfter(),
      visible: inTable,
    },
    {
      id: 'table-row-delete',
      label: 'Delete row',
      face: svg(ICONS.rowDelete),
      run: (c) => c.deleteRow(),
      visible: inTable,
    },
    {
      id: 'table-column-after',
      label: 'Add column right',
      face: svg(ICONS.columnAdd),
      run: (c) => c.addColumnAfter(),
      visible: inTable,
    },
    {
      id: 'table-column-delete',
      label: 'Delete column',
      face: svg(ICONS.columnDelete),
      run: (c) => c.deleteColumn(),
      visible: inTable,
    },
    {
      id: 'table-header-row',
      label: 'Header row',
      face: svg(ICONS.headerRow),
      run: (c) => c.toggleHeaderRow(),
      active: hasHeaderRow,
      visible: inTable,
    },
    {
      id: 'table-delete',
      label: 'Delete table',
      face: svg(ICONS.tableDelete),
      run: (c) => c.deleteTable(),
      visible: inTable,
    },
  ],
  // Shown while an image is selected.
  [
    {
      id: 'image-alt',
      label: 'Alt text',
      name: 'Alt text…',
      face: text('Alt', 'tool-heading'),
      run: (c) => c,
      visible: (e) => selectedImage(e) !== null,
      open: openAltTextEditor,
    },
  ],
]

export interface Toolbar {
  element: HTMLElement
  destroy(): void
}

function setAttribute(element: HTMLElement, name: string, value: string): void {
  if (element.getAttribute(name) !== value) element.setAttribute(name, value)
}

function setHidden(element: HTMLElement, hidden: boolean): void {
  if (element.hidden !== hidden) element.hidden = hidden
}

export function createToolbar(editor: Editor): Toolbar {
  const buttons: Array<{ tool: Tool; button: HTMLButtonElement }> = []
  const element = h('div', { class: 'toolbar', role: 'toolbar', 'aria-label': 'Formatting', 'data-testid': 'toolbar' })

  const makeButton = (tool: Tool): HTMLButtonElement => {
    const button = h(
      'button',
      {
        type: 'button',
        class: 'tool',
        tabindex: -1,
        title: withShortcut(tool.label, tool.shortcut),
        'aria-label': tool.name ?? tool.label,
        'data-testid': `toolbar-${tool.id}`,
        ...(tool.shortcut === undefined ? {} : { 'aria-keyshortcuts': ariaKeyShortcuts(tool.shortcut) }),
        ...(tool.active === undefined ? {} : { 'aria-pressed': 'false' }),
        on: {
          // Keep the editor's selection: the click must not move focus first.
          mousedown: (event) => event.preventDefault(),
          click: () => {
            if (button.getAttribute('aria-disabled') === 'true') return
            if (tool.open !== undefined) tool.open(editor, button)
            else tool.run(editor.chain().focus()).run()
          },
        },
      },
      tool.face(),
    )
    buttons.push({ tool, button })
    return button
  }

  const linkTool: Tool = {
    id: 'link',
    label: 'Link',
    shortcut: SHORTCUTS.link,
    face: svg(ICONS.link),
    run: (c) => c,
    active: (e) => e.isActive('link'),
  }

  const dividers: Array<{ divider: HTMLElement; group: Tool[] }> = []
  GROUPS.forEach((group, index) => {
    if (index > 0) {
      const divider = h('span', { class: 'tool-divider', role: 'separator', 'aria-orientation': 'vertical' })
      dividers.push({ divider, group })
      element.append(divider)
    }
    for (const tool of group) if (tool.available?.(editor) ?? true) element.append(makeButton(tool))
    if (index === 2) {
      const button = makeButton(linkTool)
      button.addEventListener('click', () => {
        if (button.getAttribute('aria-disabled') !== 'true') openLinkEditor(editor, button)
      })
      element.append(button)
    }
  })

  // Roving focus over the buttons shown now (contextual ones come and go).
  let focusIndex = 0
  const shown = (): number[] => buttons.flatMap(({ button }, i) => (button.hidden ? [] : [i]))
  const setTabStop = (index: number): void => {
    focusIndex = index
    buttons.forEach(({ button }, i) => {
      button.tabIndex = i === focusIndex ? 0 : -1
    })
  }
  setTabStop(2)

  element.addEventListener('keydown', (event) => {
    const visible = shown()
    const at = Math.max(0, visible.indexOf(focusIndex))
    const moves: Record<string, number | undefined> = {
      ArrowRight: visible[(at + 1) % visible.length],
      ArrowLeft: visible[(at - 1 + visible.length) % visible.length],
      Home: visible[0],
      End: visible.at(-1),
    }
    if (!(event.key in moves)) return
    const target = moves[event.key]
    if (target === undefined) return
    event.preventDefault()
    setTabStop(target)
    buttons[focusIndex]?.button.focus()
  })
  element.addEventListener('focusin', (event) => {
    const index = buttons.findIndex(({ button }) => button === event.target)
    if (index >= 0) setTabStop(index)
  })

  const apple = isApple()
  const openLink = (event: KeyboardEvent): void => {
    if (!SHORTCUTS.link.keys.some((keys) => matchesKeys(event, keys, apple))) return
    event.preventDefault()
    if (editor.isEditable) openLinkEditor(editor, linkButton)
  }
  const linkButton = buttons.find(({ tool }) => tool === linkTool)?.button ?? element
  editor.view.dom.addEventListener('keydown', openLink)

  // Only what changed is written: an attribute set to the value it has is still a mutation the
  // browser handles, and the toolbar set about a hundred of them in every frame with a change,
  // nearly all to the value they had (docs/benchmarks.md, "Seventh round").
  const update = (): void => {
    const editable = editor.isEditable
    for (const { tool, button } of buttons) {
      if (tool.visible !== undefined) setHidden(button, !editable || !tool.visible(editor))
      if (tool.active !== undefined) {
        const active = editable && tool.active(editor)
        setAttribute(button, 'aria-pressed', String(active))
        if (button.classList.contains('is-active') !== active) button.classList.toggle('is-active', active)
      }
      // aria-disabled rather than disabled: the button stays reachable with the arrow keys.
      const disabled = !editable || (tool.enabled !== undefined && !tool.enabled(editor))
      setAttribute(button, 'aria-disabled', String(disabled))
    }
    for (const { divider, group } of dividers) {
      setHidden(
        divider,
        group.every((tool) => buttons.find((b) => b.tool === tool)?.button.hidden === true),
      )
    }
    // The tab stop never stays on a button that went away.
    if (buttons[focusIndex]?.button.hidden === true) setTabStop(shown()[0] ?? 0)
  }
  // Phone width: the toolbar scrolls sideways; its faded edges (styles.css) say which way.
  const showOverflow = (): void => {
    const end = element.scrollWidth - element.clientWidth
    element.classList.toggle('more-before', element.scrollLeft > 1)
    element.classList.toggle('more-after', element.scrollLeft < end - 1)
  }
  const resizes = typeof ResizeObserver === 'undefined' ? null : new ResizeObserver(showOverflow)
  resizes?.observe(element)
  element.addEventListener('scroll', showOverflow, { passive: true })

  // Reading scrollWidth forces a layout of the whole page, so it is not done on every transaction
  // (in a 5,000-paragraph document that cost a synchronous layout per keystroke, anyone's): the
  // overflow changes only when buttons come or go (checked in the next frame, once) or when the
  // toolbar is resized or scrolled (the observer and the listener above).
  let shownButtons = ''
  let frame: number | null = null
  /** The buttons' states; and the overflow hints when buttons came or went. */
  const refresh = (): void => {
    frame = null
    update()
    const nowShown = buttons.map(({ button }) => (button.hidden ? '0' : '1')).join('')
    if (nowShown === shownButtons) return
    shownButtons = nowShown
    showOverflow()
  }
  // Once per frame, not per transaction: every remote keystroke and caret is a transaction too,
  // and the checks run commands dry (`editor.can()`) — in a 5,000-paragraph document 8–12 % of a
  // remote keystroke's time (`bench/typing.ts --profile`), many times per frame on a busy page.
  const scheduleRefresh = (): void => {
    if (typeof requestAnimationFrame !== 'function') refresh()
    else frame ??= requestAnimationFrame(refresh)
  }
  update()
  shownButtons = buttons.map(({ button }) => (button.hidden ? '0' : '1')).join('')
  showOverflow()
  editor.on('transaction', scheduleRefresh)
  editor.on('selectionUpdate', scheduleRefresh)

  return {
    element,
    destroy() {
      resizes?.disconnect()
      if (frame !== null) cancelAnimationFrame(frame)
      editor.off('transaction', scheduleRefresh)
      editor.off('selectionUpdate', scheduleRefresh)
      editor.view.dom.removeEventListener('keydown', openLink)
    },
  }
}
