import { z } from 'zod'
import { compileTemplate, TemplateError } from './filename-template'

/** Line breaks, tabs and other control characters: never part of a real name, and a way to forge lines in the config file and logs. */
export const noControl = [/^[^\p{Cc}]*$/u, 'must not contain control characters (line breaks, tabs, …)'] as const

/** A DNS name as a Host header carries it, without port: letters, digits, "-" and ".". */
const HOST_NAME = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/

const folderName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, 'use letters, digits, "-" and "_" (it appears in /files/<name>/ URLs)')

/** Matching images up to which a filtered vector search ranks every match's int8 copy (BENCHMARKS.md, "Vector index"). */
export const DEFAULT_EXACT_BELOW = 20_000

export const folderSchema = z.strictObject({
  name: folderName,
  path: z.string().min(1, 'must not be empty').regex(...noControl),
  recursive: z.boolean().default(true),
})

/**
 * `fp32`: the model as published; `int8`: its dynamically quantized copy (`*_quantized.onnx` beside
 * it), smaller and on most CPUs faster, with outputs close to but not equal to fp32's (BENCHMARKS.md,
 * "Models at real size").
 */
export const modelPrecision = z.enum(['fp32', 'int8'])
export type ModelPrecision = z.output<typeof modelPrecision>

/** A model setting; each model has its own default id, so `{enabled: false}` alone is enough. */
function modelSchema(defaultName: string) {
  return z
    .strictObject({
      enabled: z.boolean().default(true),
      /** A model id the machine downloads once into dataDir/models. */
      name: z.string().min(1).regex(...noControl).default(defaultName),
      /** A local folder with the model files, for offline installs; wins over `name`. */
      path: z.string().min(1).regex(...noControl).optional(),
      precision: modelPrecision.default('fp32'),
    })
    .prefault({})
}

const taggerSchema = z
  .strictObject({
    enabled: z.boolean().default(true),
    /** A WD14 v3 model id the machine downloads once into dataDir/models. */
    name: z.string().min(1).regex(...noControl).default('SmilingWolf/wd-swinv2-tagger-v3'),
    /** A local folder with the model files, for offline installs; wins over `name`. */
    path: z.string().min(1).regex(...noControl).optional(),
    /** The folder layout: `auto` recognises selected_tags.csv (WD14 v3) or tags.txt (DeepDanbooru). */
    layout: z.enum(['auto', 'wd14', 'deepdanbooru']).default('auto'),
    /** `int8` reads `model_quantized.onnx` (`deepdanbooru_quantized.onnx`) from the same folder. */
    precision: modelPrecision.default('fp32'),
  })
  .prefault({})

/**
 * Where the tagger, CLIP and the paddle OCR engine run (docs/models.md, "GPU"): `auto` takes the
 * platform's GPU when onnxruntime-node can use it, else the CPU; a named GPU that cannot be used
 * also falls back to the CPU, with one line saying why.
 */
export const MODEL_DEVICES = ['auto', 'cpu', 'cuda', 'dml', 'coreml'] as const
export type ModelDevice = (typeof MODEL_DEVICES)[number]

/** The paddle OCR engine's default model: PaddlePaddle's own ONNX release of PP-OCRv5 mobile. */
export const DEFAULT_PADDLE_OCR_MODEL = 'PP-OCRv5_mobile'

/** A browser's User-Agent: pixiv's web API refuses requests that do not look like a browser's. */
export const DEFAULT_PIXIV_USER_AGENT = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0'

