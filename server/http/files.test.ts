import { rmSync } from 'node:fs'
import { request as httpRequest } from 'node:http'
import { afterEach, describe, expect, it } from 'vitest'
import { type Role, signToken } from '../common/auth'
import { newDocumentId, newFileId } from '../model/ids'
import { type TestApp, createTestApp } from '../test/app'
import { spawnServer } from '../test/child'
import { type TestServer, startTestServer, tempDataDir } from '../test/server'

const SECRET = 'files-test-secret-0123456789'

const PNG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]
/** Bytes that start like an image of `type`, `size` long. */
function image(type: 'png' | 'jpeg' | 'gif' | 'webp', size = 256): Uint8Array {
  const head = {
    png: PNG,
    jpeg: [0xff, 0xd8, 0xff, 0xe0],
    gif: [...Buffer.from('GIF89a')],
    webp: [...Buffer.from('RIFF'), 0, 0, 0, 0, ...Buffer.from('WEBPVP8 ')],
  }[type]
  const bytes = new Uint8Array(size)
  for (let index = 0; index < size; index++) bytes[index] = (index * 31) % 251
  bytes.set(head)
  return bytes
}

const upload = (data: Uint8Array | string, contentType = 'image/png', headers: Record<string, string> = {}) => ({
  method: 'POST',
  headers: { 'content-type': contentType, ...headers },
  body: data,
})

async function expectError(response: Response, status: number, code: string): Promise<void> {
  expect(response.status).toBe(status)
  const body = (await response.json()) as { error: { code: string; message: string } }
  expect(body.error.code).toBe(code)
  expect(body.error.message.length).toBeGreaterThan(0)
}

interface UploadAnswer {
  id: string
  url: string
  contentType: string
  size: number
}

let app: TestApp | null = null
let server: TestServer | null = null
afterEach(async () => {
  await app?.dispose()
  await server?.dispose()
  app = null
  server = null
})

async function open(env: Record<string, string> = {}): Promise<TestApp> {
  app = await createTestApp(env)
  return app
}

