/**
 * The orchestrator's side of the load workers: each is a child process running the bundled
 * `load/worker.ts`, asked one {@link Command} at a time.
 */
import { type ChildProcess, fork } from 'node:child_process'
import { builtPath, buildDir } from './build'
import type { Command, Reply } from './load/commands'

export class LoadWorker {
  readonly #child: ChildProcess
  readonly #pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>()
  #nextId = 0

  constructor(readonly name: string) {
    this.#child = fork(builtPath('worker'), [], {
      cwd: buildDir,
      serialization: 'advanced',
      execArgv: ['--max-old-space-size=4096'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    })
    this.#child.on('message', (message: { id: number; reply: Reply }) => {
      const waiting = this.#pending.get(message.id)
      if (waiting === undefined) return
      this.#pending.delete(message.id)
      if (message.reply.ok) waiting.resolve(message.reply.result)
      else waiting.reject(new Error(`${this.name}: ${message.reply.error}`))
    })
    this.#child.on('exit', (code) => {
      for (const waiting of this.#pending.values()) waiting.reject(new Error(`${this.name} exited (${code})`))
      this.#pending.clear()
    })
  }

  /** Runs a command; rejects if it fails or takes longer than `timeoutMs`. */
  ask<T>(command: Command, timeoutMs = 120_000): Promise<T> {
    const id = ++this.#nextId
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id)
        reject(new Error(`${this.name}: '${command.cmd}' took longer than ${timeoutMs} ms`))
      }, timeoutMs)
      this.#pending.set(id, {
        resolve: (value) => {
          clearTimeout(timer)
          resolve(value as T)
        },
        reject: (error) => {
          clearTimeout(timer)
          reject(error)
        },
      })
      this.#child.send({ id, command })
    })
  }

  stop(): void {
    this.#child.disconnect()
  }
}
