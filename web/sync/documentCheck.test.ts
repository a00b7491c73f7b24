import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { ApiError } from '../api'
import type { Ending } from './closeReasons'
import { type DocumentCheck, DocumentWatch, checkFromError } from './documentCheck'

describe('checkFromError', () => {
  it('ends the session on 404, 401 and 403 only', () => {
    expect(checkFromError(new ApiError(404, 'not_found', 'gone'))).toEqual({
      kind: 'ended',
      ending: { kind: 'deleted' },
    })
    expect(checkFromError(new ApiError(401, 'unauthorized', 'token expired'))).toEqual({
      kind: 'ended',
      ending: { kind: 'denied', reason: 'token expired' },
    })
    expect(checkFromError(new ApiError(403, 'forbidden', 'no'))).toMatchObject({
      kind: 'ended',
      ending: { kind: 'denied' },
    })
    expect(checkFromError(new ApiError(500, 'internal', 'oops'))).toEqual({ kind: 'unknown' })
    expect(checkFromError(new ApiError(0, 'unreachable', 'network error'))).toEqual({ kind: 'unknown' })
    expect(checkFromError(new TypeError('boom'))).toEqual({ kind: 'unknown' })
  })
})

describe('DocumentWatch', () => {
  let answers: Array<(answer: DocumentCheck) => void>
  let found: string[]
  let ended: Ending[]
  let watch: DocumentWatch

  beforeEach(() => {
    vi.useFakeTimers()
    answers = []
    found = []
    ended = []
    watch = new DocumentWatch({
      check: () => new Promise((resolve) => answers.push(resolve)),
      intervalMs: 5000,
      onFound: (title) => found.push(title),
      onEnded: (ending) => ended.push(ending),
    })
  })

  afterEach(() => {
    watch.stop()
    vi.useRealTimers()
  })

  it('asks once on check() and reports the answer', async () => {
    watch.check()
    expect(answers).toHaveLength(1)
    answers[0]?.({ kind: 'found', title: 'Plan' })
    await vi.waitFor(() => expect(found).toEqual(['Plan']))
    expect(ended).toEqual([])
  })

  it('asks one question at a time', async () => {
    watch.check()
    watch.check()
    expect(answers).toHaveLength(1)
    answers[0]?.({ kind: 'unknown' })
    await vi.advanceTimersByTimeAsync(0)
    watch.check()
    expect(answers).toHaveLength(2)
  })

  it('polls only while the server is unreachable', async () => {
    watch.setUnreachable(true)
    expect(watch.polling).toBe(true)
    expect(answers).toHaveLength(1)
    answers[0]?.({ kind: 'unknown' })
    await vi.advanceTimersByTimeAsync(5000)
    expect(answers).toHaveLength(2)
    answers[1]?.({ kind: 'unknown' })
    await vi.advanceTimersByTimeAsync(5000)
    expect(answers).toHaveLength(3)
    answers[2]?.({ kind: 'unknown' })

    watch.setUnreachable(true) // no second timer
    await vi.advanceTimersByTimeAsync(5000)
    expect(answers).toHaveLength(4)
    answers[3]?.({ kind: 'unknown' })

    watch.setUnreachable(false)
    expect(watch.polling).toBe(false)
    await vi.advanceTimersByTimeAsync(20_000)
    expect(answers).toHaveLength(4)
  })

  it('reports an ending from a poll', async () => {
    watch.setUnreachable(true)
    answers[0]?.({ kind: 'unknown' })
    await vi.advanceTimersByTimeAsync(5000)
    answers[1]?.({ kind: 'ended', ending: { kind: 'deleted' } })
    await vi.advanceTimersByTimeAsync(0)
    expect(ended).toEqual([{ kind: 'deleted' }])
  })

  it('drops answers that arrive after stop() and asks no more', async () => {
    watch.setUnreachable(true)
    watch.stop()
    answers[0]?.({ kind: 'ended', ending: { kind: 'deleted' } })
    await vi.advanceTimersByTimeAsync(20_000)
    expect(ended).toEqual([])
    expect(answers).toHaveLength(1)
    watch.check()
    watch.setUnreachable(true)
    expect(answers).toHaveLength(1)
  })
})
