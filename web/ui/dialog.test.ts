// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest'
import { confirmDialog, showDialog } from './dialog'

describe('dialogs on native <dialog>', () => {
  afterEach(() => document.body.replaceChildren())

  const dialog = () => document.querySelector('dialog')

  it('confirmDialog is modal, named by its title, starts on Cancel and resolves with the choice', async () => {
    const answer = confirmDialog({
      title: 'Delete “Plan”?',
      message: 'Gone for good.',
      confirmLabel: 'Delete',
      danger: true,
      testId: 'delete-confirm',
    })
    const element = dialog()!
    expect(element.open).toBe(true)
    expect(document.getElementById(element.getAttribute('aria-labelledby')!)?.textContent).toBe('Delete “Plan”?')
    expect(document.activeElement?.getAttribute('data-testid')).toBe('confirm-cancel')
    document.querySelector<HTMLButtonElement>('[data-testid="confirm-cancel"]')!.click()
    expect(await answer).toBe(false)
    expect(dialog()).toBeNull()
  })

  it('confirmDialog resolves true when confirmed', async () => {
    const answer = confirmDialog({ title: 'Restore?', message: '', confirmLabel: 'Restore' })
    dialog()!.close('confirm')
    expect(await answer).toBe(true)
  })

  it('showDialog closes with Done and is removed', async () => {
    const { closed } = showDialog('Share this document', [], 'share-dialog')
    expect(dialog()?.getAttribute('data-testid')).toBe('share-dialog')
    document.querySelector<HTMLButtonElement>('[data-testid="share-dialog-close"]')!.click()
    await closed
    expect(dialog()).toBeNull()
  })
})
