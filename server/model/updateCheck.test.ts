import * as encoding from 'lib0/encoding'
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { schemaRules } from '../content/rules'
import { createdUpdate } from '../test/content'
import { fuzzSeed, seededRandom } from '../test/random'
import { captureUpdate, cloneDoc, elementContent, rawUpdate, stringContent } from '../test/updates'
import { type CheckResult, UpdateChecker } from './updateCheck'
import { parseUpdate } from './updateFormat'
import { DOCUMENT_FIELD, META_FIELD, TITLE_KEY } from '../../protocol/fields'

/** A server-side document as a room holds it: seeded by the server, with a title. */
const seeds = {
  plain: await createdUpdate('Title', { format: 'markdown', body: 'first paragraph' }),
  rich: await createdUpdate('Title', { format: 'markdown', body: '# Heading\n\nfirst paragraph\n\n- a\n- b' }),
}

function serverDoc(seed: keyof typeof seeds = 'plain'): Y.Doc {
  const doc = new Y.Doc()
  Y.applyUpdate(doc, seeds[seed])
  return doc
}

function check(doc: Y.Doc, update: Uint8Array): CheckResult {
  return new UpdateChecker(doc, schemaRules()).check(parseUpdate(update))
}

function firstText(doc: Y.Doc): Y.XmlText {
  return (doc.getXmlFragment(DOCUMENT_FIELD).get(0) as Y.XmlElement).get(0) as Y.XmlText
}

describe('UpdateChecker: honest edits pass', () => {
  const edits: Array<[string, (doc: Y.Doc) => void]> = [
    ['typing', (d) => firstText(d).insert(5, ' typed')],
    ['deleting text', (d) => firstText(d).delete(0, 5)],
    ['bold', (d) => firstText(d).format(0, 5, { bold: {} })],
    ['a link mark with attributes', (d) => firstText(d).format(0, 5, { link: { href: 'https://x.test' } })],
    [
      'a link as the editor writes it',
      (d) =>
        firstText(d).format(0, 5, {
          link: { href: '/d/abc#part', target: '_blank', rel: 'noopener noreferrer nofollow', class: null, title: 'T' },
        }),
    ],
    [
      'a mailto link under an overlapping-mark key',
      (d) => firstText(d).format(0, 5, { 'link--aGVsbG8=': { href: 'mailto:a@b.test' } }),
    ],
    [
      'a code block with a language and an ordered list with a start',
      (d) => {
        const code = new Y.XmlElement('codeBlock')
        code.setAttribute('language', 'ts')
        const list = new Y.XmlElement('orderedList')
        list.setAttribute('start', 3 as unknown as string)
        list.setAttribute('type', 'a')
        d.getXmlFragment(DOCUMENT_FIELD).push([code, list])
      },
    ],
    ['an overlapping-mark key', (d) => firstText(d).format(0, 5, { 'bold--aGVsbG8=': {} })],
    [
      'a new heading',
      (d) => {
        const heading = new Y.XmlElement('heading')
        heading.setAttribute('level', 1 as unknown as string)
        heading.insert(0, [new Y.XmlText('Heading')])
        d.getXmlFragment(DOCUMENT_FIELD).insert(0, [heading])
      },
    ],
    [
      'a nested list',
      (d) => {
        const list = new Y.XmlElement('bulletList')
        const item = new Y.XmlElement('listItem')
        const paragraph = new Y.XmlElement('paragraph')
        paragraph.insert(0, [new Y.XmlText('item')])
        item.insert(0, [paragraph])
        list.insert(0, [item])
        d.getXmlFragment(DOCUMENT_FIELD).push([list])
      },
    ],
    ['deleting a paragraph', (d) => d.getXmlFragment(DOCUMENT_FIELD).delete(0, 1)],
    [
      'changing an attribute',
      (d) => {
        const heading = new Y.XmlElement('heading')
        d.getXmlFragment(DOCUMENT_FIELD).push([heading])
        heading.setAttribute('level', 3 as unknown as string)
      },
    ],
  ]
  it.each(edits)('%s', (_, edit) => {
    const server = serverDoc()
    const client = cloneDoc(server)
    const update = captureUpdate(client, edit)
    const result = check(server, update)
    expect(result).toMatchObject({ verdict: 'ok', changes: true, newContentClients: expect.any(Array) })
    Y.applyUpdate(server, update)
    expect(server.store.pendingStructs).toBeNull()
    expect(server.getXmlFragment(DOCUMENT_FIELD).toString()).toBe(client.getXmlFragment(DOCUMENT_FIELD).toString())
  })

  it('passes removing a link', () => {
    const server = serverDoc()
    Y.applyUpdate(
      server,
      captureUpdate(cloneDoc(server), (d) => firstText(d).format(0, 5, { link: { href: 'https://x.test' } })),
    )
    const update = captureUpdate(cloneDoc(server), (d) => firstText(d).format(0, 5, { link: null }))
    expect(check(server, update)).toMatchObject({ verdict: 'ok', changes: true })
  })

  it('passes a sync step 2 of offline work by several clients', () => {
    const server = serverDoc()
    const a = cloneDoc(server)
    const b = cloneDoc(server)
    captureUpdate(a, (d) => firstText(d).insert(0, 'A '))
    Y.applyUpdate(b, Y.encodeStateAsUpdate(a))
    captureUpdate(b, (d) => firstText(d).insert(0, 'B '))
    const step2 = Y.encodeStateAsUpdate(b, Y.encodeStateVector(server))
    const result = check(server, step2)
    expect(result.verdict).toBe('ok')
    expect(result.verdict === 'ok' && [...result.newContentClients].sort()).toEqual([a.clientID, b.clientID].sort())
  })

  it('reports no changes for an update the document already has', () => {
    const server = serverDoc()
    const client = cloneDoc(server)
    const update = captureUpdate(client, (d) => firstText(d).insert(0, 'x'))
    Y.applyUpdate(server, update)
    expect(check(server, update)).toEqual({ verdict: 'ok', newContentClients: [], changes: false })
    expect(check(server, Y.encodeStateAsUpdate(client, Y.encodeStateVector(server)))).toMatchObject({ changes: false })
  })
})

