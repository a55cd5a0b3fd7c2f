import type { SourceFields, SourceType } from '../../../shared/types/image'
import type { CompiledTemplate, Role } from '../../../config/filename-template'
import { parseCompactDate, splitTags, trimZeros, tweetDate, TWITTER_HANDLE } from './source-values'

/**
 * The fields a compiled template reads from a path's last segments, or undefined when it does not
 * match (or matches with a user id that cannot be one: a pixiv user id is digits, a Twitter handle
 * letters, digits and `_`).
 */
export function matchTemplate(template: CompiledTemplate, tail: string): SourceFields | undefined {
  const found = template.regex.exec(tail)
  return found ? fieldsOf(template.type, template.roles, found.slice(1)) : undefined
}

function fieldsOf(type: SourceType, roles: Role[], values: string[]): SourceFields | undefined {
  const fields: SourceFields = { type }
  const idKey = type === 'pixiv' ? 'illustid' : type === 'twitter' ? 'tweetid' : type === 'other' ? undefined : 'postid'
  // A name repeated in a template must say the same thing each time.
  const seen = new Map<Role, string>()
  for (const [at, role] of roles.entries()) {
    const value = values[at] ?? ''
    if (role !== 'text' && role !== 'word') {
      const before = seen.get(role)
      if (before !== undefined && before !== value) return undefined
      seen.set(role, value)
    }
    switch (role) {
      case 'id':
      case 'idWithPage': {
        const [id, page] = value.split('_p')
        if (idKey) fields[idKey] = trimZeros(id!)
        if (page !== undefined) fields.page = Number(page)
        break
      }
      case 'page0': fields.page = Number(value); break
      case 'page1': if (Number(value) >= 1) fields.page = Number(value) - 1; break
      case 'userid': {
        const id = value.trim()
        if (type === 'pixiv' && !/^\d{1,12}$/.test(id)) return undefined
        if (type === 'twitter' && !TWITTER_HANDLE.test(id.replace(/^@/, ''))) return undefined
        if (id) fields.userid = type === 'pixiv' ? trimZeros(id) : id.replace(/^@/, '')
        break
      }
      case 'username': if (value.trim()) fields.username = value.trim(); break
      case 'tags': {
        const tags = splitTags(value)
        if (tags.length) fields.tags1 = tags
        break
      }
      case 'md5': fields.md5 = value.toLowerCase(); break
      case 'date': {
        const date = readDate(value)
        if (date !== undefined) fields.date = date
        break
      }
      default: break
    }
  }
  if (type === 'twitter' && fields.tweetid && fields.date === undefined) {
    const date = tweetDate(fields.tweetid)
    if (date !== undefined) fields.date = date
  }
  return fields
}

/** A date as the tools write it (digits with any of `-_./:T ` between parts), read as UTC. */
function readDate(text: string): number | undefined {
  const digits = text.replace(/\D/g, '')
  if (digits.length !== 8 && digits.length !== 12 && digits.length !== 14) return undefined
  return parseCompactDate(digits.slice(0, 8), digits.slice(8).padEnd(6, '0'))
}
