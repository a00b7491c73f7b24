/**
 * A menu button (WAI-ARIA "menu button" pattern), for the Download, Import and row menus to
 * come: the button says it opens a menu and whether it is open; Enter, Space or ArrowDown
 * open it on the first item, ArrowUp on the last; arrow keys, Home/End and a letter move
 * between items; Escape closes it and puts focus back on the button, as does choosing an
 * item (before the item's action runs, so a dialog it opens returns focus there too); Tab or
 * a click elsewhere closes it.
 */
import type { ComponentChildren } from 'preact'
import { useEffect, useId, useLayoutEffect, useRef, useState } from 'preact/hooks'

export interface MenuItem {
  label: string
  onSelect(): void
  disabled?: boolean
  testId?: string
}

export interface MenuButtonProps {
  /** The button's face; with an icon only, also give `ariaLabel`. */
  label: ComponentChildren
  ariaLabel?: string
  items: MenuItem[]
  class?: string
  testId?: string
}

type Opening = 'first' | 'last' | null

export function MenuButton(props: MenuButtonProps) {
  const id = useId()
  const [open, setOpen] = useState<Opening>(null)
  const button = useRef<HTMLButtonElement>(null)
  const menu = useRef<HTMLDivElement>(null)

  const itemElements = (): HTMLElement[] =>
    Array.from(menu.current?.querySelectorAll<HTMLElement>('[role="menuitem"]') ?? [])
  const focusItem = (index: number): void => {
    const items = itemElements()
    if (items.length > 0) items[(index + items.length) % items.length]?.focus()
  }
  const close = (returnFocus: boolean): void => {
    setOpen(null)
    if (returnFocus) button.current?.focus()
  }

  // Focus moves in the render that shows the menu (not after the next paint, as `useEffect`
  // would): a key pressed right after the one that opened it goes to the menu, not the button.
  useLayoutEffect(() => {
    if (open !== null) focusItem(open === 'first' ? 0 : -1)
  }, [open])

  useEffect(() => {
    if (open === null) return
    const onPointerDown = (event: PointerEvent): void => {
      const target = event.target as Node | null
      if (!menu.current?.contains(target) && !button.current?.contains(target)) setOpen(null)
    }
    document.addEventListener('pointerdown', onPointerDown)
    return () => document.removeEventListener('pointerdown', onPointerDown)
  }, [open])

  const onButtonKey = (event: KeyboardEvent): void => {
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault()
      setOpen(event.key === 'ArrowDown' ? 'first' : 'last')
    }
  }

  const onMenuKey = (event: KeyboardEvent): void => {
    const items = itemElements()
    const current = items.indexOf(document.activeElement as HTMLElement)
    switch (event.key) {
      case 'ArrowDown':
        focusItem(current + 1)
        break
      case 'ArrowUp':
        focusItem(current - 1)
        break
      case 'Home':
        focusItem(0)
        break
      case 'End':
        focusItem(-1)
        break
      case 'Escape':
        close(true)
        break
      case 'Tab':
        close(false)
        return
      default: {
        if (event.key.length !== 1 || event.ctrlKey || event.metaKey || event.altKey) return
        const letter = event.key.toLowerCase()
        const order = [...items.slice(current + 1), ...items.slice(0, current + 1)]
        order.find((item) => item.textContent?.trim().toLowerCase().startsWith(letter))?.focus()
      }
    }
    event.preventDefault()
    event.stopPropagation()
  }

  const choose = (item: MenuItem): void => {
    if (item.disabled === true) return
    close(true)
    item.onSelect()
  }

  return (
    <div class={`menu-button ${props.class ?? ''}`.trim()}>
      <button
        ref={button}
        type="button"
        class="button"
        id={`${id}-button`}
        aria-haspopup="menu"
        aria-expanded={open !== null}
        aria-controls={`${id}-menu`}
        aria-label={props.ariaLabel}
        data-testid={props.testId}
        onClick={() => (open === null ? setOpen('first') : close(false))}
        onKeyDown={onButtonKey}
      >
        {props.label}
      </button>
      <div
        ref={menu}
        id={`${id}-menu`}
        role="menu"
        class="menu"
        aria-labelledby={`${id}-button`}
        hidden={open === null}
        onKeyDown={onMenuKey}
        data-testid={props.testId === undefined ? undefined : `${props.testId}-menu`}
      >
        {props.items.map((item) => (
          <button
            key={item.label}
            type="button"
            role="menuitem"
            tabIndex={-1}
            class="menu-item"
            aria-disabled={item.disabled === true ? 'true' : undefined}
            data-testid={item.testId}
            onClick={() => choose(item)}
          >
            {item.label}
          </button>
        ))}
      </div>
    </div>
  )
}
