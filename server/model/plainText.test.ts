import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { DOCUMENT_FIELD } from '../../protocol/fields'
import { bodyText } from './plainText'

function paragraph(...children: Array<string | Y.XmlElement>): Y.XmlElement {
  const element = new Y.XmlElement('paragraph')
  element.insert(
    0,
    children.map((child) => {
      if (typeof child !== 'string') return child
      const text = new Y.XmlText()
      text.insert(0, child)
      return text
    }),
  )
  return element
}

describe('bodyText', () => {
  it('reads blocks as lines, hard breaks as line breaks, marks dropped', () => {
    const doc = new Y.Doc()
    const fragment = doc.getXmlFragment(DOCUMENT_FIELD)
    const list = new Y.XmlElement('bulletList')
    const item = new Y.XmlElement('listItem')
    item.insert(0, [paragraph('first item')])
    list.insert(0, [item])
    const bold = paragraph('plain ')
    fragment.insert(0, [paragraph('Agenda'), bold, list, paragraph('one', new Y.XmlElement('hardBreak'), 'two')])
    ;(bold.get(0) as Y.XmlText).insert(6, 'bold', { bold: true })
    expect(bodyText(doc)).toBe('Agenda\nplain bold\nfirst item\none\ntwo')
    expect(bodyText(doc, 8)).toBe('Agenda\np')
  })
})
