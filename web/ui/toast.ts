/** Short notices ("Link copied", "Couldn't rename") in one polite live region. */
import { h } from '../dom'

let region: HTMLElement | null = null

export function toast(message: string, options: { kind?: 'info' | 'error'; timeoutMs?: number } = {}): void {
  if (region === null || !region.isConnected) {
    region = h('div', { class: 'toasts', role: 'status', 'aria-live': 'polite', 'data-testid': 'toasts' })
    document.body.append(region)
  }
  const item = h('div', { class: `toast toast-${options.kind ?? 'info'}`, 'data-testid': 'toast' }, message)
  region.append(item)
  setTimeout(() => item.remove(), options.timeoutMs ?? 4000)
}
