// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { closePopover, showPopover } from './popover'

describe('showPopover', () => {
  let wrap: HTMLElement
  let anchor: HTMLButtonElement
  let other: HTMLButtonElement
  let returned: number

  beforeEach(() => {
    wrap = document.createElement('div')
    wrap.className = 'toolbar-wrap'
    anchor = document.createElement('button')
    other = document.createElement('button')
    wrap.append(anchor, other)
    document.body.append(wrap)
    returned = 0
  })

  afterEach(() => {
    closePopover()
    document.body.replaceChildren()
  })

  function popover(): { form: HTMLFormElement; input: HTMLInputElement; close: (refocus: boolean) => void } {
    const form = document.createElement('form')
    const input = document.createElement('input')
    input.value = 'text'
    form.append(input)
    const close = showPopover(form, { anchor, input, returnFocus: () => returned++ })
    return { form, input, close }
  }

  const pointerDown = (target: Element): void => {
    target.dispatchEvent(new PointerEvent('pointerdown', { bubbles: true }))
  }

  it('opens in the toolbar wrapper with its input focused', () => {
    const { form, input } = popover()
    expect(form.parentElement).toBe(wrap)
    expect(document.activeElement).toBe(input)
  })

  it('closes on Escape and gives focus back', () => {
    const { form, input } = popover()
    const key = new KeyboardEvent('keydown', { key: 'Escape', bubbles: true, cancelable: true })
    input.dispatchEvent(key)
    expect(form.isConnected).toBe(false)
    expect(key.defaultPrevented).toBe(true)
    expect(returned).toBe(1)
  })

  it('closes on a click outside, not on a click inside or on its own button', () => {
    const { form, input } = popover()
    pointerDown(input)
    pointerDown(anchor)
    expect(form.isConnected).toBe(true)
    pointerDown(other)
    expect(form.isConnected).toBe(false)
    expect(returned).toBe(0)
  })

  it('is closed by its close function, refocusing only when asked', () => {
    const first = popover()
    first.close(false)
    expect(first.form.isConnected).toBe(false)
    expect(returned).toBe(0)
    const second = popover()
    second.close(true)
    expect(returned).toBe(1)
    // Closed popovers leave no listener behind: a later click outside does nothing more.
    pointerDown(other)
    expect(returned).toBe(1)
  })

  it('shows one at a time: opening another closes the first, without moving focus back', () => {
    const first = popover()
    const second = popover()
    expect(first.form.isConnected).toBe(false)
    expect(second.form.isConnected).toBe(true)
    expect(returned).toBe(0)
    closePopover()
    expect(second.form.isConnected).toBe(false)
  })
})
