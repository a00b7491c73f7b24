/**
 * "edited 3 minutes ago": people judge freshness better from a relative time than from a
 * timestamp, and the exact time is kept for a tooltip.
 */
const UNITS: Array<[Intl.RelativeTimeFormatUnit, number]> = [
  ['year', 365 * 24 * 3600],
  ['month', 30 * 24 * 3600],
  ['week', 7 * 24 * 3600],
  ['day', 24 * 3600],
  ['hour', 3600],
  ['minute', 60],
]

const relative = new Intl.RelativeTimeFormat('en', { numeric: 'auto' })

export function relativeTime(date: Date, now: Date = new Date()): string {
  const seconds = Math.round((now.getTime() - date.getTime()) / 1000)
  if (seconds < 45) return 'just now'
  for (const [unit, size] of UNITS) {
    if (seconds >= size) return relative.format(-Math.floor(seconds / size), unit)
  }
  return relative.format(-1, 'minute')
}

/**
 * The formats below are made once: `toLocaleString` with options makes a new `Intl.DateTimeFormat`
 * per call (tens of microseconds to a millisecond), and the status line formats the last sync
 * after every keystroke's confirmation, a document list every row.
 */
let exactFormat: Intl.DateTimeFormat | null = null
let clockFormat: Intl.DateTimeFormat | null = null

/** Date and time, as `toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' })`. */
export function exactTime(date: Date): string {
  exactFormat ??= new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' })
  return exactFormat.format(date)
}

/** The time with seconds, as `toLocaleTimeString(undefined, { hour, minute, second: '2-digit' })`. */
export function clockTime(date: Date): string {
  clockFormat ??= new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' })
  return clockFormat.format(date)
}