describe('UpdateChecker: missing dependencies are held, not applied', () => {
  it('says missing for an edit on top of content the server lacks, and ok once it arrives', () => {
    const server = serverDoc()
    const client = cloneDoc(server)
    const first = captureUpdate(client, (d) => firstText(d).insert(0, 'one '))
    const second = captureUpdate(client, (d) => firstText(d).insert(4, 'two '))
    expect(check(server, second)).toEqual({ verdict: 'missing' })
    Y.applyUpdate(server, first)
    expect(check(server, second).verdict).toBe('ok')
  })

  it('says missing when a client section starts beyond what the server has', () => {
    const server = serverDoc()
    const client = cloneDoc(server)
    captureUpdate(client, (d) => firstText(d).insert(0, 'one '))
    const second = captureUpdate(client, (d) => d.getXmlFragment(DOCUMENT_FIELD).push([new Y.XmlElement('paragraph')]))
    expect(check(server, second)).toEqual({ verdict: 'missing' })
  })
})

describe('UpdateChecker: deletions of content the document has not received', () => {
  it('refuses a deletion of another client’s next clocks (pre-deleting its next edit) instead of holding it', () => {
    const server = serverDoc()
    const victim = cloneDoc(server)
    const next = Y.getState(victim.store, victim.clientID)
    const preDelete = rawUpdate(victim.clientID, 0, [], [[victim.clientID, next, 5]])
    expect(check(server, preDelete)).toMatchObject({ verdict: 'unseenDelete' })
  })

  it('refuses a range that starts inside what the document has but reaches beyond it', () => {
    const server = serverDoc()
    const victim = cloneDoc(server)
    Y.applyUpdate(
      server,
      captureUpdate(victim, (d) => firstText(d).insert(0, 'abc')),
    )
    const straddling = rawUpdate(victim.clientID, 0, [], [[victim.clientID, 1, 4]])
    expect(check(server, straddling)).toMatchObject({ verdict: 'unseenDelete' })
    expect(check(server, rawUpdate(victim.clientID, 0, [], [[victim.clientID, 1, 2]])).verdict).toBe('ok')
  })

  it('accepts a deletion of content the same update inserts', () => {
    const server = serverDoc()
    const client = cloneDoc(server)
    const typedAndErased = captureUpdate(client, (d) => {
      firstText(d).insert(0, 'typo')
      firstText(d).delete(0, 4)
    })
    expect(check(server, typedAndErased)).toMatchObject({ verdict: 'ok', changes: true })
    const offline = cloneDoc(server)
    captureUpdate(offline, (d) => firstText(d).insert(0, 'draft '))
    captureUpdate(offline, (d) => firstText(d).delete(0, 6))
    expect(check(server, Y.encodeStateAsUpdate(offline, Y.encodeStateVector(server))).verdict).toBe('ok')
  })

  it('holds such a deletion when another process stored it (that process saw the content)', () => {
    const server = serverDoc()
    const victim = cloneDoc(server)
    const preDelete = rawUpdate(victim.clientID, 0, [], [[victim.clientID, 0, 5]])
    const remote = new UpdateChecker(server, schemaRules(), { enforceSchema: false })
    expect(remote.check(parseUpdate(preDelete))).toEqual({ verdict: 'missing' })
  })
})

