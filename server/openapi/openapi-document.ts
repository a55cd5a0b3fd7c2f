/**
 * The OpenAPI 3.1 description of Sagasu's HTTP API, served at `/openapi.json` and shown at `/docs`.
 * Response schemas are built with `object<T>()`, which takes one entry per property of the
 * TypeScript type T (optional ones wrapped in `optional()`): a property added to, removed from or
 * made optional in `shared/types` is a compile error here until the schema follows. The search
 * parameters come from the same zod schema that validates them.
 */
import { z } from 'zod'
import type { BackendsHealth, ErrorRecord, FolderWatch, HealthReport, UnsavedFiles, WatchReport, ImportCounts, ImportRunProgress, JobsReport, LibraryCharts, PixivJobStatus, PixivLibraryCounts, SearchPage, StageProgress, StatsReport, StoreStats } from '../../shared/types/api'
import type { ModelStatus, SettingsReport } from '../../shared/types/settings'
import type { BatchSetInfo, DatasetBatch, DatasetImage, DatasetImagePage, DatasetSample, DatasetStats } from '../../shared/types/dataset'
import { AI_SOURCES, type AiParameters, type ImageRecord, type PixivTag, type PixivWork, type TagInfo } from '../../shared/types/image'
import type { NameCount, PromptHit, PromptSearchPage, PromptStats } from '../../shared/types/prompt'
import { batchSetRequestSchema, MAX_BATCH_SIZE, MAX_DATASET_PAGE } from '../http/dataset-requests'
import type { ErrorBody } from '../http/error-response'
import { addFolderRequestSchema, modelDownloadRequestSchema, retryRequestSchema, settingsRequestSchema } from '../http/library-requests'
import { pixivFetchRequestSchema } from '../http/pixiv-request'
import { promptSearchSchema } from '../http/prompt-search-request'
import { searchRequestSchema } from '../http/search-request'
import type { AndNode, Comparison, CompareNode, RankClause, ExistsNode, NotNode, OrNode, Span, TagNode, Tags1Node, TextNode, Value } from '../query/ast'
import type { ClauseExplanation, SearchExplanation } from '../search/explain-search'
import { PROMPT_SEARCH } from '../search/search-prompts'

/**
 * A JSON Schema (draft 2020-12, the dialect of OpenAPI 3.1). The key `optional` is reserved for
 * marking optional properties in `object<T>()`.
 *
 * @example
 * const width: JsonSchema = { type: 'integer', minimum: 1 }
 */
export type JsonSchema = { [keyword: string]: unknown; optional?: never }

/** A property that may be left out; see `optional()`. */
interface OptionalProperty {
  optional: JsonSchema
}

/** One schema per property of T; optional properties of T must be (and only they may be) `optional(…)`. */
type PropertiesOf<T> = { [K in keyof T]-?: {} extends Pick<T, K> ? OptionalProperty : JsonSchema }

/** The names under `components.schemas`; `ref()` accepts only these. */
type SchemaName =
  | 'Image' | 'AiParameters' | 'SourceType' | 'SearchPage' | 'SearchRequest' | 'Error' | 'Stats' | 'HealthReport'
  | 'TagInfo' | 'TagList' | 'Explain' | 'ClauseExplanation' | 'QueryNode' | 'AndNode' | 'OrNode' | 'NotNode'
  | 'TagNode' | 'Tags1Node' | 'CompareNode' | 'ExistsNode' | 'TextNode' | 'Comparison' | 'Value' | 'Span' | 'RankClause'
  | 'ErrorRecord' | 'ErrorList' | 'LoginRequest' | 'LoginResult' | 'PixivWork' | 'PixivTag' | 'JobsReport' | 'StageProgress'
  | 'PixivFetchRequest' | 'PixivJobStatus' | 'PixivLibraryCounts'
  | 'DatasetStats' | 'DatasetImage' | 'DatasetImagePage' | 'DatasetSample' | 'BatchSetRequest' | 'BatchSetCreated' | 'BatchSetList'
  | 'BatchSetInfo' | 'DatasetBatch'
  | 'PromptHit' | 'PromptSearchPage' | 'PromptStats' | 'NameCount'
  | 'ImportRunProgress' | 'LibraryCharts' | 'RetryRequest' | 'AddFolderRequest' | 'ModelDownloadRequest' | 'Settings' | 'SettingsReport'
  | 'ModelStatus' | 'Accepted' | 'WatchReport'

const optional = (schema: JsonSchema): OptionalProperty => ({ optional: schema })
const ref = (name: SchemaName): JsonSchema => ({ $ref: `#/components/schemas/${name}` })
const str = (description: string, more: JsonSchema = {}): JsonSchema => ({ type: 'string', description, ...more })
const int = (description: string, more: JsonSchema = {}): JsonSchema => ({ type: 'integer', description, ...more })
const num = (description: string, more: JsonSchema = {}): JsonSchema => ({ type: 'number', description, ...more })
const bool = (description: string): JsonSchema => ({ type: 'boolean', description })
const epochMs = (description: string): JsonSchema => int(`${description}, epoch milliseconds (UTC)`)
const constant = (value: string): JsonSchema => ({ type: 'string', const: value })

/**
 * An object schema with `required` worked out from T: every property not wrapped in `optional()`.
 *
 * @example
 * object<{ a: string; b?: number }>('demo', { a: str('a'), b: optional(int('b')) })
 * // { type: 'object', description: 'demo', properties: { a: …, b: … }, required: ['a'] }
 */
function object<T>(description: string, properties: PropertiesOf<T>): JsonSchema {
  const schemas: Record<string, JsonSchema> = {}
  const required: string[] = []
  for (const [name, property] of Object.entries(properties) as Array<[string, JsonSchema | OptionalProperty]>) {
    if (property.optional) {
      schemas[name] = property.optional
    } else {
      schemas[name] = property as JsonSchema
      required.push(name)
    }
  }
  return { type: 'object', description, properties: schemas, required }
}

// --- schemas ---

const SOURCE_TYPES = ['pixiv', 'twitter', 'yandere', 'danbooru', 'other'] satisfies Array<ImageRecord['type']>
const TAG_CATEGORIES = ['general', 'character', 'rating', 'artist', 'copyright', 'meta'] satisfies Array<TagInfo['category']>

const span = object<Span>('Character range [start, end) in the query (or sort) text, 0-based.', {
  start: int('first character', { minimum: 0 }),
  end: int('one past the last character', { minimum: 0 }),
})

const aiParameters = object<AiParameters>('AI-generation parameters read from the image metadata.', {
  source: str('the tool that wrote them', { enum: [...AI_SOURCES] }),
  prompt: str('positive prompt'),
  negativePrompt: optional(str('negative prompt')),
  seed: optional(int('seed (seeds beyond 2^53 are kept as text in extra.seed)')),
  steps: optional(int('sampling steps')),
  cfg: optional(num('CFG scale')),
  sampler: optional(str('sampler name')),
  model: optional(str('model name')),
  extra: optional({
    type: 'object',
    description: 'Other key/values; shared keys are normalised (size, modelHash, scheduler, seed, loras, denoise), others keep the tool\'s name.',
    additionalProperties: { type: 'string' },
  }),
  raw: str('the original metadata text, capped at 64 KiB'),
})

const image = object<ImageRecord>(
  'One indexed image file (`ImageRecord` in shared/types/image.ts). Optional fields are left out when unknown.',
  {
    id: int('image id', { minimum: 1 }),
    folder: str('configured folder name'),
    path: str('path relative to the folder root, `/` separators'),
    filename: str('file name'),
    ext: str('file extension, lower case'),
    filesize: int('size in bytes', { minimum: 0 }),
    mtime: epochMs('file modification time'),
    hash: str('xxhash64 of the content, 16 hex digits: names the thumbnail (`/thumbs/{hash}`)', { pattern: '^[0-9a-f]{16}$' }),
    width: int('width in pixels', { minimum: 0 }),
    height: int('height in pixels', { minimum: 0 }),
    format: str('content format (may differ from the extension)'),
    animated: bool('more than one frame'),
    frames: int('number of frames', { minimum: 0 }),
    type: ref('SourceType'),
    illustid: optional(str('pixiv illust id')),
    page: optional(int('pixiv page index, or the photo\'s index in its tweet (from 0)', { minimum: 0 })),
    userid: optional(str('pixiv user id or Twitter handle')),
    username: optional(str('user name')),
    tweetid: optional(str('tweet id')),
    postid: optional(str('yande.re or Danbooru post id (a string: sorts as text)')),
    md5: optional(str('MD5 a booru named the file by (yande.re, Danbooru)')),
    date: optional(epochMs('date of the work (tweet date from the file name, or pixiv\'s posting date)')),
    tags1: optional({ type: 'array', description: 'tags from the source: yande.re file-name tags; pixiv tags, then their English translations', items: { type: 'string' } }),
    ai: optional(ref('AiParameters')),
    tags: optional({
      type: 'object',
      description: 'Tagger output: tag name → confidence 0–1.',
      additionalProperties: { type: 'number', minimum: 0, maximum: 1 },
    }),
    textlen: int('length of the OCR text (0 without)', { minimum: 0 }),
    text: optional(str('OCR text')),
    pixiv: optional(ref('PixivWork')),
    addedAt: epochMs('when Sagasu indexed it'),
    updatedAt: epochMs('when the record last changed'),
  },
)

const pixivTag = object<PixivTag>('A pixiv tag.', {
  tag: str('the tag as on pixiv'),
  translation: optional(str('its English translation, when pixiv has one')),
})

const pixivWork = object<PixivWork>('pixiv\'s metadata of the work (fetched by `sagasu pixiv` or `POST /api/pixiv/fetch`); every page image of the work carries the same.', {
  illustid: str('pixiv illust id', { pattern: '^\\d+$' }),
  title: str('title'),
  description: str('the caption as pixiv sends it: HTML (`<br />`, links through `/jump.php`). Untrusted: render it as text.'),
  userId: str('pixiv user id'),
  userName: str('user name on pixiv when fetched'),
  createDate: epochMs('when the work was posted'),
  views: int('view count when fetched', { minimum: 0 }),
  likes: int('like count when fetched', { minimum: 0 }),
  bookmarks: int('bookmark count when fetched', { minimum: 0 }),
  comments: int('comment count when fetched', { minimum: 0 }),
  tags: { type: 'array', description: 'in pixiv\'s order', items: ref('PixivTag') },
  fetchedAt: epochMs('when Sagasu fetched it'),
})

const searchPage = object<SearchPage>('One page of search results.', {
  total: int('how many images match the query in all', { minimum: 0 }),
  results: { type: 'array', items: { allOf: [ref('Image'), { type: 'object', properties: {
    score: { type: 'number', description: 'What a similarity search ranks by: CLIP similarity (-1 to 1) plus search.weights.fullText × the share of the text\'s words the image contains' },
    scores: { type: 'object', description: 'The parts of `score`', properties: { clip: { type: 'number', description: 'CLIP similarity' }, text: { type: 'number', description: 'share (0–1) of the search text\'s words found in OCR text, AI prompt or tags1' } } },
  } }] } },
  nextCursor: {
    type: ['string', 'null'],
    description: 'Opaque; pass it back as `cursor` (with the same q and sort) for the next page. null on the last page.',
  },
})

