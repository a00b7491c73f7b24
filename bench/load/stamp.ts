/**
 * Send times travel inside the edits themselves: each inserted text is a stamp
 * `@@<16-digit microseconds><6-digit sender>`, which survives every server unchanged (a
 * Yjs string is stored as its UTF-8 bytes), so a reader finds it by scanning the raw frame
 * without decoding Yjs. All processes run on one machine and read the same clock.
 */

const MARK = Buffer.from('@@')
const DIGITS = 16
const SENDER_DIGITS = 6
export const STAMP_LENGTH = MARK.length + DIGITS + SENDER_DIGITS

/** Milliseconds since the epoch with sub-millisecond resolution, comparable across processes. */
export function now(): number {
  return performance.timeOrigin + performance.now()
}

export function stampText(sender: number, at: number = now()): string {
  return `@@${String(Math.round(at * 1000)).padStart(DIGITS, '0')}${String(sender).padStart(SENDER_DIGITS, '0')}`
}

function readDigits(frame: Buffer, start: number, count: number): number {
  let value = 0
  for (let index = start; index < start + count; index++) {
    const digit = (frame[index] ?? 0) - 48
    if (digit < 0 || digit > 9) return -1
    value = value * 10 + digit
  }
  return value
}

/** Calls `visit` with the send time (ms) and sender of every stamp in `frame`. */
export function scanStamps(frame: Buffer, visit: (sentAt: number, sender: number) => void): void {
  let index = frame.indexOf(MARK)
  while (index !== -1 && index + STAMP_LENGTH <= frame.length) {
    const micros = readDigits(frame, index + MARK.length, DIGITS)
    const sender = readDigits(frame, index + MARK.length + DIGITS, SENDER_DIGITS)
    if (micros >= 0 && sender >= 0) {
      visit(micros / 1000, sender)
      index = frame.indexOf(MARK, index + STAMP_LENGTH)
    } else {
      index = frame.indexOf(MARK, index + 1)
    }
  }
}
