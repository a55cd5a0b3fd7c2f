import { createWriteStream, existsSync } from 'node:fs'
import { mkdir, rename, unlink } from 'node:fs/promises'
import { randomUUID } from 'node:crypto'
import { dirname, join } from 'node:path'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { firstLine } from './model-load-error'

/**
 * Models named by id (`Xenova/clip-vit-base-patch32`) live in `<dataDir>/models/<owner>/<name>/`,
 * the layout transformers.js uses for its own cache, fetched once from the Hugging Face hub
 * (`models.hubUrl`, a mirror works too). Only the configured hub is ever contacted.
 */
export interface HubOptions {
  hubUrl: string
  /** `<dataDir>/models` */
  modelsDir: string
  /** For the first answer of each request; a machine offline or behind a firewall fails within it. */
  timeoutMs: number
}

const MODEL_ID = /^[A-Za-z0-9][\w.-]*\/[A-Za-z0-9][\w.-]*$/

/** `owner/name` in the form the hub accepts, without `.`/`..` segments. */
export function isModelId(name: string): boolean {
  return MODEL_ID.test(name) && !name.split('/').some((part) => part === '.' || part === '..' || part.includes('..'))
}

export function localModelFolder(modelsDir: string, name: string): string {
  return join(modelsDir, ...name.split('/'))
}

export function missingFiles(folder: string, files: readonly string[]): string[] {
  return files.filter((file) => !existsSync(join(folder, file)))
}

export function fileUrl(hubUrl: string, name: string, file: string): string {
  return `${hubUrl.replace(/\/+$/, '')}/${name}/resolve/main/${file}`
}

/**
 * Asks the hub for one small file of the model, to fail within `timeoutMs` when the machine is
 * offline rather than when a download stalls. Resolves to undefined when it answers, or the reason.
 */
export async function probeHub(name: string, file: string, options: HubOptions): Promise<string | undefined> {
  const url = fileUrl(options.hubUrl, name, file)
  try {
    const response = await fetch(url, { method: 'HEAD', redirect: 'follow', signal: AbortSignal.timeout(options.timeoutMs) })
    if (response.ok) return undefined
    return `${url} answered HTTP ${response.status}`
  } catch (error) {
    return `cannot reach ${url}: ${describeFetchError(error, options.timeoutMs)}`
  }
}

/**
 * Downloads the files missing from the model's folder (each to a temporary name, then renamed,
 * so an interrupted download never leaves a half file that looks complete). Throws an Error whose
 * message names the URL and the reason.
 */
export async function downloadModelFiles(name: string, files: readonly string[], options: HubOptions): Promise<string> {
  const folder = localModelFolder(options.modelsDir, name)
  for (const file of missingFiles(folder, files)) {
    const url = fileUrl(options.hubUrl, name, file)
    const target = join(folder, file)
    await mkdir(dirname(target), { recursive: true })
    const temporary = `${target}.${randomUUID()}.part`
    const abort = new AbortController()
    let stall = setTimeout(() => abort.abort(), options.timeoutMs)
    try {
      const response = await fetch(url, { redirect: 'follow', signal: abort.signal })
      if (!response.ok || !response.body) throw new Error(`${url} answered HTTP ${response.status}`)
      const body = Readable.fromWeb(response.body as import('node:stream/web').ReadableStream<Uint8Array>)
      // The whole download may take minutes; what must not happen is a minute without a byte.
      body.on('data', () => {
        clearTimeout(stall)
        stall = setTimeout(() => abort.abort(), Math.max(options.timeoutMs, 60_000))
      })
      await pipeline(body, createWriteStream(temporary))
      await rename(temporary, target)
    } catch (error) {
      await unlink(temporary).catch(() => undefined)
      throw new Error(`cannot download ${url}: ${describeFetchError(error, options.timeoutMs)}`, { cause: error })
    } finally {
      clearTimeout(stall)
    }
  }
  return folder
}

function describeFetchError(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) return `no answer within ${timeoutMs} ms`
  // undici puts the useful part (ENOTFOUND, ECONNREFUSED) in the cause.
  const cause = error instanceof Error && error.cause instanceof Error ? ` (${firstLine(error.cause)})` : ''
  return `${firstLine(error)}${cause}`
}
