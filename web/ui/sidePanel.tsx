/**
 * A side panel (History, and panels like it): a labelled complementary landmark beside the
 * document, not modal, so the document stays usable. Opening moves focus to its heading, so
 * screen readers announce it; Escape or its close button closes it, and focus goes back to
 * what opened it.
 */
import type { ComponentChildren } from 'preact'
import { useId, useLayoutEffect, useRef } from 'preact/hooks'

export interface SidePanelProps {
  title: string
  onClose(): void
  children?: ComponentChildren
  testId?: string
}

/** Render it while open; unmounting it is closing it. */
export function SidePanel(props: SidePanelProps) {
  const id = useId()
  const heading = useRef<HTMLHeadingElement>(null)
  const panel = useRef<HTMLElement>(null)

  useLayoutEffect(() => {
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null
    heading.current?.focus()
    return () => {
      // Only when focus was in the panel (or fell to the page when the panel went away).
      const active = document.activeElement
      const lost = active === null || active === document.body || panel.current?.contains(active) === true
      if (lost && opener?.isConnected === true) opener.focus()
    }
  }, [])

  const onKeyDown = (event: KeyboardEvent): void => {
    // A menu or field inside that handled Escape itself stops it first.
    if (event.key !== 'Escape' || event.defaultPrevented) return
    event.preventDefault()
    props.onClose()
  }

  return (
    <aside
      ref={panel}
      class="side-panel"
      aria-labelledby={`${id}-title`}
      data-testid={props.testId}
      onKeyDown={onKeyDown}
    >
      <header class="side-panel-head">
        <h2 ref={heading} id={`${id}-title`} tabIndex={-1}>
          {props.title}
        </h2>
        <button
          type="button"
          class="button button-quiet"
          aria-label={`Close ${props.title}`}
          data-testid={props.testId === undefined ? undefined : `${props.testId}-close`}
          onClick={props.onClose}
        >
          Close
        </button>
      </header>
      <div class="side-panel-body">{props.children}</div>
    </aside>
  )
}
