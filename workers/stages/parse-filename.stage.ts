import type { SourceFields } from '../../shared/types/image'
import { BUILTIN_LAYOUTS } from './filenames/builtin-layouts'
import { contextSegments, nameContext, percentDecoded, type NameContext } from './filenames/name-parts'
import { compileTemplate, type CompiledTemplate, type FilenameTemplate } from '../../config/filename-template'
import { matchTemplate } from './filenames/template-fields'

export interface ParseSourceOptions {
  /** The configured folder's own path: its last names count as folders above the file. */
  rootPath?: string
  /** The user's templates (`filenames` in the config), tried in order before the built-in layouts. */
  templates?: readonly FilenameTemplate[]
}

/**
 * Source data from a file's path relative to its folder root: the user's templates first, then the
 * default layouts of pixiv and the downloaders (workers/stages/filenames/builtin-layouts.ts). A
 * URL-encoded name is read decoded. Never throws: an unknown name is `other`.
 *
 * @example
 * parseFilename('12345_98765432_p2.png') // { type: 'pixiv', userid: '12345', illustid: '98765432', page: 2 }
 * parseFilename('pixiv/みく-123/98765432_p0-夏.png') // { type: 'pixiv', illustid: '98765432', page: 0, userid: '123', username: 'みく' }
 */
export function parseFilename(relPath: string, options: ParseSourceOptions = {}): SourceFields {
  const templates = compiledTemplates(options.templates ?? [])
  const context = nameContext(relPath, options.rootPath)
  const found = parseContext(context, templates)
  if (found) return found
  const decoded = percentDecoded(context.stem)
  return (decoded === undefined ? undefined : parseContext({ ...context, stem: decoded }, templates)) ?? { type: 'other' }
}

function parseContext(context: NameContext, templates: readonly CompiledTemplate[]): SourceFields | undefined {
  if (templates.length) {
    const segments = contextSegments(context)
    for (const template of templates) {
      if (template.segments > segments.length) continue
      const found = matchTemplate(template, segments.slice(-template.segments).join('/'))
      if (found) return found
    }
  }
  for (const layout of BUILTIN_LAYOUTS) {
    const found = layout.parse(context)
    if (found) return found
  }
  return undefined
}

let cache: { key: string; compiled: CompiledTemplate[] } | undefined

/** Compiled once per list (the config's list is validated, so this does not throw for it). */
function compiledTemplates(templates: readonly FilenameTemplate[]): CompiledTemplate[] {
  if (!templates.length) return []
  const key = JSON.stringify(templates)
  if (cache?.key !== key) cache = { key, compiled: templates.map(compileTemplate) }
  return cache.compiled
}
