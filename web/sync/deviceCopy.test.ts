import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import * as Y from 'yjs'
import { REMOTE_WRITE_DELAY_MS, writeOthersTogether } from './deviceCopy'

beforeEach(() => {
  vi.useFakeTimers()
})

afterEach(() => {
  vi.useRealTimers()
})

/** A document, what is written of it, and someone else's document whose updates it receives. */
function setup() {
  const doc = new Y.Doc()
  const other = new Y.Doc()
  const written: Uint8Array[] = []
  const copy = { name: 'the copy' }
  const writes = writeOthersTogether(doc, (update) => written.push(update), copy)
  other.on('update', (update: Uint8Array) => Y.applyUpdate(doc, update, 'server'))
  /** What a document made of the written updates alone holds. */
  const fromCopy = (): string => {
    const restored = new Y.Doc()
    for (const update of written) Y.applyUpdate(restored, update)
    return restored.getText('t').toString()
  }
  return { doc, other, written, copy, writes, fromCopy }
}

describe('the device copy’s writes', () => {
  it('write others’ updates together, at most a moment later', () => {
    const { other, written, fromCopy } = setup()
    for (const key of 'hello') other.getText('t').insert(other.getText('t').length, key)
    expect(written).toHaveLength(0)
    vi.advanceTimersByTime(REMOTE_WRITE_DELAY_MS)
    expect(written).toHaveLength(1)
    expect(fromCopy()).toBe('hello')
  })

  it('write your own changes at once, after the others’ that came before them', () => {
    const { doc, other, written, fromCopy } = setup()
    other.getText('t').insert(0, 'theirs ')
    doc.getText('t').insert(7, 'mine')
    expect(written).toHaveLength(2)
    expect(fromCopy()).toBe('theirs mine')
    vi.advanceTimersByTime(REMOTE_WRITE_DELAY_MS)
    expect(written).toHaveLength(2)
  })

  it('write what waits on flush and on destroy', () => {
    const { other, writes, fromCopy } = setup()
    other.getText('t').insert(0, 'a')
    writes.flush()
    expect(fromCopy()).toBe('a')
    other.getText('t').insert(1, 'b')
    writes.destroy()
    expect(fromCopy()).toBe('ab')
    other.getText('t').insert(2, 'c')
    vi.advanceTimersByTime(REMOTE_WRITE_DELAY_MS)
    expect(fromCopy()).toBe('ab')
  })

  it('do not write what the copy itself loaded into the document', () => {
    const { doc, written, copy } = setup()
    const stored = new Y.Doc()
    stored.getText('t').insert(0, 'from the copy')
    Y.applyUpdate(doc, Y.encodeStateAsUpdate(stored), copy)
    vi.advanceTimersByTime(REMOTE_WRITE_DELAY_MS)
    expect(doc.getText('t').toString()).toBe('from the copy')
    expect(written).toHaveLength(0)
  })
})
