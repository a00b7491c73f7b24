/**
 * The formatting toolbar: every button says what it does (aria-label, tooltip with its
 * shortcut), shows whether it applies to the selection (aria-pressed), and follows the
 * toolbar keyboard pattern (one tab stop; arrow keys move between buttons). A button's
 * accessible name contains the text it shows ("H1, heading 1"), so that people who speak to
 * their computer can say what they see (WCAG 2.5.3); single letters (B, I, U, S) are icons.
 * Shortcuts come from the one list in `ui/shortcuts.ts`.
 */
import type { ChainedCommands, Editor } from '@tiptap/core'
import { h, icon } from '../dom'
import { SHORTCUTS, type Shortcut, ariaKeyShortcuts, isApple, matchesKeys, withShortcut } from '../ui/shortcuts'
import { openAltEditor } from './imageAlt'
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
  /** Whether the editor has what the tool needs; the button is left out otherwise. */
  available?: (editor: Editor) => boolean
  /** Tools that open a form of their own instead of running a command. */
  open?: (editor: Editor, button: HTMLButtonElement) => void
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
    active: (e: Editor) => e.isActive('heading', { level }),
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
  ],
  [
    {
      id: 'bullet-list',
      label: 'Bulleted list',
      shortcut: SHORTCUTS.bulletList,
      face: svg(ICONS.bulletList),
      run: (c) => c.toggleBulletList(),
      active: (e) => e.isActive('bulletList'),
    },
    {
      id: 'ordered-list',
      label: 'Numbered list',
      shortcut: SHORTCUTS.orderedList,
      face: svg(ICONS.orderedList),
      run: (c) => c.toggleOrderedList(),
      active: (e) => e.isActive('orderedList'),
    },
    {
      id: 'blockquote',
      label: 'Quote',
      shortcut: SHORTCUTS.blockquote,
      face: svg(ICONS.blockquote),
      run: (c) => c.toggleBlockquote(),
      active: (e) => e.isActive('blockquote'),
    },
    {
      id: 'code-block',
      label: 'Code block',
      shortcut: SHORTCUTS.codeBlock,
      face: svg(ICONS.codeBlock),
      run: (c) => c.toggleCodeBlock(),
      active: (e) => e.isActive('codeBlock'),
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
      id: 'image-alt',
      label: 'Alt text',
      name: 'Alt text of the image',
      face: text('Alt'),
      run: (c) => c,
      open: openAltEditor,
      enabled: (e) => e.isActive('image'),
      available: (e) => e.schema.nodes.image !== undefined,
    },
  ],
]

export interface Toolbar {
  element: HTMLElement
  destroy(): void
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

  GROUPS.forEach((group, index) => {
    if (index > 0)
      element.append(h('span', { class: 'tool-divider', role: 'separator', 'aria-orientation': 'vertical' }))
    for (const tool of group) if (tool.available?.(editor) ?? true) element.append(makeButton(tool))
    if (index === 2) {
      const button = makeButton(linkTool)
      button.addEventListener('click', () => {
        if (button.getAttribute('aria-disabled') !== 'true') openLinkEditor(editor, button)
      })
      element.append(button)
    }
  })

  let focusIndex = 0
  const setTabStop = (index: number): void => {
    focusIndex = (index + buttons.length) % buttons.length
    buttons.forEach(({ button }, i) => {
      button.tabIndex = i === focusIndex ? 0 : -1
    })
  }
  setTabStop(2)

  element.addEventListener('keydown', (event) => {
    const moves: Record<string, number> = {
      ArrowRight: focusIndex + 1,
      ArrowLeft: focusIndex - 1,
      Home: 0,
      End: buttons.length - 1,
    }
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

  const update = (): void => {
    const editable = editor.isEditable
    for (const { tool, button } of buttons) {
      if (tool.active !== undefined) {
        const active = editable && tool.active(editor)
        button.setAttribute('aria-pressed', String(active))
        button.classList.toggle('is-active', active)
      }
      // aria-disabled rather than disabled: the button stays reachable with the arrow keys.
      const disabled = !editable || (tool.enabled !== undefined && !tool.enabled(editor))
      button.setAttribute('aria-disabled', String(disabled))
    }
  }
  update()
  editor.on('transaction', update)
  editor.on('selectionUpdate', update)

  return {
    element,
    destroy() {
      editor.off('transaction', update)
      editor.off('selectionUpdate', update)
      editor.view.dom.removeEventListener('keydown', openLink)
    },
  }
}
