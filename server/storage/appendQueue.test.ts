import { describe, expect, it } from 'vitest'
import { AppendQueue, type PendingAppend } from './appendQueue'
import { DocumentNotFound } from '../common/errors'

const bytes = (n: number): Uint8Array => Uint8Array.of(n)

describe('AppendQueue', () => {
  it('commits the appends of one turn together, and those made during a commit in the next batch', async () => {
    const batches: number[][] = []
    let release: (() => void) | null = null
    const queue = new AppendQueue({
      minCommitIntervalMs: 0,
      commit: async (batch: readonly PendingAppend[]) => {
        batches.push(batch.map((item) => item.update[0] as number))
        if (batches.length === 1) await new Promise<void>((resolve) => (release = resolve))
        return { missing: new Set() }
      },
    })
    const order: number[] = []
    const appends = [1, 2, 3].map((n) => queue.append('a', bytes(n)).then(() => order.push(n)))
    await expect.poll(() => release !== null).toBe(true)
    appends.push(...[4, 5].map((n) => queue.append('a', bytes(n)).then(() => order.push(n))))
    ;(release as unknown as () => void)()
    await Promise.all(appends)
    expect(batches).toEqual([
      [1, 2, 3],
      [4, 5],
    ])
    expect(order).toEqual([1, 2, 3, 4, 5])
  })

  it('rejects the appends of a failed batch and of missing documents, then goes on', async () => {
    let fail = true
    const queue = new AppendQueue({
      minCommitIntervalMs: 0,
      commit: () => {
        if (fail) throw new Error('disk full')
        return { missing: new Set(['gone']) }
      },
    })
    await expect(queue.append('a', bytes(1))).rejects.toThrow('disk full')
    fail = false
    const kept = queue.append('a', bytes(2))
    const gone = queue.append('gone', bytes(3))
    await expect(kept).resolves.toBeUndefined()
    await expect(gone).rejects.toBeInstanceOf(DocumentNotFound)
  })

  it('commits what is queued on close without waiting out the interval, and refuses appends afterwards', async () => {
    const committed: number[] = []
    const queue = new AppendQueue({
      minCommitIntervalMs: 60_000,
      commit: (batch) => {
        committed.push(...batch.map((item) => item.update[0] as number))
        return { missing: new Set() }
      },
    })
    await queue.append('a', bytes(1))
    const waiting = queue.append('a', bytes(2))
    await queue.close()
    await waiting
    expect(committed).toEqual([1, 2])
    await expect(queue.append('a', bytes(3))).rejects.toThrow('store closed')
  })
})
