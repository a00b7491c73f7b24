/**
 * The firewall and uploaded images: an `image` node may point at a file stored here
 * (`/api/files/…`) or an http(s) URL, never carry bytes (`data:`) or script.
 */
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { DOCUMENT_FIELD } from '../../protocol/fields'
import { schemaRules } from '../content/rules'
import { createdUpdate } from '../test/content'
import { captureUpdate } from '../test/updates'
import { UpdateChecker } from './updateCheck'
import { parseUpdate } from './updateFormat'

const seed = await createdUpdate('Title', { format: 'markdown', body: 'first paragraph' })

function withImage(attributes: Record<string, unknown>): boolean {
  const server = new Y.Doc()
  Y.applyUpdate(server, seed)
  const client = new Y.Doc()
  Y.applyUpdate(client, Y.encodeStateAsUpdate(server))
  const update = captureUpdate(client, (d) => {
    const image = new Y.XmlElement('image')
    for (const [name, value] of Object.entries(attributes)) image.setAttribute(name, value as string)
    d.getXmlFragment(DOCUMENT_FIELD).push([image])
  })
  return new UpdateChecker(server, schemaRules()).check(parseUpdate(update)).verdict === 'ok'
}

describe('the firewall and images', () => {
  it.each([
    ['an uploaded file', { src: '/api/files/AAAAAAAAAAAAAAAAAAAAAA', alt: 'A harbour' }],
    ['a web image with a title', { src: 'https://example.com/a.png', alt: 'x', title: 'T' }],
  ])('accepts %s', (_, attributes) => {
    expect(withImage(attributes)).toBe(true)
  })

  it.each([
    ['bytes in a data: URL', { src: 'data:image/png;base64,iVBORw0KGgo=' }],
    ['script', { src: 'javascript:alert(1)' }],
    ['a path elsewhere on this server', { src: '/api/docs/x/content?format=html' }],
    ['a src that is not a string', { src: { evil: true } }],
    ['an attribute images do not have', { src: '/api/files/AAAAAAAAAAAAAAAAAAAAAA', onerror: 'alert(1)' }],
  ])('refuses %s', (_, attributes) => {
    expect(withImage(attributes)).toBe(false)
  })
})
