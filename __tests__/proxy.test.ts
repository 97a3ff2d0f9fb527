// proxyFor: the proxy decision the AWS SDK's agent is built from. It must be the one undici's
// EnvHttpProxyAgent makes for Cloudflare, OIDC and GitHub, so each case is checked twice: against
// the expected route, and against where EnvHttpProxyAgent really sends the request (two recording
// "proxies" on 127.0.0.1, and a connector that records direct connections instead of making them).
import { createServer, type AddressInfo, type Server } from 'node:net'
import { HttpProxyAgent } from 'http-proxy-agent'
import { HttpsProxyAgent } from 'https-proxy-agent'
import { EnvHttpProxyAgent } from 'undici'
import { proxyFor, sdkProxyAgents, type ProxyEnv } from '../src/proxy.js'

type Route = 'P1' | 'P2' | 'direct'

const recorders: Record<'P1' | 'P2', { server: Server; url: string; hits: number }> = {} as never

beforeAll(async () => {
  for (const name of ['P1', 'P2'] as const) {
    const entry = { server: createServer(), url: '', hits: 0 }
    entry.server.on('connection', socket => {
      entry.hits++
      socket.destroy()
    })
    await new Promise<void>(resolve => entry.server.listen(0, '127.0.0.1', resolve))
    entry.url = `http://127.0.0.1:${(entry.server.address() as AddressInfo).port}`
    recorders[name] = entry
  }
})
afterAll(async () => {
  await Promise.all(Object.values(recorders).map(entry => new Promise(resolve => entry.server.close(resolve))))
})

/** The env of a case, with P1 / P2 replaced by the recorders' URLs. */
function realEnv(env: ProxyEnv): ProxyEnv {
  return Object.fromEntries(
    Object.entries(env).map(([name, value]) => [name, value === 'P1' || value === 'P2' ? recorders[value].url : value])
  )
}

function routeOf(proxy: string | undefined): Route {
  if (proxy === undefined) return 'direct'
  return proxy === recorders.P1.url ? 'P1' : proxy === recorders.P2.url ? 'P2' : (`unexpected ${proxy}` as Route)
}

const PROXY_VARIABLES = ['http_proxy', 'HTTP_PROXY', 'https_proxy', 'HTTPS_PROXY', 'no_proxy', 'NO_PROXY']

/** Where EnvHttpProxyAgent, reading process.env, sends a GET of `target`. */
async function undiciRoute(target: string, env: ProxyEnv): Promise<Route> {
  const saved = Object.fromEntries(PROXY_VARIABLES.map(name => [name, process.env[name]]))
  PROXY_VARIABLES.forEach(name => delete process.env[name])
  Object.assign(process.env, env)
  const direct: string[] = []
  recorders.P1.hits = recorders.P2.hits = 0
  const agent = new EnvHttpProxyAgent({
    connect: (options, callback) => {
      direct.push(String(options.hostname))
      callback(new Error('recorded, not connected'), null)
    }
  })
  try {
    const url = new URL(target)
    await agent.request({ origin: url.origin, path: '/', method: 'GET' }).catch(() => undefined)
  } finally {
    await agent.destroy()
    PROXY_VARIABLES.forEach(name => delete process.env[name])
    for (const [name, value] of Object.entries(saved)) if (value !== undefined) process.env[name] = value
  }
  const routes: Route[] = [
    ...(direct.length ? ['direct' as const] : []),
    ...(recorders.P1.hits ? ['P1' as const] : []),
    ...(recorders.P2.hits ? ['P2' as const] : [])
  ]
  if (routes.length !== 1) throw new Error(`expected one route for ${target}, saw ${JSON.stringify(routes)}`)
  return routes[0]
}

