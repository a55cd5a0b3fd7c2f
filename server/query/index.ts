/**
 * The Sagasu query language: text ⇄ typed AST. No Node dependencies, so the browser search bar can
 * import it for highlighting and error hints.
 *
 * @example
 * import { parseQuery, printQuery } from '~~/server/query'
 * const parsed = parseQuery('tags.long_hair, width;>=1920')
 * if (parsed.ok) printQuery(parsed.value) // 'tags.long_hair, width;>=1920'
 * else console.log(parsed.error.position, parsed.error.message, parsed.error.hint)
 */
export { parseQuery, QUERY_LIMITS, type ParseOptions } from './parser'
export { parseSort } from './sort'
export { printQuery, printSort, printString, printTerms } from './printer'
export type * from './ast'
export { canonicalField, EXISTS_ONLY, FIELD_ALIASES, FIELDS, isField, knownFieldList, TEXT_PREFIXES, type FieldInfo, type FieldName, type FieldType } from './fields'
