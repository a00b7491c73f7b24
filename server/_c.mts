import * as Y from 'yjs'
import { WebsocketProvider } from 'y-websocket'
import WebSocket from 'ws'
const id = process.argv[2]!
const mk = () => { const d = new Y.Doc(); const p = new WebsocketProvider('ws://127.0.0.1:18080/ws', id, d, { WebSocketPolyfill: WebSocket as any }); return { d, p } }
const a = mk(), b = mk()
await new Promise(r => a.p.once('sync', r)); await new Promise(r => b.p.once('sync', r))
console.log('synced', a.d.getXmlFragment('default').toString(), a.d.getMap('meta').toJSON())
const t = new Y.XmlText('typed by a'); const p = new Y.XmlElement('paragraph'); p.insert(0,[t]); a.d.getXmlFragment('default').push([p])
await new Promise(r => setTimeout(r, 300))
console.log('b sees', b.d.getXmlFragment('default').toString())
a.p.destroy(); b.p.destroy()
