import { describe, expect, it } from 'vitest'
import { fixture } from '../../test/helpers/pixiv-server'
import { interpretReply } from './illust-reply'

const text = (name: string) => JSON.stringify(fixture(name))

describe('interpretReply', () => {
  it('reads a success reply: title, caption as sent, user, date, counts, tags with translations', () => {
    const reply = interpretReply(200, text('illust-single'))
    expect(reply).toEqual({
      kind: 'ok',
      work: {
        illustid: '104755001',
        title: '雨宿り',
        description: expect.stringContaining('梅雨の帰り道。<br />ご依頼はこちらから<br /><a href="/jump.php?https%3A%2F%2Fexample.com%2Fcommission"'),
        userId: '3011223',
        userName: 'しずく',
        createDate: Date.UTC(2023, 0, 14, 3, 0, 12),
        views: 15320,
        likes: 987,
        bookmarks: 1204,
        comments: 14,
        tags: [
          { tag: 'オリジナル', translation: 'original' }, { tag: '女の子', translation: 'girl' }, { tag: '雨', translation: 'rain' },
          { tag: '傘' }, { tag: 'オリジナル1000users入り', translation: 'original 1000+ bookmarks' },
        ],
      },
    })
    expect(interpretReply(200, text('illust-pages'))).toMatchObject({ kind: 'ok', work: { illustid: '110203040', createDate: Date.UTC(2023, 11, 20, 11) } })
  })

  it('takes createDate with any offset', () => {
    const json = fixture('illust-single') as { body: Record<string, unknown> }
    json.body.createDate = '2023-01-14T12:00:12+09:00'
    expect(interpretReply(200, JSON.stringify(json))).toMatchObject({ work: { createDate: Date.UTC(2023, 0, 14, 3, 0, 12) } })
  })

  it('calls pixiv\'s error replies permanent: deleted, restricted', () => {
    expect(interpretReply(404, text('deleted'))).toEqual({ kind: 'permanent', status: 'deleted', message: '該当作品は削除されたか、存在しない作品IDです。' })
    expect(interpretReply(403, text('restricted'))).toEqual({ kind: 'permanent', status: 'restricted', message: 'The creator has limited who can view this content' })
    // The flag decides, whatever the status; the message tells restricted from deleted.
    expect(interpretReply(400, text('restricted'))).toMatchObject({ kind: 'permanent', status: 'restricted' })
    expect(interpretReply(200, '{"error":true,"message":"該当作品の公開レベルにより閲覧できません。","body":[]}')).toMatchObject({ status: 'restricted' })
    expect(interpretReply(400, '{"error":true,"message":"Work has been deleted or the ID does not exist.","body":[]}')).toMatchObject({ status: 'deleted' })
    expect(interpretReply(404, '<html>Not Found</html>')).toEqual({ kind: 'permanent', status: 'deleted', message: 'HTTP 404' })
  })

  it('calls everything else transient: 429, 5xx, not JSON, an unexpected shape, other statuses', () => {
    expect(interpretReply(429, text('deleted'))).toEqual({ kind: 'transient', message: 'HTTP 429' })
    expect(interpretReply(503, text('illust-single'))).toEqual({ kind: 'transient', message: 'HTTP 503' })
    expect(interpretReply(200, '{"error":false,"body":{"illustId":')).toMatchObject({ kind: 'transient', message: expect.stringContaining('not JSON') })
    expect(interpretReply(200, '')).toMatchObject({ kind: 'transient', message: expect.stringContaining('not JSON (empty)') })
    expect(interpretReply(200, '{"error":false,"message":"","body":[]}')).toMatchObject({ kind: 'transient', message: expect.stringContaining('unexpected reply: body') })
    const json = fixture('illust-single') as { body: Record<string, unknown> }
    json.body.viewCount = '15320'
    expect(interpretReply(200, JSON.stringify(json))).toMatchObject({ kind: 'transient', message: expect.stringContaining('body.viewCount') })
    expect(interpretReply(403, '<html>Just a moment...</html>')).toMatchObject({ kind: 'transient', message: expect.stringContaining('HTTP 403') })
    expect(interpretReply(302, '')).toMatchObject({ kind: 'transient' })
  })
})
