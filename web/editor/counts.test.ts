import { getSchema } from '@tiptap/core'
import { describe, expect, it } from 'vitest'
import { countDocument, countText, describeCounts } from './counts'
import { sharedSchemaExtensions } from './extensions'

describe('countText', () => {
  it('counts words and characters, not block breaks', () => {
    expect(countText('Hello world\nSecond line')).toEqual({ words: 4, characters: 22 })
  })

  it('treats contractions, punctuation and emoji like a writer would', () => {
    expect(countText("Don't panic!")).toEqual({ words: 2, characters: 12 })
    expect(countText('👍🏽 ok').characters).toBe(4)
  })

  it('is zero for an empty document', () => {
    expect(countText('')).toEqual({ words: 0, characters: 0 })
    expect(countText('\n\n')).toEqual({ words: 0, characters: 0 })
  })

  it('describes singular and plural', () => {
    expect(describeCounts({ words: 1, characters: 1 })).toBe('1 word · 1 character')
    expect(describeCounts({ words: 1200, characters: 7000 })).toBe('1,200 words · 7,000 characters')
  })
})

describe('countDocument', () => {
  const schema = getSchema(sharedSchemaExtensions())
  const text = (value: string) => ({ type: 'text', text: value })
  const paragraph = (...content: object[]) => ({ type: 'paragraph', content })
  const doc = schema.nodeFromJSON({
    type: 'doc',
    content: [
      { type: 'heading', attrs: { level: 1 }, content: [text('Don’t panic')] },
      paragraph(text('Hello'), { type: 'hardBreak' }, text('world 👍🏽')),
      { type: 'horizontalRule' },
      {
        type: 'bulletList',
        content: [
          { type: 'listItem', content: [paragraph(text('one two'))] },
          { type: 'listItem', content: [paragraph(text('三四'))] },
        ],
      },
      paragraph(),
      paragraph(text('end.')),
    ],
  })
  const whole = (node: typeof doc) => countText(node.textBetween(0, node.content.size, '\n', ' '))

  it('is the count of the whole text, summed block by block', () => {
    expect(countDocument(doc)).toEqual(whole(doc))
  })

  it('stays right after an edit, counting only the changed block again', () => {
    expect(countDocument(doc)).toEqual(whole(doc))
    const edited = doc.replace(
      doc.content.size - 2,
      doc.content.size - 1,
      schema.nodeFromJSON(paragraph(text('x y'))).slice(0, 3),
    )
    expect(edited.child(0)).toBe(doc.child(0))
    expect(countDocument(edited)).toEqual(whole(edited))
  })
})
