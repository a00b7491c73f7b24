/**
 * The editor page's layout: header, toolbar, banners, the sheet (title and editor) and the
 * status bar. The editor and its toolbar are Tiptap's own DOM: this view gives them elements
 * and never renders children into them.
 */
import type { RefObject } from 'preact'
import { useLayoutEffect, useRef } from 'preact/hooks'
import { TitleField, type TitleEditor } from '../../ui/title'
import { type Banner, Banners } from './endings'
import { DocumentHeader, type DocumentHeaderProps } from './header'

export interface DocumentViewProps extends DocumentHeaderProps {
  docId: string
  title: TitleEditor
  /** Shown in the editor's place until it opens. */
  loading: string | null
  toolbar: HTMLElement | null
  banner: Banner | null
  counts: string
  editorHost: RefObject<HTMLDivElement | null>
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
    <div class="doc-page" data-doc-id={props.docId}>
      <a class="skip-link" href="#main">
        Skip to document
      </a>
      <DocumentHeader {...props} />
      <ToolbarSlot toolbar={props.toolbar} />
      <Banners banner={props.banner} />
      <main class="doc-main" id="main">
        <article class="sheet">
          <TitleField editor={props.title} />
          <div ref={props.editorHost} class="editor-host">
            {props.loading !== null && (
              <p class="loading" data-testid="doc-loading">
                {props.loading}
              </p>
            )}
          </div>
        </article>
      </main>
      <footer class="statusbar">
        <span data-testid="word-count" aria-live="off">
          {props.counts}
        </span>
      </footer>
    </div>
  )
}