describe('UpdateChecker: the schema firewall', () => {
  const server = serverDoc()
  const attacks: Array<[string, () => Uint8Array]> = [
    ['a new root type', () => captureUpdate(cloneDoc(server), (d) => d.getText('evil').insert(0, 'x'))],
    [
      'a write into the server-owned meta map',
      () => captureUpdate(cloneDoc(server), (d) => d.getMap(META_FIELD).set(TITLE_KEY, 'hijacked')),
    ],
    ['deleting the title', () => captureUpdate(cloneDoc(server), (d) => d.getMap(META_FIELD).delete(TITLE_KEY))],
    [
      'an unknown node',
      () => captureUpdate(cloneDoc(server), (d) => d.getXmlFragment(DOCUMENT_FIELD).push([new Y.XmlElement('iframe')])),
    ],
    ['an unknown mark', () => captureUpdate(cloneDoc(server), (d) => firstText(d).format(0, 3, { onclick: 'x' }))],
    ...(
      [
        ['a javascript: link', { href: 'javascript:alert(1)' }],
        ['a data: link', { href: 'data:text/html,<script>alert(1)</script>' }],
        ['a link spelled java\\tscript:', { href: 'java\tscript:alert(1)' }],
        ['a link with target _self', { href: 'https://x.test', target: '_self' }],
        ['a link with another rel', { href: 'https://x.test', rel: 'opener' }],
        ['a link with a class', { href: 'https://x.test', class: 'button' }],
        ['a link with an unknown attribute', { href: 'https://x.test', onclick: 'alert(1)' }],
        ['a link whose value is a string', 'https://x.test'],
      ] as const
    ).map(([name, value]): [string, () => Uint8Array] => [
      name,
      () =>
        captureUpdate(cloneDoc(server), (d) =>
          firstText(d).format(0, 3, { link: value as unknown as Record<string, unknown> }),
        ),
    ]),
    [
      'a javascript: link under an overlapping-mark key',
      () =>
        captureUpdate(cloneDoc(server), (d) =>
          firstText(d).format(0, 3, { 'link--aGVsbG8=': { href: 'javascript:alert(1)' } }),
        ),
    ],
    [
      'an attribute the node does not have',
      () =>
        captureUpdate(cloneDoc(server), (d) =>
          (d.getXmlFragment(DOCUMENT_FIELD).get(0) as Y.XmlElement).setAttribute('onclick', 'alert(1)'),
        ),
    ],
    [
      'a heading level out of range',
      () =>
        captureUpdate(cloneDoc(server), (d) => {
          const heading = new Y.XmlElement('heading')
          heading.setAttribute('level', 7 as unknown as string)
          d.getXmlFragment(DOCUMENT_FIELD).push([heading])
        }),
    ],
    [
      'a code block language that is not a string',
      () =>
        captureUpdate(cloneDoc(server), (d) => {
          const code = new Y.XmlElement('codeBlock')
          code.setAttribute('language', { evil: true } as unknown as string)
          d.getXmlFragment(DOCUMENT_FIELD).push([code])
        }),
    ],
    [
      'a map inside an element',
      () =>
        captureUpdate(cloneDoc(server), (d) => {
          const paragraph = d.getXmlFragment(DOCUMENT_FIELD).get(0) as Y.XmlElement
          paragraph.insert(0, [new Y.XmlHook('hook') as unknown as Y.XmlElement])
        }),
    ],
    ['an embed inside text', () => captureUpdate(cloneDoc(server), (d) => firstText(d).insertEmbed(0, { x: 1 }))],
    [
      'text directly in the fragment',
      () => rawUpdate(99, 0, [{ parentKey: DOCUMENT_FIELD, content: stringContent('loose') }]),
    ],
    [
      'a subdocument',
      () =>
        rawUpdate(99, 0, [
          {
            parentKey: DOCUMENT_FIELD,
            content: {
              ref: 9,
              write: (e) => {
                encoding.writeVarString(e, 'guid')
                encoding.writeAny(e, {})
              },
            },
          },
        ]),
    ],
    [
      'elements nested deeper than the limit',
      () =>
        captureUpdate(cloneDoc(server), (d) => {
          let node = new Y.XmlElement('blockquote')
          const top = node
          for (let i = 0; i < 60; i++) {
            const inner = new Y.XmlElement('blockquote')
            node.insert(0, [inner])
            node = inner
          }
          d.getXmlFragment(DOCUMENT_FIELD).push([top])
        }),
    ],
    [
      'an item whose origin is a later struct of its own client',
      () =>
        rawUpdate(99, 0, [
          { origin: [99, 1], content: stringContent('a') },
          { parentKey: DOCUMENT_FIELD, content: elementContent('paragraph') },
        ]),
    ],
    [
      'origins in two different parents',
      () => {
        const fragment = server.getXmlFragment(DOCUMENT_FIELD)
        const heading = (fragment.get(0) as Y.XmlElement)._item as Y.Item
        const text = firstText(server)._item as Y.Item
        return rawUpdate(99, 0, [
          {
            origin: [heading.id.client, heading.id.clock],
            rightOrigin: [text.id.client, text.id.clock],
            content: elementContent('paragraph'),
          },
        ])
      },
    ],
  ]
  it.each(attacks)('refuses %s', (_, build) => {
    const update = build()
    const before = Y.encodeStateAsUpdate(server)
    const result = check(server, update)
    expect(result.verdict).toBe('reject')
    expect(Y.encodeStateAsUpdate(server)).toEqual(before)
  })
})

