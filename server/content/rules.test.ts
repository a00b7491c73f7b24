import { describe, expect, it } from 'vitest'
import { MARK_NAMES, NODE_NAMES } from './rules'
import { contentSchema } from './schema'

describe('schema firewall rules', () => {
  it('name exactly the nodes and marks of the editor schema', () => {
    const schema = contentSchema()
    const nodes = Object.keys(schema.nodes).filter((name) => name !== 'doc' && name !== 'text')
    expect([...NODE_NAMES].sort()).toEqual(nodes.sort())
    expect([...MARK_NAMES].sort()).toEqual(Object.keys(schema.marks).sort())
  })
})
