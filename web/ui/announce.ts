/**
 * One polite live region for the page: components call `announce(text)` for what a sighted
 * person would notice (connection lost and back, someone joined, a document restored), instead
 * of each keeping a region of its own. Each message is a new node, so the same words said twice
 * are read twice; only the latest is kept.
 */
let region: HTMLElement | null = null

export function announcer(): HTMLElement {
  if (region === null || !region.isConnected) {
    region = document.createElement('div')
    region.className = 'visually-hidden'
    region.setAttribute('aria-live', 'polite')
    region.setAttribute('aria-atomic', 'true')
    region.setAttribute('data-testid', 'announcer')
    document.body.append(region)
  }
  return region
}

export function announce(text: string): void {
  const message = document.createElement('p')
  message.textContent = text
  announcer().replaceChildren(message)
}
