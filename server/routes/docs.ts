import { defineEventHandler, setResponseHeaders } from 'h3'
import { contentSecurityPolicy } from '../http/content-security-policy'
import { readOnlyMethodProblem } from '../http/read-only-route'

/**
 * The interactive API reference (Swagger UI over /openapi.json). Its files come from swagger-ui-dist
 * (`nitro.publicAssets` in nuxt.config.ts) and `public/docs/init.js`: no inline script, so the
 * page runs under a Content-Security-Policy that forbids them.
 */
export default defineEventHandler((event) => {
  const refused = readOnlyMethodProblem(event)
  if (refused) return refused
  setResponseHeaders(event, {
    'Content-Type': 'text/html; charset=utf-8',
    'Content-Security-Policy': CONTENT_SECURITY_POLICY,
    'Cache-Control': 'no-cache',
  })
  return PAGE
})

// Swagger UI sets style attributes in the markup it renders.
const CONTENT_SECURITY_POLICY = contentSecurityPolicy({ inlineStyles: true })

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sagasu — HTTP API reference</title>
<link rel="stylesheet" href="/docs/assets/swagger-ui.css">
<link rel="icon" type="image/png" href="/docs/assets/favicon-32x32.png" sizes="32x32">
</head>
<body>
<noscript>This page needs JavaScript. The API description itself is at <a href="/openapi.json">/openapi.json</a>.</noscript>
<div id="swagger-ui"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script src="/docs/init.js"></script>
</body>
</html>
`
