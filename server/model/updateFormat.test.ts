import * as encoding from 'lib0/encoding'
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { captureUpdate, elementContent, rawUpdate, stringContent } from '../test/updates'
import { MalformedUpdateError, parseUpdate, sliceUpdate, splitUpdate } from './updateFormat'
import { DOCUMENT_FIELD } from '../../protocol/fields'

function richDocument(): Y.Doc {
  const doc = new Y.Doc()
  const body = doc.getXmlFragment(DOCUMENT_FIELD)
  const heading = new Y.XmlElement('heading')
  heading.setAttribute('level', 2 as unknown as string)
  heading.insert(0, [new Y.XmlText('Title')])
  const paragraph = new Y.XmlElement('paragraph')
  const text = new Y.XmlText()
  paragraph.insert(0, [text])
  body.insert(0, [heading, paragraph])
  text.insert(0, 'hello world', {})
  text.format(0, 5, { bold: {} })
  text.delete(5, 1)
  const map = doc.getMap('other')
  map.set('json', { a: [1, 2, { b: null }] })
  map.set('bytes', new Uint8Array([1, 2, 3]))
  map.set('nested', new Y.Map())
  doc.getArray('list').insert(0, [1, 'two', true, null, 3.5])
  doc.getText('plain').insertEmbed(0, { image: 'x.png' })
  heading.delete(0, 1)
  return doc
}

describe('parseUpdate', () => {
  it('exposes mark values and attribute values for the schema firewall to judge', () => {
    const doc = new Y.Doc()
    const paragraph = new Y.XmlElement('paragraph')
    const text = new Y.XmlText()
    paragraph.insert(0, [text])
    doc.getXmlFragment(DOCUMENT_FIELD).insert(0, [paragraph])
    text.insert(0, 'hello')
    const update = captureUpdate(doc, () => {
      paragraph.setAttribute('level', 3 as unknown as string)
      text.format(0, 2, { link: { href: 'javascript:x', target: '_self' } })
    })
    const structs = parseUpdate(update).sections.flatMap((section) => section.structs)
    const attribute = structs.find((struct) => struct.parentSub === 'level')
    expect(attribute?.values).toEqual([3])
    const formats = structs.filter((struct) => struct.name === 'link')
    expect(formats.map((struct) => struct.values)).toEqual([[{ href: 'javascript:x', target: '_self' }], [null]])
    expect(structs.filter((struct) => struct.values === null).length).toBe(0)
  })

  it('reads everything Yjs writes, and the sections slice back into an equivalent update', () => {
    const doc = richDocument()
    const update = Y.encodeStateAsUpdate(doc)
    const parsed = parseUpdate(update)
    expect(parsed.sections.length).toBe(1)
    expect(parsed.sections[0]?.endClock).toBe(Y.getState(doc.store, doc.clientID))
    expect(parsed.deletes.length).toBeGreaterThan(0)

    const rebuilt = new Y.Doc()
    Y.applyUpdate(
      rebuilt,
      sliceUpdate(update, parsed, () => true, true),
    )
    expect(Y.encodeStateVector(rebuilt)).toEqual(Y.encodeStateVector(doc))
    expect(rebuilt.getXmlFragment(DOCUMENT_FIELD).toString()).toBe(doc.getXmlFragment(DOCUMENT_FIELD).toString())
  })

  it('reads incremental updates, merged updates with gaps, and several clients', () => {
    const a = new Y.Doc()
    const b = new Y.Doc()
    const u1 = captureUpdate(a, (d) => d.getText('t').insert(0, 'abc'))
    const u2 = captureUpdate(a, (d) => d.getText('t').insert(3, 'def'))
    const u3 = captureUpdate(a, (d) => d.getText('t').insert(6, 'ghi'))
    Y.applyUpdate(b, u1)
    const u4 = captureUpdate(b, (d) => d.getText('t').insert(0, 'B'))
    for (const update of [u1, u2, u3, u4, Y.mergeUpdates([u1, u3]), Y.mergeUpdates([u1, u2, u3, u4])]) {
      expect(() => parseUpdate(update)).not.toThrow()
    }
    const merged = parseUpdate(Y.mergeUpdates([u1, u2, u3, u4]))
    expect(merged.sections.map((s) => s.client).sort()).toEqual([a.clientID, b.clientID].sort())
  })

  it('splits an update by client and each part applies on its own', () => {
    const a = new Y.Doc()
    const b = new Y.Doc()
    Y.applyUpdate(
      b,
      captureUpdate(a, (d) => d.getText('t').insert(0, 'from a ')),
    )
    captureUpdate(b, (d) => d.getText('t').insert(0, 'from b '))
    const update = Y.encodeStateAsUpdate(b)
    const parsed = parseUpdate(update)
    const onlyA = sliceUpdate(update, parsed, (s) => s.client === a.clientID, false)
    const rest = sliceUpdate(update, parsed, (s) => s.client !== a.clientID, true)
    expect(parseUpdate(onlyA).sections.map((s) => s.client)).toEqual([a.clientID])
    const target = new Y.Doc()
    Y.applyUpdate(target, onlyA)
    Y.applyUpdate(target, rest)
    expect(target.getText('t').toString()).toBe(b.getText('t').toString())
  })

  it('refuses every truncation of a valid update', () => {
    const update = Y.encodeStateAsUpdate(richDocument())
    for (let length = 0; length < update.length; length++) {
      expect(() => parseUpdate(update.subarray(0, length)), `prefix of ${length} bytes`).toThrow(MalformedUpdateError)
    }
  })

  it('refuses trailing bytes', () => {
    const update = Y.encodeStateAsUpdate(richDocument())
    const longer = new Uint8Array(update.length + 1)
    longer.set(update)
    expect(() => parseUpdate(longer)).toThrow(/trailing/)
  })

  it.each([
    [
      'a repeated client section',
      () => {
        const section = rawUpdate(7, 0, [{ parentKey: DOCUMENT_FIELD, content: stringContent('x') }])
        const e = encoding.createEncoder()
        encoding.writeVarUint(e, 2)
        const body = section.subarray(1, section.length - 1)
        encoding.writeUint8Array(e, body)
        encoding.writeUint8Array(e, body)
        encoding.writeVarUint(e, 0)
        return encoding.toUint8Array(e)
      },
    ],
    ['an empty string item', () => rawUpdate(7, 0, [{ parentKey: DOCUMENT_FIELD, content: stringContent('') }])],
    [
      'an unknown content ref',
      () => rawUpdate(7, 0, [{ parentKey: DOCUMENT_FIELD, content: { ref: 17, write: () => undefined } }]),
    ],
    [
      'an unknown type ref',
      () =>
        rawUpdate(7, 0, [
          { parentKey: DOCUMENT_FIELD, content: { ref: 7, write: (e) => encoding.writeVarUint(e, 42) } },
        ]),
    ],
    [
      'a client id beyond 32 bits',
      () => rawUpdate(2 ** 33, 0, [{ parentKey: DOCUMENT_FIELD, content: stringContent('x') }]),
    ],
    ['a clock beyond range', () => rawUpdate(7, 2 ** 45, [{ parentKey: DOCUMENT_FIELD, content: stringContent('x') }])],
    ['a zero-length delete range', () => rawUpdate(7, 0, [], [[7, 0, 0]])],
    [
      'invalid JSON in a format',
      () =>
        rawUpdate(7, 0, [
          {
            parentKey: DOCUMENT_FIELD,
            content: {
              ref: 6,
              write: (e) => {
                encoding.writeVarString(e, 'bold')
                encoding.writeVarString(e, '{nope')
              },
            },
          },
        ]),
    ],
    [
      'invalid UTF-8 in a string',
      () =>
        rawUpdate(7, 0, [
          {
            parentKey: DOCUMENT_FIELD,
            content: {
              ref: 4,
              write: (e) => {
                encoding.writeVarUint(e, 2)
                encoding.writeUint8(e, 0xc3)
                encoding.writeUint8(e, 0x28)
              },
            },
          },
        ]),
    ],
    [
      'a struct count larger than the update',
      () => {
        const e = encoding.createEncoder()
        encoding.writeVarUint(e, 1)
        encoding.writeVarUint(e, 2 ** 40)
        encoding.writeVarUint(e, 7)
        encoding.writeVarUint(e, 0)
        return encoding.toUint8Array(e)
      },
    ],
  ])('refuses %s', (_, build) => {
    expect(() => parseUpdate(build())).toThrow(MalformedUpdateError)
  })

  it('accepts a hand-built update that Yjs accepts', () => {
    const update = rawUpdate(7, 0, [{ parentKey: DOCUMENT_FIELD, content: elementContent('paragraph') }])
    const doc = new Y.Doc()
    Y.applyUpdate(doc, update)
    expect(doc.getXmlFragment(DOCUMENT_FIELD).toString()).toBe('<paragraph></paragraph>')
    expect(parseUpdate(update).sections[0]?.structs[0]?.name).toBe('paragraph')
  })
})

