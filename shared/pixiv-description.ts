/** A piece of a pixiv caption, ready to render as text (never as HTML). */
export type DescriptionPart =
  | { kind: 'text'; text: string }
  | { kind: 'break' }
  | { kind: 'link'; text: string; href: string }

const PIXIV = 'https://www.pixiv.net'

/**
 * A pixiv caption (HTML as pixiv sends it) as text, line breaks and links. Only `<br>` and
 * `<a href>` mean anything; every other tag is dropped with its text kept, entities are decoded,
 * and a link survives only when it leads to an http(s) URL (pixiv's `/jump.php?<url>` unwrapped,
 * pixiv-relative paths made absolute). Rendered with text interpolation and `:href`, nothing in a
 * caption can run a script.
 *
 * @example
 * describePixivHtml('雨<br /><a href="/jump.php?https%3A%2F%2Fexample.com">example.com</a>')
 * // [{ kind: 'text', text: '雨' }, { kind: 'break' }, { kind: 'link', text: 'example.com', href: 'https://example.com/' }]
 */
export function describePixivHtml(html: string): DescriptionPart[] {
  const parts: DescriptionPart[] = []
  const pushText = (raw: string) => {
    const text = decodeEntities(raw.replace(/<[^>]*>?/g, ''))
    if (!text) return
    const last = parts.at(-1)
    if (last?.kind === 'text') last.text += text
    else parts.push({ kind: 'text', text })
  }
  const token = /<br\s*\/?>|<a\b([^>]*)>([\s\S]*?)<\/a\s*>/gi
  let at = 0
  for (let match = token.exec(html); match; match = token.exec(html)) {
    pushText(html.slice(at, match.index))
    at = token.lastIndex
    if (match[1] === undefined) {
      parts.push({ kind: 'break' })
      continue
    }
    const text = decodeEntities(match[2]!.replace(/<[^>]*>?/g, ''))
    const href = safeHref(attribute(match[1], 'href'))
    if (href && text) parts.push({ kind: 'link', text, href })
    else pushText(text)
  }
  pushText(html.slice(at))
  return parts
}

function attribute(attributes: string, name: string): string | undefined {
  const match = new RegExp(`\\b${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)'|([^\\s>]+))`, 'i').exec(attributes)
  return match ? decodeEntities(match[1] ?? match[2] ?? match[3] ?? '') : undefined
}

/** An http(s) URL for a caption link, or undefined (javascript:, data:, anything unreadable). */
function safeHref(raw: string | undefined): string | undefined {
  if (!raw) return undefined
  let target = raw.trim()
  // pixiv sends outside links through its redirector: /jump.php?https%3A%2F%2F…
  const jump = /^(?:https?:\/\/www\.pixiv\.net)?\/jump\.php\?(.+)$/i.exec(target)
  if (jump) {
    try {
      target = decodeURIComponent(jump[1]!)
    } catch {
      return undefined
    }
  } else if (target.startsWith('/') && !target.startsWith('//')) {
    target = `${PIXIV}${target}`
  }
  try {
    const url = new URL(target)
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : undefined
  } catch {
    return undefined
  }
}

const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' }

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]{1,6}|#\d{1,7}|[a-z]+\d*);/gi, (entity, name: string) => {
    if (name[0] === '#') {
      const code = name[1] === 'x' || name[1] === 'X' ? Number.parseInt(name.slice(2), 16) : Number(name.slice(1))
      return code > 0 && code <= 0x10ffff && !(code >= 0xd800 && code <= 0xdfff) ? String.fromCodePoint(code) : entity
    }
    return NAMED[name.toLowerCase()] ?? entity
  })
}
