/*
 * tandem's service worker: keeps the app shell (index.html and its hashed assets) so that a
 * document opened before loads again without a connection; its content then comes from the
 * device copy in IndexedDB. Pages are network-first (a deploy shows at once), assets are
 * cache-first (their names change with their content). API and socket traffic is not touched.
 */
const CACHE = 'tandem-shell-v1'
const SHELL = '/'
const NAVIGATION_TIMEOUT_MS = 4000

function assetsOf(html) {
  return [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((match) => match[1])
}

/** Stores a fresh shell and exactly the assets it references. */
async function storeShell(cache, response) {
  const html = await response.clone().text()
  const assets = assetsOf(html)
  await cache.put(SHELL, response)
  await Promise.all(
    assets.map(async (asset) => {
      if ((await cache.match(asset)) === undefined) await cache.add(asset)
    }),
  )
  const keep = new Set(assets.map((asset) => new URL(asset, self.location.origin).href))
  for (const request of await cache.keys()) {
    if (new URL(request.url).pathname.startsWith('/assets/') && !keep.has(request.url)) await cache.delete(request)
  }
}

self.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE)
      const response = await fetch(SHELL, { cache: 'no-cache' })
      if (!response.ok) throw new Error(`shell answered ${response.status}`)
      await storeShell(cache, response)
      await cache.add('/favicon.svg')
      await self.skipWaiting()
    })(),
  )
})

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) if (name !== CACHE) await caches.delete(name)
      await self.clients.claim()
    })(),
  )
})

async function navigation(request) {
  const cache = await caches.open(CACHE)
  const cached = await cache.match(SHELL)
  try {
    const network = fetch(request)
    const response = await (cached === undefined
      ? network
      : Promise.race([
          network,
          new Promise((_, fail) => setTimeout(() => fail(new Error('slow network')), NAVIGATION_TIMEOUT_MS)),
        ]))
    const type = response.headers.get('content-type') ?? ''
    if (response.ok && type.startsWith('text/html')) {
      // A shell that cannot be cached now is cached on a later visit; the page still loads.
      await storeShell(cache, response.clone()).catch((error) => console.warn('tandem: shell not cached', error))
      return response
    }
    return response.ok || cached === undefined ? response : cached
  } catch (error) {
    if (cached !== undefined) return cached
    throw error
  }
}

async function asset(request) {
  const cache = await caches.open(CACHE)
  const cached = await cache.match(request)
  if (cached !== undefined) return cached
  const response = await fetch(request)
  if (response.ok) await cache.put(request, response.clone())
  return response
}

self.addEventListener('fetch', (event) => {
  const { request } = event
  if (request.method !== 'GET') return
  const url = new URL(request.url)
  if (url.origin !== self.location.origin) return
  if (url.pathname.startsWith('/api/') || url.pathname.startsWith('/ws/')) return
  if (request.mode === 'navigate') event.respondWith(navigation(request))
  else if (url.pathname.startsWith('/assets/')) event.respondWith(asset(request))
})