describe('splitUpdate', () => {
  it('cuts an update between structs into pieces that rebuild the same document, whatever the order of clients', () => {
    const a = new Y.Doc()
    const b = new Y.Doc()
    const text = (doc: Y.Doc) => doc.getXmlFragment('default')
    for (let round = 0; round < 40; round++) {
      const paragraph = new Y.XmlElement('paragraph')
      const body = new Y.XmlText()
      paragraph.insert(0, [body])
      const author = round % 2 === 0 ? a : b
      text(author).insert(text(author).length, [paragraph])
      body.insert(0, `round ${round} `.repeat(20))
      if (round % 5 === 0) body.delete(3, 10)
      Y.applyUpdate(round % 2 === 0 ? b : a, Y.encodeStateAsUpdate(author))
    }
    const whole = Y.encodeStateAsUpdate(a)
    const pieces = splitUpdate(whole, 1000)
    expect(pieces.length).toBeGreaterThan(5)
    for (const piece of pieces.slice(0, -1)) expect(piece.length).toBeLessThan(1000 + 200)
    const rebuilt = new Y.Doc()
    for (const piece of pieces) Y.applyUpdate(rebuilt, piece)
    expect(rebuilt.getXmlFragment('default').toString()).toBe(text(a).toString())
    expect(Y.encodeStateVector(rebuilt)).toEqual(Y.encodeStateVector(a))
    // Every piece is a well-formed update on its own.
    for (const piece of pieces) expect(() => parseUpdate(piece)).not.toThrow()
    expect(splitUpdate(whole, whole.length)).toEqual([whole])
  })
})
