/**
 * `/healthz` and `/metrics`, for load balancers, supervisors and Prometheus.
 *
 * Open server (no `AUTH_SECRET`, no `METRICS_TOKEN`; reachable from the machine only): both are
 * open, health with its components. Otherwise they are an operator's business: `/metrics` needs
 * `Authorization: Bearer <METRICS_TOKEN>` or an admin token for every document, and `/healthz`
 * tells anyone else only ok (200) or not (503) — which storage or Redis is down is for operators.
 */
import { createHash, timingSafeEqual } from 'node:crypto'
import { Hono } from 'hono'
import { TokenError, can, verifyToken } from '../common/auth'
import { Forbidden, type TandemError, Unauthorized } from '../common/errors'
import type { Metrics } from '../common/metrics'
import { bearerToken } from './access'
import type { AppEnv } from './env'

/** Health checks of what tandem depends on: each throws when its dependency is unreachable. */
export interface HealthProbes {
  storage(): Promise<void>
  fanout(): Promise<void>
}

export interface OperationsDeps {
  health: HealthProbes
  metrics: Metrics
  authSecret: string | null
  metricsToken: string | null
}

/** Whether `/metrics` needs a token (and `/healthz` details one), so whether the Host matters. */
export const operationsProtected = (deps: Pick<OperationsDeps, 'authSecret' | 'metricsToken'>): boolean =>
  deps.authSecret !== null || deps.metricsToken !== null

async function check(probe: () => Promise<void>): Promise<'ok' | 'unavailable'> {
  try {
    await probe()
    return 'ok'
  } catch {
    return 'unavailable'
  }
}

const digest = (value: string): Buffer => createHash('sha256').update(value).digest()

/** Compares through fixed-length digests, so that timing tells nothing about the token. */
function sameToken(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected))
}

/** 'allowed', or why not: 401 without a usable token, 403 for a token that is not an operator's. */
async function operatorVerdict(deps: OperationsDeps, header: string | undefined): Promise<'allowed' | TandemError> {
  if (!operationsProtected(deps)) return 'allowed'
  const token = bearerToken(header)
  if (token === undefined) return new Unauthorized('metrics need METRICS_TOKEN or an admin token')
  if (deps.metricsToken !== null && sameToken(token, deps.metricsToken)) return 'allowed'
  if (deps.authSecret === null) return new Unauthorized('token invalid')
  try {
    return can.operate(await verifyToken(token, deps.authSecret))
      ? 'allowed'
      : new Forbidden('metrics need an admin token for every document')
  } catch (error) {
    if (error instanceof TokenError) return error
    throw error
  }
}

export function operationsRoutes(deps: OperationsDeps) {
  return new Hono<AppEnv>()
    .get('/healthz', async (c) => {
      const [storage, fanout] = await Promise.all([check(deps.health.storage), check(deps.health.fanout)])
      const healthy = storage === 'ok' && fanout === 'ok'
      const status = healthy ? 'ok' : 'degraded'
      const code = healthy ? 200 : 503
      c.header('Cache-Control', 'no-store')
      if ((await operatorVerdict(deps, c.req.header('authorization'))) !== 'allowed') return c.json({ status }, code)
      return c.json({ status, storage, fanout }, code)
    })
    .get('/metrics', async (c) => {
      const verdict = await operatorVerdict(deps, c.req.header('authorization'))
      if (verdict !== 'allowed') throw verdict
      return c.body(await deps.metrics.registry.metrics(), 200, {
        'Content-Type': deps.metrics.registry.contentType,
        'Cache-Control': 'no-store',
      })
    })
}
