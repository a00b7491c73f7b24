import type { InitialContent } from '../../protocol/api'
import { contentToDoc } from '../content/convert'
import { newDocumentUpdate } from '../model/seed'

/** The first update of a document created over REST with this title and content. */
export async function createdUpdate(title: string, content: InitialContent): Promise<Uint8Array> {
  return newDocumentUpdate(title, await contentToDoc(content))
}
