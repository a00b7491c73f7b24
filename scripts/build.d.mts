/** Builds dist/web and dist/server/main.js when missing or older than their sources (scripts/build.mjs). */
export function buildStale(root: string, options?: { signal?: AbortSignal }): Promise<void>