describe('UpdateChecker: what passes always applies whole', () => {
  const seed = fuzzSeed(42)

  it(`never lets Yjs throw or keep pending structs for mutated honest updates (seed ${seed})`, () => {
    const random = seededRandom(seed).int
    const base = serverDoc('rich')
    let passed = 0
    for (let round = 0; round < 1500; round++) {
      const client = cloneDoc(base)
      const update = captureUpdate(client, (d) => {
        const text = firstText(d)
        text.insert(random(text.length + 1), 'xyz'.slice(0, 1 + random(3)))
        if (random(2) === 0) text.format(0, 1 + random(3), { italic: {} })
        if (random(3) === 0) d.getXmlFragment(DOCUMENT_FIELD).delete(1 + random(2), 1)
      })
      const mutated = Uint8Array.from(update)
      const flips = 1 + random(3)
      for (let i = 0; i < flips; i++) {
        const index = random(mutated.length)
        mutated[index] = (mutated[index] as number) ^ (1 << random(8))
      }
      const target = cloneDoc(base)
      let result: CheckResult | 'malformed'
      try {
        result = check(target, mutated)
      } catch {
        result = 'malformed'
      }
      if (result === 'malformed' || result.verdict !== 'ok') continue
      passed++
      expect(() => Y.applyUpdate(target, mutated)).not.toThrow()
      expect(target.store.pendingStructs).toBeNull()
      expect(target.store.pendingDs).toBeNull()
    }
    expect(passed).toBeGreaterThan(50)
  })
})

describe('UpdateChecker for updates other processes stored', () => {
  it('accepts the server’s own title writes, yet still holds updates with missing dependencies', () => {
    const server = serverDoc()
    const otherProcess = cloneDoc(server)
    const rename = captureUpdate(otherProcess, (d) => d.getMap(META_FIELD).set(TITLE_KEY, 'Renamed'))
    const remote = new UpdateChecker(server, schemaRules(), { enforceSchema: false })
    expect(check(server, rename).verdict).toBe('reject')
    expect(remote.check(parseUpdate(rename))).toMatchObject({ verdict: 'ok', changes: true })
    captureUpdate(otherProcess, (d) => firstText(d).insert(0, 'first '))
    const dependent = captureUpdate(otherProcess, (d) => firstText(d).insert(0, 'second '))
    expect(remote.check(parseUpdate(dependent))).toEqual({ verdict: 'missing' })
  })
})
