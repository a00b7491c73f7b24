// @vitest-environment happy-dom
import { render } from 'preact'
import { afterEach, describe, expect, it } from 'vitest'
import {
  SHORTCUTS,
  SHORTCUT_GROUPS,
  ariaKeyShortcuts,
  describeKeys,
  isSaveShortcut,
  matchesKeys,
  withShortcut,
} from './shortcuts'
import { ShortcutList } from './shortcutsDialog'

const key = (init: KeyboardEventInit) => new KeyboardEvent('keydown', init)

describe('keyboard shortcuts', () => {
  afterEach(() => document.body.replaceChildren())

  it('reads as people write them, on Apple devices and elsewhere', () => {
    expect(describeKeys('Mod-Shift-Z', false)).toBe('Ctrl+Shift+Z')
    expect(describeKeys('Mod-Shift-Z', true)).toBe('⌘⇧Z')
    expect(describeKeys('Mod-Alt-1', true)).toBe('⌘⌥1')
    expect(describeKeys('Mod-/', false)).toBe('Ctrl+/')
    expect(withShortcut('Bold', SHORTCUTS.bold, false)).toBe('Bold (Ctrl+B)')
    expect(withShortcut('Divider', undefined, false)).toBe('Divider')
    expect(ariaKeyShortcuts(SHORTCUTS.redo, false)).toBe('Control+Shift+Z Control+Y')
    expect(ariaKeyShortcuts(SHORTCUTS.redo, true)).toBe('Meta+Shift+Z Meta+Y')
  })

  it('matches key presses: Mod is Ctrl or ⌘, a "/" typed with Shift still counts', () => {
    expect(matchesKeys(key({ key: '/', ctrlKey: true }), 'Mod-/', false)).toBe(true)
    expect(matchesKeys(key({ key: '/', ctrlKey: true, shiftKey: true }), 'Mod-/', false)).toBe(true)
    expect(matchesKeys(key({ key: '/', metaKey: true }), 'Mod-/', true)).toBe(true)
    expect(matchesKeys(key({ key: '/', metaKey: true }), 'Mod-/', false)).toBe(false)
    expect(matchesKeys(key({ key: '/' }), 'Mod-/', false)).toBe(false)
    expect(matchesKeys(key({ key: '/', ctrlKey: true, altKey: true }), 'Mod-/', false)).toBe(false)
    expect(matchesKeys(key({ key: 's', ctrlKey: true }), 'Mod-S', false)).toBe(true)
    expect(matchesKeys(key({ key: 'S', ctrlKey: true, shiftKey: true }), 'Mod-S', false)).toBe(false)
    expect(matchesKeys(key({ key: 'S', ctrlKey: true, shiftKey: true }), 'Mod-Shift-S', false)).toBe(true)
  })

  it('takes Ctrl+S and ⌘S for "save" on every platform, and nothing else', () => {
    const key = (init: KeyboardEventInit) => new KeyboardEvent('keydown', init)
    expect(isSaveShortcut(key({ key: 's', ctrlKey: true }))).toBe(true)
    expect(isSaveShortcut(key({ key: 's', metaKey: true }))).toBe(true)
    expect(isSaveShortcut(key({ key: 'S', ctrlKey: true, shiftKey: true }))).toBe(false)
    expect(isSaveShortcut(key({ key: 's' }))).toBe(false)
    expect(isSaveShortcut(key({ key: 's', ctrlKey: true, altKey: true }))).toBe(false)
    expect(SHORTCUT_GROUPS.some((group) => group.ids.includes('save'))).toBe(true)
  })

  it('the dialog lists every shortcut of every group, each with a label and keys', () => {
    const listed = SHORTCUT_GROUPS.flatMap((group) => group.ids)
    expect(new Set(listed).size).toBe(listed.length)
    expect(new Set(listed)).toEqual(new Set(Object.keys(SHORTCUTS)))

    const host = document.createElement('div')
    document.body.append(host)
    render(<ShortcutList apple={false} />, host)
    expect(host.querySelectorAll('table caption')).toHaveLength(SHORTCUT_GROUPS.length)
    const bold = host.querySelector('[data-shortcut="bold"]')
    expect(bold?.querySelector('th')?.textContent).toBe('Bold')
    expect(bold?.querySelector('td')?.textContent).toBe('Ctrl+B')
    expect(host.querySelector('[data-shortcut="redo"] td')?.textContent).toBe('Ctrl+Shift+Z or Ctrl+Y')
    expect(host.querySelector('[data-shortcut="mdBulletList"] td')?.textContent).toBe('- ')
    render(null, host)
  })
})
