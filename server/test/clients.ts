/**
 * Stock y-websocket clients in Node, exactly as other people's code would connect.
 */
import WebSocket from 'ws'
import { WebsocketProvider } from 'y-websocket'
import * as Y from 'yjs'
import { DOCUMENT_FIELD } from '../../protocol/fields'
import { waitFor } from './waitFor'

export interface TestClient {
  doc: Y.Doc
  provider: WebsocketProvider
  /** Close events the provider saw, newest last. */
  closes: Array<{ code: number; reason: string }>
  /** Set when the provider gave up reconnecting (a 44xx close). */
  stopped(): { code: number; reason: string } | null
  synced(): Promise<void>
  /** Appends a paragraph with `text` to the document body. */
  appendParagraph(text: string): void
  /** The body's plain text, paragraphs joined by newlines. */
  text(): string
  destroy(): void
}

export function bodyText(doc: Y.Doc): string {
  return doc
    .getXmlFragment(DOCUMENT_FIELD)
    .toArray()
    .map((node) =>
      node instanceof Y.XmlElement
        ? node
            .toArray()
            .map((child) =>
              child instanceof Y.XmlText
                ? child
                    .toDelta()
                    .map((d: { insert: string }) => d.insert)
                    .join('')
                : '',
            )
            .join('')
        : '',
    )
    .join('\n')
}

export function appendParagraph(doc: Y.Doc, text: string): void {
  const paragraph = new Y.XmlElement('paragraph')
  paragraph.insert(0, [new Y.XmlText(text)])
  doc.getXmlFragment(DOCUMENT_FIELD).push([paragraph])
}

export function connectClient(
  wsUrl: string,
  docId: string,
  options: { params?: Record<string, string>; doc?: Y.Doc; awareness?: Record<string, unknown> } = {},
): TestClient {
  const doc = options.doc ?? new Y.Doc()
  const provider = new WebsocketProvider(wsUrl, docId, doc, {
    WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
    params: options.params ?? {},
    disableBc: true,
    maxBackoffTime: 200,
  })
  if (options.awareness !== undefined) provider.awareness.setLocalState(options.awareness)
  else provider.awareness.setLocalState(null)
  const closes: Array<{ code: number; reason: string }> = []
  provider.on('connection-close', (event) => {
    if (event !== null) closes.push({ code: event.code, reason: event.reason })
  })
  let terminal: { code: number; reason: string } | null = null
  provider.on('closed', (event) => {
    terminal = { code: event.code, reason: event.reason }
  })
  return {
    doc,
    provider,
    closes,
    stopped: () => terminal,
    synced: () => waitFor(() => provider.synced, { what: `client of ${docId} to sync` }).then(() => undefined),
    appendParagraph: (text) => appendParagraph(doc, text),
    text: () => bodyText(doc),
    destroy() {
      provider.destroy()
      doc.destroy()
    },
  }
}