/** `name=value` pairs separated by `;` — what a Cookie header holds: printable ASCII, no line breaks (header injection). */
const COOKIE = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+=[\x21-\x3a\x3c-\x7e]*(?:; ?[!#$%&'*+\-.^_`|~0-9A-Za-z]+=[\x21-\x3a\x3c-\x7e]*)*$/

function isBaseUrl(text: string): boolean {
  try {
    const url = new URL(text)
    return (url.protocol === 'http:' || url.protocol === 'https:') && !url.username && !url.password && !url.search && !url.hash
  } catch {
    return false
  }
}

const baseUrl = z.string().refine(isBaseUrl, 'must be an http(s) URL without query, fragment or credentials, such as https://www.pixiv.net')
const hubUrl = z.string().refine(isBaseUrl, 'must be an http(s) URL without query, fragment or credentials, such as https://huggingface.co')

/**
 * A user's naming template (docs/configuration.md, "File names"), compiled here so that a template
 * that cannot be read is a config error naming its key and position, never a parse-time surprise.
 */
const filenameSchema = z
  .strictObject({
    template: z.string().min(1, 'must not be empty').max(500).regex(...noControl),
    type: z.enum(['pixiv', 'twitter', 'yandere', 'danbooru', 'other']),
  })
  .superRefine((entry, context) => {
    try {
      compileTemplate(entry)
    } catch (error) {
      if (!(error instanceof TemplateError)) throw error
      context.addIssue({ code: 'custom', path: ['template'], message: `${error.message}: ${entry.template}` })
    }
  })

export const configSchema = z.strictObject({
  folders: z.array(folderSchema).default([]),
  /** The user's naming templates, tried in order before the built-in layouts. */
  filenames: z.array(filenameSchema).max(100).default([]),
  dataDir: z.string().min(1).default('.sagasu'),
  server: z
    .strictObject({
      host: z.string().min(1).default('127.0.0.1'),
      port: z.number().int().min(0).max(65535).default(3000),
      /** Required when host is not a loopback address; every request must then carry it. */
      token: z.string().min(16, 'must be at least 16 characters').optional(),
      /**
       * Host names the server answers to besides loopback names, IP addresses and `host`: the name
       * a reverse proxy serves it under. Any other Host is refused (DNS rebinding).
       */
      allowedHosts: z.array(z.string().regex(HOST_NAME, 'a host name without scheme or port, such as photos.example.org')).max(100).default([]),
    })
    .prefault({}),
  store: z
    .strictObject({
      profile: z.enum(['embedded', 'servers']).default('embedded'),
      /**
       * The server keeps tag, tags1, text and source-type facts in memory for fast exact counts
       * (about 175 MB for a million tagged images). Off: counts come from SQL alone.
       */
      memoryIndex: z.boolean().default(true),
      /** The servers profile's backends (docs/servers-profile.md); read only with `profile: servers`. */
      servers: z
        .strictObject({
          mongodb: z
            .strictObject({
              /** Connection string; credentials may be in it (they never appear in error messages). */
              url: z.string().regex(/^mongodb(\+srv)?:\/\//, 'must be a mongodb:// or mongodb+srv:// connection string').default('mongodb://127.0.0.1:27017'),
              database: z.string().regex(/^[A-Za-z0-9_-]{1,63}$/, 'use letters, digits, "-" and "_"').default('sagasu'),
              /** How long an operation waits for an unreachable server before it fails naming MongoDB. */
              timeoutSeconds: z.number().min(0.1).max(600).default(10),
            })
            .prefault({}),
          milvus: z
            .strictObject({
              /** host:port of Milvus' gRPC endpoint. */
              address: z.string().min(1).default('127.0.0.1:19530'),
              /** `user:password` or an API key, when Milvus has authentication on. */
              token: z.string().min(1).optional(),
              /** Milvus database (created when missing); Milvus' `default` when absent. */
              database: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,254}$/, 'use letters, digits and "_", starting with a letter or "_"').optional(),
              /** HNSW of each model's collection; M and efConstruction apply when a collection's index is built (sagasu index rebuild). */
              index: z
                .strictObject({
                  M: z.number().int().min(4).max(64).default(32),
                  efConstruction: z.number().int().min(8).max(512).default(64),
                  /** Candidates per search (raised to k when smaller). Higher: better recall, slower. */
                  efSearch: z.number().int().min(8).max(32_768).default(64),
                })
                .prefault({}),
            })
            .prefault({}),
          meilisearch: z
            .strictObject({
              url: z.string().refine(isBaseUrl, 'must be an http(s) URL without query, fragment or credentials'),
              /** The environment variable holding the API key (the key itself never goes in the file). */
              apiKeyEnv: z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'an environment variable name, e.g. MEILI_MASTER_KEY').optional(),
            })
            .optional(),
        })
        .prefault({}),
    })
    .prefault({}),
  /** The vector index of CLIP embeddings (embedded profile): an HNSW graph per model under dataDir/vectors. */
  vectors: z
    .strictObject({
      /** HNSW M: links per vector. More: better recall, more memory (8 bytes per vector per unit); a change rebuilds the index. */
      connectivity: z.number().int().min(4).max(128).default(32),
      /** HNSW efConstruction: candidates per insert. More: a better graph, slower imports; a change rebuilds the index. */
      expansionAdd: z.number().int().min(8).max(1024).default(64),
      /** HNSW efSearch: candidates per search (at least k). More: better recall, slower searches; 256 reaches recall@10 0.978 at a million CLIP-like vectors (BENCHMARKS.md). */
      expansionSearch: z.number().int().min(8).max(4096).default(256),
      /** A filtered search with at most this many matching images ranks their int8 copies (native brute force) instead of searching the graph. */
      exactBelow: z.number().int().min(0).max(10_000_000).default(DEFAULT_EXACT_BELOW),
    })
    .prefault({}),
  import: z
    .strictObject({
      concurrency: z.number().int().min(1).max(64).default(2),
      thumbnailSize: z.number().int().min(64).max(2048).default(384),
      thumbnailQuality: z.number().int().min(1).max(100).default(80),
      /** Largest file read into memory; bigger files get an error record instead. */
      maxFileMiB: z.number().int().min(1).max(4096).default(256),
    })
    .prefault({}),
  watch: z
    .strictObject({
      enabled: z.boolean().default(true),
      debounceMs: z.number().int().min(0).max(60_000).default(400),
      /** Full re-scan period: the fallback for network drives and missed events. 0 turns it off. */
      rescanMinutes: z.number().min(0).max(10_080).default(10),
      /** A folder whose watching failed (inotify limits, EMFILE, an unmounted share) is re-scanned this often instead. */
      fallbackRescanSeconds: z.number().int().min(1).max(3600).default(30),
    })
    .prefault({}),
  models: z
    .strictObject({
      clip: modelSchema('Xenova/clip-vit-base-patch32'),
      tagger: taggerSchema,
      ocr: z
        .strictObject({
          enabled: z.boolean().default(true),
          /** `paddle`: PP-OCR text detection + recognition on onnxruntime; `tesseract`: tesseract.js (the second engine). */
          engine: z.enum(['paddle', 'tesseract']).default('paddle'),
          /** The paddle engine's model folder (docs/models.md, "OCR"). */
          model: z
            .strictObject({
              /** `PP-OCRv5_mobile` (PaddlePaddle's official ONNX release) or a hub id whose repository holds the folder layout; downloaded once into dataDir/models. */
              name: z.string().min(1).regex(...noControl).default(DEFAULT_PADDLE_OCR_MODEL),
              /** A local folder with det.onnx, rec.onnx, dict.txt (cls.onnx optional), for offline installs; wins over `name`. */
              path: z.string().min(1).regex(...noControl).optional(),
            })
            .prefault({}),
          /** Tesseract only: the languages it reads (the paddle recogniser reads Chinese, Japanese and English at once). */
          languages: z.array(z.enum(['jpn', 'jpn_vert', 'chi_sim', 'eng'])).min(1).default(['jpn', 'jpn_vert', 'chi_sim', 'eng']),
          /** Tesseract workers recognising at once; each holds its own copy of the language models. */
          workers: z.number().int().min(1).max(8).default(1),
          /** Which traineddata of the @tesseract.js-data packages: 4.0.0 (more accurate for CJK) or 4.0.0_best_int (smaller). */
          data: z.enum(['4.0.0', '4.0.0_best_int']).default('4.0.0'),
        })
        .prefault({}),
      device: z.enum(MODEL_DEVICES).default('auto'),
      /** Unload a model after this many idle seconds (0: keep it loaded). */
      idleUnloadSeconds: z.number().int().min(0).default(300),
      /**
       * onnxruntime intra-op threads per session (tagger, CLIP, paddle OCR); 0 lets onnxruntime
       * choose (one per physical core). The stages run one after another, so each may use every core.
       */
      threads: z.number('a whole number of threads, 0 to let onnxruntime choose').int('a whole number of threads, 0 to let onnxruntime choose').min(0).max(256).default(0),
      /** Images per inference call of the tagger and CLIP stages; memory grows with it. */
      batchSize: z.number().int().min(1).max(256).default(8),
      /** Where models named by id are downloaded from: the Hugging Face hub or a mirror of it. */
      hubUrl: hubUrl.default('https://huggingface.co'),
      /** How long to wait for the hub's first answer before a model is reported unavailable. */
      hubTimeoutSeconds: z.number().min(0.1).max(600).default(10),
    })
    .prefault({}),
  thresholds: z
    .strictObject({
      general: z.number().min(0).max(1).default(0.35),
      character: z.number().min(0).max(1).default(0.85),
    })
    .prefault({}),
  /** CLIP similarity search. */
  search: z
    .strictObject({
      /**
       * A text and an image query together rank by weight·text similarity + weight·image similarity;
       * a text query adds fullText × the share of its words found in an image's OCR text, AI prompt or tags1.
       */
      weights: z
        .strictObject({
          text: z.number().min(0).max(10).default(1),
          image: z.number().min(0).max(10).default(1),
          fullText: z.number().min(0).max(10).default(0.1),
        })
        .prefault({}),
    })
    .prefault({}),
  /** `sagasu pixiv` and POST /api/pixiv/fetch: metadata from pixiv's web API. */
  pixiv: z
    .strictObject({
      /** Only this base URL plus `/ajax/illust/<digits>` is ever requested. */
      baseUrl: baseUrl.default('https://www.pixiv.net'),
      /** A logged-in session (`PHPSESSID=…`) so restricted works answer too. */
      cookie: z.string().regex(COOKIE, 'expected a Cookie header value such as "PHPSESSID=12345_abcdef" (name=value pairs separated by "; ")').optional(),
      userAgent: z.string().min(1).max(500).regex(/^[\x20-\x7e]+$/, 'printable ASCII only').default(DEFAULT_PIXIV_USER_AGENT),
      /** Pause between two requests of one worker. */
      delayMs: z.number().int().min(0).max(600_000).default(1000),
      /** Requests in flight at once. */
      concurrency: z.number().int().min(1).max(8).default(1),
      /** Per request, the whole answer included. */
      timeoutMs: z.number().int().min(10).max(600_000).default(20_000),
      /** Further tries after a network error, a timeout, 429 or 5xx. */
      retries: z.number().int().min(0).max(10).default(4),
      /** First wait before a retry; doubles with each one. */
      backoffMs: z.number().int().min(0).max(600_000).default(2000),
      /** The longest wait before a retry, Retry-After included. */
      maxWaitMs: z.number().int().min(0).max(3_600_000).default(300_000),
    })
    .prefault({}),
})

export type SagasuConfigInput = z.input<typeof configSchema>
export type SagasuConfig = z.output<typeof configSchema>
export type FolderConfig = z.output<typeof folderSchema>
