/** Shared helpers of the binding fixes. */
import { Schema } from '@tiptap/pm/model'
import { describe, expect, it } from 'vitest'
import { findBlock } from './ySyncState'

const schema = new Schema({
  nodes: { doc: { content: 'block+' }, paragraph: { group: 'block', content: 'text*' }, text: {} },
})
const paragraph = (text: string) => schema.node('paragraph', null, text === '' ? [] : [schema.text(text)])

describe('findBlock', () => {
  it('finds a top-level block by identity: its index and where it starts', () => {
    const [one, three, threeAgain] = [paragraph('one'), paragraph('three'), paragraph('three')]
    const doc = schema.node('doc', null, [one, paragraph(''), three, threeAgain])
    expect(findBlock(doc, one)).toEqual({ index: 0, start: 0 })
    // 'one' takes 5 positions, the empty paragraph 2; the equal but distinct last block is its own.
    expect(findBlock(doc, three)).toEqual({ index: 2, start: 7 })
    expect(findBlock(doc, threeAgain)).toEqual({ index: 3, start: 14 })
  })

  it('gives no answer for a block the document holds twice, or not at all', () => {
    const twice = paragraph('pasted twice')
    const doc = schema.node('doc', null, [twice, paragraph('between'), twice])
    expect(findBlock(doc, twice)).toBeNull()
    expect(findBlock(doc, paragraph('between'))).toBeNull()
  })
})