/** Shown for every search parameter, keyed by name; the constraints come from the zod schema. */
const SEARCH_PARAMETER_TEXT: Record<keyof z.input<typeof searchRequestSchema>, { description: string; example?: string }> = {
  q: { description: 'Query text in the Sagasu query language (docs/query-language.md). Empty or absent: every image.', example: 'type;=pixiv, width;>=100' },
  sort: { description: 'Sort keys, e.g. `filesize;1` (ascending) or `date;-1, id;1`. Default `added;-1` (newest first); `id` descending breaks ties.', example: 'filesize;1' },
  limit: { description: 'Results per page.' },
  cursor: { description: 'The `nextCursor` of the previous page, unchanged. Bound to its q and sort: with another query it is a 400.' },
  text: { description: 'CLIP text to rank by, like a `clip:"…"` clause: results are the best matches among the images `q` matches, best first (with `sort`, the top ones in that order), each with its `score`.', example: 'girl with an umbrella in the rain' },
  image: { description: 'POST: an image to rank by, base64 (a `data:` URL is accepted), at most 20 MiB; or upload it as the `image` part of multipart/form-data. With `text` too, the two similarities are summed (weights `search.weights`). Never a URL: the server fetches nothing.' },
}

/** The search request as JSON Schema, from the zod schema the routes validate with. */
function searchRequest(): JsonSchema {
  const schema = { ...z.toJSONSchema(searchRequestSchema, { io: 'input' }) } as JsonSchema & { properties: Record<string, JsonSchema> }
  delete schema.$schema
  const properties = Object.fromEntries(
    Object.entries(schema.properties).map(([name, property]) => [name, { ...property, ...SEARCH_PARAMETER_TEXT[name as keyof typeof SEARCH_PARAMETER_TEXT] }]),
  )
  return { ...schema, description: 'Search parameters: the same for GET (query string) and POST (JSON body). No other key is accepted.', properties }
}

const errorSchema = object<ErrorBody>('Every 4xx answer (and the 401 of the token check) has this body.', {
  error: object<ErrorBody['error']>('What went wrong.', {
    message: str('one line naming the problem'),
    position: optional(int('query and sort errors: 0-based character offset in `q` (or `sort`) where the problem starts', { minimum: 0 })),
    hint: optional(str('query errors: what would work instead')),
  }),
})

const storeStatsProperties: PropertiesOf<StoreStats> = {
  images: int('indexed images', { minimum: 0 }),
  bytes: int('their total size in bytes', { minimum: 0 }),
  byType: {
    type: 'object',
    description: 'images per source type',
    properties: Object.fromEntries(SOURCE_TYPES.map((type) => [type, { type: 'integer', minimum: 0 }])),
    required: SOURCE_TYPES,
  },
  withAiParameters: int('images with AI-generation parameters', { minimum: 0 }),
  errors: int('error-level records (not warnings)', { minimum: 0 }),
  pendingJobs: int('queued and running file jobs', { minimum: 0 }),
  folders: {
    type: 'array',
    description: 'configured folders with their image counts',
    items: object<StoreStats['folders'][number]>('A folder.', { name: str('folder name'), images: int('images in it', { minimum: 0 }) }),
  },
}

const stats = object<StatsReport>('Counts of the index (those of `sagasu stats --json`), and what the stats page charts.', {
  ...storeStatsProperties,
  charts: ref('LibraryCharts'),
})

const libraryCharts = object<LibraryCharts>('The most used tags, the users with the most images, and images per month.', {
  topTags: {
    type: 'array',
    description: 'the 15 most used tagger tags, most used first',
    items: object<LibraryCharts['topTags'][number]>('A tag.', { name: str('tag name'), category: str('tag category'), count: int('images with it', { minimum: 1 }) }),
  },
  topUsers: {
    type: 'array',
    description: 'the 15 users (pixiv or Twitter) with the most images',
    items: object<LibraryCharts['topUsers'][number]>('A user.', {
      type: ref('SourceType'),
      userid: str('user id'),
      username: { type: ['string', 'null'], description: 'a user name one of the images carries' },
      images: int('images of the user', { minimum: 1 }),
    }),
  },
  byMonth: {
    type: 'array',
    description: 'images per month of their date (the source\'s date, else the file\'s modification time), oldest first; months without images are left out',
    items: object<LibraryCharts['byMonth'][number]>('A month.', { month: str('`YYYY-MM` (UTC)', { pattern: '^\\d{4}-\\d{2}$' }), images: int('images', { minimum: 1 }) }),
  },
})

const importCounts = object<ImportCounts>('What an import did.', {
  scanned: int('image files found', { minimum: 0 }),
  added: int('new images', { minimum: 0 }),
  updated: int('changed images', { minimum: 0 }),
  moved: int('renamed or moved images', { minimum: 0 }),
  removed: int('images gone from disk', { minimum: 0 }),
  unchanged: int('images that did not change', { minimum: 0 }),
  errors: int('files that failed (each has an error record)', { minimum: 0 }),
})

const importRunProgress = object<ImportRunProgress>('The running server\'s current or last full import.', {
  running: bool('the import is going on'),
  phase: str('`scan`: listing the folders; `index`: reading new and changed files; `sweep`: dropping what is gone; `done`', { enum: ['scan', 'index', 'sweep', 'done'] }),
  done: int('files indexed so far', { minimum: 0 }),
  total: int('files the scan queued', { minimum: 0 }),
  rate: num('files per second while indexing', { minimum: 0 }),
  startedAt: epochMs('when the import started'),
  finishedAt: { type: ['integer', 'null'], description: 'when it ended, epoch milliseconds (UTC); null while it runs' },
  counts: { oneOf: [{ type: 'null' }, importCounts] },
  error: { type: ['string', 'null'], description: 'why the import stopped, when it failed' },
})

/** A request body as JSON Schema, from the zod schema its route validates with. */
function requestBody(schema: z.ZodType, description: string): JsonSchema {
  const json = { ...z.toJSONSchema(schema, { io: 'input' }) } as JsonSchema
  delete json.$schema
  return { ...json, description }
}

const modelStatus = object<ModelStatus>('One model on this machine.', {
  state: str('`ready`: the files are there or it is loaded; `download`: fetched on first use or with POST /api/models/download; `disabled`: see `reason`', { enum: ['ready', 'download', 'disabled'] }),
  reason: { type: ['string', 'null'], description: 'one line: why it is disabled, or where it will be downloaded from' },
  source: str('the folder or model id the setting points at'),
  device: { type: ['string', 'null'], description: 'where the model ran when it last loaded in this server: `cpu`, `cuda`, `dml` or `coreml` (`models.device`, or the CPU it fell back to); null before its first load' },
  download: {
    oneOf: [
      { type: 'null' },
      object<NonNullable<ModelStatus['download']>>('A download started with POST /api/models/download.', {
        state: str('running, done or failed', { enum: ['running', 'done', 'failed'] }),
        error: { type: ['string', 'null'], description: 'why it failed' },
      }),
    ],
  },
})

const settingsReport = object<SettingsReport>('The editable settings and the models\' status.', {
  file: { type: ['string', 'null'], description: 'the configuration file the settings are written to; null when the server runs without one' },
  settings: ref('Settings'),
  models: object<SettingsReport['models']>('The downloadable models.', { clip: ref('ModelStatus'), tagger: ref('ModelStatus') }),
})

const CAPABILITIES = ['search', 'thumbnails', 'aiMetadata', 'watch', 'demoLibrary', 'clip', 'tagger', 'ocr']

const stageProgress = object<StageProgress>('Progress of one model stage.', {
  stage: str('`tag` (tagger), `embed` (CLIP image embedding) or `ocr`', { enum: ['tag', 'embed', 'ocr'] }),
  state: str('`idle`: nothing to do now; `running`; `disabled`: its model cannot load (see `reason`)', { enum: ['idle', 'running', 'disabled'] }),
  reason: optional(str('why the stage is disabled, one line')),
  done: int('images done with the current model and settings', { minimum: 0 }),
  pending: int('images still to do', { minimum: 0 }),
  processed: int('images handled in the current or last run', { minimum: 0 }),
  failed: int('images that failed in the current or last run (each has an error record)', { minimum: 0 }),
  rate: num('images per second over the current or last run', { minimum: 0 }),
})

const watchReportSchema = object<WatchReport>('How the live library follows the folders.', {
  state: str('`starting`: the watchers are being set up and the first import runs; `watching`: a file written now is seen', { enum: ['starting', 'watching'] }),
  folders: {
    type: 'array',
    description: 'one entry per folder',
    items: object<FolderWatch>('How one folder is followed.', {
      folder: str('the folder\'s name'),
      mode: str('`events`: filesystem events; `rescan`: its watcher failed (inotify limits, EMFILE, an unmounted share), so it is re-scanned every `rescanSeconds`', { enum: ['events', 'rescan'] }),
      reason: optional(str('why watching failed, as the system said it (`rescan` only)')),
      since: optional(epochMs('when watching failed (`rescan` only)')),
      rescanSeconds: optional(int('`watch.fallbackRescanSeconds` (`rescan` only)', { minimum: 1 })),
    }),
  },
  changesApplied: int('file changes the live library has put into the index since the server started (files indexed as new, changed, moved or failed; removals); it only grows: wait for it to grow after changing a file', { minimum: 0 }),
})

const jobsReport = object<JobsReport>('The import queue and the model stages.', {
  files: object<JobsReport['files']>('File jobs of imports (the persisted queue).', {
    pending: int('waiting', { minimum: 0 }),
    running: int('claimed by a worker', { minimum: 0 }),
    failed: int('given up', { minimum: 0 }),
  }),
  stages: { type: 'array', description: 'the enabled model stages', items: ref('StageProgress') },
  import: { oneOf: [{ type: 'null' }, ref('ImportRunProgress')], description: 'the current or last full import; null before the first (or when the server does not import)' },
  watch: { oneOf: [{ type: 'null' }, ref('WatchReport')], description: 'how the live library follows the folders; null when the server does not import' },
})

const unsavedFilesSchema = object<UnsavedFiles>('Present while the live library holds files it found but could not save because the store could not write: they are tried again every few seconds (up to a minute apart) and by the next import.', {
  count: int('files waiting', { minimum: 1 }),
  reason: str('why the store could not write, as it said'),
  since: epochMs('when the first of them could not be saved'),
  examples: { type: 'array', description: 'up to 20 of them, as `folder/path`', items: { type: 'string' } },
})

