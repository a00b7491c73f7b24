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
 * client's state object when it changes). Your own changes of the document (mapped, or hidden
 * after a structural one) and transactions without awareness changes go to upstream as before.
 * Drop this once the caret plugin redraws only what changed (the "upstream" test beside this file
 * then fails).
 */
import type { Node as ProseMirrorNode } from '@tiptap/pm/model'
import type { EditorState, Plugin } from '@tiptap/pm/state'
import { type Decoration, DecorationSet, type DecorationAttrs } from '@tiptap/pm/view'
import { createDecorations, defaultAwarenessStateFilter, yCursorPluginKey, ySyncPluginKey } from '@tiptap/y-tiptap'
import type { Awareness } from 'y-protocols/awareness'
import { aroundStateApply } from './pluginWraps'

export interface CaretBuilders {
  cursor: (user: Record<string, unknown>, clientId: number) => HTMLElement
  selection: (user: Record<string, unknown>, clientId: number) => DecorationAttrs
}

interface Drawn {
  doc: ProseMirrorNode
  byClient: Map<number, { state: unknown; decorations: Decoration[] }>
}

/** One person's caret and selection, as upstream draws them. */
function drawOne(state: EditorState, clientId: number, clientState: unknown, builders: CaretBuilders): Decoration[] {
  // `createDecorations` reads only `getStates()` of the awareness it is given.
  const one = { getStates: () => new Map([[clientId, clientState]]) } as unknown as Awareness
  return createDecorations(state, one, defaultAwarenessStateFilter, builders.cursor, builders.selection).find()
}

/** Wraps the `apply` of `plugin`'s state (the caret plugin's, drawing `awareness`) as described above. */
export function redrawChangedCarets(plugin: Plugin, awareness: Awareness, builders: CaretBuilders): void {
  let drawn: Drawn | null = null
  aroundStateApply(plugin, (upstream, tr, _value, _oldState, newState) => {
    const remote = (ySyncPluginKey.getState(newState) as { isChangeOrigin?: boolean } | undefined)?.isChangeOrigin
    const awarenessChanged = (tr.getMeta(yCursorPluginKey) as { awarenessUpdated?: boolean } | undefined)
      ?.awarenessUpdated
    if ((tr.docChanged && remote !== true) || (remote !== true && awarenessChanged !== true)) return upstream()
    const previous = drawn?.doc === newState.doc ? drawn.byClient : null
    const byClient: Drawn['byClient'] = new Map()
    for (const [clientId, clientState] of awareness.getStates()) {
      const kept = previous?.get(clientId)
      byClient.set(
        clientId,
        kept !== undefined && kept.state === clientState
          ? kept
          : { state: clientState, decorations: drawOne(newState, clientId, clientState, builders) },
      )
    }
    drawn = { doc: newState.doc, byClient }
    return DecorationSet.create(
      newState.doc,
      [...byClient.values()].flatMap((client) => client.decorations),
    )
  })
}
