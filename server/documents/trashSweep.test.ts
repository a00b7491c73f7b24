/**
 * The retention sweep: at start, then on its interval (fake timers: the timer is the subject);
 * one sweep at a time; a failure is logged and the next sweep tries again.
 */
import { pino } from 'pino'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { TRASH_SWEEP_INTERVAL_MS, TrashSweep } from './trashSweep'

afterEach(() => {
  vi.useRealTimers()
})

describe('TrashSweep', () => {
  it('sweeps at once, then every interval, and not after stop', async () => {
    vi.useFakeTimers()
    const purgeExpired = vi.fn(async () => 2)
    const sweep = new TrashSweep({ purgeExpired, log: pino({ level: 'silent' }) })
    sweep.start()
    expect(purgeExpired).toHaveBeenCalledTimes(1)
    await vi.advanceTimersByTimeAsync(TRASH_SWEEP_INTERVAL_MS - 1)
    expect(purgeExpired).toHaveBeenCalledTimes(1)
    await vi.advanceTimersByTimeAsync(1)
    expect(purgeExpired).toHaveBeenCalledTimes(2)
    await sweep.stop()
    await vi.advanceTimersByTimeAsync(3 * TRASH_SWEEP_INTERVAL_MS)
    expect(purgeExpired).toHaveBeenCalledTimes(2)
  })

  it('joins a sweep already running, and stop waits for it', async () => {
    let finish: (purged: number) => void = () => undefined
    const purgeExpired = vi.fn(() => new Promise<number>((resolve) => (finish = resolve)))
    const sweep = new TrashSweep({ purgeExpired, log: pino({ level: 'silent' }) })
    const first = sweep.sweep()
    const second = sweep.sweep()
    expect(purgeExpired).toHaveBeenCalledTimes(1)
    let stopped = false
    const stopping = sweep.stop().then(() => (stopped = true))
    await Promise.resolve()
    expect(stopped).toBe(false)
    finish(3)
    expect(await first).toBe(3)
    expect(await second).toBe(3)
    await stopping
    expect(stopped).toBe(true)
  })

  it('logs a failed sweep and tries again on the next', async () => {
    const warnings: string[] = []
    const log = pino({ level: 'warn' }, { write: (line: string) => warnings.push(JSON.parse(line).msg as string) })
    const purgeExpired = vi.fn<() => Promise<number>>().mockRejectedValueOnce(new Error('database away'))
    purgeExpired.mockResolvedValueOnce(1)
    const sweep = new TrashSweep({ purgeExpired, log })
    expect(await sweep.sweep()).toBe(0)
    expect(warnings).toEqual(['trash sweep failed; retried on the next one'])
    expect(await sweep.sweep()).toBe(1)
  })
})
