import { asciiLower } from '../../../../shared/ascii-lower'
import type { Comparison, QueryNode, TextTarget } from '../../../query/ast'
import { PIXIV_WITHOUT_USER } from '../../../query/fields'
import type { SourceType } from '../../../../shared/types/image'
import { Bitset } from './bitset'
import { Postings } from './postings'
import { ScoreColumn } from './score-column'
import { TextColumn } from './text-column'

/** What the index knows of one image; read from SQL before and after every write to it. */
export interface ImageFacts {
  id: number
  type: SourceType
  textlen: number
  text: string | null
  prompt: string | null
  negative: string | null
  tagIds: number[]
  /** The score of each of `tagIds`, in the same order. */
  tagScores: number[]
  tags1: string[]
}

/** Answers the index needs from the database: tag names to ids, and a tag's scores (read once, then kept). */
export interface IndexLookups {
  tagIds(name: string, pattern: boolean): number[]
  /** Every image carrying the tag, with its score, in any order. */
  tagScores(tagId: number): { ids: ArrayLike<number>; scores: ArrayLike<number> }
}

/**
 * Score columns kept at most, counted in entries (12 bytes each): the tags searched by score most
 * recently. A column is read from SQL's (tag, score) index when first needed.
 */
const MAX_SCORE_ENTRIES = 8_000_000

const SOURCE_TYPES: SourceType[] = ['pixiv', 'twitter', 'yandere', 'danbooru', 'other']

/**
 * An in-memory copy of the parts of the index that exact counts of compound queries need: which
 * images carry each tag and each tags1 value, source type, OCR length, and the OCR and prompt texts
 * (ASCII-lower-cased, as the SQL rule compares them). `evaluate` turns a query into a bitset of
 * matching image ids, or `undefined` when the query uses something it does not hold (the store
 * then counts in SQL). It must agree with the SQL compiler exactly; the differential test checks it.
 */
export class MemoryIndex {
  private present = Bitset.empty(1)
  private idRange = 1
  private readonly tags = new Map<number, Postings>()
  private readonly tags1 = new Map<string, Postings>()
  private readonly types = Object.fromEntries(SOURCE_TYPES.map((type) => [type, Bitset.empty(1)])) as Record<SourceType, Bitset>
  /** textlen > 0 */
  private readonly withText = Bitset.empty(1)
  private textlens = new Int32Array(1024)
  private readonly texts: Record<Exclude<TextTarget, 'tags1'>, TextColumn> = { ocr: new TextColumn(), prompt: new TextColumn(), negative: new TextColumn() }
  /** Tag id → its scores, most recently used last. */
  private readonly scoreColumns = new Map<number, { column: ScoreColumn; entries: number }>()
  private scoreEntries = 0

  /** Bulk load: the ids of one tag, sorted. */
  loadTag(tagId: number, ids: Int32Array): void {
    this.tags.set(tagId, new Postings(ids, this.idRange))
  }

  loadTags1(value: string, ids: Int32Array): void {
    this.tags1.set(value, new Postings(ids, this.idRange))
  }

  /** Bulk load of the per-image columns (call before the postings, so the id range is known). */
  loadImage(id: number, type: SourceType, textlen: number): void {
    this.reserve(id)
    this.present.add(id)
    for (const other of SOURCE_TYPES) if (other !== type) this.types[other].delete(id)
    this.types[type].add(id)
    this.textlens[id] = textlen
    if (textlen > 0) this.withText.add(id)
    else this.withText.delete(id)
  }

  loadText(target: Exclude<TextTarget, 'tags1'>, id: number, text: string): void {
    this.texts[target].set(id, asciiLower(text))
  }