const healthReport: JsonSchema = {
  type: 'object',
  description: 'Name, version, store profile and what this server can do.',
  properties: {
    name: constant('sagasu'),
    version: str('package version', { example: '0.1.0' }),
    profile: str('store profile', { enum: ['embedded', 'servers'] }),
    capabilities: {
      type: 'object',
      description: '`watch`: the live library is on; `demoLibrary`: no folders are configured and the generated demo is served; `clip`, `tagger`: the model is there or is downloaded on first use, with `clipReason` / `taggerReason` (strings) saying in one line why one is disabled or that it is not downloaded yet; `ocr` likewise with `ocrReason`; `clipDevice`, `taggerDevice`, `ocrDevice` (strings, once the model has loaded in this server): where it runs, `cpu`, `cuda`, `dml` or `coreml`, with `clipDeviceReason` etc. saying why a model is on the CPU although `models.device` asked for a GPU or `auto` looked for one; `fullTextIndex` (string): what answers the full-text clauses (`sqlite`, `meilisearch`, or `mongodb regex` with `fullTextReason`), `vectorIndex` (string, servers profile): `milvus`. More keys may follow.',
      properties: Object.fromEntries(CAPABILITIES.map((name) => [name, { type: 'boolean' }])),
      required: CAPABILITIES,
      additionalProperties: { type: ['boolean', 'string'] },
    },
    backends: object<BackendsHealth>('Whether each of the store\'s backends answers now: the servers profile pings them in parallel on every request, each within 2 s; one that is down is reported here and the report still answers 200.', {
      sqlite: optional(backendHealth('embedded profile: the SQLite file, opened in-process; a one-row write proves it can be written (read-only or full disk, lost permission, I/O errors make it not ok)')),
      mongodb: optional(backendHealth('servers profile: MongoDB\'s `ping` command, then a one-document write (a MongoDB that is not primary, full, or refuses the user\'s writes is not ok)')),
      milvus: optional(backendHealth('servers profile: Milvus\'s CheckHealth call')),
      meilisearch: optional(backendHealth('servers profile with `store.servers.meilisearch`: Meilisearch\'s GET /health')),
    }),
    unsavedFiles: unsavedFilesSchema,
    watch: ref('WatchReport'),
  },
  required: ['name', 'version', 'profile', 'capabilities', 'backends'] satisfies Array<keyof HealthReport>,
}

function backendHealth(description: string): JsonSchema {
  return {
    description,
    oneOf: [
      { type: 'object', properties: { ok: { type: 'boolean', const: true } }, required: ['ok'], additionalProperties: false },
      {
        type: 'object',
        properties: { ok: { type: 'boolean', const: false }, reason: str('why not, in one line (e.g. `not answering at 127.0.0.1:19530: 14 UNAVAILABLE: No connection established`)') },
        required: ['ok', 'reason'],
        additionalProperties: false,
      },
    ],
  }
}

const tagInfo = object<TagInfo>('A tag with its category and how many images carry it.', {
  name: str('tag name'),
  category: str('tag category', { enum: TAG_CATEGORIES }),
  count: int('images carrying it', { minimum: 0 }),
})

const tagList = object<{ tags: TagInfo[] }>('Tag suggestions, most used first.', { tags: { type: 'array', items: ref('TagInfo') } })

// The query AST, as explain returns it (server/query/ast.ts).
const value: JsonSchema = {
  description: 'A typed literal. A date is resolved to the UTC range [start, end) it names; `text` is what was written.',
  oneOf: [
    object<Extract<Value, { kind: 'number' }>>('number', { kind: constant('number'), value: { type: 'number' } }),
    object<Extract<Value, { kind: 'string' }>>('string', { kind: constant('string'), value: { type: 'string' } }),
    object<Extract<Value, { kind: 'boolean' }>>('boolean', { kind: constant('boolean'), value: { type: 'boolean' } }),
    object<Extract<Value, { kind: 'date' }>>('date', { kind: constant('date'), start: epochMs('start'), end: epochMs('end (exclusive)'), text: str('as written') }),
  ],
}

const comparison = object<Comparison>('One comparison of a clause.', {
  op: str('operator', { enum: ['<', '<=', '>', '>=', '=', '!='] }),
  value: ref('Value'),
  span: ref('Span'),
})

const nodes = {
  AndNode: object<AndNode>('All children must match (`a, b`). The top of every query is one.', {
    type: constant('and'), children: { type: 'array', items: ref('QueryNode') }, span: ref('Span'),
    rank: optional({ type: 'array', description: 'only on the top node: the ranking clauses (`clip:`, `similar:`, `sim;`)', items: ref('RankClause') }),
  }),
  RankClause: {
    description: 'A clause that ranks by CLIP similarity instead of filtering: `clip:"text"`, `similar:ID`, `sim;>=0.25`.',
    oneOf: [
      object<Extract<RankClause, { kind: 'clip' }>>('`clip:"red hair"`: CLIP text.', { kind: constant('clip'), text: str('the text'), span: ref('Span') }),
      object<Extract<RankClause, { kind: 'similar' }>>('`similar:123`: like this image.', { kind: constant('similar'), id: int('image id', { minimum: 1 }), span: ref('Span') }),
      object<Extract<RankClause, { kind: 'sim' }>>('`sim;>=0.25`: similarity threshold (-1 to 1).', { kind: constant('sim'), comparisons: { type: 'array', items: ref('Comparison') }, span: ref('Span') }),
    ],
  },
  OrNode: object<OrNode>('At least one child must match (`a | b`).', { type: constant('or'), children: { type: 'array', items: ref('QueryNode') }, span: ref('Span') }),
  NotNode: object<NotNode>('`!clause` or `!(group)`.', { type: constant('not'), child: ref('QueryNode'), span: ref('Span') }),
  TagNode: object<TagNode>('`tags.NAME`, with optional score comparisons; `pattern` when the name has a `*` wildcard.', {
    type: constant('tag'), name: str('tag name as written'), pattern: bool('`*` matches any run of characters'), comparisons: { type: 'array', items: ref('Comparison') }, span: ref('Span'),
  }),
  Tags1Node: object<Tags1Node>('`tags1:a` (all of the values of its sibling `tags1:` clauses), `|tags1:a` (any), `!tags1:a` (none). A value is everything after the first `:`.', {
    type: constant('tags1'), mode: str('which of the values must be present', { enum: ['all', 'any', 'none'] }), values: { type: 'array', items: { type: 'string' } }, span: ref('Span'),
  }),
  CompareNode: object<CompareNode>('`field;OP v&OP w`: every comparison must hold.', { type: constant('compare'), field: str('field name'), comparisons: { type: 'array', items: ref('Comparison') }, span: ref('Span') }),
  ExistsNode: object<ExistsNode>('A bare `field`: it has a value.', { type: constant('exists'), field: str('field name'), span: ref('Span') }),
  TextNode: object<TextNode>('Full text (`m;`, `mt;`, `prompt;`, `negative;`): every term must occur.', {
    type: constant('text'), target: str('what is searched', { enum: ['ocr', 'tags1', 'prompt', 'negative'] }), terms: { type: 'array', items: { type: 'string' } }, text: str('the value as written'), span: ref('Span'),
  }),
} satisfies Partial<Record<SchemaName, JsonSchema>>

const queryNode: JsonSchema = {
  description: 'A node of the query syntax tree (server/query/ast.ts), told apart by `type`.',
  oneOf: Object.keys(nodes).map((name) => ref(name as keyof typeof nodes)),
  discriminator: {
    propertyName: 'type',
    mapping: { and: '#/components/schemas/AndNode', or: '#/components/schemas/OrNode', not: '#/components/schemas/NotNode', tag: '#/components/schemas/TagNode', tags1: '#/components/schemas/Tags1Node', compare: '#/components/schemas/CompareNode', exists: '#/components/schemas/ExistsNode', text: '#/components/schemas/TextNode' },
  },
}

const clauseExplanation = object<ClauseExplanation>('A top-level clause and how many images it matches on its own.', {
  text: str('the clause as canonical text'),
  span: ref('Span'),
  matches: int('images this clause matches alone (shows which clause empties a result)', { minimum: 0 }),
})

const explain = object<SearchExplanation>('What a query means and how the store runs it.', {
  query: str('the query as canonical text (what a cursor is bound to)'),
  sort: str('the sort as canonical text, default applied', { example: 'added;-1' }),
  ast: ref('AndNode'),
  compiled: object<SearchExplanation['compiled']>('The query as the running store executes it.', {
    language: str('`sql` (embedded profile) or `mongodb` (servers profile)', { enum: ['sql', 'mongodb'] }),
    text: { description: 'SQL: `{from, where, params, orderBy, total}` (`total`: counted by the `memory index`, the `memory index and sql`, or `sql`); MongoDB: the filter and sort documents.' },
  }),
  mongo: object<SearchExplanation['mongo']>('The MongoDB form, whatever the profile (for comparison).', {
    filter: { type: 'object', description: 'MongoDB filter document' },
    sort: { type: 'object', description: 'MongoDB sort document', additionalProperties: { type: 'integer', enum: [1, -1] } },
  }),
  clauses: { type: 'array', items: ref('ClauseExplanation') },
  total: int('images the whole query matches', { minimum: 0 }),
})

const errorRecord = object<ErrorRecord>('A file that could not be indexed (or was indexed with a warning).', {
  folder: str('folder name'),
  path: str('path inside the folder'),
  stage: str('pipeline stage that reported it; a file has at most one record per stage: `scan`, `read`, `probe`, `thumbnail`, `internal`, a model stage, or `ai-metadata` (a warning: AI-generation metadata was found but a field could not be resolved; the reason names the generator and the field)', { example: 'probe' }),
  reason: str('what went wrong'),
  level: str('severity', { enum: ['error', 'warning'] }),
  transient: { type: 'boolean', description: 'the failure was the machine\'s, not the file\'s (disk full, read-only or failing data directory, too many open files, a store that could not write): the next import tries the file again by itself; other errors stay until the file changes or `sagasu import --retry-errors`' },
  at: epochMs('when it was recorded'),
})

const errorList = object<{ total: number; errors: ErrorRecord[] }>('Error records (the same document as `sagasu errors --json`).', {
  total: int('number of records', { minimum: 0 }),
  errors: { type: 'array', items: ref('ErrorRecord') },
})

// --- the dataset API (docs/dataset-api.md; snake_case like the dataset tools it follows) ---

const datasetStats = object<DatasetStats>('Counts for the dataset API.', {
  num_images: int('indexed images', { minimum: 0 }),
  num_tags: int('tagger tags carried by at least one image', { minimum: 0 }),
  num_ratings: int('distinct `rating:*` tags carried by at least one image', { minimum: 0 }),
  by_type: {
    type: 'object',
    description: 'images per source type',
    properties: Object.fromEntries(SOURCE_TYPES.map((type) => [type, { type: 'integer', minimum: 0 }])),
    required: SOURCE_TYPES,
  },
})

