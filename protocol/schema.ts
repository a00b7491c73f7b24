/**
 * The Tiptap extensions that define what a document may contain. The browser editor and the
 * server both build their schema from this list, so that content the server writes (initial
 * content, exports) and what the schema firewall accepts are exactly what the editor shows.
 */
import { type Extensions, getSchema } from '@tiptap/core'
import Image from '@tiptap/extension-image'
import { Link } from '@tiptap/extension-link'
import StarterKit from '@tiptap/starter-kit'
import type { Schema } from '@tiptap/pm/model'
import { LINK_REL, LINK_TARGET, isAllowedHref } from './linkPolicy'

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

/** Undo is left to the collaboration layer (per-user Yjs undo), so StarterKit's is disabled. */
export function contentExtensions(): Extensions {
  return [
    StarterKit.configure({ undoRedo: false, link: false }),
    PolicyLink,
    Image.configure({ inline: false, allowBase64: false }),
  ]
}

let schema: Schema | null = null

export function contentSchema(): Schema {
  schema ??= getSchema(contentExtensions())
  return schema
}