  /** Removes what the index holds for an image (its facts as they were before a write). */
  forget(facts: ImageFacts): void {
    const id = facts.id
    this.present.delete(id)
    for (const type of SOURCE_TYPES) this.types[type].delete(id)
    this.withText.delete(id)
    if (id < this.textlens.length) this.textlens[id] = 0
    for (const tagId of facts.tagIds) {
      this.tags.get(tagId)?.delete(id)
      this.scoreColumns.get(tagId)?.column.delete(id)
    }
    for (const value of facts.tags1) this.tags1.get(value)?.delete(id)
    for (const map of Object.values(this.texts)) map.delete(id)
  }

  /** Adds an image's facts as they are after a write. */
  learn(facts: ImageFacts): void {
    this.loadImage(facts.id, facts.type, facts.textlen)
    facts.tagIds.forEach((tagId, k) => {
      this.postings(this.tags, tagId).add(facts.id)
      this.scoreColumns.get(tagId)?.column.add(facts.id, facts.tagScores[k]!)
    })
    for (const value of facts.tags1) this.postings(this.tags1, value).add(facts.id)
    if (facts.text !== null) this.loadText('ocr', facts.id, facts.text)
    if (facts.prompt !== null) this.loadText('prompt', facts.id, facts.prompt)
    if (facts.negative !== null) this.loadText('negative', facts.id, facts.negative)
  }

  /** Matching image ids, or undefined when some clause needs SQL. */
  evaluate(node: QueryNode, lookups: IndexLookups): Bitset | undefined {
    switch (node.type) {
      case 'and': {
        let result: Bitset | undefined
        for (const child of node.children) {
          const set = this.evaluate(child, lookups)
          if (!set) return undefined
          result = result ? result.and(set) : set
        }
        return result ?? this.present.clone()
      }
      case 'or': {
        const result = Bitset.empty(this.idRange)
        for (const child of node.children) {
          const set = this.evaluate(child, lookups)
          if (!set) return undefined
          result.or(set)
        }
        return result
      }
      case 'not': {
        const inner = this.evaluate(node.child, lookups)
        return inner && this.present.clone().andNot(inner)
      }
      case 'tag': {
        const tagIds = lookups.tagIds(node.name, node.pattern)
        if (node.comparisons.length) {
          const result = Bitset.empty(this.idRange)
          for (const tagId of tagIds) this.scoreColumn(tagId, lookups).addMatches(node.comparisons, result)
          return result
        }
        return this.union(tagIds.map((tagId) => this.tags.get(tagId)))
      }
      case 'tags1': {
        const each = node.values.map((value) => this.tags1.get(value))
        if (node.mode === 'any') return this.union(each)
        if (node.mode === 'none') return this.present.clone().andNot(this.union(each))
        return each.reduce((result, postings) => result.and(this.union([postings])), this.present.clone())
      }
      case 'text':
        return node.terms.reduce((result, term) => result.and(this.textTerm(node.target, term)), this.present.clone())
      case 'exists':
        return this.exists(node.field)
      case 'compare':
        return this.compare(node.field, node.comparisons)
    }
  }

  /**
   * The images carrying a tag in the order of its score (`-1` highest first), ties by id descending;
   * then `without`: the present images that do not carry it.
   */
  scoreOrder(tagId: number, direction: 1 | -1, lookups: IndexLookups): { ordered: Iterable<[id: number, score: number]>; without: Bitset } {
    const tagged = this.union([this.tags.get(tagId)])
    return { ordered: this.scoreColumn(tagId, lookups).ordered(direction), without: this.present.clone().andNot(tagged) }
  }

  /** Whether the image is in the index (it exists). */
  has(id: number): boolean {
    return this.present.has(id)
  }

