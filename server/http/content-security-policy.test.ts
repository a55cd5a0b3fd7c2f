import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { contentSecurityPolicy, inlineScriptHashes } from './content-security-policy'

const sha = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`

describe('Content-Security-Policy', () => {
  it('hashes the inline scripts a browser runs, not data blocks or external scripts', () => {
    const html = '<script>window.__NUXT__={}</script><script type="application/json" id="__NUXT_DATA__">[1]</script>'
      + '<script type="module" src="/_nuxt/a.js" crossorigin></script><script type="module">import "/x.js"</script>'
    expect(inlineScriptHashes(html)).toEqual([sha('window.__NUXT__={}'), sha('import "/x.js"')])
  })

  it('hashes an inline import map, which script-src governs too (Nuxt maps #entry in one)', () => {
    const map = '{"imports":{"#entry":"/_nuxt/BkS8clQz.js"}}'
    const html = `<script type="importmap">${map}</script><script type="module" src="/_nuxt/BkS8clQz.js" crossorigin></script>`
    expect(inlineScriptHashes(html)).toEqual([sha(map)])
  })

  it('allows no inline script or style without a hash or nonce', () => {
    const policy = contentSecurityPolicy()
    expect(policy).toContain("script-src 'self';")
    expect(policy).toContain("style-src 'self';")
    expect(policy).not.toContain('unsafe')
    expect(policy).toContain("img-src 'self' data: blob:")
    expect(contentSecurityPolicy({ scriptHashes: ["'sha256-x'"], styleNonce: 'n' })).toContain("script-src 'self' 'sha256-x'; style-src 'self' 'nonce-n'")
  })
})
