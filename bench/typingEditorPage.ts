/**
 * The page of `bench/typing.ts`'s "editor" floor, bundled for the browser there: a Tiptap editor
 * with the app's schema and nothing else — no Yjs, no binding, no carets, no fixes — holding the
 * same blocks as the app's document. Its "someone else" is a WebSocket message whose handler
 * inserts the character it carries at the end of the remote block with one ProseMirror
 * transaction: what applying a remote keystroke costs ProseMirror itself (the step, the state, the
 * view's update of its DOM), the floor under the app's "remote apply".
 */
import { Editor } from '@tiptap/core'
import { sharedSchemaExtensions } from '../web/editor/extensions'

interface FloorConfig {
  html: string
  socketUrl: string
  remoteIndex: number
}

const config = (window as unknown as { floorConfig: FloorConfig }).floorConfig
const editor = new Editor({
  element: document.querySelector('.editor-host') as HTMLElement,
  extensions: sharedSchemaExtensions(),
  content: config.html,
  editorProps: {
    attributes: { class: 'prose', 'data-testid': 'editor', role: 'textbox', 'aria-multiline': 'true' },
  },
})

/** The end of the remote block's text, found as ProseMirror would: adding up the blocks before it. */
function endOfRemoteBlock(): number {
  const { doc } = editor.state
  let pos = 0
  for (let i = 0; i < config.remoteIndex; i++) pos += doc.child(i).nodeSize
  return pos + doc.child(config.remoteIndex).nodeSize - 1
}

const socket = new WebSocket(config.socketUrl)
socket.binaryType = 'arraybuffer'
socket.onopen = () => {
  document.body.dataset.connected = 'true'
}
// A message is [0, 2, code]: the bytes the init script takes for a document update.
socket.onmessage = (event: MessageEvent<ArrayBuffer>) => {
  const char = String.fromCharCode(new Uint8Array(event.data)[2] ?? 63)
  editor.view.dispatch(editor.state.tr.insertText(char, endOfRemoteBlock()))
}
