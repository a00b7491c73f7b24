// @vitest-environment happy-dom
import { render } from 'preact'
import { act } from 'preact/test-utils'
import { useState } from 'preact/hooks'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { MenuButton } from './menuButton'
import { SidePanel } from './sidePanel'

function Page() {
  const [open, setOpen] = useState(false)
  return (
    <main>
      <button type="button" data-testid="open" onClick={() => setOpen(true)}>
        History
      </button>
      {open && (
        <SidePanel title="History" testId="history" onClose={() => setOpen(false)}>
          <MenuButton label="More" testId="more" items={[{ label: 'Restore', onSelect: () => {} }]} />
        </SidePanel>
      )}
    </main>
  )
}

function key(target: Element | null, key: string): void {
  act(() => {
    target?.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true, cancelable: true }))
  })
}

describe('SidePanel', () => {
  let root: HTMLElement
  beforeEach(() => {
    root = document.createElement('div')
    document.body.append(root)
    act(() => render(<Page />, root))
  })
  afterEach(() => {
    act(() => render(null, root))
    document.body.replaceChildren()
  })

  const opener = () => root.querySelector<HTMLButtonElement>('[data-testid="open"]')!
  const panel = () => root.querySelector<HTMLElement>('[data-testid="history"]')

  function openPanel(): void {
    opener().focus()
    act(() => opener().click())
  }

  it('is a complementary landmark named by its heading, which gets focus', () => {
    openPanel()
    const aside = panel()!
    expect(aside.tagName).toBe('ASIDE')
    const heading = document.getElementById(aside.getAttribute('aria-labelledby')!)
    expect(heading?.textContent).toBe('History')
    expect(document.activeElement).toBe(heading)
  })

  it('closes on Escape and gives focus back to its opener', () => {
    openPanel()
    key(document.activeElement, 'Escape')
    expect(panel()).toBeNull()
    expect(document.activeElement).toBe(opener())
  })

  it('closes with its close button, focus back to the opener', () => {
    openPanel()
    const close = root.querySelector<HTMLButtonElement>('[data-testid="history-close"]')!
    expect(close.getAttribute('aria-label')).toBe('Close History')
    close.focus()
    act(() => close.click())
    expect(panel()).toBeNull()
    expect(document.activeElement).toBe(opener())
  })

  it('lets a menu inside take Escape first', () => {
    openPanel()
    const more = root.querySelector<HTMLButtonElement>('[data-testid="more"]')!
    act(() => more.click())
    key(document.activeElement, 'Escape')
    expect(panel()).not.toBeNull()
    expect(document.activeElement).toBe(more)
    key(document.activeElement, 'Escape')
    expect(panel()).toBeNull()
  })
})