const datasetImage = object<DatasetImage>('One image as the dataset routes return it.', {
  id: int('image id (as now; a batch member whose image was re-imported shows the new id)', { minimum: 1 }),
  hash: str('xxhash64 of the content, 16 hex digits', { pattern: '^[0-9a-f]{16}$' }),
  folder: str('configured folder name'),
  path: str('path inside the folder, `/` separators'),
  file_ext: str('file extension, lower case'),
  file_size: int('size in bytes', { minimum: 0 }),
  width: int('width in pixels', { minimum: 0 }),
  height: int('height in pixels', { minimum: 0 }),
  type: ref('SourceType'),
  illustid: optional(str('pixiv illust id')),
  page: optional(int('pixiv page index', { minimum: 0 })),
  userid: optional(str('pixiv user id or X handle')),
  username: optional(str('user name')),
  tweetid: optional(str('tweet id')),
  postid: optional(str('yande.re or Danbooru post id')),
  md5: optional(str('MD5 a booru named the file by (yande.re, Danbooru)')),
  date: optional(epochMs('date of the work')),
  source_url: optional(str('the work\'s page on pixiv, X, yande.re or Danbooru, when the file name tells')),
  rating: { type: ['string', 'null'], description: 'the highest-scoring `rating:*` tag without the prefix (`general`, `sensitive`, `questionable`, `explicit`); null without one' },
  tags: { type: 'array', description: 'tagger tag names, highest confidence first, `rating:*` left out', items: { type: 'string' } },
  tags1: { type: 'array', description: 'tags from the source (yande.re file names, pixiv)', items: { type: 'string' } },
  file_url: str('the original: `/files/{folder}/{path}`, each segment percent-encoded', { example: '/files/pixiv/414500_89732420_p0.png' }),
  thumb_url: str('the thumbnail: `/thumbs/{hash}.webp`', { pattern: '^/thumbs/[0-9a-f]{16}\\.webp$' }),
})

const datasetImagePage = object<DatasetImagePage>('One page of the images matching the query, in id order.', {
  count: int('images on this page', { minimum: 0, maximum: MAX_DATASET_PAGE }),
  total: int('images matching the query in all', { minimum: 0 }),
  page: int('0-based page number', { minimum: 0 }),
  size: int('page size', { minimum: 1, maximum: MAX_DATASET_PAGE }),
  result: { type: 'array', items: ref('DatasetImage') },
})

const datasetSample = object<DatasetSample>('A seeded sample: the first `count` matching images in the seed\'s order.', {
  count: int('images returned', { minimum: 0, maximum: MAX_DATASET_PAGE }),
  total: int('images matching the query in all', { minimum: 0 }),
  seed: { type: ['integer', 'string'], description: 'the seed used: the one given (digits become a number), or the one drawn' },
  result: { type: 'array', items: ref('DatasetImage') },
})

const batchSetRequest = (): JsonSchema => {
  const schema = { ...z.toJSONSchema(batchSetRequestSchema, { io: 'input' }) } as JsonSchema & { properties: Record<string, JsonSchema> }
  delete schema.$schema
  const text: Record<string, string> = {
    batch_size: 'images per batch; the last batch of a split may be shorter',
    validation_split: 'percent of the images in the validation split (decimals allowed)',
    test_split: 'percent of the images in the test split; validation_split + test_split at most 100, the rest is train',
    seed: 'a whole number 0…2^53−1 or a string; `42` and `"42"` are the same seed. Absent: one is drawn and shown in the batch set info',
    q: 'query text (docs/query-language.md); empty: every image',
  }
  const properties = Object.fromEntries(Object.entries(schema.properties).map(([name, property]) => [name, { ...property, description: text[name] }]))
  return { ...schema, description: 'A batch set to create. No other key is accepted.', properties, example: { batch_size: 64, validation_split: 10, test_split: 10, seed: 123131231, q: 'tags.long_hair' } }
}

const batchSetInfoSchema = object<BatchSetInfo>('A batch set: its parameters, when it was made, and how many images and batches each split has.', {
  id: str('batch set id, 32 hex digits', { pattern: '^[0-9a-f]{32}$' }),
  created_at: epochMs('when it was created'),
  batch_size: int('images per batch', { minimum: 1, maximum: MAX_BATCH_SIZE }),
  validation_split: num('validation percent', { minimum: 0, maximum: 100 }),
  test_split: num('test percent', { minimum: 0, maximum: 100 }),
  seed: { type: ['integer', 'string'], description: 'the seed, as given (or drawn)' },
  q: str('the query as given (relative dates were resolved at created_at)'),
  total_batches: int('train + validation + test batches', { minimum: 0 }),
  train_batches: int('batches in train', { minimum: 0 }),
  validation_batches: int('batches in validation', { minimum: 0 }),
  test_batches: int('batches in test', { minimum: 0 }),
  total_images: int('images in the set (every image the query matched at creation)', { minimum: 1 }),
  train_images: int('images in train', { minimum: 0 }),
  validation_images: int('images in validation', { minimum: 0 }),
  test_images: int('images in test', { minimum: 0 }),
})

const datasetBatch = object<DatasetBatch>('One batch of a split.', {
  count: int('images returned', { minimum: 0, maximum: MAX_BATCH_SIZE }),
  missing: int('members whose content is no longer in the library; left out of `result`', { minimum: 0 }),
  result: { type: 'array', description: 'in the batch\'s order', items: ref('DatasetImage') },
})

const promptHit = object<PromptHit>('An image whose AI prompts match the query.', {
  id: int('image id (`/api/images/{id}` has the whole record)', { minimum: 1 }),
  score: num('bm25 relevance, higher is better; a match in the negative prompt weighs half as much as one in the prompt'),
  source: str('the tool that wrote the parameters', { enum: AI_SOURCES }),
  prompt: str('positive prompt'),
  negativePrompt: optional(str('negative prompt')),
  seed: optional({
    type: ['integer', 'string'],
    description: 'seed: an integer up to 2^53, beyond that its exact decimal digits as a string (a JSON number would round it)',
    pattern: '^[+-]?\\d+$',
  }),
  steps: optional(int('sampling steps')),
  cfg: optional(num('CFG scale')),
  sampler: optional(str('sampler name')),
  model: optional(str('model name')),
  folder: str('configured folder name'),
  path: str('path relative to the folder root, `/` separators'),
  hash: str('content hash: the thumbnail is `/thumbs/{hash}`', { pattern: '^[0-9a-f]{16}$' }),
  width: int('width in pixels', { minimum: 0 }),
  height: int('height in pixels', { minimum: 0 }),
})

const promptSearchPage = object<PromptSearchPage>('One page of prompt-search results, best match first.', {
  total: int('how many images match the query in all', { minimum: 0 }),
  results: { type: 'array', items: ref('PromptHit') },
  nextOffset: { type: ['integer', 'null'], minimum: 0, description: 'the `offset` of the next page; null on the last page' },
})

const nameCount = object<NameCount>('A value and how many images have it.', { name: str('the value'), count: int('images with it', { minimum: 1 }) })

const numberSummary = (what: string): JsonSchema => ({
  description: `${what} over the images that have it; null when none has`,
  oneOf: [
    { type: 'null' },
    object<NonNullable<PromptStats['steps']>>(what, { min: num('smallest'), max: num('largest'), mean: num('mean') }),
  ],
})

const promptStats = object<PromptStats>('What the indexed AI-generation parameters hold.', {
  images: int('indexed images, with or without AI parameters', { minimum: 0 }),
  withAiParameters: int('images with AI-generation parameters', { minimum: 0 }),
  withPrompt: int('images whose prompt is not empty', { minimum: 0 }),
  withNegativePrompt: int('images whose negative prompt is not empty', { minimum: 0 }),
  sources: { type: 'array', description: 'images per tool, most first', items: ref('NameCount') },
  samplers: { type: 'array', description: 'the 20 most used samplers, most first', items: ref('NameCount') },
  models: { type: 'array', description: 'the 20 most used models, most first', items: ref('NameCount') },
  steps: numberSummary('Sampling steps'),
  cfg: numberSummary('CFG scale'),
})

/** Shown for every prompt-search parameter; the constraints come from the zod schema. */
const PROMPT_PARAMETER_TEXT: Record<keyof z.input<typeof promptSearchSchema>, { description: string; example?: string }> = {
  q: {
    description: 'SQLite FTS5 query over the columns `prompt` and `negative_prompt` (alias `negative`): words, `"phrases"`, `AND` / `OR` / `NOT` (upper case), `NEAR(a b, 5)`, `prefix*`, `^first`, column filters `negative: blurry`, `{prompt negative}: x`, `- negative: x`. Quote words with punctuation: `"masterpiece:1.2"`. See docs/http-api.md.',
    example: '"long hair" NOT negative: blurry',
  },
  l: { description: 'results per page' },
  offset: { description: 'results to skip (the `nextOffset` of the previous page)' },
}

/** The prompt-search parameters in the query string, from the zod schema the route validates with. */
function promptSearchParameters(): unknown[] {
  const schema = z.toJSONSchema(promptSearchSchema, { io: 'input' }) as { properties: Record<string, JsonSchema>; required?: string[] }
  return Object.entries(schema.properties).map(([name, property]) => {
    const { description, example } = PROMPT_PARAMETER_TEXT[name as keyof typeof PROMPT_PARAMETER_TEXT]
    return { name, in: 'query', required: schema.required?.includes(name) ?? false, description, schema: property, ...(example === undefined ? {} : { example }) }
  })
}

/** The pixiv fetch body as JSON Schema, from the zod schema the route validates with. */
function pixivFetchRequest(): JsonSchema {
  const schema = { ...z.toJSONSchema(pixivFetchRequestSchema, { io: 'input' }) } as JsonSchema & { properties: Record<string, JsonSchema> }
  delete schema.$schema
  return {
    ...schema,
    description: 'What to fetch. An empty body (or `{}`): every pixiv work without metadata, except those pixiv answered deleted or restricted. No other key is accepted.',
    properties: {
      limit: { ...schema.properties.limit, description: 'at most this many works (oldest images first)' },
      retryFailed: { ...schema.properties.retryFailed, description: 'also ask again about works pixiv answered deleted or restricted (after adding a session cookie, say)' },
    },
  }
}

const outcomeCount = (what: string) => int(what, { minimum: 0 })

const pixivLibraryCounts = object<PixivLibraryCounts>('pixiv works of the library by what is known about them.', {
  works: outcomeCount('distinct illust ids among the pixiv images'),
  ok: outcomeCount('with metadata'),
  deleted: outcomeCount('pixiv answered: deleted or no such work'),
  restricted: outcomeCount('pixiv answered: not visible to this session'),
  failed: outcomeCount('the last fetch failed transiently (the next run asks again)'),
  unfetched: outcomeCount('never asked about'),
})

const nullableEpochMs = (description: string): JsonSchema => ({ type: ['integer', 'null'], description: `${description}, epoch milliseconds (UTC); null before` })

const pixivJobStatus = object<PixivJobStatus>('The current (or last) background pixiv run, and the library\'s pixiv works.', {
  running: bool('a run is going on'),
  total: outcomeCount('works the run set out to fetch (0 before the first run)'),
  done: outcomeCount('works asked about so far'),
  counts: object<PixivJobStatus['counts']>('Outcomes of this run.', {
    ok: outcomeCount('metadata stored'),
    deleted: outcomeCount('deleted or no such work'),
    restricted: outcomeCount('not visible to this session'),
    failed: outcomeCount('transient failures that outlasted every retry'),
  }),
  requests: outcomeCount('HTTP requests sent, retries included'),
  propagated: { type: ['integer', 'null'], minimum: 0, description: 'images that got a user name from another image of their user; null until the run ends' },
  interrupted: bool('the run stopped before every work was asked about (server shutdown, an error)'),
  lastError: {
    oneOf: [
      { type: 'null' },
      object<NonNullable<PixivJobStatus['lastError']>>('The last work that could not be fetched, or what stopped the run.', {
        illustid: { type: ['string', 'null'], description: 'the work; null when the run itself failed' },
        message: str('`deleted: …`, `restricted: …`, `failed: …` with pixiv\'s message or the last problem'),
        at: epochMs('when'),
      }),
    ],
  },
  startedAt: nullableEpochMs('when the run started'),
  finishedAt: nullableEpochMs('when the run ended'),
  library: ref('PixivLibraryCounts'),
})

