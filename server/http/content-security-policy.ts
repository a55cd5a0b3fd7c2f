import { createHash } from 'node:crypto'

/**
 * The Content-Security-Policy of every response. Scripts come only from this origin, plus the
 * inline scripts of the app's page by their SHA-256 (Nuxt writes one: `window.__NUXT__.config=…`;
 * its JSON payload `<script type="application/json">` is data and needs nothing). Styles come from
 * this origin plus the one `<style>` Vuetify writes for its theme, which carries the page's nonce.
 * Images may be data: and blob: URLs (the preview of an image query). `inlineStyles` allows style
 * attributes (Swagger UI sets them in the markup it renders).
 *
 * @example
 * contentSecurityPolicy({ scriptHashes: ["'sha256-abc='"], styleNonce: 'xyz' })
 * // "default-src 'self'; script-src 'self' 'sha256-abc='; style-src 'self' 'nonce-xyz'; …"
 */
export function contentSecurityPolicy(page: { scriptHashes?: readonly string[]; styleNonce?: string; inlineStyles?: boolean } = {}): string {
  return [
    "default-src 'self'",
    ['script-src', "'self'", ...(page.scriptHashes ?? [])].join(' '),
    ['style-src', "'self'", ...(page.inlineStyles ? ["'unsafe-inline'"] : page.styleNonce ? [`'nonce-${page.styleNonce}'`] : [])].join(' '),
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ')
}

const EXECUTED_TYPES = new Set(['module', 'text/javascript', 'application/javascript', 'importmap'])
const SCRIPT = /<script\b([^>]*)>([\s\S]*?)<\/script\s*>/gi

/**
 * The CSP source expressions (`'sha256-…'`) of the inline scripts a browser would run in `html`:
 * those without `src` whose type is JavaScript (none, a JavaScript MIME type, or `module`), and
 * import maps, which `script-src` governs too (Nuxt 4.5+ maps `#entry` in one; blocked, no chunk loads).
 *
 * @example
 * inlineScriptHashes('<script>alert(1)</script><script type="application/json">{}</script>')
 * // ["'sha256-bhHHL3z2vDgxUt0W3dWQOrprscmda2Y5pLsLg4GF+pI='"]
 */
export function inlineScriptHashes(html: string): string[] {
  const hashes: string[] = []
  for (const [, attributes = '', body = ''] of html.matchAll(SCRIPT)) {
    if (/\ssrc\s*=/i.test(` ${attributes}`)) continue
    const type = /\btype\s*=\s*["']?([^"'\s>]+)/i.exec(attributes)?.[1]?.toLowerCase()
    if (type && !EXECUTED_TYPES.has(type)) continue
    hashes.push(`'sha256-${createHash('sha256').update(body, 'utf8').digest('base64')}'`)
  }
  return [...new Set(hashes)]
}
