// Starts Swagger UI on /docs (server/routes/docs.get.ts) with Sagasu's OpenAPI document.
// A file of its own, not an inline script, so the page's Content-Security-Policy can forbid those.
window.addEventListener('load', () => {
  window.ui = window.SwaggerUIBundle({
    url: '/openapi.json',
    dom_id: '#swagger-ui',
    deepLinking: true,
    presets: [window.SwaggerUIBundle.presets.apis],
    layout: 'BaseLayout',
    docExpansion: 'list',
    defaultModelsExpandDepth: 0,
    tryItOutEnabled: false,
  })
})
