/**
 * The editor's Download menu: the document as Markdown, HTML or Word, saved under its title
 * (the server names the file, `Content-Disposition`), and Print, which prints only the title and
 * the text (the print stylesheet in styles.css hides the app around them).
 */
import { EXPORT_EXTENSIONS, type ExportFormat } from '../../protocol/api'
import { ApiError, type ApiClient } from '../api'
import { MenuButton } from './menuButton'

/** The file name a `Content-Disposition` header gives: `filename*` (UTF-8) first, else `filename`. */
export function filenameFromDisposition(header: string | null): string | null {
  if (header === null) return null
  const extended = /filename\*\s*=\s*UTF-8''([^;\s]+)/i.exec(header)?.[1]
  if (extended !== undefined) {
    try {
      return decodeURIComponent(extended)
    } catch {
      // Malformed: fall back to the plain name.
    }
  }
  return /filename\s*=\s*"([^"]*)"/i.exec(header)?.[1] ?? null
}

/**
 * Fetches the document in `format` as a download and hands it to the browser to save (with the
 * token the page has, which a plain link could not send). Returns the file's name.
 *
 * @throws {ApiError}
 */
export async function downloadDocument(api: ApiClient, docId: string, format: ExportFormat): Promise<string> {
  let response: Response
  try {
    response = await api.api.docs[':id'].content.$get({ param: { id: docId }, query: { format, download: '1' } })
  } catch (error) {
    throw new ApiError(0, 'unreachable', error instanceof Error ? error.message : 'network error')
  }
  if (!response.ok) {
    let message = response.statusText
    let code = `http_${response.status}`
    try {
      const body = (await response.json()) as { error?: { code?: string; message?: string } }
      message = body.error?.message ?? message
      code = body.error?.code ?? code
    } catch {
      // Not our error shape.
    }
    throw new ApiError(response.status, code, message)
  }
  const name =
    filenameFromDisposition(response.headers.get('content-disposition')) ?? `document.${EXPORT_EXTENSIONS[format]}`
  const url = URL.createObjectURL(await response.blob())
  const link = document.createElement('a')
  link.href = url
  link.download = name
  link.hidden = true
  document.body.append(link)
  link.click()
  link.remove()
  // The browser has started saving by now; the URL is released once it surely has.
  setTimeout(() => URL.revokeObjectURL(url), 60_000)
  return name
}

export interface DownloadMenuProps {
  onDownload(format: ExportFormat): void
  onPrint(): void
}

export function DownloadMenu(props: DownloadMenuProps) {
  return (
    <MenuButton
      label="Download"
      testId="download"
      items={[
        { label: 'Markdown (.md)', onSelect: () => props.onDownload('markdown'), testId: 'download-markdown' },
        { label: 'HTML (.html)', onSelect: () => props.onDownload('html'), testId: 'download-html' },
        { label: 'Word (.docx)', onSelect: () => props.onDownload('docx'), testId: 'download-docx' },
        { label: 'Print…', onSelect: props.onPrint, testId: 'print' },
      ]}
    />
  )
}
