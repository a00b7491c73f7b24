import { describe, expect, it } from 'vitest'
import { MARK_NAMES, NODE_ATTRIBUTES, NODE_NAMES } from './rules'
import { contentSchema } from '../../protocol/schema'

describe('schema firewall rules', () => {
  it('name exactly the nodes and marks of the editor schema', () => {
    const schema = contentSchema()
    const nodes = Object.keys(schema.nodes).filter((name) => name !== 'doc' && name !== 'text')
    expect([...NODE_NAMES].sort()).toEqual(nodes.sort())
    expect([...MARK_NAMES].sort()).toEqual(Object.keys(schema.marks).sort())
  })

  it('name exactly the attributes of each node, which y-tiptap writes as element attributes', () => {
    const schema = contentSchema()
    for (const name of NODE_NAMES) {
      expect(Object.keys(NODE_ATTRIBUTES[name]).sort(), name).toEqual(
        Object.keys(schema.nodes[name]?.spec.attrs ?? {}).sort(),
      )
    }
  })

  it('know every attribute of a link, with the link policy’s defaults', () => {
    const link = contentSchema().marks.link
    expect(Object.keys(link?.spec.attrs ?? {}).sort()).toEqual(['class', 'href', 'rel', 'target', 'title'])
    expect(link?.create({ href: 'https://x.test' }).attrs).toEqual({
      href: 'https://x.test',
      target: '_blank',
      rel: 'noopener noreferrer nofollow',
      class: null,
      title: null,
    })
  })
})
