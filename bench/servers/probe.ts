/**
 * Preloaded (`--import`) into every server the benchmark starts, tandem and peers alike: answers
 * the orchestrator's IPC questions about this process (CPU used, memory), forces a garbage
 * collection, and takes CPU profiles of a chosen window or heap snapshots on request, without a
 * line of the server itself being changed.
 */
import { writeFileSync } from 'node:fs'
import { Session } from 'node:inspector'
import { Server } from 'node:net'
import { writeHeapSnapshot } from 'node:v8'

type ProbeRequest =
  | { probe: 'stats' | 'gc' | 'ports'; id: number }
  | { probe: 'profile-start'; id: number; intervalUs: number }
  | { probe: 'profile-stop' | 'heap-snapshot'; id: number; path: string }

export interface ProbeStats {
  /** User + system CPU time of the whole process (all threads), microseconds. */
  cpuMicros: number
  rss: number
  heapUsed: number
}

let session: Session | null = null

/** The ports this process listens on: each server binds port 0, so no other process can take its port. */
function listeningPorts(): number[] {
  const handles = (process as unknown as { _getActiveHandles(): unknown[] })._getActiveHandles()
  return handles.flatMap((handle) => {
    if (!(handle instanceof Server)) return []
    const address = handle.address()
    return typeof address === 'object' && address !== null ? [address.port] : []
  })
}

function post(method: string, params?: object): Promise<unknown> {
  return new Promise((resolve, reject) => {
    if (session === null) throw new Error('no inspector session')
    session.post(method, params ?? {}, (error, result) => (error === null ? resolve(result) : reject(error)))
  })
}

async function handle(message: ProbeRequest): Promise<void> {
  switch (message.probe) {
    case 'gc': {
      const collect = (globalThis as { gc?: () => void }).gc
      collect?.()
      collect?.()
      break
    }
    case 'profile-start':
      session = new Session()
      session.connect()
      await post('Profiler.enable')
      await post('Profiler.setSamplingInterval', { interval: message.intervalUs })
      await post('Profiler.start')
      break
    case 'profile-stop': {
      const { profile } = (await post('Profiler.stop')) as { profile: unknown }
      writeFileSync(message.path, JSON.stringify(profile))
      session?.disconnect()
      session = null
      break
    }
    case 'heap-snapshot':
      writeHeapSnapshot(message.path)
      break
    case 'stats':
    case 'ports':
      break
  }
  const cpu = process.cpuUsage()
  const memory = process.memoryUsage()
  const stats: ProbeStats = { cpuMicros: cpu.user + cpu.system, rss: memory.rss, heapUsed: memory.heapUsed }
  process.send?.({ probeReply: message.id, stats, ports: listeningPorts() })
}

process.on('message', (message: ProbeRequest) => {
  if (typeof message !== 'object' || message === null || !('probe' in message)) return
  handle(message).catch((error: unknown) => process.stderr.write(`probe: ${String(error)}\n`))
})
