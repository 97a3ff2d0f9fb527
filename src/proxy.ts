// Proxies, as self-hosted runners configure them: HTTPS_PROXY, HTTP_PROXY and NO_PROXY (the
// lower-case names win). Every client of the action honours them with one set of rules, those of
// undici's EnvHttpProxyAgent:
// - what we fetch ourselves (Cloudflare, the pool's OIDC endpoints) and GitHub (Octokit, through a
//   fetch of ours) use EnvHttpProxyAgent itself;
// - the AWS SDK, which speaks node:http and calls one endpoint, gets a proxy agent when proxyFor(),
//   a copy of EnvHttpProxyAgent's decision (a test checks the two agree), names a proxy for it.
// @actions/github's own proxy support is not used: it never proxies loopback, and reads NO_PROXY
// by other rules.
import type http from 'node:http'
import { HttpProxyAgent } from 'http-proxy-agent'
import { HttpsProxyAgent } from 'https-proxy-agent'
import { EnvHttpProxyAgent, type Agent, type Dispatcher } from 'undici'

export type ProxyEnv = Record<string, string | undefined>

const DEFAULT_PORTS: Record<string, number> = { 'http:': 80, 'https:': 443 }

interface NoProxyEntry {
  hostname: string
  /** 0: any port. */
  port: number
  /** `*.example.com`: subdomains only, not the apex. */
  subdomainsOnly: boolean
}

/** The NO_PROXY list: host, host:port, [ipv6]:port, .suffix, *.suffix or `*`, separated by commas or spaces. */
function parseNoProxy(value: string): NoProxyEntry[] {
  return value
    .split(/[,\s]/)
    .filter(Boolean)
    .map(entry => {
      const bracketed = /^\[(.+)\]:(\d+)$/.exec(entry)
      const unbracketed = entry.replace(/^\[(.+)\]$/, '$1')
      const withPort = (unbracketed.match(/:/g) ?? []).length === 1 ? /^(.+):(\d+)$/.exec(unbracketed) : null
      const [host, port] = bracketed ? [bracketed[1], bracketed[2]] : withPort ? [withPort[1], withPort[2]] : [unbracketed, '0']
      return {
        hostname: host
          .replace(/^\*?\./, '')
          .replace(/^(.+)\.$/, '$1')
          .toLowerCase(),
        port: Number.parseInt(port, 10),
        subdomainsOnly: entry.startsWith('*')
      }
    })
}

function bypassesProxy(url: URL, noProxy: string): boolean {
  const hostname = url.hostname
    .replace(/^\[(.+)\]$/, '$1')
    .toLowerCase()
    .replace(/(.)\.$/, '$1')
  const port = Number.parseInt(url.port, 10) || DEFAULT_PORTS[url.protocol] || 0
  return parseNoProxy(noProxy).some(entry => {
    if (entry.port && entry.port !== port) return false
    if (entry.hostname === '*') return true
    if (!entry.subdomainsOnly && hostname === entry.hostname) return true
    return hostname.endsWith(`.${entry.hostname}`)
  })
}

/**
 * The proxy URL a request to `target` goes through, or undefined for a direct connection. The
 * same rules as undici's EnvHttpProxyAgent: https uses HTTPS_PROXY, else HTTP_PROXY; http uses
 * HTTP_PROXY; NO_PROXY names hosts (and ports) to reach directly.
 */
export function proxyFor(target: string | URL, env: ProxyEnv): string | undefined {
  const url = new URL(target)
  const httpProxy = env.http_proxy ?? env.HTTP_PROXY
  const proxy = url.protocol === 'https:' ? (env.https_proxy ?? env.HTTPS_PROXY) || httpProxy : httpProxy
  if (!proxy) return undefined
  return bypassesProxy(url, env.no_proxy ?? env.NO_PROXY ?? '') ? undefined : proxy
}

/** An undici dispatcher with these connection options that honours the proxy variables. */
export function proxyAwareDispatcher(options: Agent.Options = {}): Dispatcher {
  return new EnvHttpProxyAgent(options)
}

/**
 * `httpAgent`/`httpsAgent` for the AWS SDK's request handler, for its one endpoint: a keep-alive
 * agent through the proxy that proxyFor() names for it (CONNECT for https, absolute-form requests
 * for plain http, as undici does), or none (the SDK's own, direct) when there is no proxy for it.
 */
export function sdkProxyAgents(endpoint: string, env: ProxyEnv): { httpAgent?: http.Agent; httpsAgent?: http.Agent } {
  const proxy = proxyFor(endpoint, env)
  if (!proxy) return {}
  if (new URL(endpoint).protocol === 'https:') return { httpsAgent: new HttpsProxyAgent(proxy, { keepAlive: true }) }
  return { httpAgent: new HttpProxyAgent(proxy, { keepAlive: true }) }
}
