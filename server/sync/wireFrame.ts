/**
 * WebSocket framing done once per broadcast instead of once per recipient.
 *
 * `ws.send` built a frame header, validated options and tracked state for every recipient; a
 * broadcast to 500 readers did that 500 times for identical bytes. A frame here is built once,
 * cached for as long as its payload lives, and written to each socket with a single `write`.
 */

const frames = new WeakMap<Uint8Array, Buffer>()

/** An unmasked, final, binary frame (RFC 6455 §5.2), as a server sends it. */
export function binaryFrame(payload: Uint8Array): Buffer {
  const cached = frames.get(payload)
  if (cached !== undefined) return cached
  const length = payload.length
  const headerLength = length < 126 ? 2 : length < 65_536 ? 4 : 10
  const frame = Buffer.allocUnsafe(headerLength + length)
  frame[0] = 0x82
  if (length < 126) {
    frame[1] = length
  } else if (length < 65_536) {
    frame[1] = 126
    frame.writeUInt16BE(length, 2)
  } else {
    frame[1] = 127
    frame.writeUInt32BE(Math.floor(length / 2 ** 32), 2)
    frame.writeUInt32BE(length >>> 0, 6)
  }
  frame.set(payload, headerLength)
  frames.set(payload, frame)
  return frame
}
