/** For tests: whether a check visits a node, seen as reads of its size or kind. */
import type { Node as ProseMirrorNode } from '@tiptap/pm/model'

/** Counts from now on the reads of `names` on `node` (this one object; values unchanged). */
export function countReads(
  node: ProseMirrorNode,
  names: readonly ('nodeSize' | 'isText')[] = ['nodeSize'],
): { reads: number } {
  const seen = { reads: 0 }
  for (const name of names) {
    const value = node[name]
    Object.defineProperty(node, name, {
      configurable: true,
      get: () => {
        seen.reads++
        return value
      },
    })
  }
  return seen
}
