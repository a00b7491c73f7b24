/**
 * Someone's caret moving redraws that caret, not everyone's.
 *
 * Upstream behaviour (@tiptap/y-tiptap 3.0.9, `yCursorPlugin`'s state `apply`): on each awareness
 * change (the plugin turns them into a transaction) and each remote change, `createDecorations`
 * resolves every remote caret again — two `relativePositionToAbsolutePosition` walks per person,
 * each over the blocks before the caret. With N people each moving a caret about once a second,
 * every open editor does N² such pairs of walks a second.
 *
 * Here the carets are drawn one person at a time (by upstream's `createDecorations`, given that
 * person's state alone, with the builders CollaborationCaret gives the plugin), and a transaction
 * that brings awareness changes but leaves the document as it was keeps the decorations of every
 * person whose awareness state is the same object as when they were drawn (y-protocols replaces a
 * client's state object when it changes). Someone else's change of the document (a remote
 * change, which `narrowRemoteChanges.ts` makes a step replacing the blocks it changed rather than
 * the whole document) moves the carets outside those blocks with the text, as ProseMirror maps any
 * decoration; a caret or selection with an end inside them is drawn again, as is one with an end
 * right where a change was (a step finer than blocks): there a caret follows its Yjs relative
 * position, tied to the character before it, which mapping cannot know. A person drawn as nothing
 * is looked for again. Your own changes of the document (mapped, or hidden after a structural one)
 * and transactions without awareness changes go to upstream as before. Drop this once the caret
 * plugin redraws only what changed (the "upstream" tests beside this file then fail).
 */
import type { Node as ProseMirrorNode } from '@tiptap/pm/model'
import type { EditorState, Plugin, Transaction } from '@tiptap/pm/state'
import { Decoration, DecorationSet, type DecorationAttrs } from '@tiptap/pm/view'
import { createDecorations, defaultAwarenessStateFilter, yCursorPluginKey } from '@tiptap/y-tiptap'
import type { Awareness } from 'y-protocols/awareness'
import * as Y from 'yjs'
import { aroundStateApply } from './pluginWraps'
import { positionOf } from './remoteSelection'
import { showsLiveDocument, ySyncState } from './ySyncState'

export interface CaretBuilders {
  cursor: (user: Record<string, unknown>, clientId: number) => HTMLElement
  selection: (user: Record<string, unknown>, clientId: number) => DecorationAttrs
}

interface Drawn {
  doc: ProseMirrorNode
  byClient: Map<number, { state: unknown; decorations: Decoration[] }>
}

/** The part of the binding {@link positionOf} uses. */
type PositionBinding = Parameters<typeof positionOf>[0]

const VALID_COLOR = /^#[0-9a-fA-F]{6}$/

/**
 * Upstream's `createDecorations` for one person, with their positions found by `positionOf`
 * (through the block they are in, not a walk over the blocks before it); null when a position
 * cannot be found that way or the person has no caret to draw, for upstream to draw them.
 */
function drawnCheaply(
  state: EditorState,
  clientId: number,
  clientState: unknown,
  builders: CaretBuilders,
): Decoration[] | null {
  const sync = ySyncState<PositionBinding>(state)
  const binding = sync?.binding
  if (binding === undefined || !showsLiveDocument(sync) || binding.mapping.size === 0) return null
  const aw = clientState as { user?: Record<string, unknown>; cursor?: { anchor: unknown; head: unknown } } | null
  if (!defaultAwarenessStateFilter(binding.doc.clientID, clientId, aw) || aw?.cursor == null) return null
  const anchorPosition = Y.createRelativePositionFromJSON(aw.cursor.anchor)
  const headPosition = Y.createRelativePositionFromJSON(aw.cursor.head)
  let anchor = positionOf(binding, state.doc, anchorPosition)
  // A caret's two ends are one position: found once.
  let head = Y.compareRelativePositions(anchorPosition, headPosition)
    ? anchor
    : positionOf(binding, state.doc, headPosition)
  if (anchor === undefined || head === undefined) return null
  // As upstream: the user object gets a colour and a name if it has none (in the awareness state).
  const user = aw.user ?? {}
  if (user.color == null) user.color = '#ffa500'
  else if (typeof user.color !== 'string' || !VALID_COLOR.test(user.color)) {
    console.warn('A user uses an unsupported color format', user)
  }
  if (user.name == null) user.name = `User: ${clientId}`
  const maxsize = Math.max(state.doc.content.size - 1, 0)
  anchor = Math.min(anchor, maxsize)
  head = Math.min(head, maxsize)
  // As upstream's set of them (which leaves out an empty selection).
  return DecorationSet.create(state.doc, [
    Decoration.widget(head, () => builders.cursor(user, clientId), { key: `${clientId}`, side: 10 }),
    Decoration.inline(Math.min(anchor, head), Math.max(anchor, head), builders.selection(user, clientId), {
      inclusiveEnd: true,
      inclusiveStart: false,
    }),
  ]).find()
}

