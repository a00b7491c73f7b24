import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { DOCUMENT_FIELD } from '../../protocol/fields'
import { restoreBody } from './restore'

function paragraph(text: string, bold = false): Y.XmlElement {
  const element = new Y.XmlElement('paragraph')
  const content = new Y.XmlText()
  element.insert(0, [content])
  content.insert(0, text, bold ? { bold: true } : {})
  return element
}

function docOf(...paragraphs: Array<string | [string, true]>): Y.Doc {
  const doc = new Y.Doc()
  doc.getXmlFragment(DOCUMENT_FIELD).insert(
    0,
    paragraphs.map((p) => (typeof p === 'string' ? paragraph(p) : paragraph(p[0], true))),
  )
  return doc
}

const body = (doc: Y.Doc): string => doc.getXmlFragment(DOCUMENT_FIELD).toString()

function fork(doc: Y.Doc): Y.Doc {
  const copy = new Y.Doc()
  Y.applyUpdate(copy, Y.encodeStateAsUpdate(doc))
  return copy
}

describe('restoreBody', () => {
  it.each([
    [
      ['a', 'b', 'c'],
      ['a', 'c'],
    ],
    [
      ['a', 'c'],
      ['a', 'b', 'c'],
    ],
    [['one two three'], ['one three']],
    [
      ['x', 'y'],
      ['p', 'q', 'r', 's'],
    ],
    [[], ['only']],
    [['gone', 'too'], []],
    [['plain'], [['plain', true]]],
    [['héllo 😀 wörld'], ['héllo wörld 😀']],
  ] as Array<[Array<string | [string, true]>, Array<string | [string, true]>]>)('turns %j into %j', (from, to) => {
    const doc = docOf(...from)
    const target = docOf(...to)
    doc.transact(() => restoreBody(doc, target))
    expect(body(doc)).toBe(body(target))
  })

  it('keeps blocks equal on both sides, so an offline edit to one of them survives', () => {
    const server = docOf('first', 'second', 'third')
    const version = fork(server)
    server.getXmlFragment(DOCUMENT_FIELD).delete(0, 1)
    server.getXmlFragment(DOCUMENT_FIELD).insert(0, [paragraph('FIRST, changed')])
    const offline = fork(server)
    ;((offline.getXmlFragment(DOCUMENT_FIELD).get(2) as Y.XmlElement).get(0) as Y.XmlText).insert(5, ' (offline)')
    server.transact(() => restoreBody(server, version))
    expect(body(server)).toBe(body(version))
    Y.applyUpdate(server, Y.encodeStateAsUpdate(offline, Y.encodeStateVector(server)))
    expect(body(server)).toBe(body(docOf('first', 'second', 'third (offline)')))
  })

  it('edits a changed paragraph in place, so an offline edit elsewhere in it survives', () => {
    const server = docOf('the quick fox')
    const version = fork(server)
    ;((server.getXmlFragment(DOCUMENT_FIELD).get(0) as Y.XmlElement).get(0) as Y.XmlText).insert(13, ' jumps')
    const offline = fork(server)
    ;((offline.getXmlFragment(DOCUMENT_FIELD).get(0) as Y.XmlElement).get(0) as Y.XmlText).insert(4, 'very ')
    server.transact(() => restoreBody(server, version))
    expect(body(server)).toBe(body(version))
    Y.applyUpdate(server, Y.encodeStateAsUpdate(offline, Y.encodeStateVector(server)))
    expect(body(server)).toBe(body(docOf('the very quick fox')))
  })

  it('leaves the title alone', () => {
    const doc = docOf('a')
    doc.getMap('meta').set('title', 'Kept')
    doc.transact(() => restoreBody(doc, docOf('b')))
    expect(doc.getMap('meta').get('title')).toBe('Kept')
  })
})
