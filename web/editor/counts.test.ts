import { getSchema } from '@tiptap/core'
import { Transform } from '@tiptap/pm/transform'
import { describe, expect, it } from 'vitest'
import { DocumentCounter, countDocument, countText, describeCounts } from './counts'
import { sharedSchemaExtensions } from './extensions'
import { countReads } from './testReads'

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

  it('counted one document after another, starts from the last count and looks only at the blocks that differ', () => {
    const counter = new DocumentCounter()
    expect(counter.count(doc)).toEqual(whole(doc))
    let random = 7
    const next = (below: number) => {
      random = (random * 1103515245 + 12345) % 2 ** 31
      return random % below
    }
    let current = doc
    for (let round = 0; round < 200; round++) {
      const tr = new Transform(current)
      const textPositions: number[] = []
      current.descendants((node, pos) => {
        if (node.isTextblock) for (let at = pos + 1; at <= pos + 1 + node.content.size; at++) textPositions.push(at)
      })
      const at = textPositions[next(textPositions.length)] as number
      const kind = next(4)
      if (kind === 0) tr.insert(at, schema.text(['word ', '👍🏽', ' 三', 'don’t '][next(4)] as string))
      else if (kind === 1) tr.split(at)
      else if (kind === 2) tr.delete(at, Math.min(at + 1 + next(12), current.content.size))
      else tr.insert(current.content.size, schema.nodeFromJSON(paragraph(text(`new ${round}`))))
      current = tr.doc
      expect({ round, counts: counter.count(current) }).toEqual({ round, counts: whole(current) })
    }
    // A keystroke in the last block: the blocks before it are not looked at.
    const typed = new Transform(current).insert(current.content.size - 1, schema.text('!')).doc
    const middle = current.child(Math.floor(current.childCount / 2))
    expect(typed.child(Math.floor(current.childCount / 2))).toBe(middle)
    const expected = whole(typed)
    const seen = countReads(middle)
    expect(counter.count(typed)).toEqual(expected)
    expect(seen.reads).toBe(0)
  })
})
