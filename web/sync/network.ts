/** Whether the browser says it is online, and when that changes; injectable for tests. */
export interface Network {
  readonly online: boolean
  /** Calls `listener` on every change; returns the unsubscribe function. */
  subscribe(listener: (online: boolean) => void): () => void
}

export const browserNetwork: Network = {
  get online() {
    return navigator.onLine
  },
  subscribe(listener) {
    const online = (): void => listener(true)
    const offline = (): void => listener(false)
    window.addEventListener('online', online)
    window.addEventListener('offline', offline)
    return () => {
      window.removeEventListener('online', online)
      window.removeEventListener('offline', offline)
    }
  },
}
