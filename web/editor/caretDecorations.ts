/**
 * Someone's caret moving redraws that caret, not everyone's.
 *
 * Upstream behaviour (@tiptap/y-tiptap 3.0.9, `yCursorPlugin`'s state `apply`): on each awareness
 * change (the plugin turns them into a transaction) and each remote change, `createDecorations`
 * resolves every remote caret again — two `relativePositionToAbsolutePosition` walks per person,
 * each over the blocks before the caret. With N people each moving a caret about once a second,
 * every open editor does N² such pairs of walks a second.
 *
 * Here the carets are drawn one person at a time (as upstream's `createDecorations` draws them,
 * with the builders CollaborationCaret gives the plugin; where their positions cannot be found
 * through their block, by upstream's function given that person's state alone), and a transaction
 * that brings awareness changes but leaves the document as it was keeps the decorations of every
 * person whose awareness state is the same object as when they were drawn (y-protocols replaces a
 * client's state object when it changes). Someone else's change of the document (a remote
 * change, which `narrowRemoteChanges.ts` makes a step replacing the blocks it changed rather than
 * the whole document) moves the carets outside those blocks with the text: their positions are
 * mapped (a decoration set built to map them would visit every block of the document, as would
 * one built to draw a person alone); a caret or selection with an end inside them is drawn again,
 * as is one with an end right where a change was (a step finer than blocks): there a caret
 * follows its Yjs relative position, tied to the character before it, which mapping cannot know.
 * A person drawn as nothing is looked for again. Your own changes of the document (mapped, or
 * hidden after a structural one) and transactions without awareness changes go to upstream as
 * before. Drop this once the caret plugin redraws only what changed (the "upstream" tests beside
 * this file then fail).
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

/**
 * Where one person's caret is drawn: the caret at `head`, their selection from `from` to `to`
 * (empty for a caret alone). Kept beside the decorations so that a remote change moves them by
 * mapping three positions, not by building a decoration set over the whole document.
 */
interface Caret {
  head: number
  from: number
  to: number
}

interface DrawnClient {
  state: unknown
  decorations: Decoration[]
  /** Null when nothing is drawn. */
  caret: Caret | null
}

interface Drawn {
  doc: ProseMirrorNode
  byClient: Map<number, DrawnClient>
}

/** The part of the binding {@link positionOf} uses. */
type PositionBinding = Parameters<typeof positionOf>[0]

const VALID_COLOR = /^#[0-9a-fA-F]{6}$/

/**
 * Where upstream's `createDecorations` draws one person's caret, with their positions found by
 * `positionOf` (through the block they are in, not a walk over the blocks before it); null when a
 * position cannot be found that way or the person has no caret to draw, for upstream to say.
 */
function caretCheaply(state: EditorState, clientId: number, clientState: unknown): Caret | null {
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
  const maxsize = Math.max(state.doc.content.size - 1, 0)
  anchor = Math.min(anchor, maxsize)
  head = Math.min(head, maxsize)
  return { head, from: Math.min(anchor, head), to: Math.max(anchor, head) }
}

/**
 * Upstream's decorations for a caret: the caret as a widget and the selection as an inline
 * decoration, left out when empty (as upstream's decoration set leaves it out).
 */
function caretDecorations(
  caret: Caret,
  user: Record<string, unknown>,
  clientId: number,
  key: string,
  builders: CaretBuilders,
): Decoration[] {
  const decorations = [Decoration.widget(caret.head, () => builders.cursor(user, clientId), { key, side: 10 })]
  if (caret.from < caret.to) {
    decorations.push(
      Decoration.inline(caret.from, caret.to, builders.selection(user, clientId), {
        inclusiveEnd: true,
        inclusiveStart: false,
      }),
    )
  }
  return decorations
}