  private scoreColumn(tagId: number, lookups: IndexLookups): ScoreColumn {
    const cached = this.scoreColumns.get(tagId)
    if (cached) {
      this.scoreColumns.delete(tagId)
      this.scoreColumns.set(tagId, cached)
      return cached.column
    }
    const { ids, scores } = lookups.tagScores(tagId)
    const column = new ScoreColumn(ids, scores)
    this.scoreColumns.set(tagId, { column, entries: ids.length })
    this.scoreEntries += ids.length
    for (const [oldest, entry] of this.scoreColumns) {
      if (this.scoreEntries <= MAX_SCORE_ENTRIES || oldest === tagId) break
      this.scoreColumns.delete(oldest)
      this.scoreEntries -= entry.entries
    }
    return column
  }

  private textTerm(target: TextTarget, term: string): Bitset {
    const needle = asciiLower(term)
    if (target === 'tags1') {
      const matching: Array<Postings | undefined> = []
      for (const [value, postings] of this.tags1) if (asciiLower(value).includes(needle)) matching.push(postings)
      return this.union(matching)
    }
    const result = Bitset.empty(this.idRange)
    this.texts[target].addMatches(needle, result)
    return result
  }

  private exists(field: string): Bitset | undefined {
    switch (field) {
      case 'm':
        return this.withText.clone()
      case 'prompt':
        return Bitset.fromIds(this.texts.prompt.ids(), this.idRange)
      case 'tags1':
        return this.union([...this.tags1.values()])
      case 'type':
        return this.present.clone()
      default:
        return undefined
    }
  }

  private compare(field: string, comparisons: Comparison[]): Bitset | undefined {
    if (field === 'type') {
      // `pixiv1` is a test on the file name, which the index does not hold.
      if (!comparisons.every(({ op, value }) => (op === '=' || op === '!=') && value.kind === 'string' && value.value !== PIXIV_WITHOUT_USER)) return undefined
      return comparisons.reduce((result, { op, value }) => {
        const type = (value as { value: string }).value
        const ofType = Object.hasOwn(this.types, type) ? this.types[type as SourceType] : Bitset.empty(1)
        return op === '=' ? result.and(ofType) : result.andNot(ofType)
      }, this.present.clone())
    }
    if (field === 'textlen') {
      if (!comparisons.every(({ value }) => value.kind === 'number')) return undefined
      const tests = comparisons.map(({ op, value }) => numberTest(op, (value as { value: number }).value))
      // Only images with OCR text have a text length, as in PxIMSE (`text: {$ne: null}`).
      return this.where((id) => this.textlens[id]! > 0 && tests.every((test) => test(this.textlens[id]!)))
    }
    return undefined
  }

  /** The present ids satisfying a test on their columns. */
  private where(test: (id: number) => boolean): Bitset {
    const result = Bitset.empty(this.idRange)
    const words = this.present.words
    for (let k = 0; k < words.length; k++) {
      let v = words[k]!
      while (v !== 0) {
        const low = v & -v
        const id = (k << 5) + 31 - Math.clz32(low)
        if (test(id)) result.add(id)
        v ^= low
      }
    }
    return result
  }

  private union(postings: Array<Postings | undefined>): Bitset {
    const result = Bitset.empty(this.idRange)
    for (const entry of postings) entry?.orInto(result)
    return result
  }

  private postings<K>(map: Map<K, Postings>, key: K): Postings {
    let entry = map.get(key)
    if (!entry) {
      entry = new Postings(new Int32Array(0), this.idRange)
      map.set(key, entry)
    }
    return entry
  }

  private reserve(id: number): void {
    if (id >= this.idRange) this.idRange = id + 1
    if (id < this.textlens.length) return
    const length = Math.max(id + 1, this.textlens.length * 2)
    const textlens = new Int32Array(length)
    textlens.set(this.textlens)
    this.textlens = textlens
  }
}

function numberTest(op: Comparison['op'], bound: number): (value: number) => boolean {
  switch (op) {
    case '<': return (value) => value < bound
    case '<=': return (value) => value <= bound
    case '>': return (value) => value > bound
    case '>=': return (value) => value >= bound
    case '=': return (value) => value === bound
    case '!=': return (value) => value !== bound
  }
}

export { asciiLower }