describe('POST /api/docs/:id/files', () => {
  it('stores an image and answers its id, url, sniffed type and size', async () => {
    const t = await open()
    const { id } = await t.create()
    const data = image('png', 1000)
    const response = await t.request(`/api/docs/${id}/files`, upload(data))
    expect(response.status).toBe(201)
    const body = (await response.json()) as UploadAnswer
    expect(Object.keys(body).sort()).toEqual(['contentType', 'id', 'size', 'url'])
    expect(body.id).toMatch(/^[A-Za-z0-9_-]{22}$/)
    expect(body.url).toBe(`/api/files/${body.id}`)
    expect(body.contentType).toBe('image/png')
    expect(body.size).toBe(1000)
    expect(response.headers.get('location')).toBe(body.url)
  })

  it.each([
    ['jpeg', 'image/jpeg'],
    ['gif', 'image/gif'],
    ['webp', 'image/webp'],
  ] as const)('takes the type of a %s from its bytes, not from the header', async (kind, type) => {
    const t = await open()
    const { id } = await t.create()
    const response = await t.request(`/api/docs/${id}/files`, upload(image(kind), 'image/png'))
    expect(response.status).toBe(201)
    expect(((await response.json()) as UploadAnswer).contentType).toBe(type)
  })

  it.each([
    ['HTML sent as image/png', '<!doctype html><html><script>alert(document.cookie)</script></html>', 'image/png'],
    ['an SVG', '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', 'image/svg+xml'],
    ['an SVG sent as image/png', '<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"/>', 'image/png'],
    ['a PDF', '%PDF-1.7\n%âãÏÓ\n1 0 obj', 'application/pdf'],
    ['an empty body', '', 'image/png'],
  ])('refuses %s with 415', async (_, body, type) => {
    const t = await open()
    const { id } = await t.create()
    await expectError(await t.request(`/api/docs/${id}/files`, upload(body, type)), 415, 'unsupported_media_type')
    expect(await t.tandem.fileStore.totalSize(id)).toBe(0)
  })

  it('refuses a file over MAX_FILE_BYTES with 413, and takes files over MAX_BODY_BYTES up to it', async () => {
    const t = await open({ MAX_BODY_BYTES: '4096', MAX_FILE_BYTES: '65536' })
    const { id } = await t.create()
    const large = await t.request(`/api/docs/${id}/files`, upload(image('png', 65_536)))
    expect(large.status).toBe(201)
    await expectError(await t.request(`/api/docs/${id}/files`, upload(image('png', 65_537))), 413, 'payload_too_large')
    expect(await t.tandem.fileStore.totalSize(id)).toBe(65_536)
  })

  it('stops reading a body without Content-Length once it grows past the limit', async () => {
    const t = await open({ MAX_FILE_BYTES: '8192' })
    const { id } = await t.create()
    let pulled = 0
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        controller.enqueue(pulled === 0 ? image('png', 1024) : new Uint8Array(1024))
        pulled++
      },
    })
    const response = await t.request(`/api/docs/${id}/files`, {
      method: 'POST',
      headers: { 'content-type': 'image/png' },
      body: endless,
      duplex: 'half',
    } as RequestInit)
    await expectError(response, 413, 'payload_too_large')
    // 8 KiB allowed: the ninth chunk is one too many, and a stream reads at most one ahead.
    expect(pulled).toBeLessThanOrEqual(11)
  })

  it('refuses a body that does not start like an image as soon as its first bytes arrived', async () => {
    const t = await open()
    const { id } = await t.create()
    let pulled = 0
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        controller.enqueue(new TextEncoder().encode('<html><body>'.repeat(100)))
        pulled++
      },
    })
    const response = await t.request(`/api/docs/${id}/files`, {
      method: 'POST',
      headers: { 'content-type': 'image/png' },
      body: endless,
      duplex: 'half',
    } as RequestInit)
    await expectError(response, 415, 'unsupported_media_type')
    expect(pulled).toBeLessThanOrEqual(3)
  })

  it('answers 413 from the Content-Length, before the body is sent', async () => {
    server = await startTestServer({ MAX_FILE_BYTES: '65536' })
    const id = await server.createDocument()
    const url = new URL(`${server.url}/api/docs/${id}/files`)
    const status = await new Promise<number>((resolve, reject) => {
      const request = httpRequest(url, {
        method: 'POST',
        headers: { 'content-type': 'image/png', 'content-length': String(100 * 1024 * 1024) },
      })
      request.on('response', (response) => {
        response.resume()
        resolve(response.statusCode ?? 0)
        request.destroy()
      })
      request.on('error', reject)
      // Only the first bytes of a declared 100 MiB: the answer comes without the rest.
      request.write(image('png', 1024))
    })
    expect(status).toBe(413)
  })

  it('counts files in the document quota', async () => {
    const t = await open({ MAX_DOCUMENT_BYTES: '8192' })
    const { id } = await t.create()
    for (let i = 0; i < 2; i++) {
      expect((await t.request(`/api/docs/${id}/files`, upload(image('png', 3000)))).status).toBe(201)
    }
    await expectError(await t.request(`/api/docs/${id}/files`, upload(image('png', 3000))), 413, 'payload_too_large')
    expect(await t.tandem.fileStore.totalSize(id)).toBe(6000)
  })

  it('answers 404 for an unknown, malformed or deleted document', async () => {
    const t = await open()
    await expectError(
      await t.request(`/api/docs/${newDocumentId()}/files`, upload(image('png'))),
      404,
      'document_not_found',
    )
    await expectError(await t.request('/api/docs/nope/files', upload(image('png'))), 404, 'document_not_found')
    const { id } = await t.create()
    expect((await t.request(`/api/docs/${id}`, { method: 'DELETE' })).status).toBe(204)
    await expectError(await t.request(`/api/docs/${id}/files`, upload(image('png'))), 404, 'document_not_found')
  })

  it('needs a token that may edit the document when AUTH_SECRET is set', async () => {
    const t = await open({ AUTH_SECRET: SECRET })
    const token = (doc: string, role: Role) => signToken({ doc, role, expiresInSeconds: 600 }, SECRET)
    const bearer = async (doc: string, role: Role) => ({ authorization: `Bearer ${await token(doc, role)}` })
    const { id } = await t.create({}, await bearer('*', 'admin'))
    const { id: other } = await t.create({}, await bearer('*', 'admin'))
    const path = `/api/docs/${id}/files`
    await expectError(await t.request(path, upload(image('png'))), 401, 'unauthorized')
    await expectError(
      await t.request(path, upload(image('png'), 'image/png', { authorization: 'Bearer forged' })),
      401,
      'unauthorized',
    )
    await expectError(
      await t.request(path, upload(image('png'), 'image/png', await bearer(id, 'view'))),
      403,
      'forbidden',
    )
    await expectError(
      await t.request(path, upload(image('png'), 'image/png', await bearer(other, 'admin'))),
      403,
      'forbidden',
    )
    for (const [doc, role] of [
      [id, 'edit'],
      [id, 'admin'],
      ['*', 'edit'],
    ] as const) {
      const response = await t.request(path, upload(image('png'), 'image/png', await bearer(doc, role)))
      expect(response.status).toBe(201)
      // Read without a token: the id is the capability, so an <img> works.
      const file = await t.request(((await response.json()) as UploadAnswer).url)
      expect(file.status).toBe(200)
    }
  })
})

