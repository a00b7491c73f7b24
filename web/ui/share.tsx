/**
 * "Share": the links to this document and, plainly, what each allows.
 *
 * - An edit link (editors only): on an open server the document's own address — anyone who has
 *   it can change the document, for as long as it exists; with `AUTH_SECRET` a signed token for
 *   the chosen role that expires (`share-role`).
 * - View links (`/s/<shareId>`): read-only and live, without the document's address, listed
 *   here with Revoke, which closes them at once, also for people who have them open. Editors
 *   make them (anyone on an open server); there they are the only kind of view link.
 *
 * On an open server the dialog also says what that means: anyone who can reach the server can
 * open the list of documents, and so read and edit every document. Links are shown on this
 * page's own origin, the address the person sharing actually uses. A native modal dialog
 * (`dialog.ts`): focus stays inside, Escape closes it and focus goes back to Share.
 */
import { render } from 'preact'
import { useEffect, useRef, useState } from 'preact/hooks'
import type { ShareLinkDto } from '../../protocol/api'
import type { Role } from '../access'
import { type ApiClient, ApiError, call, callEmpty } from '../api'
import { announce } from './announce'
import { showDialog } from './dialog'
import { toast } from './toast'

export function onThisOrigin(link: string, origin: string = location.origin): string {
  const url = new URL(link)
  return new URL(`${url.pathname}${url.search}${url.hash}`, origin).toString()
}

export interface ShareDialogOptions {
  api: ApiClient
  docId: string
  /** The page may edit: it offers edit links and manages view links. */
  canEdit: boolean
  /** The server has no AUTH_SECRET: a document's address is the key to edit it. */
  openServer: boolean
}

function failure(error: unknown, what: string): string {
  if (error instanceof ApiError && error.unreachable) return `You are offline: ${what} once the connection returns.`
  return `Could not ${what}: ${error instanceof Error ? error.message : String(error)}`
}

async function copy(text: string, input: HTMLInputElement | null): Promise<void> {
  try {
    await navigator.clipboard.writeText(text)
    toast('Link copied')
  } catch {
    input?.select()
    toast('Press Ctrl+C to copy the selected link')
  }
}

function LinkField(props: { id: string; label: string; value: string; testId: string; copyTestId: string }) {
  const input = useRef<HTMLInputElement>(null)
  return (
    <div class="share-row">
      <input
        ref={input}
        id={props.id}
        class="share-url"
        type="text"
        readOnly
        aria-label={props.label}
        data-testid={props.testId}
        value={props.value}
        placeholder="Creating link…"
        onFocus={(event) => event.currentTarget.select()}
      />
      <button
        type="button"
        class="button button-primary"
        data-testid={props.copyTestId}
        disabled={props.value === ''}
        aria-label={`Copy link: ${props.label.toLowerCase()}`}
        onClick={() => void copy(props.value, input.current)}
      >
        Copy link
      </button>
    </div>
  )
}

/** The edit link (open server), or a signed link for a chosen role (AUTH_SECRET). */
function SignedLink(props: ShareDialogOptions) {
  const { api, docId, canEdit, openServer } = props
  const [role, setRole] = useState<Role>(canEdit ? 'edit' : 'view')
  // What was made, for which role: shown only beside that role. (Cleared by the effect that
  // makes the next one, the link of the role chosen before stayed until after a paint — an edit
  // link beside "can view", there to be copied.)
  const [made, setMade] = useState<{ role: Role; url: string; note: string } | null>(null)
  useEffect(() => {
    let current = true
    call(api.api.docs[':id'].share.$post({ param: { id: docId }, json: { role } })).then(
      (share) => {
        if (!current) return
        const until =
          share.expiresAt === null ? '' : `The link works until ${new Date(share.expiresAt).toLocaleDateString()}.`
        setMade({ role, url: onThisOrigin(share.url), note: until })
      },
      (error: unknown) => {
        if (current) setMade({ role, url: '', note: failure(error, 'make a link') })
      },
    )
    return () => {
      current = false
    }
  }, [api, docId, role])
  const url = made?.role === role ? made.url : ''
  const note = made?.role === role ? made.note : ''
  const allows =
    role === 'view'
      ? 'Anyone with this link can read the document, but not change it.'
      : 'Anyone with this link can read and change the document.'
  return (
    <section class="share-section" aria-labelledby="share-signed-heading">
      <h3 id="share-signed-heading">{openServer ? 'Edit link' : 'Link with a sign-in token'}</h3>
      {openServer ? (
        <p data-testid="share-edit-allows">
          Anyone with this link can read and change the document. It is the document’s own address: it cannot be
          revoked, and works as long as the document exists.
        </p>
      ) : (
        <>
          <div class="share-row">
            <select
              class="select"
              data-testid="share-role"
              aria-label="People with the link can"
              value={role}
              onChange={(event) => setRole(event.currentTarget.value as Role)}
            >
              {canEdit && <option value="edit">Anyone with the link can edit</option>}
              <option value="view">Anyone with the link can view</option>
            </select>
          </div>
          <p class="share-allows" data-testid="share-edit-allows">
            {allows} It cannot be revoked before it expires.
          </p>
        </>
      )}
      <LinkField
        id="share-signed-url"
        label={openServer ? 'Edit link' : 'Link'}
        value={url}
        testId="share-url"
        copyTestId="share-copy"
      />
      <p class="muted share-note" data-testid="share-note" aria-live="polite">
        {note}
      </p>
    </section>
  )
}

