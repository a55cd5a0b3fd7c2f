import { describe, expect, it } from 'vitest'
import { hostName, hostProblem } from './allowed-hosts'
import { contentTypeProblem, crossSiteProblem } from './cross-site'

describe('hostProblem', () => {
  const rules = { bindHost: '127.0.0.1', allowedHosts: ['photos.example.org'] }

  it('answers loopback names, IP addresses, the bound host and allowedHosts, with or without a port', () => {
    for (const host of ['localhost', 'localhost:3000', 'LOCALHOST.', '127.0.0.1:3000', '127.9.9.9', '[::1]:3000', '[::1]', '192.168.1.20:3000', '[2001:db8::1]:80', 'photos.example.org', 'Photos.Example.org:443']) {
      expect(hostProblem(host, rules), host).toBeUndefined()
    }
    expect(hostProblem('nas.lan:3000', { bindHost: 'nas.lan', allowedHosts: [] })).toBeUndefined()
  })

  it('refuses any other name, naming it and the setting', () => {
    expect(hostProblem('rebind.test:3000', rules)).toMatch(/^this Sagasu server does not answer for the host "rebind\.test": add it to server\.allowedHosts/)
    expect(hostProblem('127.0.0.1.evil.example', rules)).toMatch(/"127\.0\.0\.1\.evil\.example"/)
    expect(hostProblem('localhost.evil.example', rules)).toBeDefined()
    expect(hostProblem('example.org', rules)).toBeDefined()
    expect(hostProblem(undefined, rules)).toBe('the request has no Host header')
  })

  it('strips ports and brackets', () => {
    expect(hostName('[::1]:80')).toBe('::1')
    expect(hostName('::1')).toBe('::1')
    expect(hostName('Example.ORG.:8080')).toBe('example.org')
  })
})

describe('crossSiteProblem', () => {
  it('passes requests without browser headers and same-origin ones', () => {
    expect(crossSiteProblem({ host: '127.0.0.1:3000' })).toBeUndefined()
    expect(crossSiteProblem({ host: '127.0.0.1:3000', origin: 'http://127.0.0.1:3000', secFetchSite: 'same-origin' })).toBeUndefined()
    expect(crossSiteProblem({ host: 'localhost:3000', secFetchSite: 'none' })).toBeUndefined()
    // Behind a proxy passing `Host $host` (no port) over TLS.
    expect(crossSiteProblem({ host: 'photos.example.org', origin: 'https://photos.example.org:8443', secFetchSite: 'same-origin' })).toBeUndefined()
  })

  it('refuses other sites, other ports and opaque origins', () => {
    expect(crossSiteProblem({ host: '127.0.0.1:3000', secFetchSite: 'cross-site' })).toMatch(/Sec-Fetch-Site: cross-site/)
    expect(crossSiteProblem({ host: '127.0.0.1:3000', secFetchSite: 'same-site' })).toMatch(/Sec-Fetch-Site: same-site/)
    expect(crossSiteProblem({ host: '127.0.0.1:3000', origin: 'http://127.0.0.1:8080' })).toMatch(/Origin: http:\/\/127\.0\.0\.1:8080/)
    expect(crossSiteProblem({ host: '127.0.0.1:3000', origin: 'null' })).toBeDefined()
    expect(crossSiteProblem({ host: 'photos.example.org', origin: 'https://evil.example' })).toBeDefined()
    expect(crossSiteProblem({ origin: 'http://127.0.0.1:3000' })).toBeDefined()
  })
})

describe('contentTypeProblem', () => {
  const check = (method: string, path: string, contentType: string | undefined, hasBody = true) => contentTypeProblem({ method, path, contentType, hasBody })

  it('takes JSON, no body at all, and the documented exceptions', () => {
    expect(check('POST', '/api/folders', 'application/json')).toBeUndefined()
    expect(check('PUT', '/api/settings', 'Application/JSON; charset=utf-8')).toBeUndefined()
    expect(check('POST', '/api/import', undefined, false)).toBeUndefined()
    expect(check('DELETE', '/api/dataset/batches/abc', undefined, false)).toBeUndefined()
    expect(check('POST', '/api/search', 'multipart/form-data; boundary=x')).toBeUndefined()
    expect(check('POST', '/api/login', 'application/x-www-form-urlencoded')).toBeUndefined()
    expect(check('GET', '/api/search', 'text/plain')).toBeUndefined()
  })

  it('refuses forms, text and bodies without a type', () => {
    expect(check('POST', '/api/folders', 'application/x-www-form-urlencoded')).toBe('POST /api/folders takes only application/json, not application/x-www-form-urlencoded')
    expect(check('POST', '/api/import', 'text/plain', false)).toBeDefined()
    expect(check('POST', '/api/folders', 'multipart/form-data; boundary=x')).toBeDefined()
    expect(check('POST', '/api/search', 'text/plain')).toMatch(/or multipart\/form-data with an image/)
    expect(check('POST', '/api/errors/retry', undefined)).toBe('POST /api/errors/retry needs "Content-Type: application/json" with its body')
  })
})
