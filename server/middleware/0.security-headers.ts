import { defineEventHandler, setResponseHeaders } from 'h3'
import { contentSecurityPolicy } from '../http/content-security-policy'

// The app's page replaces this policy with one naming its inline scripts (server/plugins/content-security-policy.ts).
const POLICY = contentSecurityPolicy()

export default defineEventHandler((event) => {
  setResponseHeaders(event, {
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'X-Frame-Options': 'DENY',
    'Content-Security-Policy': POLICY,
  })
})
