import { describe, expect, it } from 'vitest'
import { parseFilename } from '../workers/stages/parse-filename.stage'
import { compileTemplate, TemplateError, type FilenameTemplate } from './filename-template'

function parse(path: string, ...templates: FilenameTemplate[]) {
  return parseFilename(path, { templates })
}

describe('filename templates', () => {
  it('reads PixivBatchDownloader\'s rule in its own vocabulary, before the built-in layouts', () => {
    const rule = { template: 'pixiv/{user}-{user_id}/{id}-{title}', type: 'pixiv' } as const
    expect(parse('pixiv/しずく-1234567/98765432_p3-夏.png', rule)).toEqual({ type: 'pixiv', username: 'しずく', userid: '1234567', illustid: '98765432', page: 3 })
    const edited = { template: '{user_id}/{date}_{p_title}_{id}.{ext}', type: 'pixiv' } as const
    expect(parse('1234567/2024-01-31_夏_98765432_p1.jpg', edited)).toEqual({ type: 'pixiv', userid: '1234567', date: Date.UTC(2024, 0, 31), illustid: '98765432', page: 1 })
  })

  it('reads gallery-dl, PixivUtil2, PixEZ and AMANE templates', () => {
    expect(parse('twitter/shizuku_art/2023-05-14 1657890123456789012 2.jpg', { template: 'twitter/{user[name]}/{date:%Y-%m-%d} {tweet_id} {num}.{extension}', type: 'twitter' }))
      .toEqual({ type: 'twitter', userid: 'shizuku_art', date: Date.UTC(2023, 4, 14), tweetid: '1657890123456789012', page: 1 })
    expect(parse('しずく [1234567]/98765432_p0 夏.png', { template: '%artist% [%member_id%]/%urlFilename% %title%', type: 'pixiv' }))
      .toEqual({ type: 'pixiv', username: 'しずく', userid: '1234567', illustid: '98765432', page: 0 })
    expect(parse('98765432-p2-しずく.jpg', { template: '{illust_id}-p{part}-{user_name}', type: 'pixiv' }))
      .toEqual({ type: 'pixiv', illustid: '98765432', page: 2, username: 'しずく' })
    expect(parse('shizuku_art 1657890123456789012 photo.jpg', { template: '{user-id} {status-id} {file-type}', type: 'twitter' }))
      .toMatchObject({ type: 'twitter', userid: 'shizuku_art', tweetid: '1657890123456789012' })
    expect(parse('danbooru/4567890 long_hair smile.png', { template: 'danbooru/{id} {tags}', type: 'danbooru' }))
      .toEqual({ type: 'danbooru', postid: '4567890', tags1: ['long_hair', 'smile'] })
  })

  it('stores nothing wrong: a user id that cannot be one fails the template, and the built-in layouts answer', () => {
    const rule = { template: '{user}-{user_id}/{id}', type: 'pixiv' } as const
    expect(parse('Summer-abc/98765432_p0.png', rule)).toEqual({ type: 'pixiv', illustid: '98765432', page: 0 })
    expect(parse('x/wallpaper.png', rule)).toEqual({ type: 'other' })
  })

  it.each([
    ['{user}-{userid/{id}', 8, 'unbalanced "{"'],
    ['{user}-{user_id}}/{id}', 17, 'unbalanced "}"'],
    ['{id}_p{page', 7, 'unbalanced "{"'],
    ['{id}_{foo}', 6, 'unknown placeholder "foo"'],
    ['{}_{id}', 1, 'empty placeholder'],
    ['{id}_{tweet_id}', 6, 'does not fit type pixiv'],
    ['no placeholders', 1, 'no placeholder'],
    ['/{id}', 1, 'not "/"'],
  ])('refuses %j at position %i', (template, position, reason) => {
    let thrown: unknown
    try {
      compileTemplate({ template, type: 'pixiv' })
    } catch (error) {
      thrown = error
    }
    expect(thrown).toBeInstanceOf(TemplateError)
    expect((thrown as TemplateError).position).toBe(position)
    expect((thrown as TemplateError).message).toContain(reason)
  })

  it('counts only the template\'s own folders, not a "/" inside a format', () => {
    const rule = { template: 'pixiv/{date:?_//%Y-%m-%d}_{id}', type: 'pixiv' } as const
    expect(compileTemplate(rule).segments).toBe(2)
    expect(parse('x/pixiv/2024-01-31_98765432_p2.png', rule)).toEqual({ type: 'pixiv', date: Date.UTC(2024, 0, 31), illustid: '98765432', page: 2 })
  })

  it('takes {{ and }} as literal braces', () => {
    expect(parse('{98765432}.png', { template: '{{{id}}}', type: 'pixiv' })).toEqual({ type: 'pixiv', illustid: '98765432' })
  })
})

describe('documented templates', () => {
  it('compiles every example of docs/configuration.md and config/sagasu.example.yaml', async () => {
    const { readFileSync } = await import('node:fs')
    const { parse } = await import('yaml')
    const docs = readFileSync(new URL('../docs/configuration.md', import.meta.url), 'utf8')
    const block = /```yaml\n(filenames:\n[\s\S]*?)```/.exec(docs)
    expect(block, 'the filenames example block of docs/configuration.md').not.toBeNull()
    const fromDocs = (parse(block![1]!) as { filenames: FilenameTemplate[] }).filenames
    const example = (parse(readFileSync(new URL('./sagasu.example.yaml', import.meta.url), 'utf8')) as { filenames: FilenameTemplate[] }).filenames
    expect(fromDocs.length).toBeGreaterThanOrEqual(8)
    for (const entry of [...fromDocs, ...example]) expect(() => compileTemplate(entry), entry.template).not.toThrow()
  })
})