const SCHEMAS: Record<SchemaName, JsonSchema> = {
  Image: image,
  AiParameters: aiParameters,
  PixivWork: pixivWork,
  PixivTag: pixivTag,
  SourceType: { type: 'string', description: 'Where an image came from, as told by its file name.', enum: SOURCE_TYPES },
  SearchPage: searchPage,
  SearchRequest: searchRequest(),
  Error: errorSchema,
  Stats: stats,
  JobsReport: jobsReport,
  StageProgress: stageProgress,
  HealthReport: healthReport,
  TagInfo: tagInfo,
  TagList: tagList,
  Explain: explain,
  ClauseExplanation: clauseExplanation,
  QueryNode: queryNode,
  ...nodes,
  Comparison: comparison,
  Value: value,
  Span: span,
  ErrorRecord: errorRecord,
  ErrorList: errorList,
  LoginRequest: object<{ token: string }>('The server token.', { token: str('`server.token` of the configuration (or SAGASU_TOKEN)') }),
  LoginResult: object<{ ok: true }>('Logged in (or no token is configured).', { ok: { type: 'boolean', const: true } }),
  PixivFetchRequest: pixivFetchRequest(),
  PixivJobStatus: pixivJobStatus,
  PixivLibraryCounts: pixivLibraryCounts,
  PromptHit: promptHit,
  PromptSearchPage: promptSearchPage,
  PromptStats: promptStats,
  NameCount: nameCount,
  DatasetStats: datasetStats,
  DatasetImage: datasetImage,
  DatasetImagePage: datasetImagePage,
  DatasetSample: datasetSample,
  BatchSetRequest: batchSetRequest(),
  BatchSetCreated: object<{ id: string }>('The new batch set.', { id: str('batch set id, 32 hex digits', { pattern: '^[0-9a-f]{32}$', example: 'df31e073520a47ffbeaec9d7ad74ebb2' }) }),
  BatchSetList: object<{ ids: string[] }>('Every batch set, oldest first.', { ids: { type: 'array', items: { type: 'string' } } }),
  BatchSetInfo: batchSetInfoSchema,
  DatasetBatch: datasetBatch,
  ImportRunProgress: importRunProgress,
  WatchReport: watchReportSchema,
  LibraryCharts: libraryCharts,
  RetryRequest: requestBody(retryRequestSchema, 'The file whose error record to clear: `folder` and `path` as GET /api/errors gives them.'),
  AddFolderRequest: requestBody(addFolderRequestSchema, 'A folder entry of the configuration: `name` (letters, digits, `-`, `_`; it appears in /files/<name>/ URLs), `path` (an existing directory; relative paths are taken from the configuration file\'s folder) and `recursive` (default true).'),
  ModelDownloadRequest: requestBody(modelDownloadRequestSchema, 'Which model to download.'),
  Settings: { ...requestBody(settingsRequestSchema, 'Every editable setting: the configuration keys of the same names (docs/configuration.md). Every key is required; `path` of a model is optional.')},
  SettingsReport: settingsReport,
  ModelStatus: modelStatus,
  Accepted: { type: 'object', description: 'The work started in the background.', additionalProperties: { type: ['boolean', 'string'] } },
}

// --- parameters, responses, operations ---

const json = (schema: JsonSchema) => ({ 'application/json': { schema } })
const jsonResponse = (description: string, schema: JsonSchema) => ({ description, content: json(schema) })
const responseRef = (name: 'BadRequest' | 'Unauthorized' | 'NotFound' | 'MisdirectedRequest' | 'CrossSite' | 'UnsupportedMediaType' | 'PayloadTooLarge' | 'TooManyTokens') => ({ $ref: `#/components/responses/${name}` })
const parameterRef = (name: string) => ({ $ref: `#/components/parameters/${name}` })

/** The search parameters in the query string, from the request schema. */
function searchParameters(): Record<string, unknown> {
  const request = SCHEMAS.SearchRequest as { properties: Record<string, JsonSchema & { description?: string; example?: unknown }> }
  return Object.fromEntries(
    Object.entries(request.properties).map(([name, { description, example, ...schema }]) => [
      `search-${name}`,
      { name, in: 'query', required: false, description, schema, ...(example === undefined ? {} : { example }) },
    ]),
  )
}

const FILE_HEADERS = {
  ETag: { description: '`"<size hex>-<mtime ms hex>"`', schema: { type: 'string' } },
  'Last-Modified': { description: 'file modification time', schema: { type: 'string' } },
  'Accept-Ranges': { description: 'always `bytes`', schema: { type: 'string' } },
  'Cache-Control': { description: 'how long browsers may keep it', schema: { type: 'string' } },
  'Content-Length': { description: 'bytes in this response', schema: { type: 'integer' } },
}

/** GET and HEAD of a file route (`/files`, `/thumbs`): conditional and range requests. */
function fileOperation(summary: string, description: string, parameters: unknown[], cacheControl: string, notFound: string, forbidden?: string): Record<string, unknown> {
  const binary = { 'image/*': {} }
  const responses: Record<string, unknown> = {
    200: { description: `The whole file. \`Cache-Control: ${cacheControl}\`.`, headers: FILE_HEADERS, content: binary },
    206: {
      description: 'Part of the file, for `Range: bytes=a-b`, `bytes=a-` or `bytes=-n` (one range; several ranges or an unreadable header get the whole file with 200, and so does an `If-Range` that is neither the current strong ETag nor exactly the Last-Modified date).',
      headers: { ...FILE_HEADERS, 'Content-Range': { description: '`bytes a-b/size`', schema: { type: 'string' } } },
      content: binary,
    },
    304: { description: '`If-None-Match` holds the current ETag (weak `W/` tags and lists accepted): no body.', headers: { ETag: FILE_HEADERS.ETag } },
    400: responseRef('BadRequest'),
    401: responseRef('Unauthorized'),
    ...(forbidden ? { 403: jsonResponse(forbidden, ref('Error')) } : {}),
    404: { description: notFound, content: json(ref('Error')) },
    416: {
      description: 'The range starts beyond the end of the file (or is `bytes=-0`): no body.',
      headers: { 'Content-Range': { description: '`bytes */size`', schema: { type: 'string' } } },
    },
  }
  const allParameters = [...parameters, parameterRef('Range'), parameterRef('If-None-Match')]
  const head = {
    ...responses,
    200: { description: 'The headers of the whole file (Content-Length included), no body.', headers: FILE_HEADERS },
    206: { description: 'The headers of the range, no body.', headers: { ...FILE_HEADERS, 'Content-Range': { description: '`bytes a-b/size`', schema: { type: 'string' } } } },
  }
  return {
    get: { tags: ['files'], summary, description, operationId: `get${summary.replace(/\W/g, '')}`, parameters: allParameters, responses },
    head: { tags: ['files'], summary: `${summary} (headers only)`, description: 'The headers of GET, without the body.', operationId: `head${summary.replace(/\W/g, '')}`, parameters: allParameters, responses: head },
  }
}

const API_DESCRIPTION = `Sagasu searches a local collection of illustrations. This is its HTTP API: JSON over HTTP, plus the
original files and thumbnails. The prose reference is docs/http-api.md; the query language is described
in docs/query-language.md.

**Errors** have the body \`{"error": {"message": "…"}}\`; query and sort errors add \`position\` (0-based
offset into \`q\` or \`sort\`) and usually \`hint\`. A bad request gets a 4xx, never a 500.

**Authentication** is enforced only when the server has a token (\`server.token\` in the configuration, or
SAGASU_TOKEN). Then every request except \`POST /api/login\` must carry it, by the first of: an
\`Authorization: Bearer <token>\` header, an \`X-Sagasu-Token\` header, or the \`sagasu_token\` session cookie
that \`POST /api/login\` sets. Without it the answer is 401. The static files of the web app and of this
reference page (\`/_nuxt/…\`, \`/docs/assets/…\`, \`/docs/init.js\`) are served without the check.

**Other sites and host names.** Every request's \`Host\` must be a loopback name, an IP address, the
server's own address or a name in \`server.allowedHosts\` (else 421, DNS rebinding). \`POST\`, \`PUT\`,
\`PATCH\` and \`DELETE\` are refused (403) when a browser says another page sent them (\`Sec-Fetch-Site\`,
\`Origin\`), and take only \`application/json\` bodies (415), except a multipart image search and the
login form. Bodies are counted while read: past the route's limit (1 MiB; 28 MiB for \`POST /api/search\`,
16 KiB for \`POST /api/login\`) the answer is 413 and the connection is closed. Ten wrong tokens from one
address within a minute get 429 with \`Retry-After\`.

**Timestamps** are epoch milliseconds (UTC). An \`/api/…\` path or method that no route answers gets a JSON
404; other paths that match no route are answered by the web app (200, HTML). \`HEAD\` on a \`GET\` route
under \`/api/\` answers as \`GET\` without the body.`

const STATE_CHANGING_METHODS = new Set(['post', 'put', 'patch', 'delete'])

/**
 * Adds the answers of the HTTP edge (server/middleware) that every operation can get: 421 for a
 * foreign Host and 429 for a throttled token to all; 403 for another site's page and 415 for a body
 * that is not JSON to the state-changing ones; 413 to those that take a body.
 */
function withEdgeResponses<T extends object>(paths: T): T {
  for (const item of Object.values(paths) as Array<Record<string, { responses: Record<string, unknown>; requestBody?: unknown }>>) {
    for (const [method, operation] of Object.entries(item)) {
      const extra: Record<string, unknown> = { 421: responseRef('MisdirectedRequest'), 429: responseRef('TooManyTokens') }
      if (STATE_CHANGING_METHODS.has(method)) Object.assign(extra, { 403: operation.responses[403] ?? responseRef('CrossSite'), 415: responseRef('UnsupportedMediaType') })
      if (operation.requestBody) extra[413] = operation.responses[413] ?? responseRef('PayloadTooLarge')
      operation.responses = Object.fromEntries(Object.entries({ ...operation.responses, ...extra }).sort(([a], [b]) => Number(a) - Number(b)))
    }
  }
  return paths
}

/**
 * The OpenAPI 3.1 document of every route under server/api and server/routes.
 *
 * @example
 * const document = openApiDocument(SAGASU_VERSION)
 * document.paths['/api/search'] // { get: …, post: … }
 */
