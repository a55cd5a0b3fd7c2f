/**
 * PxIMSE collects the tags1 clauses of a query by their prefix: every `tags1:x` into one `$all`,
 * every `|tags1:x` into one `$in`, every `!tags1:x` into one `$nin` (python/utils.py `build_query`,
 * Usu171/PxIMSE 008a0aad). So `|tags1:オリジナル, |tags1:original` means either of them. The
 * parser keeps that meaning by merging the sibling clauses of one mode in an AND list into one node.
 */
import type { ParseResult, QueryNode, Tags1Node } from './ast'
import { failure } from './diagnostics'
import { QUERY_LIMITS } from './parser'

/**
 * The clauses of one AND list with the tags1 clauses of each mode merged into the first of them.
 *
 * @example
 * mergeTags1([any('a'), tag, any('b')]) // [any('a', 'b'), tag]
 */
export function mergeTags1(children: readonly QueryNode[]): ParseResult<QueryNode[]> {
  const firstOfMode = new Map<Tags1Node['mode'], number>()
  const out: QueryNode[] = []
  for (const child of children) {
    if (child.type !== 'tags1') {
      out.push(child)
      continue
    }
    const at = firstOfMode.get(child.mode)
    if (at === undefined) {
      firstOfMode.set(child.mode, out.length)
      out.push(child)
      continue
    }
    const first = out[at] as Tags1Node
    if (first.values.length + child.values.length > QUERY_LIMITS.maxTags1Values) {
      return failure(`more than ${QUERY_LIMITS.maxTags1Values} tags1 values`, child.span.start, 'search for fewer tags1 values, or in two steps')
    }
    out[at] = { ...first, values: [...first.values, ...child.values], span: { start: first.span.start, end: child.span.end } }
  }
  return { ok: true, value: out }
}
