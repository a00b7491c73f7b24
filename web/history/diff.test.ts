import { describe, expect, it } from 'vitest'
import { blocksOf, countChanges, diffBlocks, diffText } from './diff'

const doc = (...paragraphs: string[]) => ({
  type: 'doc',
  content: paragraphs.map((text) =>
    text === '' ? { type: 'paragraph' } : { type: 'paragraph', content: [{ type: 'text', text }] },
  ),
})

describe('history diff', () => {
  it('reads the blocks of a document, nested ones included', () => {
    const json = {
      type: 'doc',
      content: [
        { type: 'heading', attrs: { level: 2 }, content: [{ type: 'text', text: 'Title' }] },
        {
          type: 'bulletList',
          content: [{ type: 'listItem', content: [{ type: 'paragraph', content: [{ type: 'text', text: 'item' }] }] }],
        },
        {
          type: 'paragraph',
          content: [{ type: 'text', text: 'a' }, { type: 'hardBreak' }, { type: 'text', text: 'b' }],
        },
        { type: 'paragraph' },
      ],
    }
    expect(blocksOf(json)).toEqual([
      { type: 'heading', level: 2, text: 'Title' },
      { type: 'paragraph', level: undefined, text: 'item' },
      { type: 'paragraph', level: undefined, text: 'a\nb' },
      { type: 'paragraph', level: undefined, text: '' },
    ])
  })

  it('marks words inserted and deleted, keeping the spacing', () => {
    expect(diffText('the quick brown fox', 'the slow brown fox jumps')).toEqual([
      { kind: 'same', text: 'the ' },
      { kind: 'deleted', text: 'quick' },
      { kind: 'inserted', text: 'slow' },
      { kind: 'same', text: ' brown fox' },
      { kind: 'inserted', text: ' jumps' },
    ])
  })

  it('keeps equal blocks, marks blocks added and removed, and compares a changed one word by word', () => {
    const base = blocksOf(doc('intro', 'gone', 'body text'))
    const shown = blocksOf(doc('intro', 'body words', 'new'))
    const result = diffBlocks(base, shown)
    expect(result.map((block) => block.kind)).toEqual(['same', 'deleted', 'changed', 'inserted'])
    expect(result[2]?.segments).toEqual([
      { kind: 'same', text: 'body ' },
      { kind: 'deleted', text: 'text' },
      { kind: 'inserted', text: 'words' },
    ])
    expect(countChanges(result)).toEqual({ inserted: 2, deleted: 2 })
    const removal = diffBlocks(blocksOf(doc('a', 'b', 'c')), blocksOf(doc('a', 'c')))
    expect(removal.map((block) => block.kind)).toEqual(['same', 'deleted', 'same'])
    expect(diffBlocks(base, base).every((block) => block.kind === 'same')).toBe(true)
  })
})
