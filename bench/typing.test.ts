/**
 * bench/typing.ts without a browser: the seeded document and the printed table. (The benchmark
 * itself needs the built app and Chromium and runs for minutes: `npm run bench:typing`.)
 */
import { describe, expect, it } from 'vitest'
import { documentMarkdown, editorFloorPage, floorPage, markdownTable, remoteApplyThreadTime } from './typing'

describe('bench/typing', () => {
  it('seeds N top-level blocks of prose, the same for every run', () => {
    const markdown = documentMarkdown(60)
    const blocks = markdown.split('\n\n')
    expect(blocks).toHaveLength(60)
    expect(blocks.filter((block) => block.startsWith('## '))).toHaveLength(3)
    const words = (blocks[1] ?? '').split(' ').length
    expect(words).toBeGreaterThanOrEqual(35)
    expect(words).toBeLessThanOrEqual(70)
    expect(documentMarkdown(60)).toBe(markdown)
  })

  it("prints p50, p99 and max per size, and the main thread's busy time", () => {
    const samples = Array.from({ length: 100 }, (_, i) => i + 1)
    const table = markdownTable([
      {
        variant: 'floor',
        paragraphs: 5000,
        remote: samples,
        remoteFrame: samples,
        local: samples,
        load: 2.5,
        busy: { tasks: 612.34, script: 101 },
      },
    ])
    expect(table.split('\n').at(-1)).toBe(
      '| 5,000 | floor | 50.0 ms | 99.0 ms | 100.0 ms | 50.0 ms | 99.0 ms | 100.0 ms | 50.0 ms | 99.0 ms | 100.0 ms | 612.3 ms (101.0 ms) | 100/100 | 2.5 |',
    )
  })

  it('matches each remote keystroke with the message handler holding it: wall and thread time', () => {
    const call = (ts: number, dur: number, tdur: number) => ({
      name: 'FunctionCall',
      ph: 'X',
      ts,
      dur,
      tdur,
      pid: 1,
      tid: 1,
      args: { data: { functionName: 'onmessage' } },
    })
    const mark = (ts: number) => ({ name: 'remote-keystroke', ph: 'b', ts, pid: 1, tid: 1 })
    const events = [
      call(1000, 20_000, 4000),
      mark(1010),
      call(50_000, 3000, 3000),
      // The page's clock is coarse: a measure may start just before its call.
      mark(49_950),
      // An awareness message: no keystroke in it.
      call(90_000, 9000, 9000),
      // A keystroke whose handler the trace lacks.
      mark(200_000),
    ]
    expect(remoteApplyThreadTime(JSON.stringify({ traceEvents: events })).split('\n')).toEqual([
      '| remote apply (trace, 2 of 3 matched) | p50 | p99 | max |',
      '|---|---:|---:|---:|',
      '| wall time | 3.0 ms | 20.0 ms | 20.0 ms |',
      '| main thread CPU time | 3.0 ms | 4.0 ms | 4.0 ms |',
    ])
  })

  it('builds the floor page: the same blocks in a contenteditable, the app stylesheet, a socket', () => {
    const html = floorPage(60, '.prose { color: red }', 'ws://floor', 7)
    const body = /contenteditable="true"[^>]*>(.*?)<\/div>/s.exec(html)?.[1] ?? ''
    expect(body.match(/<(p|h2)>/g)).toHaveLength(60)
    expect(body.match(/<h2>/g)).toHaveLength(3)
    expect(body).toContain(`<p>${documentMarkdown(60).split('\n\n')[1]}</p>`)
    expect(html).toContain('<style>.prose { color: red }</style>')
    expect(html).toContain('class="tiptap ProseMirror prose"')
    expect(html).toContain('.children[7].firstChild')
    expect(html).toContain('new WebSocket("ws://floor")')
  })

  it('builds the editor floor page: the same blocks for a bare editor to hold, the bundle after its settings', () => {
    const html = editorFloorPage(60, '.prose { color: red }', 'ws://floor', 7, 'run("</script>")')
    const config = /<script>window\.floorConfig = (.*?)<\/script>/s.exec(html)?.[1] ?? '{}'
    expect(config).not.toContain('<')
    const settings = JSON.parse(config) as { html: string; socketUrl: string; remoteIndex: number }
    expect(settings.socketUrl).toBe('ws://floor')
    expect(settings.remoteIndex).toBe(7)
    expect(settings.html.match(/<(p|h2)>/g)).toHaveLength(60)
    expect(settings.html).toContain(`<p>${documentMarkdown(60).split('\n\n')[1]}</p>`)
    expect(html).toContain('<style>.prose { color: red }</style>')
    expect(html).toContain('<div class="editor-host"></div>')
    expect(html.endsWith('<script>run("<\\/script>")</script></body></html>')).toBe(true)
  })
})