export function openApiDocument(version: string) {
  return {
    openapi: '3.1.0',
    info: {
      title: 'Sagasu HTTP API',
      version,
      description: API_DESCRIPTION,
      license: { name: 'MIT', identifier: 'MIT' },
    },
    tags: [
      { name: 'search', description: 'Queries, explain and tag autocomplete' },
      { name: 'prompts', description: 'Full-text search over the AI-generation prompts' },
      { name: 'library', description: 'Images, counts, errors and server health' },
      { name: 'jobs', description: 'Background work: imports, retries, model downloads, fetching pixiv metadata' },
      { name: 'auth', description: 'Logging in when a token is configured' },
      { name: 'dataset', description: 'Dataset counts, seeded samples and reproducible train/validation/test batches (docs/dataset-api.md)' },
      { name: 'files', description: 'Original files and thumbnails' },
      { name: 'reference', description: 'This description and its interactive page' },
    ],
    security: [{ bearerToken: [] }, { tokenHeader: [] }, { sessionCookie: [] }, {}],
    paths: withEdgeResponses({
      '/api/health': {
        get: {
          tags: ['library'], summary: 'Server health', operationId: 'getHealth',
          description: 'Name, version, store profile and capabilities. Monitoring can poll it.',
          responses: { 200: jsonResponse('The health report.', ref('HealthReport')), 401: responseRef('Unauthorized') },
        },
      },
      '/api/stats': {
        get: {
          tags: ['library'], summary: 'Index counts and charts', operationId: 'getStats',
          responses: { 200: jsonResponse('Counts of the index, top tags and users, images per month.', ref('Stats')), 401: responseRef('Unauthorized') },
        },
      },
      '/api/jobs': {
        get: {
          tags: ['library'], summary: 'Import and model-stage progress', operationId: 'getJobs',
          description: 'The persisted file-job queue of imports, and per model stage (tagger, CLIP, OCR) how many images are done and pending, the rate of the current run, and why a stage is disabled. The jobs page polls it.',
          responses: { 200: jsonResponse('The progress.', ref('JobsReport')), 401: responseRef('Unauthorized') },
        },
      },
      '/api/errors': {
        get: {
          tags: ['library'], summary: 'Import errors and warnings', operationId: 'getErrors',
          responses: { 200: jsonResponse('Every error record.', ref('ErrorList')), 401: responseRef('Unauthorized') },
        },
      },
      '/api/errors/retry': {
        post: {
          tags: ['jobs'], summary: 'Retry a failed file', operationId: 'retryError',
          description: 'Clears the error records (every stage) of one file and indexes the file again in the background, even when it has not changed (the errors table\'s retry button). If it fails again, a new error record appears in GET /api/errors.',
          requestBody: { required: true, content: json(ref('RetryRequest')) },
          responses: {
            202: jsonResponse('Queued: `{"queued":true}`.', ref('Accepted')),
            400: jsonResponse('The body is not a JSON object, has an unknown key or a bad value.', ref('Error')),
            401: responseRef('Unauthorized'),
            404: jsonResponse('No error record for this folder and path.', ref('Error')),
            409: jsonResponse('The server does not import (`--no-watch` or `watch.enabled: false`).', ref('Error')),
          },
        },
      },
      '/api/jobs/events': {
        get: {
          tags: ['jobs'], summary: 'Progress as server-sent events', operationId: 'streamJobs',
          description: 'A `text/event-stream`: a `jobs` event whose data is the GET /api/jobs report, at once and then whenever it changes (checked every second), until the client disconnects. The jobs page uses it and polls GET /api/jobs where EventSource fails.',
          responses: { 200: { description: 'The event stream.', content: { 'text/event-stream': { schema: { type: 'string' } } } }, 401: responseRef('Unauthorized') },
        },
      },
      '/api/import': {
        post: {
          tags: ['jobs'], summary: 'Import now', operationId: 'startImport',
          description: 'Runs a full import of every configured folder (scan, index what is new or changed, drop what is gone) after the work already queued. GET /api/jobs (`import`) follows it. No body.',
          responses: {
            202: jsonResponse('Started: `{"started":true}`.', ref('Accepted')),
            401: responseRef('Unauthorized'),
            409: jsonResponse('The server does not import (`--no-watch` or `watch.enabled: false`).', ref('Error')),
          },
        },
      },
      '/api/folders': {
        post: {
          tags: ['jobs'], summary: 'Add a folder', operationId: 'addFolder',
          description: 'Appends a folder to `folders` in the configuration file (its comments and other keys stay) and, in a server that imports, starts watching and importing it at once (`importing: true`).',
          requestBody: { required: true, content: json(ref('AddFolderRequest')) },
          responses: {
            202: jsonResponse('Added: `{"added":"<name>","importing":true}`.', ref('Accepted')),
            400: jsonResponse('A bad or unknown key, a name or path already configured, or a path that does not exist or is not a directory; the message names the key. The file is not touched.', ref('Error')),
            401: responseRef('Unauthorized'),
            409: jsonResponse('The server was started without a configuration file.', ref('Error')),
          },
        },
      },
      '/api/settings': {
        get: {
          tags: ['library'], summary: 'Editable settings', operationId: 'getSettings',
          description: 'Folders, model settings and tag thresholds as the configuration file has them (defaults filled in), and the status of the CLIP and tagger models.',
          responses: { 200: jsonResponse('The settings.', ref('SettingsReport')), 401: responseRef('Unauthorized') },
        },
        put: {
          tags: ['library'], summary: 'Save settings', operationId: 'saveSettings',
          description: 'Writes every editable setting into the configuration file, keeping its comments and other keys. The result is validated as a whole before anything is written. The settings take effect at the next start of the server.',
          requestBody: { required: true, content: json(ref('Settings')) },
          responses: {
            200: jsonResponse('Saved: the new GET /api/settings report with `saved: true, restartRequired: true`.', {
              allOf: [ref('SettingsReport'), { type: 'object', properties: { saved: { type: 'boolean', const: true }, restartRequired: { type: 'boolean', const: true } }, required: ['saved', 'restartRequired'] }],
            }),
            400: jsonResponse('An invalid setting: the message names the key (`thresholds.general: …`, `folders.0.path: /x does not exist`). The file is not touched.', ref('Error')),
            401: responseRef('Unauthorized'),
            409: jsonResponse('The server was started without a configuration file.', ref('Error')),
          },
        },
      },
      '/api/models/download': {
        post: {
          tags: ['jobs'], summary: 'Download a model', operationId: 'downloadModel',
          description: 'Downloads the configured CLIP or tagger model on this machine from `models.hubUrl` (into dataDir/models) and loads it once, in the background; GET /api/settings shows how it went. Only the configured hub is contacted.',
          requestBody: { required: true, content: json(ref('ModelDownloadRequest')) },
          responses: {
            202: jsonResponse('Started: `{"started":"clip"}`.', ref('Accepted')),
            400: jsonResponse('Not `{"model":"clip"}` or `{"model":"tagger"}`.', ref('Error')),
            401: responseRef('Unauthorized'),
            409: jsonResponse('A download of this model is already running.', ref('Error')),
          },
        },
      },
      '/api/images/{id}': {
        get: {
          tags: ['library'], summary: 'One image record', operationId: 'getImage',
          parameters: [{ name: 'id', in: 'path', required: true, description: 'image id: 1 to 15 digits', schema: { type: 'string', pattern: '^\\d{1,15}$' }, example: '17' }],
          responses: {
            200: jsonResponse('The image record (the same shape as a search result), with the warnings on record for its file.', { allOf: [ref('Image'), { type: 'object', properties: {
              warnings: {
                type: 'array',
                description: 'Present when the file has warnings (as GET /api/errors lists them): `probe` for an extension that does not match the content, `ai-metadata` for AI-generation metadata with a field that could not be resolved (the reason names the generator and the field)',
                items: { type: 'object', properties: { stage: { type: 'string' }, reason: { type: 'string' } }, required: ['stage', 'reason'], additionalProperties: false },
              },
            } }] }),
            400: responseRef('BadRequest'),
            401: responseRef('Unauthorized'),
            404: responseRef('NotFound'),
          },
        },
      },
      '/api/search': {
        get: {
          tags: ['search'], summary: 'Search', operationId: 'search',
          description: 'One page of the images matching `q`, in `sort` order. Paging is keyset based: pass `nextCursor` back as `cursor` for the next page; pages stay stable while the library changes. Each parameter may appear once; no other parameter is accepted.',
          parameters: Object.keys(searchRequestSchema.shape).map((name) => parameterRef(`search-${name}`)),
          responses: {
            200: jsonResponse('One page of results.', ref('SearchPage')),
            400: responseRef('BadRequest'),
            401: responseRef('Unauthorized'),
          },
        },
        post: {
          tags: ['search'], summary: 'Search (JSON body)', operationId: 'searchPost',
          description: 'The same search as GET with the parameters in a JSON body (no URL length limit), plus `image` to rank by an image: base64 in JSON, or a file part in multipart/form-data (the other parameters as text parts). An empty body searches everything.',
          requestBody: {
            required: false,
            content: {
              ...json(ref('SearchRequest')),
              'multipart/form-data': {
                schema: {
                  type: 'object',
                  description: 'The search parameters as text parts, and the image file as the part named `image`.',
                  properties: { q: { type: 'string' }, sort: { type: 'string' }, limit: { type: 'string' }, cursor: { type: 'string' }, text: { type: 'string' }, image: { type: 'string', format: 'binary' } },
                },
              },
            },
          },
          responses: {
            200: jsonResponse('One page of results.', ref('SearchPage')),
            400: jsonResponse('The body is not valid JSON, has an unknown key or a bad value, or the query, sort or cursor is invalid.', ref('Error')),
            401: responseRef('Unauthorized'),
            413: jsonResponse('The body is larger than 28 MiB (Content-Length), refused before it is read.', ref('Error')),
          },
        },
      },
      '/api/search/explain': {
        get: {
          tags: ['search'], summary: 'Explain a query', operationId: 'explainSearch',
          description: 'How `q` and `sort` are understood: canonical text, syntax tree, the store\'s compiled form, the MongoDB form, and how many images each top-level clause matches on its own.',
          parameters: [
            { name: 'q', in: 'query', required: false, description: 'query text', schema: { type: 'string', maxLength: 4000 }, example: 'type;=pixiv, width;>=100' },
            { name: 'sort', in: 'query', required: false, description: 'sort keys (default `added;-1`)', schema: { type: 'string', maxLength: 500 } },
          ],
          responses: { 200: jsonResponse('The explanation.', ref('Explain')), 400: responseRef('BadRequest'), 401: responseRef('Unauthorized') },
        },
      },
      '/api/tags': {
        get: {
          tags: ['search'], summary: 'Tag autocomplete', operationId: 'suggestTags',
          description: 'Tagger tags whose name starts with `prefix` (trimmed, lower-cased), most used first. Tags with no image are left out; empty until a tagger has run.',
          parameters: [
            { name: 'prefix', in: 'query', required: false, description: 'start of the tag name; empty lists the most used tags', schema: { type: 'string', maxLength: 200, default: '' }, example: 'long_' },
            { name: 'limit', in: 'query', required: false, description: 'at most this many', schema: { type: 'integer', minimum: 1, maximum: 100, default: 20 } },
          ],
          responses: { 200: jsonResponse('Suggestions.', ref('TagList')), 400: responseRef('BadRequest'), 401: responseRef('Unauthorized') },
        },
      },
      '/api/dataset/stats': {
        get: {
          tags: ['dataset'], summary: 'Dataset counts', operationId: 'getDatasetStats',
          responses: { 200: jsonResponse('Images, tags in use, ratings in use, images per source type.', ref('DatasetStats')), 401: responseRef('Unauthorized') },
        },
      },
      '/api/dataset/tags/{name}': {
        get: {
          tags: ['dataset'], summary: 'One tag', operationId: 'getDatasetTag',
          description: 'A tagger tag by exact name, with its category and how many images carry it (0 when none does any more). Percent-encode the name (`/`, `%`, `?`, `#`).',
          parameters: [{ name: 'name', in: 'path', required: true, description: 'tag name (400 when longer than 500 characters)', schema: { type: 'string', minLength: 1, maxLength: 500 }, example: 'long_hair' }],
          responses: { 200: jsonResponse('The tag.', ref('TagInfo')), 400: responseRef('BadRequest'), 401: responseRef('Unauthorized'), 404: jsonResponse('No tag of that name: `{"error":{"message":"no tag named \\"x\\""}}`.', ref('Error')) },
        },
      },
      '/api/dataset/images': {
        get: {
          tags: ['dataset'], summary: 'Page through images', operationId: 'pageDatasetImages',
          description: 'Page `page` (0-based) of `size` images matching `q`, in id order (oldest first). Past the last page: an empty `result`.',
          parameters: [
            { name: 'q', in: 'query', required: false, description: 'query text; absent: every image', schema: { type: 'string', maxLength: 4000 }, example: 'type;=pixiv' },
            { name: 'page', in: 'query', required: false, description: '0-based page number', schema: { type: 'integer', minimum: 0, maximum: 100_000_000, default: 0 } },
            { name: 'size', in: 'query', required: false, description: 'images per page', schema: { type: 'integer', minimum: 1, maximum: MAX_DATASET_PAGE, default: 64 } },
          ],
          responses: { 200: jsonResponse('One page.', ref('DatasetImagePage')), 400: responseRef('BadRequest'), 401: responseRef('Unauthorized') },
        },
      },
      '/api/dataset/images/random': {
        get: {
          tags: ['dataset'], summary: 'Seeded random sample', operationId: 'sampleDatasetImages',
          description: 'Up to `count` images drawn without replacement from those matching `q`: the first `count` in the order `xxhash64(hash, xxhash64(seed))` gives (docs/dataset-api.md). The same seed and data give the same sample; new images only displace old ones whose key they beat. Without `seed` one is drawn and returned.',
          parameters: [
            { name: 'count', in: 'query', required: false, description: 'images to draw', schema: { type: 'integer', minimum: 1, maximum: MAX_DATASET_PAGE, default: 64 } },
            { name: 'seed', in: 'query', required: false, description: 'seed text, 1–200 characters; digits are the number (`42` = `"42"`)', schema: { type: 'string', minLength: 1, maxLength: 200 }, example: '123131231' },
            { name: 'q', in: 'query', required: false, description: 'query text; absent: every image', schema: { type: 'string', maxLength: 4000 } },
          ],
          responses: { 200: jsonResponse('The sample.', ref('DatasetSample')), 400: responseRef('BadRequest'), 401: responseRef('Unauthorized') },
        },
      },
      '/api/dataset/batches': {
        get: {
          tags: ['dataset'], summary: 'List batch sets', operationId: 'listBatchSets',
          responses: { 200: jsonResponse('Batch set ids, oldest first.', ref('BatchSetList')), 401: responseRef('Unauthorized') },
        },
        post: {
          tags: ['dataset'], summary: 'Create a batch set', operationId: 'createBatchSet',
          description: 'Places every image matching `q` in validation, test or train by the upper 32 bits of `xxhash64(content hash, xxhash64(seed))`, orders each split by the lower 32 bits, cuts it into batches of `batch_size`, and stores the result (it survives restarts). An image keeps its split and relative order when the library grows. Copies of one picture land together.',
          requestBody: { required: true, content: json(ref('BatchSetRequest')) },
          responses: {
            201: jsonResponse('Created.', ref('BatchSetCreated')),
            400: jsonResponse('The body is not a JSON object, has an unknown key or a bad value (named in the message: sizes, splits outside 0–100 or summing over 100, a seed that is neither a whole number 0…2^53−1 nor a string), the query is invalid (with `position`), or it matches no image.', ref('Error')),
            401: responseRef('Unauthorized'),
          },
        },
      },
      '/api/dataset/batches/{id}': {
        get: {
          tags: ['dataset'], summary: 'Batch set info', operationId: 'getBatchSet',
          parameters: [parameterRef('batch-set-id')],
          responses: { 200: jsonResponse('The batch set.', ref('BatchSetInfo')), 400: jsonResponse('The id is not 32 hex digits.', ref('Error')), 401: responseRef('Unauthorized'), 404: jsonResponse('No batch set with this id.', ref('Error')) },
        },
        delete: {
          tags: ['dataset'], summary: 'Delete a batch set', operationId: 'deleteBatchSet',
          description: 'Forgets the batch set and its members; the images are untouched.',
          parameters: [parameterRef('batch-set-id')],
          responses: { 204: { description: 'Deleted: no body.' }, 400: jsonResponse('The id is not 32 hex digits.', ref('Error')), 401: responseRef('Unauthorized'), 404: jsonResponse('No batch set with this id.', ref('Error')) },
        },
      },
      '/api/dataset/batches/{id}/{split}/{n}': {
        get: {
          tags: ['dataset'], summary: 'One batch', operationId: 'getBatch',
          description: 'Batch `n` (0-based) of a split: the images stored for it at creation, as they are now. A member whose image was deleted is resolved by content hash (a copy, or the file re-imported under a new id); when no image has that content it is left out and counted in `missing`, and the other members keep their batches.',
          parameters: [
            parameterRef('batch-set-id'),
            { name: 'split', in: 'path', required: true, description: 'which split', schema: { type: 'string', enum: ['train', 'validation', 'test'] } },
            { name: 'n', in: 'path', required: true, description: '0-based batch number, below `{split}_batches`', schema: { type: 'integer', minimum: 0 }, example: 0 },
          ],
          responses: {
            200: jsonResponse('The batch.', ref('DatasetBatch')),
            400: jsonResponse('The id is not 32 hex digits, `split` is not train, validation or test, or `n` is not a whole number ≥ 0.', ref('Error')),
            401: responseRef('Unauthorized'),
            404: jsonResponse('No batch set with this id, or `n` is past the last batch of the split (the message gives the range).', ref('Error')),
          },
        },
      },
      '/api/prompts/search': {
        get: {
          tags: ['prompts'], summary: 'Search AI prompts', operationId: 'searchPrompts',
          description: `Images whose AI-generation prompts match \`q\`, in SQLite FTS5 query syntax (https://www.sqlite.org/fts5.html#full_text_query_syntax), best bm25 match first; ties go to the lower image id. Words are matched whole after stemming (\`smiling\` finds \`smile\`), without regard to case or accents; punctuation separates words, so \`(masterpiece:1.2)\` and \`<lora:foo:0.8>\` are found by \`masterpiece\` and \`lora\`. An empty, malformed or too long \`q\`, an unknown column, \`l\` outside 1–${PROMPT_SEARCH.maxLimit} or an unknown parameter is a 400 naming the problem.`,
          parameters: promptSearchParameters(),
          responses: {
            200: jsonResponse('One page of matches.', ref('PromptSearchPage')),
            400: jsonResponse('A bad parameter; for a malformed query, what is wrong with it and usually a `hint`.', ref('Error')),
            401: responseRef('Unauthorized'),
          },
        },
      },
      '/api/prompts/stats': {
        get: {
          tags: ['prompts'], summary: 'AI-prompt counts', operationId: 'getPromptStats',
          description: 'How many images have AI-generation parameters, a prompt and a negative prompt; images per tool; the most used samplers and models; the range of steps and CFG scale.',
          responses: { 200: jsonResponse('The counts.', ref('PromptStats')), 401: responseRef('Unauthorized') },
        },
      },
      '/api/pixiv/fetch': {
        post: {
          tags: ['jobs'], summary: 'Fetch pixiv metadata', operationId: 'startPixivFetch',
          description: 'Starts one background run of `sagasu pixiv`: asks pixiv (`pixiv.baseUrl` + `/ajax/illust/{id}`, one request per work, `pixiv.delayMs` apart, with retries) about the pixiv works of the library that have no metadata, stores title, counts, description, tags and user name on every page image, then shares user names between images of the same user. Only the configured base URL and numeric illust ids from the index are ever requested. Follow it with `GET /api/pixiv/status`.',
          requestBody: { required: false, content: json(ref('PixivFetchRequest')) },
          responses: {
            202: jsonResponse('Started: the status at the start.', ref('PixivJobStatus')),
            400: jsonResponse('The body is not valid JSON, has an unknown key or a bad value.', ref('Error')),
            401: responseRef('Unauthorized'),
            409: jsonResponse('A run is already going on: `{"error":{"message":"a pixiv fetch is already running; …"}}`.', ref('Error')),
          },
        },
      },
      '/api/pixiv/status': {
        get: {
          tags: ['jobs'], summary: 'pixiv fetch progress', operationId: 'getPixivStatus',
          description: 'Progress of the current (or last) background run, and counts of the library\'s pixiv works. The jobs page polls it.',
          responses: { 200: jsonResponse('The status.', ref('PixivJobStatus')), 401: responseRef('Unauthorized') },
        },
      },
      '/api/login': {
        post: {
          tags: ['auth'], summary: 'Log in', operationId: 'login', security: [],
          description: 'Exchanges the server token for the `sagasu_token` session cookie (HttpOnly, SameSite=Strict, Path=/, 30 days; no Secure flag: put a TLS proxy in front beyond localhost). Needs no token itself.',
          requestBody: {
            required: true,
            content: { ...json(ref('LoginRequest')), 'application/x-www-form-urlencoded': { schema: ref('LoginRequest') } },
          },
          responses: {
            200: {
              description: 'JSON body and the right token (or no token configured: nothing is set).',
              headers: { 'Set-Cookie': { description: 'the session cookie', schema: { type: 'string' } } },
              content: json(ref('LoginResult')),
            },
            303: {
              description: 'Form body and the right token: the cookie, and a redirect to the web app.',
              headers: { Location: { description: '`/`', schema: { type: 'string' } }, 'Set-Cookie': { description: 'the session cookie', schema: { type: 'string' } } },
            },
            401: jsonResponse('Wrong or missing token: `{"error":{"message":"wrong token"}}`.', ref('Error')),
          },
        },
      },
      '/api/{path}': {
        ...Object.fromEntries((['get', 'head'] as const).map((method) => [method, {
          tags: ['reference'], summary: 'Any other /api path or method', operationId: `${method}UnknownApiRoute`,
          description: 'The catch-all under /api (server/api/[...].ts): a path or method no route above answers (`/api/nosuch`, `DELETE /api/search`) gets a JSON 404 naming it, instead of the web app\'s HTML. Shown for GET and HEAD; every method gets the same answer.',
          parameters: [{ name: 'path', in: 'path', required: true, description: 'the rest of the path', schema: { type: 'string' }, example: 'nosuch' }],
          responses: {
            401: responseRef('Unauthorized'),
            404: jsonResponse('`{"error":{"message":"no API route GET /api/nosuch; see /openapi.json"}}`', ref('Error')),
          },
        }])),
      },
      '/files/{folder}/{path}': fileOperation(
        'Original file',
        'The original file from a configured folder. Percent-encode the folder and each path segment and join the segments with `/` (the path may hold several segments, unlike a plain OpenAPI path parameter): `/files/${encodeURIComponent(folder)}/${path.split(\'/\').map(encodeURIComponent).join(\'/\')}`. The raw URL is decoded exactly once. `Content-Type` follows the content (a PNG named .jpg goes out as image/png). Other methods get 405.',
        [
          { name: 'folder', in: 'path', required: true, description: 'configured folder name', schema: { type: 'string' }, example: 'pixiv' },
          { name: 'path', in: 'path', required: true, description: 'path inside the folder, `/`-separated, each segment percent-encoded', schema: { type: 'string' }, example: '414500_89732420_p0.png' },
        ],
        'private, max-age=3600',
        'No configured folder of that name, not an image extension (png, jpg, jpeg, gif, webp, avif, bmp), no such file, or not a regular file.',
        'The opened file (symbolic links resolved) lies outside its folder, or it cannot be opened (permission denied).',
      ),
      '/thumbs/{hash}': fileOperation(
        'Thumbnail',
        'The WebP thumbnail of a content hash (the `hash` of an image record); copies of the same content share one. Immutable. One missing from the cache is made again from an indexed original with that content. Other methods get 405.',
        [{ name: 'hash', in: 'path', required: true, description: '16 lower-case hex digits, with or without `.webp`', schema: { type: 'string', pattern: '^[0-9a-f]{16}(\\.webp)?$' }, example: 'bb1a161164c874de.webp' }],
        'public, max-age=31536000, immutable',
        'No thumbnail for this hash and no indexed image with that content (or making it again failed).',
      ),
      '/openapi.json': {
        get: {
          tags: ['reference'], summary: 'This OpenAPI document', operationId: 'getOpenApi',
          description: 'Other methods than GET and HEAD get a JSON 405 with `Allow: GET, HEAD`.',
          responses: { 200: { description: 'OpenAPI 3.1', content: { 'application/json': { schema: { type: 'object' } } } }, 401: responseRef('Unauthorized') },
        },
        head: {
          tags: ['reference'], summary: 'This OpenAPI document (headers only)', operationId: 'headOpenApi',
          responses: { 200: { description: 'The headers of GET, without the body.' }, 401: responseRef('Unauthorized') },
        },
      },
      '/docs': {
        get: {
          tags: ['reference'], summary: 'Interactive API reference', operationId: 'getDocs',
          description: 'Swagger UI for this document. The page loads its scripts from `/docs/assets/` and `/docs/init.js` (no inline script) under a Content-Security-Policy. Other methods than GET and HEAD get a JSON 405 with `Allow: GET, HEAD`.',
          responses: { 200: { description: 'HTML page', content: { 'text/html': { schema: { type: 'string' } } } }, 401: responseRef('Unauthorized') },
        },
        head: {
          tags: ['reference'], summary: 'Interactive API reference (headers only)', operationId: 'headDocs',
          responses: { 200: { description: 'The headers of GET, without the body.' }, 401: responseRef('Unauthorized') },
        },
      },
    }),
    components: {
      schemas: SCHEMAS,
      parameters: {
        ...searchParameters(),
        'batch-set-id': { name: 'id', in: 'path', required: true, description: 'batch set id: 32 lower-case hex digits, as `POST /api/dataset/batches` returns it', schema: { type: 'string', pattern: '^[0-9a-f]{32}$' }, example: 'df31e073520a47ffbeaec9d7ad74ebb2' },
        Range: { name: 'Range', in: 'header', required: false, description: 'one byte range: `bytes=a-b`, `bytes=a-` or `bytes=-n`', schema: { type: 'string' }, example: 'bytes=0-1023' },
        'If-None-Match': { name: 'If-None-Match', in: 'header', required: false, description: 'ETag(s) from an earlier answer', schema: { type: 'string' } },
      },
      responses: {
        MisdirectedRequest: jsonResponse('The `Host` is not a name this server answers for (a loopback name, an IP address, `server.host` or one of `server.allowedHosts`): `{"error":{"message":"this Sagasu server does not answer for the host \\"x.example\\": add it to server.allowedHosts …"}}`. Nothing else is answered.', ref('Error')),
        CrossSite: jsonResponse('A browser says another site\'s page sent this request (`Sec-Fetch-Site` other than `same-origin`/`none`, or an `Origin` of another host): nothing is changed.', ref('Error')),
        UnsupportedMediaType: jsonResponse('The body is not `application/json` (forms and text are refused; only `POST /api/search` takes multipart/form-data and `POST /api/login` a form).', ref('Error')),
        PayloadTooLarge: {
          description: 'The body is over the route\'s limit (1 MiB; 28 MiB for `POST /api/search`; 16 KiB for `POST /api/login`), counted as it arrives: no more of it is read and the connection is closed.',
          headers: { Connection: { description: '`close`', schema: { type: 'string' } } },
          content: json(ref('Error')),
        },
        TooManyTokens: {
          description: 'Ten wrong tokens came from this address within a minute (at `/api/login` or in a header): every login and every request with a token in a header is refused until `Retry-After` seconds have passed.',
          headers: { 'Retry-After': { description: 'seconds to wait', schema: { type: 'integer' } } },
          content: json(ref('Error')),
        },
        BadRequest: jsonResponse('A bad parameter, query, sort, cursor, id, hash or path. Query and sort errors carry `position` and `hint`.', ref('Error')),
        Unauthorized: {
          description: 'A token is configured and the request does not carry it. A JSON error, or a small HTML login form when `Accept` contains `text/html`.',
          headers: { 'WWW-Authenticate': { description: '`Bearer realm="sagasu"`', schema: { type: 'string' } } },
          content: { ...json(ref('Error')), 'text/html': { schema: { type: 'string' } } },
        },
        NotFound: jsonResponse('No such item.', ref('Error')),
      },
      securitySchemes: {
        bearerToken: { type: 'http', scheme: 'bearer', description: '`Authorization: Bearer <token>`. Enforced only when `server.token` is set.' },
        tokenHeader: { type: 'apiKey', in: 'header', name: 'X-Sagasu-Token', description: 'The token in a header of its own. Enforced only when `server.token` is set.' },
        sessionCookie: { type: 'apiKey', in: 'cookie', name: 'sagasu_token', description: 'The session cookie set by `POST /api/login`. Enforced only when `server.token` is set.' },
      },
    },
  }
}

