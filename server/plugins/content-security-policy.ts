import { randomBytes } from 'node:crypto'
import { setResponseHeader, type H3Event } from 'h3'
import { defineNitroPlugin } from 'nitropack/runtime'
import { contentSecurityPolicy, inlineScriptHashes } from '../http/content-security-policy'

/**
 * The app's page gets a policy naming its own inline scripts by hash, and a fresh nonce for the
 * theme stylesheet Vuetify writes (handed to the app in `<meta name="csp-nonce">`, read by
 * app/plugins/vuetify.ts). Every other response keeps the middleware's policy, which allows no
 * inline script at all.
 */
/** Nuxt's `render:html` hook (declared by @nuxt/nitro-server, whose types the server build does not see). */
interface RenderHooks {
  hook(name: 'render:html', handler: (html: RenderedPage, context: { event: H3Event }) => void): void
}
interface RenderedPage {
  head: string[]
  bodyPrepend: string[]
  body: string[]
  bodyAppend: string[]
}

export default defineNitroPlugin((nitroApp) => {
  ;(nitroApp.hooks as unknown as RenderHooks).hook('render:html', (html, { event }) => {
    const nonce = randomBytes(16).toString('base64')
    html.head.push(`<meta name="csp-nonce" content="${nonce}">`)
    const scriptHashes = inlineScriptHashes([...html.head, ...html.bodyPrepend, ...html.body, ...html.bodyAppend].join(''))
    setResponseHeader(event, 'Content-Security-Policy', contentSecurityPolicy({ scriptHashes, styleNonce: nonce }))
  })
})
