import { isIP } from 'node:net'
import { isLoopbackHost } from './auth'

export interface HostRules {
  /** The address the server listens on (server.host or --host); a wildcard adds nothing. */
  bindHost: string
  /** server.allowedHosts: further names the server is reached by (a reverse proxy's public name). */
  allowedHosts: readonly string[]
}

/** The host name of a Host header without its port, lower-cased; brackets kept off IPv6 literals. */
export function hostName(header: string): string {
  const value = header.trim().toLowerCase()
  const bracketed = /^\[([^\]]*)\](?::\d*)?$/.exec(value)
  if (bracketed) return bracketed[1]!
  // A bare IPv6 literal has several colons; only a single one separates a port.
  const name = value.split(':').length === 2 ? value.slice(0, value.lastIndexOf(':')) : value
  return name.endsWith('.') ? name.slice(0, -1) : name
}

/**
 * Why a request's Host is refused, or undefined when the server answers it. DNS rebinding needs a
 * name the attacker controls that resolves to this machine, so the server answers only names it
 * was told about: loopback names, the address it listens on, and server.allowedHosts. An IP
 * address as Host is always answered: a page can only send it from an origin that is that very
 * address, which a rebinding page never is.
 */
export function hostProblem(header: string | undefined, rules: HostRules): string | undefined {
  if (!header) return 'the request has no Host header'
  const name = hostName(header)
  if (isIP(name) || isLoopbackHost(name)) return undefined
  const allowed = [rules.bindHost, ...rules.allowedHosts].map((host) => hostName(host))
  if (allowed.includes(name)) return undefined
  return `this Sagasu server does not answer for the host "${name}": add it to server.allowedHosts in the configuration to reach the server by that name (only names you serve it under; any other page could otherwise read the library by DNS rebinding)`
}
