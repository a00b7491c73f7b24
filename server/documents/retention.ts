/**
 * Which versions retention removes: every version is kept for `keepAllMs` (24 h), then one per
 * hour until `keepHourlyMs` (30 days), then one per day; named versions are kept until someone
 * deletes them. In each hour or day the newest version stays: it holds everything before it in
 * that period. Pure, so that it is tested with any clock.
 */
import type { VersionMoment } from '../storage/versions'

export interface RetentionPolicy {
  /** Every version younger than this is kept. */
  keepAllMs: number
  /** Up to this age one version per hour is kept; beyond it one per day. */
  keepHourlyMs: number
}

const HOUR = 3_600_000
const DAY = 24 * HOUR

export const DEFAULT_RETENTION: RetentionPolicy = { keepAllMs: DAY, keepHourlyMs: 30 * DAY }

/** Ids of the versions to remove; `moments` in any order. */
export function versionsToPrune(moments: readonly VersionMoment[], now: number, policy: RetentionPolicy): string[] {
  const newestFirst = [...moments].sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime())
  const keptBuckets = new Set<string>()
  const removed: string[] = []
  for (const moment of newestFirst) {
    if (moment.kind === 'named') continue
    const at = moment.createdAt.getTime()
    const age = now - at
    if (age < policy.keepAllMs) continue
    const bucket = age < policy.keepHourlyMs ? `h${Math.floor(at / HOUR)}` : `d${Math.floor(at / DAY)}`
    if (keptBuckets.has(bucket)) removed.push(moment.id)
    else keptBuckets.add(bucket)
  }
  return removed
}
