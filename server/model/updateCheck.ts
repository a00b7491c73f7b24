/**
 * Decides, before an update touches the live document, whether Yjs can apply it whole.
 *
 * The check simulates Yjs' integration against the live document's state: every struct's
 * origins and parent must already exist (in the document or earlier in the same update), every
 * deleted range must already be written (in the document or in the same update), and every new item must land where the editor's schema
 * allows it (the schema firewall). An update that passes is applied by Yjs in one piece, with
 * nothing left pending; one that fails is refused whole or held aside until its dependencies
 * arrive.
 */
import * as Y from 'yjs'
import { DOCUMENT_FIELD } from '../../protocol/fields'
import { ContentRef, type ParsedStruct, type ParsedUpdate, type StructId, TypeRef } from './updateFormat'

/** Says what is wrong with a value a client writes, or null when it may be written. */
export type ValueCheck = (value: unknown) => string | null

/** What the schema firewall lets clients write into the `default` fragment. */
export interface SchemaRules {
  /** ProseMirror node type names that may appear as XML elements. */
  nodes: ReadonlySet<string>
  /** ProseMirror mark names that may appear as text formatting keys. */
  marks: ReadonlySet<string>
  /** Deepest element nesting accepted; deeper trees could blow a renderer's stack. */
  maxDepth: number
  /**
   * Checks of a mark's value (its attributes as JSON; `null` ends the mark), by mark name. A mark
   * without one may carry any value.
   */
  markValues?: ReadonlyMap<string, ValueCheck>
  /**
   * The attributes each node may carry, with a check of each attribute's value. A node listed
   * here may carry only these; a node not listed, any plain value.
   */
  nodeAttributes?: ReadonlyMap<string, ReadonlyMap<string, ValueCheck>>
}

export type CheckResult =
  | { verdict: 'reject'; reason: string }
  /** Some dependency is not in the document yet: hold the update until it is. */
  | { verdict: 'missing' }
  /**
   * From a client: it deletes clocks the document has not seen and the update does not carry.
   * Held, it would delete whatever the owner of those clocks writes next (a pre-deletion), so it
   * is refused; an honest sender in a race reconnects and resends the content with its deletion.
   */
  | { verdict: 'unseenDelete'; reason: string }
  | {
      verdict: 'ok'
      /** Clients under whose ids the update writes structs the document does not have yet. */
      newContentClients: number[]
      /** False when applying the update would change nothing. */
      changes: boolean
    }

type ContainerKind = 'fragment' | 'element' | 'text' | 'other'

interface Container {
  kind: ContainerKind
  depth: number
  /** Inside the `default` fragment, where clients may write. */
  writable: boolean
  /** For elements: the node name, whose attribute rules apply to the element's attributes. */
  node: string | null
}

/** What the check learns about each struct of the update, for the structs that refer to it. */
interface StructFacts {
  clock: number
  length: number
  /** The container the struct sits in; null for GC structs (anything attached becomes GC). */
  container: Container | null
  parentSub: string | null
  /** The container the struct creates when it is a type. */
  creates: Container | null
}

class Rejection extends Error {}

/** Where trusted writes outside the body land when their root type does not exist yet. */
const OUTSIDE_BODY: Container = { kind: 'other', depth: 0, writable: false, node: null }

const FORMAT_KEY_SUFFIX = /^(.+)--[A-Za-z0-9+/=_-]+$/

export class UpdateChecker {
  readonly #doc: Y.Doc
  readonly #rules: SchemaRules
  readonly #body: Y.XmlFragment
  /** A type never moves in Yjs, so its container facts can be computed once; identity matters. */
  // biome-ignore lint/suspicious/noExplicitAny: Yjs types its shared types' content as any
  readonly #containers = new WeakMap<Y.AbstractType<any>, Container>()
  readonly #enforceSchema: boolean

  /**
   * `enforceSchema: false` is for updates another server process already checked and stored
   * (they may carry server writes such as the title): only their dependencies are checked, and
   * deletions of content not received yet are held like other missing dependencies.
   */
  constructor(doc: Y.Doc, rules: SchemaRules, { enforceSchema = true }: { enforceSchema?: boolean } = {}) {
    this.#doc = doc
    this.#rules = rules
    this.#body = doc.getXmlFragment(DOCUMENT_FIELD)
    this.#enforceSchema = enforceSchema
  }