const cases: Array<[string, string, ProxyEnv, Route]> = [
  ['no proxy variables', 'https://api.cloudflare.com', {}, 'direct'],
  ['HTTP_PROXY for http', 'http://a.example.com', { HTTP_PROXY: 'P1' }, 'P1'],
  ['https falls back to HTTP_PROXY', 'https://a.example.com', { HTTP_PROXY: 'P1' }, 'P1'],
  ['HTTPS_PROXY is not used for http', 'http://a.example.com', { HTTPS_PROXY: 'P2' }, 'direct'],
  ['HTTPS_PROXY for https', 'https://a.example.com', { HTTP_PROXY: 'P1', HTTPS_PROXY: 'P2' }, 'P2'],
  [
    'an empty https_proxy falls back to HTTP_PROXY',
    'https://a.example.com',
    { https_proxy: '', HTTPS_PROXY: 'P2', HTTP_PROXY: 'P1' },
    'P1'
  ],
  ['lower case wins', 'http://a.example.com', { http_proxy: 'P1', HTTP_PROXY: 'P2' }, 'P1'],
  ['NO_PROXY suffix', 'http://a.example.com', { HTTP_PROXY: 'P1', NO_PROXY: 'example.com' }, 'direct'],
  ['NO_PROXY leading dot', 'http://a.example.com', { HTTP_PROXY: 'P1', NO_PROXY: '.example.com' }, 'direct'],
  ['NO_PROXY leading dot, apex', 'http://example.com', { HTTP_PROXY: 'P1', NO_PROXY: '.example.com' }, 'direct'],
  ['NO_PROXY *. matches subdomains', 'http://a.example.com', { HTTP_PROXY: 'P1', NO_PROXY: '*.example.com' }, 'direct'],
  ['NO_PROXY *. does not match the apex', 'http://example.com', { HTTP_PROXY: 'P1', NO_PROXY: '*.example.com' }, 'P1'],
  ['NO_PROXY is per label, not per character', 'http://a.example.com', { HTTP_PROXY: 'P1', NO_PROXY: 'xample.com' }, 'P1'],
  ['NO_PROXY with the port', 'http://a.example.com:8080', { HTTP_PROXY: 'P1', NO_PROXY: 'a.example.com:8080' }, 'direct'],
  ['NO_PROXY with another port', 'http://a.example.com', { HTTP_PROXY: 'P1', NO_PROXY: 'a.example.com:8080' }, 'P1'],
  ['NO_PROXY with the default https port', 'https://a.example.com', { HTTPS_PROXY: 'P2', NO_PROXY: 'a.example.com:443' }, 'direct'],
  ['NO_PROXY *', 'https://a.example.com', { HTTPS_PROXY: 'P2', NO_PROXY: '*' }, 'direct'],
  ['NO_PROXY *:80 only for port 80', 'http://a.example.com:8080', { HTTP_PROXY: 'P1', NO_PROXY: '*:80' }, 'P1'],
  ['NO_PROXY is case-insensitive', 'http://a.example.com', { HTTP_PROXY: 'P1', NO_PROXY: 'A.EXAMPLE.COM' }, 'direct'],
  ['NO_PROXY entry with a trailing dot', 'http://a.example.com', { HTTP_PROXY: 'P1', NO_PROXY: 'a.example.com.' }, 'direct'],
  ['a host with a trailing dot', 'http://a.example.com./', { HTTP_PROXY: 'P1', NO_PROXY: 'a.example.com' }, 'direct'],
  [
    'NO_PROXY separated by spaces and commas',
    'http://a.example.com',
    { HTTP_PROXY: 'P1', NO_PROXY: 'x.org,, y.org a.example.com' },
    'direct'
  ],
  ['NO_PROXY naming other hosts', 'http://a.example.com', { HTTP_PROXY: 'P1', NO_PROXY: 'x.org,y.org' }, 'P1'],
  ['lower-case no_proxy wins', 'http://a.example.com', { HTTP_PROXY: 'P1', no_proxy: 'x.org', NO_PROXY: 'a.example.com' }, 'P1'],
  ['an empty no_proxy wins too', 'http://a.example.com', { HTTP_PROXY: 'P1', no_proxy: '', NO_PROXY: 'a.example.com' }, 'P1'],
  ['IPv6 with the port', 'http://[::1]:8080', { HTTP_PROXY: 'P1', NO_PROXY: '[::1]:8080' }, 'direct'],
  ['IPv6 without a port', 'http://[::1]:8080', { HTTP_PROXY: 'P1', NO_PROXY: '::1' }, 'direct'],
  ['loopback is proxied unless NO_PROXY says so', 'http://127.0.0.1:8080', { HTTP_PROXY: 'P1' }, 'P1']
]

describe.each(cases)('%s: %s', (_name, target, env, expected) => {
  test(`proxyFor goes ${expected}`, () => {
    expect(routeOf(proxyFor(target, realEnv(env)))).toBe(expected)
  })

  test(`undici's EnvHttpProxyAgent goes ${expected} too`, async () => {
    expect(await undiciRoute(target, realEnv(env))).toBe(expected)
  })
})

describe('sdkProxyAgents', () => {
  const endpoint = 'https://cognito-idp.eu-west-1.amazonaws.com'

  test('no proxy: the SDK keeps its own agents', () => {
    expect(sdkProxyAgents(endpoint, {})).toEqual({})
  })

  test('HTTPS_PROXY: a CONNECT agent for the https endpoint', () => {
    const agents = sdkProxyAgents(endpoint, { HTTPS_PROXY: 'http://proxy.internal:3128' })
    expect(Object.keys(agents)).toEqual(['httpsAgent'])
    expect(agents.httpsAgent).toBeInstanceOf(HttpsProxyAgent)
    expect((agents.httpsAgent as HttpsProxyAgent<string>).proxy.href).toBe('http://proxy.internal:3128/')
  })

  test('a plain-http endpoint override: an absolute-form agent through HTTP_PROXY', () => {
    const agents = sdkProxyAgents('http://localstack.internal:4566', { HTTP_PROXY: 'http://proxy.internal:3128' })
    expect(Object.keys(agents)).toEqual(['httpAgent'])
    expect(agents.httpAgent).toBeInstanceOf(HttpProxyAgent)
  })

  test('NO_PROXY covering the endpoint: direct', () => {
    expect(sdkProxyAgents(endpoint, { HTTPS_PROXY: 'http://proxy.internal:3128', NO_PROXY: '.amazonaws.com' })).toEqual({})
  })
})
