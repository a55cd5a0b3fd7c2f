import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { tempDir } from '../test/helpers/library'
import { ensureDataDir } from './data-dir'
import { ConfigError, loadConfig } from './load-config'

function configFile(text: string): { dir: string; file: string } {
  const dir = tempDir()
  const file = join(dir, 'sagasu.config.yaml')
  writeFileSync(file, text)
  return { dir, file }
}

describe('loadConfig', () => {
  it('applies defaults and resolves paths against the config file', () => {
    const { dir, file } = configFile('folders:\n  - name: pics\n    path: ./pics\n')
    const { config } = loadConfig({ file, env: {} })
    expect(config.folders).toEqual([{ name: 'pics', path: join(dir, 'pics'), recursive: true }])
    expect(config.dataDir).toBe(join(dir, '.sagasu'))
    expect(config.server).toEqual({ host: '127.0.0.1', port: 3000, allowedHosts: [] })
    expect(config.store.profile).toBe('embedded')
  })

  it('accepts a model turned off without repeating its name', () => {
    const { file } = configFile('models:\n  clip:\n    enabled: false\n')
    const { config } = loadConfig({ file, env: {} })
    expect(config.models.clip).toEqual({ enabled: false, name: 'Xenova/clip-vit-base-patch32', precision: 'fp32' })
    expect(config.models.tagger.name).toBe('SmilingWolf/wd-swinv2-tagger-v3')
  })

  it('reads a relative OCR model path from the config file\'s folder', () => {
    const { dir, file } = configFile('models:\n  ocr:\n    engine: paddle\n    model:\n      path: models/ppocr\n')
    expect(loadConfig({ file, env: {} }).config.models.ocr.model).toEqual({ name: 'PP-OCRv5_mobile', path: join(dir, 'models/ppocr') })
  })

  it('gives OCR one worker on the 4.0.0 data by default and names a bad OCR key', () => {
    const { config } = loadConfig({ file: configFile('models:\n  ocr:\n    languages: [eng]\n').file, env: {} })
    expect(config.models.ocr).toEqual({ enabled: true, engine: 'paddle', model: { name: 'PP-OCRv5_mobile' }, languages: ['eng'], workers: 1, data: '4.0.0' })
    expect(() => loadConfig({ file: configFile('models:\n  ocr:\n    engine: easyocr\n').file, env: {} })).toThrow(/models\.ocr\.engine/)
    expect(() => loadConfig({ file: configFile('models:\n  ocr:\n    model:\n      folder: x\n').file, env: {} })).toThrow(/models\.ocr\.model/)
    expect(() => loadConfig({ file: configFile('models:\n  ocr:\n    data: best\n').file, env: {} })).toThrow(/models\.ocr\.data/)
    expect(() => loadConfig({ file: configFile('models:\n  ocr:\n    workers: 0\n').file, env: {} })).toThrow(/models\.ocr\.workers/)
  })

  it('takes models.threads and the models\' precision, and names a bad value\'s key', () => {
    const defaults = loadConfig({ file: configFile('{}\n').file, env: {} }).config.models
    expect([defaults.threads, defaults.tagger.precision, defaults.clip.precision]).toEqual([0, 'fp32', 'fp32'])
    const set = loadConfig({ file: configFile('models:\n  threads: 2\n  tagger:\n    precision: int8\n  clip:\n    precision: int8\n').file, env: {} }).config.models
    expect([set.threads, set.tagger.precision, set.clip.precision]).toEqual([2, 'int8', 'int8'])
    expect(() => loadConfig({ file: configFile('models:\n  threads: -1\n').file, env: {} })).toThrow(/models\.threads: .*0/)
    expect(() => loadConfig({ file: configFile('models:\n  threads: 1.5\n').file, env: {} })).toThrow(/models\.threads: a whole number of threads, 0 to let onnxruntime choose/)
    expect(() => loadConfig({ file: configFile('models:\n  threads: many\n').file, env: {} })).toThrow(/models\.threads: a whole number of threads/)
    expect(() => loadConfig({ file: configFile('models:\n  tagger:\n    precision: int4\n').file, env: {} })).toThrow(/models\.tagger\.precision: .*"fp32".*"int8"/)
    expect(() => loadConfig({ file: configFile('models:\n  clip:\n    precision: fp16\n').file, env: {} })).toThrow(/models\.clip\.precision: .*"fp32".*"int8"/)
  })

  it('lets the environment override the file, and --data-dir override both', () => {
    const { dir, file } = configFile('server:\n  port: 4000\n')
    const env = { SAGASU_PORT: '5000', SAGASU_HOST: '::1', SAGASU_FOLDERS: 'a=/x;b=rel', SAGASU_WATCH: 'false', SAGASU_DATA_DIR: '/env-data', SAGASU_ALLOWED_HOSTS: 'photos.example.org, nas.lan' }
    const { config } = loadConfig({ file, env })
    expect(config.server).toMatchObject({ port: 5000, host: '::1', allowedHosts: ['photos.example.org', 'nas.lan'] })
    expect(config.folders.map((f) => [f.name, f.path])).toEqual([['a', '/x'], ['b', join(dir, 'rel')]])
    expect(config.watch.enabled).toBe(false)
    expect(config.dataDir).toBe('/env-data')
    expect(loadConfig({ file, env, dataDir: '/flag-data' }).config.dataDir).toBe('/flag-data')
  })

  it.each([
    ['folders:\n  - name: x\n    path: /p\n    recurse: true\n', /folders\.0: unknown key "recurse"/],
    ['server:\n  port: 99999\n', /server\.port: .*65535/],
    ['server:\n  token: short\n', /server\.token: must be at least 16 characters/],
    ['server:\n  allowedHosts: ["photos.example.org:443"]\n', /server\.allowedHosts\.0: a host name without scheme or port/],
    ['models:\n  clip:\n    name: "a\\nb"\n', /models\.clip\.name: must not contain control characters/],
    ['folders:\n  - name: "bad name!"\n    path: /p\n', /folders\.0\.name: use letters/],
    ['folders:\n  - {name: a, path: /p}\n  - {name: a, path: /q}\n', /"a" is used twice/],
    ['store:\n  profile: postgres\n', /store\.profile/],
    ['nonsense: [1\n', /not valid YAML/],
    ['pixiv:\n  baseUrl: ftp://www.pixiv.net\n', /pixiv\.baseUrl: must be an http\(s\) URL/],
    ['filenames:\n  - template: "{user}-{user_id/{id}"\n    type: pixiv\n', /filenames\.0\.template: unbalanced "\{": no "\}" closes it at position 8/],
    ['filenames:\n  - {template: "{id}", type: pixiv}\n  - {template: "{tweet_id}_{nope}", type: twitter}\n', /filenames\.1\.template: unknown placeholder "nope" .* at position 12/],
    ['filenames:\n  - {template: "{id}", type: tumblr}\n', /filenames\.0\.type/],
    ['pixiv:\n  baseUrl: https://www.pixiv.net/?x=1\n', /pixiv\.baseUrl: must be an http\(s\) URL without query/],
    ['pixiv:\n  baseUrl: not a url\n', /pixiv\.baseUrl/],
    ['pixiv:\n  cookie: "PHPSESSID=abc\\r\\nX-Evil: 1"\n', /pixiv\.cookie: expected a Cookie header value/],
    ['pixiv:\n  cookie: just-a-value\n', /pixiv\.cookie: expected a Cookie header value/],
    ['pixiv:\n  delayMs: -1\n', /pixiv\.delayMs/],
    ['pixiv:\n  concurrency: 0\n', /pixiv\.concurrency/],
    ['pixiv:\n  timeoutMs: 1.5\n', /pixiv\.timeoutMs/],
    ['pixiv:\n  retries: 11\n', /pixiv\.retries/],
    ['pixiv:\n  delay: 100\n', /pixiv: unknown key "delay"/],
    ['- just\n- a list\n', /top level must be a mapping/],
    ['colour: blue\n', /\(top level\): unknown key "colour"/],
  ])('rejects %j naming the problem', (text, message) => {
    const { file } = configFile(text)
    expect(() => loadConfig({ file, env: {} })).toThrow(ConfigError)
    expect(() => loadConfig({ file, env: {} })).toThrow(message)
  })

  it('has pixiv defaults, takes the pixiv keys, and the session cookie from SAGASU_PIXIV_COOKIE', () => {
    const defaults = loadConfig({ env: {}, cwd: tempDir() }).config.pixiv
    expect(defaults).toEqual({
      baseUrl: 'https://www.pixiv.net', userAgent: expect.stringMatching(/^Mozilla\/5\.0 /), delayMs: 1000, concurrency: 1,
      timeoutMs: 20_000, retries: 4, backoffMs: 2000, maxWaitMs: 300_000,
    })
    expect(defaults.cookie).toBeUndefined()
    const { file } = configFile('pixiv:\n  baseUrl: http://127.0.0.1:9999/mirror\n  cookie: "PHPSESSID=123_abc; device_token=x"\n  delayMs: 0\n  concurrency: 2\n')
    expect(loadConfig({ file, env: {} }).config.pixiv).toMatchObject({ baseUrl: 'http://127.0.0.1:9999/mirror', cookie: 'PHPSESSID=123_abc; device_token=x', delayMs: 0, concurrency: 2 })
    expect(loadConfig({ file, env: { SAGASU_PIXIV_COOKIE: 'PHPSESSID=from_env' } }).config.pixiv.cookie).toBe('PHPSESSID=from_env')
    expect(() => loadConfig({ file, env: { SAGASU_PIXIV_COOKIE: 'no equals sign' } })).toThrow(/pixiv\.cookie/)
  })

  it('names a bad environment variable and a missing file', () => {
    expect(() => loadConfig({ env: { SAGASU_PORT: 'eighty' }, cwd: tempDir() })).toThrow(/SAGASU_PORT: expected a number/)
    expect(() => loadConfig({ file: '/nonexistent/sagasu.yaml', env: {} })).toThrow(/config file not found/)
  })
})

describe('ensureDataDir', () => {
  it('creates missing parents and names a folder it cannot create', () => {
    const dir = join(tempDir(), 'a', 'b')
    ensureDataDir(dir)
    ensureDataDir(dir)
    expect(() => ensureDataDir('/proc/sagasu-cannot-exist/x')).toThrow(/dataDir .*cannot create \/proc\/sagasu-cannot-exist/)
    writeFileSync(join(dir, 'file'), '')
    expect(() => ensureDataDir(join(dir, 'file'))).toThrow(/is not a folder/)
  })
})
