/**
 * What a layout looks at: the file name's stem (no extension, no duplicate marker) and the folders
 * above it, nearest first. `folders` includes the last segments of the configured folder's own path,
 * so a layout that names its download folder (`pixiv/`, `pixez/`) is recognised when that folder is
 * the configured root too.
 */
export interface NameContext {
  stem: string
  folders: string[]
}

/** How many segments of the configured folder's own path count as folders above a file. */
const ROOT_SEGMENTS = 3

/**
 * The file's context from its path relative to the folder root and the root's own path.
 *
 * @example
 * nameContext('pixiv/a-1/12_p0-t.png', '/home/me/dl') // { stem: '12_p0-t', folders: ['a-1', 'pixiv', 'dl', 'me', 'home'] }
 */
export function nameContext(relPath: string, rootPath = ''): NameContext {
  // Stored paths always use `/`; a `\` is part of a name there (the root's own path may be Windows').
  const segments = relPath.split('/').filter(Boolean)
  const filename = segments.pop() ?? ''
  const root = rootPath.split(/[\\/]/).filter(Boolean).slice(-ROOT_SEGMENTS)
  return { stem: stripDuplicateMarker(stripExtension(filename)), folders: [...root, ...segments].reverse() }
}

/** Segments of the path the templates are matched against, root tail first, the stem last. */
export function contextSegments(context: NameContext): string[] {
  return [...context.folders].reverse().concat(context.stem)
}

function stripExtension(name: string): string {
  const dot = name.lastIndexOf('.')
  return dot > 0 ? name.slice(0, dot) : name
}

/** Browsers and file managers add " (1)" or "(1)" to a second download of the same name. */
function stripDuplicateMarker(stem: string): string {
  return stem.replace(/ ?\(\d{1,3}\)$/, '')
}

/**
 * The name with `%XX` escapes decoded, when it has any and they decode to valid UTF-8 (curl -O and
 * wget keep a URL's last segment as it was sent: `yande.re%20123%20tag.jpg`); undefined otherwise.
 */
export function percentDecoded(name: string): string | undefined {
  if (!/%[0-9A-Fa-f]{2}/.test(name)) return undefined
  try {
    const decoded = decodeURIComponent(name)
    return decoded.includes('/') || decoded.includes('\\') || decoded === name ? undefined : decoded
  } catch {
    return undefined
  }
}
