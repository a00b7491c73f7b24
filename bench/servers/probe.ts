/**
 * Preloaded (`--import`) into every server the benchmark starts, tandem and peers alike: answers
 * the orchestrator's IPC questions about this process (CPU used, memory) and forces a garbage
 * collection on request, without a line of the server itself being changed.
 */
interface ProbeRequest {
  probe: 'stats' | 'gc'
  id: number
}

export interface ProbeStats {
  /** User + system CPU time of the whole process (all threads), microseconds. */
  cpuMicros: number
  rss: number
  heapUsed: number
}

process.on('message', (message: ProbeRequest) => {
  if (typeof message !== 'object' || message === null || !('probe' in message)) return
  if (message.probe === 'gc') {
    const collect = (globalThis as { gc?: () => void }).gc
    collect?.()
    collect?.()
  }
  const cpu = process.cpuUsage()
  const memory = process.memoryUsage()
  const stats: ProbeStats = { cpuMicros: cpu.user + cpu.system, rss: memory.rss, heapUsed: memory.heapUsed }
  process.send?.({ probeReply: message.id, stats })
})
