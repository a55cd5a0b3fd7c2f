import { defineEventHandler, getRequestHeader } from 'h3'
import { useApp } from '../app-context'
import { errorResponse } from '../http/error-response'
import { hostProblem } from '../services/allowed-hosts'

/**
 * Answers only the Host names the server is configured for (DNS rebinding: a page of an attacker's
 * name that comes to resolve to 127.0.0.1 would otherwise be same-origin with Sagasu and read it).
 * 421 Misdirected Request: this server is not the one for that name.
 */
export default defineEventHandler(async (event) => {
  const { config } = await useApp()
  const bindHost = process.env.NITRO_HOST || process.env.HOST || config.server.host
  const problem = hostProblem(getRequestHeader(event, 'host'), { bindHost, allowedHosts: config.server.allowedHosts })
  if (problem) return errorResponse(event, 421, problem)
})