/** The caret upstream's decorations for a person draw (a widget, and a selection when not empty). */
function caretOf(decorations: readonly Decoration[]): Caret | null {
  const widget = decorations.find((decoration) => decoration.from === decoration.to)
  if (widget === undefined) return null
  const selection = decorations.find((decoration) => decoration.from < decoration.to)
  return { head: widget.from, from: selection?.from ?? widget.from, to: selection?.to ?? widget.from }
}

/**
 * The user a caret is drawn for, as upstream makes it: the state's user object, given a colour and
 * a name if it has none (in the awareness state), or a new one with those when there is none.
 */
function userOf(clientId: number, clientState: unknown): Record<string, unknown> {
  const user = (clientState as { user?: Record<string, unknown> } | null)?.user ?? {}
  if (user.color == null) user.color = '#ffa500'
  else if (typeof user.color !== 'string' || !VALID_COLOR.test(user.color)) {
    console.warn('A user uses an unsupported color format', user)
  }
  if (user.name == null) user.name = `User: ${clientId}`
  return user
}

/** The key of a person's caret widget: see {@link drawOne}. */
function caretKey(clientId: number, clientState: unknown): string {
  return `${clientId} ${JSON.stringify((clientState as { cursor?: unknown }).cursor)}`
}

/**
 * One person's caret and selection, as upstream draws them, except for the caret's key: it names
 * the position too, so that a caret drawn where its person moved or typed is a new element
 * (ProseMirror keeps a widget's element while its key stays the same) and its name label, which
 * fades a few seconds after it appears (styles.css), shows again. A caret only moved by others'
 * edits, or drawn again in the same place, keeps its element.
 */
function drawOne(state: EditorState, clientId: number, clientState: unknown, builders: CaretBuilders): DrawnClient {
  // `createDecorations` reads only `getStates()` of the awareness it is given.
  const one = { getStates: () => new Map([[clientId, clientState]]) } as unknown as Awareness
  const caret =
    caretCheaply(state, clientId, clientState) ??
    caretOf(createDecorations(state, one, defaultAwarenessStateFilter, builders.cursor, builders.selection).find())
  const decorations =
    caret === null
      ? []
      : caretDecorations(caret, userOf(clientId, clientState), clientId, caretKey(clientId, clientState), builders)
  return { state: clientState, decorations, caret }
}

/**
 * One person's caret, drawn before `tr`, moved with its changes and drawn there; null when one of
 * its positions is inside a change or right at one (see above: drawn again then). So a selection
 * is never emptied here: that takes a change from one of its ends to the other.
 */
function moved(
  kept: DrawnClient & { caret: Caret },
  clientId: number,
  tr: Transaction,
  builders: CaretBuilders,
): DrawnClient | null {
  const [head, from, to] = [kept.caret.head, kept.caret.from, kept.caret.to].map((pos) => {
    const left = tr.mapping.mapResult(pos, -1)
    const right = tr.mapping.mapResult(pos, 1)
    return left.pos !== right.pos || left.deleted || right.deleted ? null : left.pos
  })
  if (head == null || from == null || to == null) return null
  const caret = { head, from, to }
  const user = userOf(clientId, kept.state)
  const decorations = caretDecorations(caret, user, clientId, caretKey(clientId, kept.state), builders)
  return { state: kept.state, decorations, caret }
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
      let client: DrawnClient | null = null
      if (kept !== undefined && kept.state === clientState) {
        if (sameDoc) client = kept
        // Nothing drawn may be a caret in text not here yet (presence can come before the
        // keystroke it follows): a change may bring that text, so it is looked for again.
        else if (kept.caret !== null) client = moved({ ...kept, caret: kept.caret }, clientId, tr, builders)
      }
      byClient.set(clientId, client ?? drawOne(newState, clientId, clientState, builders))
    }
    drawn = { doc: newState.doc, byClient }
    return DecorationSet.create(
      newState.doc,
      [...byClient.values()].flatMap((client) => client.decorations),
    )
  })
}
