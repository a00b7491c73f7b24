/**
 * One polite live region for the page: components call `announce(text)` for what a sighted
 * person would notice (connection lost and back, someone joined, a document deleted or
 * restored), instead of each keeping a region of its own. What to say and how often is decided
 * by the callers (see `announcements.ts`: bursts are coalesced, nothing per keystroke).
 *
 * Each message is a new node appended to the region (not atomic), so screen readers read each
 * addition once, the same words said twice are read twice, and a message said right after
 * another does not replace it before it was read. Old messages are removed after a while and
 * beyond the last few; removals are not read.
 */
let region: HTMLElement | null = null

/** How long a message stays in the region, and how many are kept. */
export const MESSAGE_LIFETIME_MS = 20_000
export const MAX_MESSAGES = 3

export function announcer(): HTMLElement {
  if (region === null || !region.isConnected) {
    region = document.createElement('div')
    region.className = 'visually-hidden'
    region.setAttribute('aria-live', 'polite')
    region.setAttribute('aria-atomic', 'false')
    region.setAttribute('aria-relevant', 'additions text')
    region.setAttribute('data-testid', 'announcer')
    document.body.append(region)
  }
  return region
}

export function announce(text: string): void {
  const live = announcer()
  const message = document.createElement('p')
  message.textContent = text
  live.append(message)
  while (live.childElementCount > MAX_MESSAGES) live.firstElementChild?.remove()
  setTimeout(() => message.remove(), MESSAGE_LIFETIME_MS)
}
