/**
 * A tiny element builder for the parts of the app still written as plain DOM (the list page, its
 * rows, the dialogs; new views are Preact components). Text is always set as text, never parsed
 * as HTML, so names and titles typed by other people cannot inject markup.
 */
type Child = Node | string | null | undefined | false
type AttributeValue = string | number | boolean | null | undefined
type Listeners = { [E in keyof HTMLElementEventMap]?: (event: HTMLElementEventMap[E]) => void }

export interface Attributes {
  [name: string]: AttributeValue | Listeners
  on?: Listeners
}

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Attributes = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag)
  for (const [name, value] of Object.entries(attributes)) {
    if (name === 'on') {
      for (const [type, listener] of Object.entries(value as Listeners)) {
        element.addEventListener(type, listener as EventListener)
      }
    } else if (value === true) {
      element.setAttribute(name, '')
    } else if (value !== false && value !== null && value !== undefined) {
      element.setAttribute(name, String(value))
    }
  }
  append(element, children)
  return element
}

export function append(parent: Node, children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue
    parent.appendChild(typeof child === 'string' ? document.createTextNode(child) : child)
  }
}

/** Inline SVG icons from path data; `currentColor` lets them follow the theme. */
export function icon(paths: string): SVGSVGElement {
  const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg')
  svg.setAttribute('viewBox', '0 0 24 24')
  svg.setAttribute('aria-hidden', 'true')
  svg.setAttribute('focusable', 'false')
  svg.classList.add('icon')
  for (const d of paths.split('|')) {
    const path = document.createElementNS('http://www.w3.org/2000/svg', 'path')
    path.setAttribute('d', d)
    svg.appendChild(path)
  }
  return svg
}
