/**
 * The keyboard shortcuts dialog (Ctrl+/, or the header's "Keyboard shortcuts" button): the
 * list in `shortcuts.ts`, section by section, as tables a screen reader can walk. A native
 * modal `<dialog>` (ui/dialog.ts): focus is trapped, Escape closes it, focus goes back.
 */
import { Fragment, render } from 'preact'
import { showDialog } from './dialog'
import { SHORTCUTS, SHORTCUT_GROUPS, type Shortcut, isApple, keyNames } from './shortcuts'

function Keys(props: { shortcut: Shortcut; apple: boolean }) {
  const { shortcut, apple } = props
  if (shortcut.typed !== undefined) return <code class="typed">{shortcut.typed}</code>
  return (
    <>
      {(shortcut.keys ?? []).map((keys, index) => (
        <Fragment key={keys}>
          {index > 0 && ' or '}
          <kbd class="combo">
            {keyNames(keys, apple).map((name, i) => (
              <Fragment key={name}>
                {i > 0 && !apple && '+'}
                <kbd>{name}</kbd>
              </Fragment>
            ))}
          </kbd>
        </Fragment>
      ))}
    </>
  )
}

export function ShortcutList(props: { apple: boolean }) {
  return (
    <div class="shortcut-list">
      {SHORTCUT_GROUPS.map((group) => (
        <table key={group.title} class="shortcut-table">
          <caption>{group.title}</caption>
          <tbody>
            {group.ids.map((id) => (
              <tr key={id} data-shortcut={id}>
                <th scope="row">{SHORTCUTS[id].label}</th>
                <td>
                  <Keys shortcut={SHORTCUTS[id]} apple={props.apple} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ))}
    </div>
  )
}

let open: HTMLDialogElement | null = null

/** Opens the dialog, or closes it when it is open (the shortcut toggles). */
export function toggleShortcutsDialog(): void {
  if (open !== null) {
    open.close()
    return
  }
  const body = document.createElement('div')
  render(<ShortcutList apple={isApple()} />, body)
  const { dialog, closed } = showDialog('Keyboard shortcuts', [body], 'shortcuts-dialog')
  dialog.classList.add('dialog-wide')
  // The dialog starts at its top: focus on its heading, not on "Done" at the far end of a list
  // that scrolls (arrow keys and Page Down then scroll it).
  const heading = dialog.querySelector('h2')
  heading?.setAttribute('tabindex', '-1')
  heading?.focus()
  open = dialog
  void closed.then(() => {
    open = null
    render(null, body)
  })
}