describe('GET /api/files/:fileId', () => {
  it('serves the bytes as the sniffed type, never to be run, cached for good', async () => {
    const t = await open()
    const { id } = await t.create()
    const data = image('gif', 777)
    const created = (await (await t.request(`/api/docs/${id}/files`, upload(data, 'text/html'))).json()) as UploadAnswer
    const response = await t.request(created.url)
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('image/gif')
    expect(response.headers.get('x-content-type-options')).toBe('nosniff')
    expect(response.headers.get('content-security-policy')).toMatch(/^default-src 'none'/)
    expect(response.headers.get('cache-control')).toMatch(/max-age=31536000/)
    expect(response.headers.get('cache-control')).toMatch(/immutable/)
    expect(response.headers.get('content-length')).toBe('777')
    expect(Buffer.from(await response.arrayBuffer()).equals(Buffer.from(data))).toBe(true)
    const again = await t.request(created.url, { headers: { 'if-none-match': response.headers.get('etag') ?? '' } })
    expect(again.status).toBe(304)
  })

  it('answers 404 for an unknown or malformed id, and for files of a deleted document', async () => {
    const t = await open()
    await expectError(await t.request(`/api/files/${newFileId()}`), 404, 'not_found')
    await expectError(await t.request('/api/files/..%2Fetc'), 404, 'not_found')
    const { id } = await t.create()
    const { url } = (await (await t.request(`/api/docs/${id}/files`, upload(image('png')))).json()) as UploadAnswer
    expect((await t.request(url)).status).toBe(200)
    expect((await t.request(`/api/docs/${id}`, { method: 'DELETE' })).status).toBe(204)
    await expectError(await t.request(url), 404, 'not_found')
  })

  it('keeps a file answered 201 when the server is killed with SIGKILL right after', async () => {
    const dataDir = tempDataDir()
    let child = await spawnServer({ DATA_DIR: dataDir })
    try {
      const created = await fetch(`${child.url}/api/docs`, { method: 'POST' })
      const { id } = (await created.json()) as { id: string }
      const data = image('jpeg', 20_000)
      const answer = await fetch(`${child.url}/api/docs/${id}/files`, upload(data, 'image/jpeg'))
      expect(answer.status).toBe(201)
      const { url } = (await answer.json()) as UploadAnswer
      await child.kill('SIGKILL')
      child = await spawnServer({ DATA_DIR: dataDir })
      const response = await fetch(`${child.url}${url}`)
      expect(response.status).toBe(200)
      expect(Buffer.from(await response.arrayBuffer()).equals(Buffer.from(data))).toBe(true)
    } finally {
      await child.kill('SIGKILL')
      rmSync(dataDir, { recursive: true, force: true })
    }
    // Two server processes in turn: slow on a loaded machine.
  }, 90_000)

  it('still serves a file after a restart', async () => {
    server = await startTestServer()
    const id = await server.createDocument()
    const data = image('webp', 5000)
    const created = (await (
      await fetch(`${server.url}/api/docs/${id}/files`, upload(data, 'image/webp'))
    ).json()) as UploadAnswer
    await server.stop()
    const restarted = await startTestServer({ DATA_DIR: server.dataDir })
    try {
      const response = await fetch(`${restarted.url}${created.url}`)
      expect(response.status).toBe(200)
      expect(response.headers.get('content-type')).toBe('image/webp')
      expect(Buffer.from(await response.arrayBuffer()).equals(Buffer.from(data))).toBe(true)
    } finally {
      await restarted.stop()
    }
  })
})
