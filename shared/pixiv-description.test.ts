import { describe, expect, it } from 'vitest'
import { fixture } from '../test/helpers/pixiv-server'
import { describePixivHtml } from './pixiv-description'

describe('describePixivHtml', () => {
  it('turns a real caption into text, breaks and links (jump.php unwrapped, pixiv paths absolute)', () => {
    const caption = (fixture('illust-single') as { body: { illustComment: string } }).body.illustComment
    expect(describePixivHtml(caption)).toEqual([
      { kind: 'text', text: '梅雨の帰り道。' },
      { kind: 'break' },
      { kind: 'text', text: 'ご依頼はこちらから' },
      { kind: 'break' },
      { kind: 'link', text: 'https://example.com/commission', href: 'https://example.com/commission' },
      { kind: 'break' },
      { kind: 'text', text: '過去作: ' },
      { kind: 'link', text: 'illust/99887766', href: 'https://www.pixiv.net/artworks/99887766' },
    ])
    expect(describePixivHtml('<a href="/users/545454">Kuro</a>')).toEqual([{ kind: 'link', text: 'Kuro', href: 'https://www.pixiv.net/users/545454' }])
  })

  it('decodes entities into text, never into markup', () => {
    expect(describePixivHtml('&lt;全3ページ&gt; &amp; &quot;x&quot; &#39;y&#x27; &#12354; &bogus; &#0;')).toEqual([
      { kind: 'text', text: '<全3ページ> & "x" \'y\' あ &bogus; &#0;' },
    ])
    expect(describePixivHtml('&lt;script&gt;alert(1)&lt;/script&gt;')).toEqual([{ kind: 'text', text: '<script>alert(1)</script>' }])
  })

  it('keeps only http(s) links; scripts, handlers and other tags lose their power and keep their text', () => {
    expect(describePixivHtml('<a href="javascript:alert(1)">click</a>')).toEqual([{ kind: 'text', text: 'click' }])
    expect(describePixivHtml('<a href="/jump.php?javascript%3Aalert(1)">x</a><a href="data:text/html,hi">y</a><a href="//evil.example/">z</a>')).toEqual([{ kind: 'text', text: 'xyz' }])
    expect(describePixivHtml('<a href=\'https://a.example/?q=1&amp;r=2\' onclick="steal()">a</a>')).toEqual([{ kind: 'link', text: 'a', href: 'https://a.example/?q=1&r=2' }])
    expect(describePixivHtml('<script>alert(1)</script><img src=x onerror=alert(2)><b>bold</b><style>p{}</style>')).toEqual([{ kind: 'text', text: 'alert(1)boldp{}' }])
    expect(describePixivHtml('<a href="/jump.php?%E0%A4%A">broken</a>')).toEqual([{ kind: 'text', text: 'broken' }])
    expect(describePixivHtml('unclosed <a href="https://x.example">link')).toEqual([{ kind: 'text', text: 'unclosed link' }])
    expect(describePixivHtml('')).toEqual([])
  })
})
