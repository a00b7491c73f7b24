// @vitest-environment happy-dom
/** `editor.isEmpty` answers as upstream's `isNodeEmpty` and stops at the first block with content. */
import { getSchema, isNodeEmpty } from '@tiptap/core'
import type { Node as ProseMirrorNode } from '@tiptap/pm/model'
import { afterEach, describe, expect, it } from 'vitest'
import { sharedSchemaExtensions } from './extensions'
import { isEmptyNode } from './quickIsEmpty'
import { forgetPeople, pair } from './testPeople'
import { countReads } from './testReads'

afterEach(forgetPeople)

const schema = getSchema(sharedSchemaExtensions())
const doc = (content: unknown[]) => schema.nodeFromJSON({ type: 'doc', content })
const paragraph = (text?: string) => ({
  type: 'paragraph',
  ...(text === undefined ? {} : { content: [{ type: 'text', text }] }),
})

describe('whether a document is empty', () => {
  it('is what upstream says, for empty and non-empty documents of every kind', () => {
    const docs = [
      doc([paragraph()]),
      doc([paragraph(), paragraph()]),
      doc([paragraph(' ')]),
      doc([paragraph(), paragraph('text at the end')]),
      doc([{ type: 'heading', attrs: { level: 1 } }]),
      doc([{ type: 'bulletList', content: [{ type: 'listItem', content: [paragraph()] }] }]),
      doc([{ type: 'paragraph', content: [{ type: 'hardBreak' }] }]),
      doc([{ type: 'horizontalRule' }]),
    ]
    expect(docs.map(isEmptyNode)).toEqual(docs.map((one) => isNodeEmpty(one)))
    expect(docs.map(isEmptyNode)).toEqual([true, true, false, false, true, true, false, false])
  })

  it('stops at the first block with content', () => {
    const { alice } = pair(['First', 'Second', 'Third'])
    const last = countReads(alice.editor.state.doc.lastChild as ProseMirrorNode, ['nodeSize', 'isText'])
    expect(alice.editor.isEmpty).toBe(false)
    expect(last.reads).toBe(0)
  })

  it('(upstream) visits every block', () => {
    const { alice } = pair(['First', 'Second', 'Third'])
    const last = countReads(alice.editor.state.doc.lastChild as ProseMirrorNode, ['nodeSize', 'isText'])
    expect(isNodeEmpty(alice.editor.state.doc)).toBe(false)
    expect(last.reads).toBeGreaterThan(0)
  })
})
