// Issue 11: a self-hosted runner behind a proxy. HTTPS_PROXY, HTTP_PROXY and NO_PROXY are honoured
// by every client of the bundled action: the AWS SDK (Cognito), our undici client (Cloudflare, the
// pool's discovery document, JWKS and hosted UI) and Octokit (the plan comment). The proxy is a
// small one on 127.0.0.1 (helpers/test-proxy.ts); the loopback guard still sees every connection,
// and the proxy forwards only to loopback.
// - Plain-http targets (the fakes): the proxy forwards absolute-form requests and marks them, so
//   every call a fake received says whether it came through the proxy.
// - https targets: TLS fronts for the fakes (a test certificate the action trusts through
//   NODE_EXTRA_CA_CERTS), so the clients must open CONNECT tunnels; every connection a front
//   accepted must come out of one of the proxy's tunnels.
import type { Call } from '../support/fakes/http-fake.js'
import { TestProxy, TlsFront, TLS_CERT_FILE, VIA_PROXY_HEADER } from '../support/test-proxy.js'
import { World, expectSuccess } from '../support/world.js'

let world: World
let proxy: TestProxy
beforeEach(async () => {
  world = await World.start()
  proxy = await new TestProxy().start()
})
afterEach(async () => {
  await Promise.all([world.stop(), proxy.stop()])
})

type Service = 'cognito' | 'cloudflare' | 'github'
const SERVICES: Service[] = ['cognito', 'cloudflare', 'github']

function calls(service: Service): Call[] {
  return world[service].calls
}

function proxied(call: Call): boolean {
  return call.headers[VIA_PROXY_HEADER] === 'forwarded'
}

function host(url: string): string {
  return new URL(url).host
}

/** A pull request's plan (Cognito reads, discovery, JWKS, hosted UI probe, Cloudflare reads, the comment), then the apply of the merge. */
async function planThenApply(env: Record<string, string | undefined>, https?: { githubApiUrl: string }): Promise<void> {
  // Behind the TLS fronts the pool's issuer is still the fake's http URL, so the discovery check
  // would rightly fail there: verification is off for https (it is proxied in the http tests).
  const options = https ? { env, githubApiUrl: https.githubApiUrl, inputs: world.inputs({ verify: 'false' }) } : { env }
  const plan = await world.run({ ...options, event: world.pullRequestEvent(7) })
  expectSuccess(plan)
  expect(world.allComments()).toHaveLength(1)
  expectSuccess(await world.run(options))
  expect(world.idps()).toHaveLength(1)
  expect(world.clients()).toHaveLength(1)
}

test('with HTTP_PROXY and HTTPS_PROXY set, every call of a plan and an apply goes through the proxy', async () => {
  await planThenApply({ HTTP_PROXY: proxy.url, HTTPS_PROXY: proxy.url })

  for (const service of SERVICES) {
    expect(calls(service).length).toBeGreaterThan(0)
    expect(calls(service).filter(call => !proxied(call))).toEqual([])
    expect(proxy.to(host(world[service].url)).length).toBe(calls(service).length)
  }
  // The SDK's calls, and our own fetches of the pool's OIDC endpoints, both went through it.
  const operations = calls('cognito').map(call => call.operation)
  expect(operations).toEqual(
    expect.arrayContaining(['DescribeUserPool', 'CreateUserPoolClient', 'GetOpenIdConfiguration', 'GetJwks', 'Authorize'])
  )
  expect(proxy.requests.every(request => request.kind === 'forward')).toBe(true)
})

test('lower-case http_proxy is honoured too, and wins over HTTP_PROXY', async () => {
  await planThenApply({ http_proxy: proxy.url, HTTP_PROXY: 'http://127.0.0.1:9' })
  for (const service of SERVICES) expect(calls(service).filter(call => !proxied(call))).toEqual([])
})

test.each(SERVICES)('NO_PROXY naming the %s host and port: those calls go direct, all others through the proxy', async direct => {
  const noProxy = `internal.example, ${host(world[direct].url)}`
  await planThenApply({ HTTP_PROXY: proxy.url, NO_PROXY: noProxy })

  for (const service of SERVICES) {
    expect(calls(service).length).toBeGreaterThan(0)
    expect(calls(service).filter(call => proxied(call) === (service === direct))).toEqual([])
  }
  expect(proxy.to(host(world[direct].url))).toEqual([])
})

test('NO_PROXY=* sends everything direct, with the proxy still set', async () => {
  await planThenApply({ HTTP_PROXY: proxy.url, HTTPS_PROXY: proxy.url, NO_PROXY: '*' })
  for (const service of SERVICES) expect(calls(service).filter(proxied)).toEqual([])
  expect(proxy.requests).toEqual([])
})

describe('https endpoints', () => {
  const fronts: Partial<Record<Service, TlsFront>> = {}
  beforeEach(async () => {
    for (const service of SERVICES) fronts[service] = await new TlsFront(Number(new URL(world[service].url).port)).start()
  })
  afterEach(async () => {
    await Promise.all(Object.values(fronts).map(front => front.stop()))
  })

  function httpsEnv(extra: Record<string, string>): Record<string, string> {
    return {
      AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: fronts.cognito!.url,
      COGNITO_HOSTED_UI_ENDPOINT: fronts.cognito!.url,
      CLOUDFLARE_API_BASE_URL: `${fronts.cloudflare!.url}/client/v4`,
      NODE_EXTRA_CA_CERTS: TLS_CERT_FILE,
      ...extra
    }
  }

  test('with HTTPS_PROXY set, every client tunnels through the proxy with CONNECT', async () => {
    const env = httpsEnv({ HTTPS_PROXY: proxy.url, HTTP_PROXY: 'http://127.0.0.1:9' })
    await planThenApply(env, { githubApiUrl: fronts.github!.url })

    expect(proxy.requests.length).toBeGreaterThan(0)
    expect(proxy.requests.filter(request => request.kind !== 'connect')).toEqual([])
    for (const service of SERVICES) {
      const front = fronts[service]!
      expect(calls(service).length).toBeGreaterThan(0)
      expect(proxy.to(front.host).length).toBeGreaterThan(0)
      expect(front.clientPorts.length).toBeGreaterThan(0)
      expect(front.clientPorts.filter(port => !proxy.tunnelPorts.has(port))).toEqual([])
    }
  })

  test('NO_PROXY naming the Cloudflare host: the SDK and Octokit tunnel, Cloudflare is reached directly', async () => {
    const env = httpsEnv({ HTTPS_PROXY: proxy.url, NO_PROXY: fronts.cloudflare!.host })
    await planThenApply(env, { githubApiUrl: fronts.github!.url })

    expect(proxy.to(fronts.cloudflare!.host)).toEqual([])
    expect(fronts.cloudflare!.clientPorts.length).toBeGreaterThan(0)
    expect(fronts.cloudflare!.clientPorts.filter(port => proxy.tunnelPorts.has(port))).toEqual([])
    for (const service of ['cognito', 'github'] as const) {
      expect(fronts[service]!.clientPorts.length).toBeGreaterThan(0)
      expect(fronts[service]!.clientPorts.filter(port => !proxy.tunnelPorts.has(port))).toEqual([])
    }
  })
})