/**
 * One person's caret and selection, as upstream draws them, except for the caret's key: it names
 * the position too, so that a caret drawn where its person moved or typed is a new element
 * (ProseMirror keeps a widget's element while its key stays the same) and its name label, which
 * fades a few seconds after it appears (styles.css), shows again. A caret only moved by others'
 * edits, or drawn again in the same place, keeps its element.
 */
function drawOne(state: EditorState, clientId: number, clientState: unknown, builders: CaretBuilders): Decoration[] {
  // `createDecorations` reads only `getStates()` of the awareness it is given.
  const one = { getStates: () => new Map([[clientId, clientState]]) } as unknown as Awareness
  const drawn: Decoration[] =
    drawnCheaply(state, clientId, clientState, builders) ??
    createDecorations(state, one, defaultAwarenessStateFilter, builders.cursor, builders.selection).find()
  const { user, cursor } = clientState as { user?: Record<string, unknown>; cursor?: unknown }
  const key = `${clientId} ${JSON.stringify(cursor)}`
  return drawn.map((decoration) => {
    const spec = decoration.spec as { key?: string }
    if (spec.key === undefined) return decoration
    return Decoration.widget(decoration.from, () => builders.cursor(user ?? {}, clientId), { ...spec, key })
  })
}

/**
 * One person's `decorations`, drawn on `before`, moved with the changes of `tr`; null when an end
 * of one of them is inside a change or right at one (see above: drawn again then).
 */
function moved(decorations: Decoration[], before: ProseMirrorNode, tr: Transaction): Decoration[] | null {
  for (const decoration of decorations) {
    for (const pos of [decoration.from, decoration.to]) {
      const left = tr.mapping.mapResult(pos, -1)
      const right = tr.mapping.mapResult(pos, 1)
      if (left.pos !== right.pos || left.deleted || right.deleted) return null
    }
  }
  const after = DecorationSet.create(before, decorations).map(tr.mapping, tr.doc).find()
  return after.length === decorations.length ? after : null
}

/** Wraps the `apply` of `plugin`'s state (the caret plugin's, drawing `awareness`) as described above. */
export function redrawChangedCarets(plugin: Plugin, awareness: Awareness, builders: CaretBuilders): void {
  let drawn: Drawn | null = null
  aroundStateApply(plugin, (upstream, tr, _value, oldState, newState) => {
    const remote = ySyncState(newState)?.isChangeOrigin
    const awarenessChanged = (tr.getMeta(yCursorPluginKey) as { awarenessUpdated?: boolean } | undefined)
      ?.awarenessUpdated
    if ((tr.docChanged && remote !== true) || (remote !== true && awarenessChanged !== true)) return upstream()
    // Kept as drawn when the document is the same; moved with a remote change.
    const sameDoc = drawn?.doc === newState.doc
    const previous = sameDoc || drawn?.doc === oldState.doc ? drawn : null
    const byClient: Drawn['byClient'] = new Map()
    for (const [clientId, clientState] of awareness.getStates()) {
      const kept = previous?.byClient.get(clientId)
      let decorations: Decoration[] | null = null
      if (kept !== undefined && kept.state === clientState) {
        if (sameDoc) decorations = kept.decorations
        // Nothing drawn may be a caret in text not here yet (presence can come before the
        // keystroke it follows): a change may bring that text, so it is looked for again.
        else if (kept.decorations.length > 0) decorations = moved(kept.decorations, oldState.doc, tr)
      }
      byClient.set(clientId, {
        state: clientState,
        decorations: decorations ?? drawOne(newState, clientId, clientState, builders),
      })
    }
    drawn = { doc: newState.doc, byClient }
    return DecorationSet.create(
      newState.doc,
      [...byClient.values()].flatMap((client) => client.decorations),
    )
  })
}
