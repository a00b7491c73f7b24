/**
 * The accessibility audit every view passes: axe-core's WCAG 2.0/2.1/2.2 A and AA rules plus its
 * best practices, run inside the page. Call `expectAccessible(page, view)` for each view, panel,
 * menu and dialog, open in the state people see it in: it audits it at desktop and phone width,
 * each in light and dark mode (see docs/web.md, "Accessibility").
 *
 * axe comes from the `axe-core` package on disk, never the network. The app's
 * Content-Security-Policy allows no inline script, so axe is not added as a <script> element: its
 * source is evaluated through the DevTools protocol (`page.evaluate`), which the page's CSP does
 * not govern. Every test already fails on a CSP violation (fixtures.ts), and `e2e/a11y.spec.ts`
 * checks that injecting axe causes none.
 */
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { type Page, expect } from '@playwright/test'
import type { AxeResults, RunOptions } from 'axe-core'

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8')

export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] as const

interface AxeWindow {
  axe?: { run(context: unknown, options: RunOptions): Promise<AxeResults> }
}

/** axe's findings in `page` as it is now, one line per element: rule, impact, target, summary. */
export async function axeViolations(page: Page, options: { exclude?: string[] } = {}): Promise<string[]> {
  // Once per document: a reload or a new page drops it, in-app navigation keeps it.
  if (!(await page.evaluate(() => typeof (window as AxeWindow).axe === 'object'))) await page.evaluate(axeSource)
  const results = await page.evaluate(
    async ({ tags, exclude }) => {
      const axe = (window as AxeWindow).axe
      if (axe === undefined) throw new Error('axe-core did not load')
      const context = exclude.length === 0 ? document : { include: [document], exclude: exclude.map((s) => [s]) }
      const found = await axe.run(context, {
        runOnly: { type: 'tag', values: [...tags] },
        resultTypes: ['violations'],
      })
      return found.violations.map((violation) => ({
        id: violation.id,
        impact: violation.impact ?? 'unknown',
        help: violation.help,
        nodes: violation.nodes.map((node) => ({
          target: node.target.join(' '),
          summary: (node.failureSummary ?? '').replace(/\s+/g, ' ').trim(),
        })),
      }))
    },
    { tags: AXE_TAGS, exclude: options.exclude ?? [] },
  )
  return results.flatMap((violation) =>
    violation.nodes.map(
      (node) => `${violation.id} (${violation.impact}) at ${node.target}: ${violation.help}. ${node.summary}`,
    ),
  )
}

/**
 * Fails the test with every violation axe finds in `page` now; `label` names the view and scheme.
 * A soft assertion: the test goes on to its other views, and reports them all at its end.
 */
export async function expectNoViolations(page: Page, label: string, options: { exclude?: string[] } = {}) {
  const violations = await axeViolations(page, options)
  expect.soft(violations, `axe-core: accessibility violations in ${label}`).toEqual([])
}

export const AUDIT_SIZES = [
  { width: 1280, height: 800 },
  { width: 390, height: 844 },
] as const

/**
 * `expectNoViolations` at desktop and phone width, each in light and dark mode; leaves the page
 * at desktop width and light. The page is resized and re-themed in place: much cheaper than a
 * browser context per combination.
 */
export async function expectAccessible(page: Page, view: string): Promise<void> {
  for (const size of AUDIT_SIZES) {
    await page.setViewportSize(size)
    for (const colorScheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme })
      await expectNoViolations(page, `${view} (${colorScheme}, ${size.width} px)`)
    }
  }
  await page.setViewportSize(AUDIT_SIZES[0])
  await page.emulateMedia({ colorScheme: 'light' })
}

/**
 * What has keyboard focus now, and whether it shows: an outline (not `none`, not transparent)
 * or a focus shadow, and inside the viewport.
 */
export async function focusState(page: Page): Promise<{ element: string; shown: boolean; inViewport: boolean }> {
  return page.evaluate(() => {
    let active = document.activeElement
    while (active?.shadowRoot?.activeElement) active = active.shadowRoot.activeElement
    if (active === null || active === document.body) return { element: 'body', shown: false, inViewport: false }
    const style = getComputedStyle(active)
    const outline =
      style.outlineStyle !== 'none' &&
      Number.parseFloat(style.outlineWidth) > 0 &&
      style.outlineColor !== 'rgba(0, 0, 0, 0)'
    const box = active.getBoundingClientRect()
    const testId = active.getAttribute('data-testid')
    return {
      element: testId === null ? `${active.tagName.toLowerCase()}.${active.className}` : `[data-testid=${testId}]`,
      shown: outline || style.boxShadow !== 'none',
      inViewport: box.bottom > 0 && box.right > 0 && box.top < innerHeight && box.left < innerWidth,
    }
  })
}

/** Keyboard focus is on something, visibly, and on screen. */
export async function expectFocusVisible(page: Page, what: string): Promise<void> {
  const state = await focusState(page)
  expect(state, `focus visible on ${what}`).toMatchObject({ shown: true, inViewport: true })
}
