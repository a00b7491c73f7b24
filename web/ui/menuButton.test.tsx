// @vitest-environment happy-dom
import { render } from 'preact'
import { act } from 'preact/test-utils'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { MenuButton } from './menuButton'

function key(target: Element | null, key: string): void {
  act(() => {
    target?.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true, cancelable: true }))
  })
}

describe('MenuButton', () => {
  let root: HTMLElement
  let chosen: string[]

  beforeEach(() => {
    root = document.createElement('div')
    document.body.append(root)
    chosen = []
    act(() => {
      render(
        <>
          <MenuButton
            label="Download"
            testId="download"
            items={[
              { label: 'Markdown', onSelect: () => chosen.push('md') },
              { label: 'HTML', onSelect: () => chosen.push('html'), disabled: true },
              { label: 'Word', onSelect: () => chosen.push('docx') },
            ]}
          />
          <button type="button" id="elsewhere">
            Elsewhere
          </button>
        </>,
        root,
      )
    })
  })

  afterEach(() => {
    act(() => render(null, root))
    document.body.replaceChildren()
  })

  const button = () => root.querySelector<HTMLButtonElement>('[data-testid="download"]')!
  const menu = () => root.querySelector<HTMLElement>('[role="menu"]')!
  const items = () => Array.from(root.querySelectorAll<HTMLElement>('[role="menuitem"]'))

  it('says it opens a menu, and whether it is open', () => {
    expect(button().getAttribute('aria-haspopup')).toBe('menu')
    expect(button().getAttribute('aria-expanded')).toBe('false')
    expect(menu().hidden).toBe(true)
    expect(menu().getAttribute('aria-labelledby')).toBe(button().id)
    act(() => button().click())
    expect(button().getAttribute('aria-expanded')).toBe('true')
    expect(menu().hidden).toBe(false)
    expect(document.activeElement).toBe(items()[0])
    expect(items().every((item) => item.tabIndex === -1)).toBe(true)
  })

  it('moves with the arrow keys, Home, End and a letter, wrapping around', () => {
    button().focus()
    key(button(), 'ArrowUp')
    expect(document.activeElement).toBe(items()[2])
    key(document.activeElement, 'ArrowDown')
    expect(document.activeElement).toBe(items()[0])
    key(document.activeElement, 'ArrowDown')
    expect(document.activeElement).toBe(items()[1])
    key(document.activeElement, 'End')
    expect(document.activeElement).toBe(items()[2])
    key(document.activeElement, 'Home')
    expect(document.activeElement).toBe(items()[0])
    key(document.activeElement, 'w')
    expect(document.activeElement).toBe(items()[2])
  })

  it('has focus on an item before the next key press arrives (no wait for a paint)', async () => {
    button().focus()
    // Not in act(): the browser dispatches the next key event in a later task, after the
    // microtasks in which Preact renders; focus must have moved by then.
    button().dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowDown', bubbles: true, cancelable: true }))
    await new Promise<void>((resolve) => queueMicrotask(resolve))
    expect(document.activeElement).toBe(items()[0])
    key(document.activeElement, 'ArrowDown')
    key(document.activeElement, 'ArrowDown')
    expect(document.activeElement).toBe(items()[2])
  })

  it('closes on Escape and gives focus back to the button', () => {
    button().focus()
    key(button(), 'ArrowDown')
    expect(menu().hidden).toBe(false)
    key(document.activeElement, 'Escape')
    expect(menu().hidden).toBe(true)
    expect(document.activeElement).toBe(button())
    expect(button().getAttribute('aria-expanded')).toBe('false')
  })

  it('runs the chosen item after closing, with focus back on the button; a disabled item does nothing', () => {
    act(() => button().click())
    act(() => items()[1]!.click())
    expect(chosen).toEqual([])
    expect(menu().hidden).toBe(false)
    act(() => items()[2]!.click())
    expect(chosen).toEqual(['docx'])
    expect(menu().hidden).toBe(true)
    expect(document.activeElement).toBe(button())
  })

  it('closes on a click elsewhere', () => {
    act(() => button().click())
    act(() => {
      document.getElementById('elsewhere')!.dispatchEvent(new PointerEvent('pointerdown', { bubbles: true }))
    })
    expect(menu().hidden).toBe(true)
  })
})