export type OpenApiDocument = ReturnType<typeof openApiDocument>

/**
 * Checks a value against a schema of an OpenAPI document (the JSON Schema keywords this document
 * uses: $ref, type, const, enum, properties, required, additionalProperties, items, oneOf, anyOf,
 * minimum, maximum, minLength, maxLength, pattern). Returns the problems, empty when it matches.
 * Tests use it to hold real responses to the documented schemas.
 *
 * @example
 * const document = openApiDocument('0.1.0')
 * schemaProblems(document, { $ref: '#/components/schemas/TagInfo' }, { name: 'x', category: 'general', count: 1 }) // []
 * schemaProblems(document, { $ref: '#/components/schemas/TagInfo' }, { name: 'x' }) // ['$: missing "category"', '$: missing "count"']
 */
export function schemaProblems(document: object, schema: unknown, value: unknown, at = '$'): string[] {
  if (typeof schema !== 'object' || schema === null) return []
  const s = schema as Record<string, unknown>
  if (typeof s.$ref === 'string') return schemaProblems(document, resolvePointer(document, s.$ref), value, at)
  const problems: string[] = []
  if (s.type !== undefined) {
    const types = Array.isArray(s.type) ? (s.type as string[]) : [s.type as string]
    if (!types.some((type) => hasType(value, type))) return [`${at}: expected ${types.join(' or ')}, got ${value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value}`]
  }
  if ('const' in s && value !== s.const) problems.push(`${at}: expected ${JSON.stringify(s.const)}, got ${JSON.stringify(value)}`)
  if (Array.isArray(s.enum) && !s.enum.includes(value)) problems.push(`${at}: ${JSON.stringify(value)} is not one of ${JSON.stringify(s.enum)}`)
  if (typeof value === 'number') {
    if (typeof s.minimum === 'number' && value < s.minimum) problems.push(`${at}: ${value} < ${s.minimum}`)
    if (typeof s.maximum === 'number' && value > s.maximum) problems.push(`${at}: ${value} > ${s.maximum}`)
  }
  if (typeof value === 'string') {
    if (typeof s.minLength === 'number' && value.length < s.minLength) problems.push(`${at}: shorter than ${s.minLength}`)
    if (typeof s.maxLength === 'number' && value.length > s.maxLength) problems.push(`${at}: longer than ${s.maxLength}`)
    if (typeof s.pattern === 'string' && !new RegExp(s.pattern, 'u').test(value)) problems.push(`${at}: ${JSON.stringify(value)} does not match ${s.pattern}`)
  }
  if (Array.isArray(value) && s.items !== undefined) value.forEach((item, i) => problems.push(...schemaProblems(document, s.items, item, `${at}[${i}]`)))
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const record = value as Record<string, unknown>
    const properties = (s.properties ?? {}) as Record<string, unknown>
    for (const name of (s.required ?? []) as string[]) if (!(name in record)) problems.push(`${at}: missing "${name}"`)
    for (const [name, item] of Object.entries(record)) {
      if (Object.hasOwn(properties, name)) problems.push(...schemaProblems(document, properties[name], item, `${at}.${name}`))
      else if (s.additionalProperties === false) problems.push(`${at}: unexpected "${name}"`)
      else if (s.additionalProperties !== undefined) problems.push(...schemaProblems(document, s.additionalProperties, item, `${at}.${name}`))
    }
  }
  if (Array.isArray(s.oneOf)) {
    const matching = s.oneOf.filter((option) => schemaProblems(document, option, value, at).length === 0).length
    if (matching !== 1) problems.push(`${at}: matches ${matching} of the oneOf schemas, not exactly 1`)
  }
  if (Array.isArray(s.anyOf) && !s.anyOf.some((option) => schemaProblems(document, option, value, at).length === 0)) problems.push(`${at}: matches none of the anyOf schemas`)
  return problems
}

/**
 * What a local `$ref` (`#/components/schemas/Image`) points at in a document; undefined when nothing.
 *
 * @example
 * resolvePointer(openApiDocument('0.1.0'), '#/components/schemas/Span') // { type: 'object', … }
 */
export function resolvePointer(document: object, pointer: string): unknown {
  if (!pointer.startsWith('#/')) return undefined
  let node: unknown = document
  for (const raw of pointer.slice(2).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~')
    if (typeof node !== 'object' || node === null || !Object.hasOwn(node, key)) return undefined
    node = (node as Record<string, unknown>)[key]
  }
  return node
}

function hasType(value: unknown, type: string): boolean {
  switch (type) {
    case 'null':
      return value === null
    case 'array':
      return Array.isArray(value)
    case 'object':
      return typeof value === 'object' && value !== null && !Array.isArray(value)
    case 'integer':
      return Number.isInteger(value)
    default:
      return typeof value === type
  }
}