function createdOn(link: ShareLinkDto): string {
  return new Date(link.createdAt).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' })
}

/** Revocable view links by share id: listed, made and revoked here. */
function ViewLinks(props: ShareDialogOptions) {
  const { api, docId } = props
  const [links, setLinks] = useState<ShareLinkDto[] | null>(null)
  const [note, setNote] = useState('')
  const [busy, setBusy] = useState(false)
  const list = useRef<HTMLUListElement>(null)
  const create = useRef<HTMLButtonElement>(null)
  /** After a change, where focus goes: a link's Copy button by id, or the Create button. */
  const focusNext = useRef<string | 'create' | null>(null)

  useEffect(() => {
    let current = true
    call(api.api.docs[':id'].shares.$get({ param: { id: docId } })).then(
      (answer) => {
        if (current) setLinks(answer.items)
      },
      (error: unknown) => {
        if (current) setNote(failure(error, 'list the view links'))
      },
    )
    return () => {
      current = false
    }
  }, [api, docId])

  useEffect(() => {
    const target = focusNext.current
    if (target === null) return
    const element =
      target === 'create'
        ? create.current
        : list.current?.querySelector<HTMLButtonElement>(`[data-share-id="${target}"] [data-testid="view-link-copy"]`)
    // An earlier render's effect may run before the change is rendered: the next one focuses it.
    if (element === null || element === undefined || element.disabled) return
    focusNext.current = null
    element.focus()
  })

  const add = async (): Promise<void> => {
    setBusy(true)
    setNote('')
    try {
      const share = await call(
        api.api.docs[':id'].share.$post({ param: { id: docId }, json: { role: 'view', revocable: true } }),
      )
      const link: ShareLinkDto = {
        id: share.id as string,
        role: share.role,
        createdAt: new Date().toISOString(),
        expiresAt: share.expiresAt,
        url: share.url,
      }
      focusNext.current = link.id
      setLinks((current) => [...(current ?? []), link])
      announce('View link created.')
    } catch (error) {
      setNote(failure(error, 'make a view link'))
    } finally {
      setBusy(false)
    }
  }

  const revoke = async (link: ShareLinkDto): Promise<void> => {
    setNote('')
    try {
      await callEmpty(api.api.docs[':id'].shares[':shareId'].$delete({ param: { id: docId, shareId: link.id } }))
    } catch (error) {
      // Already gone is what was asked for.
      if (!(error instanceof ApiError && error.status === 404)) {
        setNote(failure(error, 'revoke the link'))
        return
      }
    }
    const remaining = (links ?? []).filter((other) => other.id !== link.id)
    const index = (links ?? []).findIndex((other) => other.id === link.id)
    focusNext.current = remaining[Math.min(index, remaining.length - 1)]?.id ?? 'create'
    setLinks(remaining)
    announce('Link revoked. Anyone who had it open has lost access.')
  }

  return (
    <section class="share-section" aria-labelledby="share-view-heading">
      <h3 id="share-view-heading">View links</h3>
      <p data-testid="share-view-allows">
        Anyone with a view link can read the document and see it change, but not change it. The link does not contain
        the document’s address. Revoke a link to close it at once, also for people who have it open.
      </p>
      {links !== null && links.length === 0 && (
        <p class="muted" data-testid="view-links-empty">
          No view links yet.
        </p>
      )}
      <ul class="share-links" ref={list} data-testid="view-links" aria-label="View links">
        {(links ?? []).map((link, index) => (
          <li key={link.id} data-share-id={link.id} data-testid="view-link">
            <LinkField
              id={`view-link-${index}`}
              label={`View link made ${createdOn(link)}`}
              value={onThisOrigin(link.url)}
              testId="view-link-url"
              copyTestId="view-link-copy"
            />
            <button
              type="button"
              class="button button-danger-text"
              data-testid="view-link-revoke"
              aria-label={`Revoke view link made ${createdOn(link)}`}
              onClick={() => void revoke(link)}
            >
              Revoke
            </button>
          </li>
        ))}
      </ul>
      <button
        ref={create}
        type="button"
        class="button"
        data-testid="view-link-create"
        disabled={busy || links === null}
        onClick={() => void add()}
      >
        Create view link
      </button>
      <p class="muted share-note" data-testid="view-links-note" aria-live="polite">
        {note}
      </p>
    </section>
  )
}

export function ShareDialogBody(props: ShareDialogOptions) {
  const { canEdit, openServer } = props
  return (
    <div class="share-body">
      {openServer && (
        <p class="share-warning" data-testid="share-open-server">
          This server is open: anyone who can reach it can open the list of documents, and so read and edit every
          document on it. View links keep this document’s address from people who only have the link.
        </p>
      )}
      {(canEdit || !openServer) && <SignedLink {...props} />}
      {/* On an open server a read-only page (an old `?role=view` address) may manage them too: the server allows it. */}
      {(canEdit || openServer) && <ViewLinks {...props} />}
    </div>
  )
}

export function openShareDialog(options: ShareDialogOptions): void {
  const body = document.createElement('div')
  render(<ShareDialogBody {...options} />, body)
  const { dialog, closed } = showDialog('Share this document', [body], 'share-dialog')
  dialog.classList.add('dialog-wide')
  void closed.then(() => render(null, body))
}
