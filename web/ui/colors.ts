/**
 * Text on a person's colour (caret labels, avatars). Colours come from other browsers (any
 * `#rrggbb`, not only our palette), so the text colour is picked per colour: black or white,
 * whichever contrasts more. One of the two always reaches at least 4.58:1, above WCAG's 4.5:1
 * for normal text.
 */

/** WCAG 2 relative luminance of `#rrggbb`. */
export function luminance(hex: string): number {
  const value = Number.parseInt(hex.slice(1, 7), 16)
  const channels = [(value >> 16) & 255, (value >> 8) & 255, value & 255].map((channel) => {
    const c = channel / 255
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4
  })
  return 0.2126 * channels[0]! + 0.7152 * channels[1]! + 0.0722 * channels[2]!
}

/** WCAG 2 contrast ratio of two `#rrggbb` colours, from 1 to 21. */
export function contrastRatio(a: string, b: string): number {
  const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number]
  return (light + 0.05) / (dark + 0.05)
}

export const LIGHT_TEXT = '#ffffff'
export const DARK_TEXT = '#000000'

/** The text colour to put on `background` (`#rrggbb`). */
export function readableTextOn(background: string): typeof LIGHT_TEXT | typeof DARK_TEXT {
  return contrastRatio(background, LIGHT_TEXT) >= contrastRatio(background, DARK_TEXT) ? LIGHT_TEXT : DARK_TEXT
}
