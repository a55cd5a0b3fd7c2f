/** The extensions Sagasu indexes, as the scan, the watcher and the file routes judge a name. */
export const IMAGE_EXTENSIONS = new Set(['png', 'jpg', 'jpeg', 'gif', 'webp', 'avif', 'bmp'])

/** Lower-case extension without the dot, or '' when there is none. */
export function extensionOf(filename: string): string {
  const dot = filename.lastIndexOf('.')
  return dot > 0 ? filename.slice(dot + 1).toLowerCase() : ''
}

export function isImageFilename(filename: string): boolean {
  return IMAGE_EXTENSIONS.has(extensionOf(filename))
}
