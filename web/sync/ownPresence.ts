/**
 * This tab sends its own presence, not everyone's back.
 *
 * Upstream behaviour (y-websocket 3.0, `WebsocketProvider._awarenessUpdateHandler`): every change
 * of the awareness is encoded and sent to the server and to the other tabs (BroadcastChannel) —
 * also the others' states the server has just delivered. So each caret move of one person made
 * every other open editor send it back: in a document with N people, N − 1 messages to the server
 * per caret move (which drops them: a socket may only speak for its own client, see
 * server/sync/awareness.ts), and in the browser the encoding and two sends per remote caret
 * move, a fifth of the WebSocket handler's time in the typing benchmark at 5,000 paragraphs.
 *
 * Nobody needs those copies: the server gives everyone each state, and each tab sends its own
 * state to the other tabs itself (what a tab is asked with "query awareness" it still answers
 * with every state, upstream). Here the handler is given only this client's part of a change,
 * and nothing when the change holds none of it. Drop this once y-websocket sends only the local
 * state (the test beside the session then fails).
 */
import type { WebsocketProvider } from 'y-websocket'

interface Changes {
  added: number[]
  updated: number[]
  removed: number[]
}

export function sendOwnPresenceOnly(provider: WebsocketProvider): void {
  const { awareness } = provider
  const upstream = provider._awarenessUpdateHandler
  const own = (list: number[]): number[] => (list.includes(awareness.clientID) ? [awareness.clientID] : [])
  awareness.off('update', upstream)
  // Replaced on the provider too: its `destroy()` unregisters `_awarenessUpdateHandler`.
  provider._awarenessUpdateHandler = (changes: Changes, origin: unknown) => {
    const mine = { added: own(changes.added), updated: own(changes.updated), removed: own(changes.removed) }
    if (mine.added.length + mine.updated.length + mine.removed.length === 0) return
    upstream(mine, origin)
  }
  awareness.on('update', provider._awarenessUpdateHandler)
}
