/**
 * The direction of dependencies (docs/architecture.md, "Layers"), checked on every import of
 * every .ts/.tsx file: a file belongs to the layer of its folder and may import its own layer and
 * the layers listed for it, nothing else. Tests beside server code may import any server layer
 * (a test of the firewall uses the editor's real schema rules); web and protocol tests follow
 * their side's rule.
 */
import { readFileSync, readdirSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'

const ROOT = dirname(new URL(import.meta.url).pathname)

/** Top to bottom. Each layer may import the ones listed (and itself). */
const MAY_IMPORT = {
  tools: [
    'web',
    'main',
    'harness',
    'http',
    'documents',
    'content',
    'sync',
    'storage',
    'fanout',
    'model',
    'common',
    'protocol',
  ],
  harness: ['main', 'http', 'documents', 'content', 'sync', 'storage', 'fanout', 'model', 'common', 'protocol'],
  main: ['http', 'documents', 'content', 'sync', 'storage', 'fanout', 'model', 'common', 'protocol'],
  http: ['documents', 'sync', 'model', 'common', 'protocol'],
  documents: ['content', 'sync', 'storage', 'fanout', 'model', 'common', 'protocol'],
  content: ['model', 'common', 'protocol'],
  sync: ['storage', 'fanout', 'model', 'common', 'protocol'],
  storage: ['common', 'protocol'],
  fanout: ['common', 'protocol'],
  model: ['common', 'protocol'],
  common: ['protocol'],
  web: ['protocol'],
  protocol: [],
} as const satisfies Record<string, readonly string[]>

type Layer = keyof typeof MAY_IMPORT

/** npm packages protocol/ may use: it runs in both browser and server. */
const PROTOCOL_PACKAGES = ['@tiptap/', 'hono/utils/types', 'vitest']

const SERVER_FOLDERS = ['http', 'documents', 'content', 'sync', 'storage', 'fanout', 'model', 'common'] as const

function layerOf(path: string): Layer {
  const [top, second] = path.split('/')
  if (top === 'protocol' || top === 'web') return top
  if (top === 'e2e' || top === 'bench' || top === 'scripts' || second === undefined) return 'tools'
  if (top !== 'server') throw new Error(`${path} is in no layer`)
  if (second === 'test') return 'harness'
  // The composition root, and the tests of the whole server beside it.
  if (/^(main|config)(\.ts)?$/.test(second) || second.endsWith('.test.ts')) return 'main'
  if ((SERVER_FOLDERS as readonly string[]).includes(second)) return second as Layer
  throw new Error(`server/${second} is in no layer: add it to MAY_IMPORT and docs/architecture.md`)
}

const isTest = (path: string): boolean => /\.test\.tsx?$/.test(path) || /(\/contract|Contract)\.ts$/.test(path)

function sourceFiles(dir = ROOT): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    if (entry.isDirectory())
      return ['node_modules', 'dist', '.git', 'test-results', '.bench-tmp'].includes(entry.name)
        ? []
        : sourceFiles(path)
    return /\.tsx?$/.test(entry.name) && !entry.name.endsWith('.d.ts') ? [relative(ROOT, path)] : []
  })
}

/** Every module specifier: static imports and re-exports, side-effect imports, dynamic imports. */
function importsOf(source: string): string[] {
  const clause = String.raw`(?:type\s+)?(?:\*(?:\s+as\s+\w+)?|\{[^}]*\}|\w+(?:\s*,\s*(?:\{[^}]*\}|\*\s+as\s+\w+))?)`
  const patterns = [
    new RegExp(String.raw`^(?:import|export)\s+${clause}\s+from\s+'([^']+)'`, 'gm'),
    /^import\s+'([^']+)'/gm,
    /\bimport\(\s*'([^']+)'\s*\)/g,
  ]
  return patterns.flatMap((pattern) => [...source.matchAll(pattern)].map((match) => match[1] as string))
}

function violations(): string[] {
  const found: string[] = []
  for (const file of sourceFiles()) {
    const from = layerOf(file)
    const test = isTest(file)
    for (const specifier of importsOf(readFileSync(join(ROOT, file), 'utf8'))) {
      if (!specifier.startsWith('.')) {
        const outside =
          (from === 'protocol' && !PROTOCOL_PACKAGES.some((allowed) => specifier.startsWith(allowed))) ||
          (from === 'web' && specifier.startsWith('node:'))
        if (outside) found.push(`${file} imports the package ${specifier}`)
        continue
      }
      const target = relative(ROOT, resolve(ROOT, dirname(file), specifier))
      const to = layerOf(target)
      const serverTest = test && from !== 'web' && from !== 'protocol' && to !== 'web' && to !== 'tools'
      if (to === from || (MAY_IMPORT[from] as readonly Layer[]).includes(to) || serverTest) continue
      found.push(`${file} (${from}) imports ${target} (${to})`)
    }
  }
  return found
}

describe('architecture', () => {
  it('has every import go down the layers; web and protocol import nothing of the server', () => {
    expect(violations()).toEqual([])
  })

  it('has layers without cycles', () => {
    const below = (layer: Layer, seen: Layer[]): void => {
      for (const next of MAY_IMPORT[layer] as readonly Layer[]) {
        expect(seen, `${[...seen, layer, next].join(' → ')}`).not.toContain(next)
        below(next, [...seen, layer])
      }
    }
    for (const layer of Object.keys(MAY_IMPORT) as Layer[]) below(layer, [])
  })

  it('reads every form of import', () => {
    const source = [
      "import a from './a'",
      "import type { B } from '../b'",
      "import {\n  c,\n  type D,\n} from './c'",
      "import * as e from 'e'",
      "import f, { g } from './f'",
      "export { h } from './h'",
      "export * from './i'",
      "import './j'",
      "const k = () => import('./k')",
      "// import l from './l' in a comment is not an import",
    ].join('\n')
    expect(importsOf(source)).toEqual(['./a', '../b', './c', 'e', './f', './h', './i', './j', './k'])
  })
})
