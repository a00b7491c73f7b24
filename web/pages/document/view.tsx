/**
 * The editor page's layout: header, toolbar, banners, the sheet (title and editor) and the
 * status bar. The editor and its toolbar are Tiptap's own DOM: this view gives them elements
 * and never renders children into them. Everything is inside a landmark (banner, main,
 * contentinfo); the toolbar belongs to the main content it formats. "Skip to document" is the
 * first thing Tab reaches and puts focus into the text.
 */
import type { ComponentChildren, RefObject } from 'preact'
import { useLayoutEffect, useRef } from 'preact/hooks'
import { TitleField, type TitleEditor } from '../../ui/title'
import { type Banner, Banners } from './endings'
import { DocumentHeader, type DocumentHeaderProps } from './header'

export interface DocumentViewProps extends DocumentHeaderProps {
  /** Null on a share link's page, whose DOM must not name the document. */
  docId: string | null
  title: TitleEditor
  /** Shown in the editor's place until it opens. */
  loading: string | null
  toolbar: HTMLElement | null
  banner: Banner | null
  counts: string
  editorHost: RefObject<HTMLDivElement | null>
  /** The sheet, focused by "Skip to document" when the text cannot be edited. */
  sheet: RefObject<HTMLElement | null>
  onSkipToDocument(): void
  /** A side panel beside the sheet (History), or nothing. */
  panel?: ComponentChildren
}

/** A container for an element made elsewhere (the toolbar). */
function ToolbarSlot(props: { toolbar: HTMLElement | null }) {
  const slot = useRef<HTMLDivElement>(null)
  useLayoutEffect(() => {
    slot.current?.replaceChildren(...(props.toolbar === null ? [] : [props.toolbar]))
  }, [props.toolbar])
  return <div ref={slot} class="toolbar-wrap" hidden={props.toolbar === null} />
}

export function DocumentView(props: DocumentViewProps) {
  return (
    <div class="doc-page" data-doc-id={props.docId ?? undefined}>
      {/* biome-ignore lint/a11y/useValidAnchor: a real in-page link (#main without script); the click
          handler focuses the text instead, and keeps the fragment out of the address, whose change
          would make the router render the page anew */}
      <a
        class="skip-link"
        href="#main"
        data-testid="skip-link"
        onClick={(event) => {
          event.preventDefault()
          props.onSkipToDocument()
        }}
      >
        Skip to document
      </a>
      <DocumentHeader {...props} />
      <main class="doc-main" id="main">
        <ToolbarSlot toolbar={props.toolbar} />
        <Banners banner={props.banner} />
        <div class={props.panel === undefined || props.panel === null ? 'doc-body' : 'doc-body doc-body-with-panel'}>
          <article class="sheet" ref={props.sheet} tabIndex={-1} aria-label="Document">
            {/* The page's level-one heading for screen readers' heading navigation (the field below
                is a form control, and the text may have no heading of its own). */}
            <h1 class="visually-hidden" data-testid="doc-heading">
              {props.state.title ?? 'Untitled'}
            </h1>
            <TitleField editor={props.title} />
            <div ref={props.editorHost} class="editor-host">
              {props.loading !== null && (
                <p class="loading" data-testid="doc-loading">
                  {props.loading}
                </p>
              )}
            </div>
          </article>
          {props.panel}
        </div>
      </main>
      <footer class="statusbar">
        <span data-testid="word-count" aria-live="off">
          {props.counts}
        </span>
      </footer>
    </div>
  )
}
