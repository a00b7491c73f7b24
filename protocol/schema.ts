/**
 * The Tiptap extensions that define what a document may contain. The browser editor and the
 * server both build their schema from this list, so that content the server writes (initial
 * content, exports) and what the schema firewall accepts are exactly what the editor shows.
 */
import { type Attributes, type Extensions, getSchema } from '@tiptap/core'
import { Highlight } from '@tiptap/extension-highlight'
import { Image } from '@tiptap/extension-image'
import { Link } from '@tiptap/extension-link'
import { TaskItem, TaskList } from '@tiptap/extension-list'
import { Table, TableCell, TableHeader, TableRow } from '@tiptap/extension-table'
import StarterKit from '@tiptap/starter-kit'
import type { Schema } from '@tiptap/pm/model'
import {
  LINK_REL,
  LINK_TARGET,
  MAX_COLUMN_WIDTH,
  MAX_IMAGE_TEXT_LENGTH,
  MAX_TABLE_SPAN,
  isAllowedHref,
  isAllowedImageSrc,
} from './linkPolicy'

/**
 * Links under the one link policy (`linkPolicy.ts`), so that the editor never writes a link the
 * schema firewall refuses: hrefs are judged by the policy wherever a link is made (pasted HTML,
 * `setLink`, autolink, pasted URLs), and pasted `target`, `rel` and `class` are replaced by the
 * policy's instead of being copied from the source.
 */
const PolicyLink = Link.extend({
  addOptions() {
    const parent = this.parent?.() as NonNullable<ReturnType<NonNullable<typeof this.parent>>>
    return {
      ...parent,
      openOnClick: false,
      protocols: [],
      HTMLAttributes: { target: LINK_TARGET, rel: LINK_REL, class: null },
      isAllowedUri: (url: string) => isAllowedHref(url),
      // Autolink and pasted URLs: the typed text, and the href linkify makes of it (it adds http://).
      shouldAutoLink: (url: string) => parent.shouldAutoLink(url) && isAllowedHref(url),
    }
  },
  addAttributes() {
    return {
      ...this.parent?.(),
      target: { default: LINK_TARGET, parseHTML: () => LINK_TARGET },
      rel: { default: LINK_REL, parseHTML: () => LINK_REL },
      class: { default: null, parseHTML: () => null },
    }
  },
})

/** Alt text or a title as the firewall accepts it: at most MAX_IMAGE_TEXT_LENGTH characters. */
const imageText = (value: string | null): string | null =>
  value === null ? null : value.slice(0, MAX_IMAGE_TEXT_LENGTH)

/**
 * Images under the image policy (`isAllowedImageSrc`): only `/api/files/…` and http(s) sources.
 * A pasted `<img>` with any other source is not an image here (`parseHTML` does not match it), an
 * image is never rendered with one (`renderHTML`), and `setImage` refuses one, so the editor
 * never writes what the firewall refuses. Block images with `src`, `alt` and `title` only (no
 * width or height: nothing resizes them, and fewer attributes are fewer to check).
 */
const PolicyImage = Image.extend({
  addAttributes() {
    return {
      src: {
        default: null,
        parseHTML: (element) => {
          const src = element.getAttribute('src')
          return isAllowedImageSrc(src) ? src : null
        },
        renderHTML: (attributes) => (isAllowedImageSrc(attributes.src) ? { src: attributes.src } : {}),
      },
      alt: { default: null, parseHTML: (element) => imageText(element.getAttribute('alt')) },
      title: { default: null, parseHTML: (element) => imageText(element.getAttribute('title')) },
    }
  },
  parseHTML() {
    return [{ tag: 'img[src]', getAttrs: (element) => (isAllowedImageSrc(element.getAttribute('src')) ? null : false) }]
  },
  addCommands() {
    const parent = this.parent?.()
    return {
      ...parent,
      setImage:
        (options) =>
        ({ commands }) =>
          isAllowedImageSrc(options.src) && commands.insertContent({ type: this.name, attrs: options }),
    }
  },
})

/** A span as the firewall accepts it: an integer from 1 to MAX_TABLE_SPAN, else 1. */
function parseSpan(value: string | null): number {
  const span = Number(value)
  return Number.isInteger(span) && span >= 1 && span <= MAX_TABLE_SPAN ? span : 1
}

/**
 * What pasted HTML may set on a cell, read so that the firewall accepts it (anything it would
 * refuse would end the session that pasted it): spans as integers in range, column widths only
 * from our own `colwidth` attribute (nothing resizes columns here, so a pasted page's `<col>`
 * widths are not kept), and alignment as the HTML `align` attribute rather than an inline
 * `text-align` style, which the app's Content-Security-Policy refuses (browsers align cells by
 * `align` alike; both are read back).
 */
const cellAttributes: Attributes = {
  colspan: { default: 1, parseHTML: (element) => parseSpan(element.getAttribute('colspan')) },
  rowspan: { default: 1, parseHTML: (element) => parseSpan(element.getAttribute('rowspan')) },
  colwidth: {
    default: null,
    parseHTML: (element) => {
      const widths = (element.getAttribute('colwidth') ?? '').split(',').map(Number)
      return widths.length > 0 &&
        widths.length <= MAX_TABLE_SPAN &&
        widths.every((w: number) => Number.isInteger(w) && w > 0 && w <= MAX_COLUMN_WIDTH)
        ? widths
        : null
    },
    renderHTML: (attributes) => (Array.isArray(attributes.colwidth) ? { colwidth: attributes.colwidth.join(',') } : {}),
  },
  align: {
    default: null,
    parseHTML: (element) => {
      const value = (element.style.textAlign || element.getAttribute('align') || '').trim().toLowerCase()
      return value === 'left' || value === 'center' || value === 'right' ? value : null
    },
    renderHTML: (attributes) => (typeof attributes.align === 'string' ? { align: attributes.align } : {}),
  },
}
const PolicyTableCell = TableCell.extend({
  addAttributes() {
    return cellAttributes
  },
})
const PolicyTableHeader = TableHeader.extend({
  addAttributes() {
    return cellAttributes
  },
})

/** Undo is left to the collaboration layer (per-user Yjs undo), so StarterKit's is disabled. */
export function contentExtensions(): Extensions {
  return [
    StarterKit.configure({ undoRedo: false, link: false }),
    PolicyLink,
    // Column resizing is optional in issue 13 and off: it would write widths on every drag.
    Table.configure({ resizable: false }),
    TableRow,
    PolicyTableHeader,
    PolicyTableCell,
    TaskList,
    TaskItem.configure({ nested: true }),
    PolicyImage.configure({ inline: false, allowBase64: false, resize: false }),
    Highlight,
  ]
}

let schema: Schema | null = null

export function contentSchema(): Schema {
  schema ??= getSchema(contentExtensions())
  return schema
}