  check(update: ParsedUpdate): CheckResult {
    try {
      return this.#check(update)
    } catch (error) {
      if (error instanceof Rejection) return { verdict: 'reject', reason: error.message }
      throw error
    }
  }

  #check(update: ParsedUpdate): CheckResult {
    const store = this.#doc.store
    const state = new Map<number, number>()
    const stateOf = (client: number): number => {
      let clock = state.get(client)
      if (clock === undefined) {
        clock = Y.getState(store, client)
        state.set(client, clock)
      }
      return clock
    }
    const facts = new Map<number, StructFacts[]>()
    const positions = update.sections.map(() => 0)
    const newContentClients: number[] = []
    let changes = false

    for (let progress = true; progress; ) {
      progress = false
      update.sections.forEach((section, index) => {
        const sectionFacts = facts.get(section.client) ?? []
        facts.set(section.client, sectionFacts)
        let position = positions[index] ?? 0
        for (; position < section.structs.length; position++) {
          const struct = section.structs[position] as ParsedStruct
          if (struct.contentRef === ContentRef.skip) continue
          const known = stateOf(section.client)
          if (struct.clock > known) break
          if (!this.#dependenciesPresent(struct, section.client, stateOf)) break
          const end = struct.clock + struct.length
          if (end > known) {
            const documentState = Y.getState(store, section.client)
            const isNew = end > documentState
            const fact = this.#factsFor(struct, isNew, facts)
            sectionFacts.push(fact)
            if (isNew) {
              changes = true
              if (!newContentClients.includes(section.client)) newContentClients.push(section.client)
            }
            state.set(section.client, end)
          }
          progress = true
        }
        positions[index] = position
      })
    }
    const complete = update.sections.every((section, index) => positions[index] === section.structs.length)
    if (!complete) return { verdict: 'missing' }

    for (const range of update.deletes) {
      if (range.clock + range.length > stateOf(range.client)) {
        // Updates another process stored were checked there: hold them until the content arrives.
        if (!this.#enforceSchema) return { verdict: 'missing' }
        return {
          verdict: 'unseenDelete',
          reason: `deletes content of client ${range.client} the document has not received`,
        }
      }
      if (this.#deletesSomething(range.client, range.clock, range.length)) changes = true
    }
    return { verdict: 'ok', newContentClients, changes }
  }

  #dependenciesPresent(struct: ParsedStruct, client: number, stateOf: (client: number) => number): boolean {
    const present = (id: StructId | null): boolean => {
      if (id === null) return true
      if (id.client === client && id.clock >= struct.clock) {
        throw new Rejection('struct refers to itself or to a later struct of its client')
      }
      return id.clock < stateOf(id.client)
    }
    const parentId = struct.parent !== null && 'id' in struct.parent ? struct.parent.id : null
    return present(struct.origin) && present(struct.rightOrigin) && present(parentId)
  }

  /** Applies the schema firewall to a struct whose dependencies are all present. */
  #factsFor(struct: ParsedStruct, isNew: boolean, facts: Map<number, StructFacts[]>): StructFacts {
    if (struct.contentRef === ContentRef.gc) {
      return { clock: struct.clock, length: struct.length, container: null, parentSub: null, creates: null }
    }
    const placement = this.#placement(struct, facts)
    const fact: StructFacts = {
      clock: struct.clock,
      length: struct.length,
      container: placement.container,
      parentSub: placement.parentSub,
      creates: null,
    }
    if (placement.container === null) return fact
    if (isNew && this.#enforceSchema) this.#checkSchema(struct, placement.container, placement.parentSub)
    if (struct.contentRef === ContentRef.type) {
      fact.creates = {
        kind: containerKindOfTypeRef(struct.typeRef),
        depth: placement.container.depth + 1,
        writable: placement.container.writable,
        node: struct.typeRef === TypeRef.xmlElement ? struct.name : null,
      }
    }
    return fact
  }

  #placement(
    struct: ParsedStruct,
    facts: Map<number, StructFacts[]>,
  ): { container: Container | null; parentSub: string | null } {
    if (struct.parent !== null) {
      if ('key' in struct.parent) {
        if (struct.parent.key !== DOCUMENT_FIELD) {
          if (!this.#enforceSchema) {
            const root = this.#doc.share.get(struct.parent.key)
            return {
              container: root === undefined ? OUTSIDE_BODY : this.#containerOf(root),
              parentSub: struct.parentSub,
            }
          }
          throw new Rejection(`writes outside the document body (${JSON.stringify(struct.parent.key)})`)
        }
        return { container: this.#containerOf(this.#body), parentSub: struct.parentSub }
      }
      return { container: this.#createdContainer(struct.parent.id, facts), parentSub: struct.parentSub }
    }
    const left = struct.origin === null ? null : this.#neighbour(struct.origin, facts)
    const right = struct.rightOrigin === null ? null : this.#neighbour(struct.rightOrigin, facts)
    if (left === 'gc' || right === 'gc') return { container: null, parentSub: null }
    if (left !== null && right !== null) {
      if (left.container !== right.container || left.parentSub !== right.parentSub) {
        throw new Rejection('origins of an item lie in different parents')
      }
    }
    const neighbour = left ?? right
    if (neighbour === null) throw new Rejection('item without parent or origin')
    return { container: neighbour.container, parentSub: neighbour.parentSub }
  }

  /** The container a parent id names: a type created by the update or present in the doc. */
  #createdContainer(id: StructId, facts: Map<number, StructFacts[]>): Container | null {
    const fromUpdate = this.#factAt(id, facts)
    if (fromUpdate !== null) {
      if (fromUpdate.container === null) return null
      if (fromUpdate.creates === null) throw new Rejection('parent is not a type')
      return fromUpdate.creates
    }
    const struct = Y.getItem(this.#doc.store, Y.createID(id.client, id.clock)) as Y.Item | Y.GC
    if (!(struct instanceof Y.Item)) return null
    if (struct.content instanceof Y.ContentDeleted) return null
    if (!(struct.content instanceof Y.ContentType)) throw new Rejection('parent is not a type')
    return this.#containerOf(struct.content.type)
  }

  /** Where an origin points: its struct's container and map key, or `gc` when it is collected. */
  #neighbour(id: StructId, facts: Map<number, StructFacts[]>): StructFacts | 'gc' {
    const fromUpdate = this.#factAt(id, facts)
    if (fromUpdate !== null) return fromUpdate.container === null ? 'gc' : fromUpdate
    const struct = Y.getItem(this.#doc.store, Y.createID(id.client, id.clock)) as Y.Item | Y.GC
    if (!(struct instanceof Y.Item) || !(struct.parent instanceof Y.AbstractType)) return 'gc'
    return {
      clock: struct.id.clock,
      length: struct.length,
      container: this.#containerOf(struct.parent),
      parentSub: struct.parentSub,
      creates: null,
    }
  }

  #factAt(id: StructId, facts: Map<number, StructFacts[]>): StructFacts | null {
    if (id.clock < Y.getState(this.#doc.store, id.client)) return null
    const list = facts.get(id.client)
    if (list === undefined) return null
    let low = 0
    let high = list.length - 1
    while (low <= high) {
      const mid = (low + high) >> 1
      const fact = list[mid] as StructFacts
      if (id.clock < fact.clock) high = mid - 1
      else if (id.clock >= fact.clock + fact.length) low = mid + 1
      else return fact
    }
    return null
  }

  // biome-ignore lint/suspicious/noExplicitAny: Yjs types its shared types' content as any
  #containerOf(type: Y.AbstractType<any>): Container {
    const cached = this.#containers.get(type)
    if (cached !== undefined) return cached
    const parent = type._item?.parent
    let container: Container
    const node = type instanceof Y.XmlElement ? type.nodeName : null
    if (parent instanceof Y.AbstractType) {
      const outer = this.#containerOf(parent)
      container = { kind: containerKindOfType(type), depth: outer.depth + 1, writable: outer.writable, node }
    } else {
      container = { kind: containerKindOfType(type), depth: 0, writable: type === this.#body, node }
    }
    this.#containers.set(type, container)
    return container
  }

  #checkSchema(struct: ParsedStruct, container: Container, parentSub: string | null): void {
    if (!container.writable) throw new Rejection('writes outside the document body')
    if (struct.contentRef === ContentRef.deleted) return
    if (parentSub !== null) {
      if (container.kind === 'element' && struct.contentRef === ContentRef.any) {
        this.#checkAttribute(container.node, parentSub, struct.values ?? [])
        return
      }
      throw new Rejection(`attribute ${JSON.stringify(parentSub)} not allowed here`)
    }
    switch (container.kind) {
      case 'fragment':
      case 'element':
        if (struct.contentRef === ContentRef.type && struct.typeRef === TypeRef.xmlText) return
        if (struct.contentRef === ContentRef.type && struct.typeRef === TypeRef.xmlElement) {
          if (!this.#rules.nodes.has(struct.name ?? '')) {
            throw new Rejection(`unknown node type ${JSON.stringify(struct.name)}`)
          }
          if (container.depth + 1 > this.#rules.maxDepth) throw new Rejection('content nested too deeply')
          return
        }
        throw new Rejection('only elements and text may be placed in an element')
      case 'text':
        if (struct.contentRef === ContentRef.string) return
        if (struct.contentRef === ContentRef.format) {
          const key = struct.name ?? ''
          const mark = FORMAT_KEY_SUFFIX.exec(key)?.[1] ?? key
          if (!this.#rules.marks.has(mark)) throw new Rejection(`unknown mark ${JSON.stringify(key)}`)
          const problem = this.#rules.markValues?.get(mark)?.(struct.values?.[0] ?? null)
          if (problem != null) throw new Rejection(problem)
          return
        }
        throw new Rejection('only text and marks may be placed in text')
      case 'other':
        throw new Rejection('the document body holds only XML types')
    }
  }

  /** An element attribute: one the node's rules name, every value passing its check. */
  #checkAttribute(node: string | null, key: string, values: unknown[]): void {
    const attributes = node === null ? undefined : this.#rules.nodeAttributes?.get(node)
    if (attributes === undefined) return
    const check = attributes.get(key)
    if (check === undefined) throw new Rejection(`attribute ${JSON.stringify(key)} not allowed on ${node}`)
    for (const value of values) {
      const problem = check(value)
      if (problem !== null) throw new Rejection(`${node} ${key}: ${problem}`)
    }
  }

  /** Whether deleting the range removes something not yet deleted; enforces the firewall on it. */
  #deletesSomething(client: number, clock: number, length: number): boolean {
    const structs = this.#doc.store.clients.get(client)
    const documentState = Y.getState(this.#doc.store, client)
    if (structs === undefined || clock >= documentState) return true
    const end = clock + length
    let deletes = end > documentState
    for (let index = Y.findIndexSS(structs, clock); index < structs.length; index++) {
      const struct = structs[index] as Y.Item | Y.GC
      if (struct.id.clock >= end) break
      if (struct instanceof Y.Item && !struct.deleted) {
        const outside = !(struct.parent instanceof Y.AbstractType) || !this.#containerOf(struct.parent).writable
        if (outside && this.#enforceSchema) throw new Rejection('deletes outside the document body')
        deletes = true
      }
    }
    return deletes
  }
}

function containerKindOfTypeRef(typeRef: number | null): ContainerKind {
  if (typeRef === TypeRef.xmlElement) return 'element'
  if (typeRef === TypeRef.xmlText) return 'text'
  if (typeRef === TypeRef.xmlFragment) return 'fragment'
  return 'other'
}

// biome-ignore lint/suspicious/noExplicitAny: Yjs types its shared types' content as any
function containerKindOfType(type: Y.AbstractType<any>): ContainerKind {
  if (type instanceof Y.XmlText) return 'text'
  if (type instanceof Y.XmlElement) return 'element'
  if (type instanceof Y.XmlFragment) return 'fragment'
  return 'other'
}
