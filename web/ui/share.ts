/**
 * "Share": makes a link through the server (a signed token when the server requires tokens,
 * `?role=view` on an open server) and offers to copy it. The link is shown on this page's own
 * origin, which is the address the person sharing actually uses.
 */
import { type ApiClient, ApiError, call } from '../api'
import type { Role } from '../access'
import { h } from '../dom'
import { showDialog } from './dialog'
import { toast } from './toast'

export function onThisOrigin(link: string, origin: string = location.origin): string {
  const url = new URL(link)
  return new URL(`${url.pathname}${url.search}${url.hash}`, origin).toString()
}

export function openShareDialog(api: ApiClient, docId: string, canEdit: boolean): void {
  const role = h(
    'select',
    { class: 'select', 'data-testid': 'share-role', 'aria-label': 'People with the link can' },
    ...(canEdit ? [h('option', { value: 'edit' }, 'Anyone with the link can edit')] : []),
    h('option', { value: 'view' }, 'Anyone with the link can view'),
  )
  const url = h('input', {
    class: 'share-url',
    type: 'text',
    readonly: true,
    'aria-label': 'Share link',
    'data-testid': 'share-url',
    value: '',
    placeholder: 'Creating link…',
  })
  const copy = h(
    'button',
    { type: 'button', class: 'button button-primary', 'data-testid': 'share-copy', disabled: true },
    'Copy link',
  )
  const note = h('p', { class: 'muted share-note', 'data-testid': 'share-note' })
  const { dialog } = showDialog(
    'Share this document',
    [h('div', { class: 'share-row' }, role), h('div', { class: 'share-row' }, url, copy), note],
    'share-dialog',
  )

  let request = 0
  const create = async (): Promise<void> => {
    const mine = ++request
    copy.disabled = true
    url.value = ''
    note.textContent = ''
    try {
      const share = await call(
        api.api.docs[':id'].share.$post({ param: { id: docId }, json: { role: role.value as Role } }),
      )
      if (mine !== request) return
      url.value = onThisOrigin(share.url)
      copy.disabled = false
      note.textContent =
        share.expiresAt === null
          ? 'This server is open: anyone who can reach it can open the link.'
          : `The link works until ${new Date(share.expiresAt).toLocaleDateString()}.`
    } catch (error) {
      if (mine !== request) return
      note.textContent =
        error instanceof ApiError && error.unreachable
          ? 'You are offline: links can be made once the connection returns.'
          : `Could not make a link: ${error instanceof Error ? error.message : String(error)}`
    }
  }
  role.addEventListener('change', () => void create())
  copy.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(url.value)
      toast('Link copied')
    } catch {
      url.select()
      toast('Press Ctrl+C to copy the selected link')
    }
  })
  url.addEventListener('focus', () => url.select())
  dialog.addEventListener('close', () => {
    request++
  })
  void create()
}
