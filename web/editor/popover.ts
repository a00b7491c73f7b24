/**
 * A small form under a toolbar button (the link and alt-text editors), placed in the toolbar's
 * wrapper and shown one at a time: its input has focus when it opens; Escape closes it and gives
 * focus back (to the text); a click outside it, other than on its own button, closes it.
 */

export interface PopoverOptions {
  /** The toolbar button it belongs to: it opens under it, and a click on it is not "outside". */
  anchor: HTMLElement
  /** Focused, its text selected, when the popover opens. */
  input: HTMLInputElement
  /** Where Escape gives focus back. */
  returnFocus(): void
}

/** Widest a popover is laid out (styles.css `.popover`), to keep it inside its host. */
const POPOVER_WIDTH = 320

let open: (() => void) | null = null

/** Closes the popover that is open, if any, without moving focus. */
export function closePopover(): void {
  open?.()
}

/**
 * Shows `form` as the popover of `options.anchor` (closing any other) and returns the function
 * that closes it: with `refocus`, focus goes back through `options.returnFocus`.
 */
export function showPopover(form: HTMLElement, options: PopoverOptions): (refocus: boolean) => void {
  closePopover()
  const { anchor, input } = options
  const close = (refocus: boolean): void => {
    form.remove()
    document.removeEventListener('pointerdown', outside, true)
    if (open === closeQuietly) open = null
    if (refocus) options.returnFocus()
  }
  const closeQuietly = (): void => close(false)
  const outside = (event: PointerEvent): void => {
    if (!form.contains(event.target as Node) && event.target !== anchor) close(false)
  }
  form.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') {
      event.preventDefault()
      close(true)
    }
  })

  const host = anchor.closest('.toolbar-wrap') ?? anchor.parentElement ?? document.body
  host.append(form)
  const hostBox = host.getBoundingClientRect()
  const anchorBox = anchor.getBoundingClientRect()
  form.style.left = `${Math.max(0, Math.min(anchorBox.left - hostBox.left, hostBox.width - POPOVER_WIDTH))}px`
  document.addEventListener('pointerdown', outside, true)
  open = closeQuietly
  input.focus()
  input.select()
  return close
}
