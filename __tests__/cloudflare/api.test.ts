// CloudflareApi against the Cloudflare fake: the envelope checked on every answer (status AND
// `success`), Cloudflare's own errors surfaced with a hint, malformed answers turned into one
// clear line, the secret scrubbed from errors that echo the request, and POST never retried while
// a failure that may have created something says so (transient, with the retry-after asked for).
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { jest } from '@jest/globals'
import { CloudflareApi, MAX_PAGES, PERMISSION_HINT, morePages, type IdentityProviderBody } from '../../src/cloudflare/api.js'
import { ServiceError } from '../../src/errors.js'
import { HttpClient } from '../../src/http.js'
import { clearSecretsForTest, registerSecret } from '../../src/secrets.js'
import { CloudflareFake } from '../support/fakes/cloudflare.js'
import { ACCOUNT_ID as ACCOUNT } from '../support/constants.js'

const WRITE = 'cf-write-token-for-api-tests'
const READ = 'cf-read-token-for-api-tests'
const SECRET = 'ClientSecretValue0123456789abcdefghijklmnop'

let fake: CloudflareFake
let http: HttpClient
const retries: string[] = []

beforeEach(async () => {
  jest.spyOn(process.stdout, 'write').mockImplementation(() => true) // ::add-mask:: lines
  fake = await new CloudflareFake().start()
  fake.addToken(WRITE, 'write')
  fake.addToken(READ, 'read')
  fake.addAccount(ACCOUNT, { authDomain: 'acme.cloudflareaccess.com' })
  retries.length = 0
  http = new HttpClient(
    'Cloudflare',
    { requestTimeoutMs: 1000, retryBaseMs: 5, maxRetries: 2, totalTimeoutMs: 10_000 },
    { info: m => retries.push(m), debug: () => undefined }
  )
})

afterEach(async () => {
  await http.close()
  await fake.stop()
  clearSecretsForTest()
  jest.restoreAllMocks()
})

const api = (token = WRITE, baseUrl = `${fake.url}/client/v4`) => new CloudflareApi(http, baseUrl, { kind: 'accounts', id: ACCOUNT }, token)

function body(): IdentityProviderBody {
  return {
    name: 'Amazon Cognito',
    type: 'oidc',
    config: {
      client_id: 'client0001',
      client_secret: SECRET,
      auth_url: 'https://acme.auth.eu-west-1.amazoncognito.com/oauth2/authorize',
      token_url: 'https://acme.auth.eu-west-1.amazoncognito.com/oauth2/token',
      certs_url: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC/.well-known/jwks.json',
      scopes: ['openid'],
      claims: [],
      email_claim_name: 'email',
      pkce_enabled: true
    }
  }
}

async function failure(promise: Promise<unknown>): Promise<ServiceError> {
  const error = await promise.then(
    () => undefined,
    (error: unknown) => error
  )
  expect(error).toBeInstanceOf(ServiceError)
  return error as ServiceError
}

test('reads the organization, and every identity provider across pages, with the token as a Bearer', async () => {
  for (let i = 0; i < 120; i++) fake.addIdentityProvider({ accountId: ACCOUNT }, { name: `idp ${i}`, type: 'onetimepin', config: {} })
  expect(await api().getOrganization()).toMatchObject({ auth_domain: 'acme.cloudflareaccess.com' })
  expect((await api().listIdentityProviders()).map(idp => idp.name)).toEqual(Array.from({ length: 120 }, (_, i) => `idp ${i}`))
  expect(fake.calls.filter(call => call.operation === 'listIdentityProviders')).toHaveLength(3)
  expect(fake.calls.every(call => call.headers.authorization === `Bearer ${WRITE}`)).toBe(true)
})

test('creates, reads back (secret redacted by Cloudflare) and updates; an unknown id reads as undefined', async () => {
  const created = await api().createIdentityProvider(body())
  expect(fake.identityProvider(created.id)?.config.client_secret).toBe(SECRET)
  expect((await api().getIdentityProvider(created.id))?.config.client_secret).not.toBe(SECRET)
  await api().updateIdentityProvider(created.id, { ...body(), name: 'Renamed' })
  expect(fake.identityProvider(created.id)?.name).toBe('Renamed')
  expect(await api().getIdentityProvider('00000000-0000-4000-8000-000000000000')).toBeUndefined()
})

test('HTTP 200 with success: false is an error naming the call and Cloudflare’s code', async () => {
  fake.failNext('getOrganization', 'success-false')
  const error = await failure(api().getOrganization())
  expect(error.message).toBe('Cloudflare: GET accounts/…/access/organizations failed (HTTP 200, success: false): [10002] Something odd')
  expect(error.transient).toBe(false)
})

test('a body that is not JSON is an error quoting its start; after a create, its outcome counts as unknown', async () => {
  fake.failNext('listIdentityProviders', 'non-json')
  const read = await failure(api().listIdentityProviders())
  expect(read.message).toBe(
    "Cloudflare: GET accounts/…/access/identity_providers answered HTTP 200 with a body that is not Cloudflare's JSON envelope: “upstream connect error”"
  )

  fake.failNext('createIdentityProvider', 'non-json')
  expect((await failure(api().createIdentityProvider(body()))).transient).toBe(true)
})

test('a 5xx page from the edge is retried for a GET, then reported as text without its tags', async () => {
  fake.failNext('getOrganization', 'http500', 3)
  const error = await failure(api().getOrganization())
  expect(error.message).toBe(
    "Cloudflare: GET accounts/…/access/organizations answered HTTP 500 with a body that is not Cloudflare's JSON envelope: “500 Internal Server Error 500 Internal Server Error cloudflare”"
  )
  expect(error).toMatchObject({ status: 500, transient: true })
  expect(retries).toHaveLength(2)
})

test('a POST is never retried: a throttled create is transient and carries the retry-after', async () => {
  fake.failNext('createIdentityProvider', 'throttle')
  const error = await failure(api().createIdentityProvider(body()))
  expect(error).toMatchObject({ status: 429, transient: true, retryAfterMs: 1000 })
  expect(error.message).toContain('[971] Please wait and consider throttling your request speed')
  expect(fake.calls.filter(call => call.operation === 'createIdentityProvider')).toHaveLength(1)
  expect(retries).toEqual([])
})

test.each(['reset', 'lost-response'])('a create without an answer (%s) is transient: it may have happened', async fault => {
  fake.failNext('createIdentityProvider', fault)
  const error = await failure(api().createIdentityProvider(body()))
  expect(error.message).toMatch(/^Cloudflare: POST accounts\/…\/access\/identity_providers failed: \S+/)
  expect(error).toMatchObject({ status: undefined, transient: true })
  expect(fake.identityProviders({ accountId: ACCOUNT })).toHaveLength(fault === 'lost-response' ? 1 : 0)
})

test.each([
  ['createIdentityProvider', (cf: CloudflareApi) => cf.createIdentityProvider(body())],
  [
    'updateIdentityProvider',
    async (cf: CloudflareApi) => {
      const { id } = fake.addIdentityProvider(
        { accountId: ACCOUNT },
        { name: 'Amazon Cognito', type: 'oidc', config: { client_id: 'x', client_secret: 'old-secret-value' } }
      )
      return cf.updateIdentityProvider(id, body())
    }
  ]
] as const)('an error of %s that echoes the request has the secret scrubbed, and says the rest', async (operation, call) => {
  fake.failNext(operation, 'echo-secret')
  const error = await failure(call(api()))
  expect(error.message).toContain('access.api.error.invalid_request: could not process request {')
  expect(error.message).toContain('"client_secret":"***"')
  expect(error.message).not.toContain(SECRET)
  expect(error.transient).toBe(false)
})

test('a 403 names the permission the token needs; the token itself never shows', async () => {
  const error = await failure(api(READ).createIdentityProvider(body()))
  expect(error.message).toBe(
    `Cloudflare: POST accounts/…/access/identity_providers failed (HTTP 403): [10000] Authentication error. ${PERMISSION_HINT}`
  )
  expect(error.message).not.toContain(READ)
})

test('an answer whose list is not a list is a clear error, not a crash', async () => {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(JSON.stringify({ success: true, errors: [], result: { not: 'a list' } }))
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  try {
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/client/v4`
    const error = await failure(api(WRITE, base).listIdentityProviders())
    expect(error.message).toBe(`Cloudflare: the list of identity providers of accounts/${ACCOUNT} (page 1) is not a list.`)
  } finally {
    server.closeAllConnections()
    await new Promise(resolve => server.close(resolve))
  }
})

test('errors keep Cloudflare’s chain of causes', async () => {
  const server = createServer((_req, res) => {
    res.writeHead(400, { 'content-type': 'application/json' })
    res.end(
      JSON.stringify({
        success: false,
        errors: [
          {
            code: 6003,
            message: 'Invalid request headers',
            error_chain: [{ code: 6111, message: 'Invalid format for Authorization header' }]
          }
        ]
      })
    )
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  try {
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/client/v4`
    const error = await failure(api(WRITE, base).getOrganization())
    expect(error.message).toBe(
      'Cloudflare: GET accounts/…/access/organizations failed (HTTP 400): [6003] Invalid request headers ([6111] Invalid format for Authorization header). Check cloudflare-api-token (or CLOUDFLARE_API_TOKEN).'
    )
  } finally {
    server.closeAllConnections()
    await new Promise(resolve => server.close(resolve))
  }
})

describe('paging goes by what the server says', () => {
  test.each<[string, Parameters<typeof morePages>[0], number, number, boolean]>([
    ['total_pages says more', { total_pages: 3 }, 2, 50, true],
    ['total_pages says last', { total_pages: 3, per_page: 50, total_count: 999 }, 3, 50, false],
    ["no total_pages: total_count against the server's per_page", { per_page: 20, count: 20, total_count: 121 }, 6, 20, true],
    ['no total_pages: total_count reached', { per_page: 20, count: 20, total_count: 120 }, 6, 20, false],
    ["only the server's per_page: a full page goes on", { per_page: 20 }, 1, 20, true],
    ["only the server's per_page: a short page is the last", { per_page: 20 }, 1, 7, false],
    ['nothing said: ask for the next page', undefined, 1, 20, true],
    ['nonsense numbers count as unsaid', { total_pages: -1, total_count: 'many', per_page: 2.5 }, 1, 20, true]
  ])('%s', (_, info, page, received, more) => {
    expect(morePages(info, page, received)).toBe(more)
  })

  test("a clamped page size without total_pages: every provider is found, on the server's pages", async () => {
    fake.clampPerPage = 20
    fake.reportTotalPages = false
    for (let i = 0; i < 125; i++) fake.addIdentityProvider({ accountId: ACCOUNT }, { name: `idp ${i}`, type: 'onetimepin', config: {} })
    const all = await api().listIdentityProviders()
    expect(all.map(idp => idp.name)).toEqual(Array.from({ length: 125 }, (_, i) => `idp ${i}`))
    expect(fake.calls.filter(call => call.operation === 'listIdentityProviders')).toHaveLength(7)
  })

  test('a server that says nothing: an empty page ends the list', async () => {
    const pages = [
      [
        { id: 'a', name: 'A', type: 'oidc' },
        { id: 'b', name: 'B', type: 'oidc' }
      ],
      [{ id: 'c', name: 'C', type: 'oidc' }],
      []
    ]
    await withServer(
      page => ({ success: true, errors: [], result: pages[page - 1] ?? [] }),
      async base => {
        expect((await api(WRITE, base).listIdentityProviders()).map(idp => idp.id)).toEqual(['a', 'b', 'c'])
      }
    )
  })

  test('a provider seen on two pages (the list shifted) is listed once', async () => {
    const pages = [
      [
        { id: 'a', name: 'A', type: 'oidc' },
        { id: 'b', name: 'B', type: 'oidc' }
      ],
      [
        { id: 'b', name: 'B', type: 'oidc' },
        { id: 'c', name: 'C', type: 'oidc' }
      ]
    ]
    await withServer(
      page => ({ success: true, errors: [], result: pages[page - 1], result_info: { page, per_page: 2, total_pages: 2 } }),
      async base => {
        expect((await api(WRITE, base).listIdentityProviders()).map(idp => idp.id)).toEqual(['a', 'b', 'c'])
      }
    )
  })

  test('a list that never ends fails clearly past the page bound', async () => {
    let asked = 0
    await withServer(
      page => {
        asked++
        return { success: true, errors: [], result: [{ id: `p${page}`, name: 'x', type: 'oidc' }] }
      },
      async base => {
        const error = await failure(api(WRITE, base).listIdentityProviders())
        expect(error.message).toBe(
          `Cloudflare: the list of identity providers of accounts/${ACCOUNT} still went on after ${MAX_PAGES} pages, so it was not read to the end; set idp-id to the identity provider to use.`
        )
      }
    )
    expect(asked).toBe(MAX_PAGES)
  })
})

/** A one-route Cloudflare stand-in answering each list page with `answer(page)`. */
async function withServer(answer: (page: number) => unknown, use: (baseUrl: string) => Promise<void>): Promise<void> {
  const server = createServer((req, res) => {
    const page = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('page'))
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(JSON.stringify(answer(page)))
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  try {
    await use(`http://127.0.0.1:${(server.address() as AddressInfo).port}/client/v4`)
  } finally {
    server.closeAllConnections()
    await new Promise(resolve => server.close(resolve))
  }
}
describe('hostile answers', () => {
  // The token is registered when the settings read it; here, by hand.
  beforeEach(() => registerSecret(WRITE))
  const page = (status: number, body: string) => ({ status, headers: { 'content-type': 'text/html' }, body })

  test.each([200_000, 1_000_000])('%d characters of `<` in an error body are handled in milliseconds', async size => {
    fake.answerNext('getOrganization', page(400, '<'.repeat(size)))
    const started = Date.now()
    const error = await failure(api().getOrganization())
    expect(Date.now() - started).toBeLessThan(500)
    expect(error.message).toMatch(/body that is not Cloudflare's JSON envelope: “<{160}…”$/)
  })

  test('a page that quotes the token where the excerpt is cut is redacted first, then cut', async () => {
    const filler = 'Access denied. '.repeat(8)
    fake.answerNext('getOrganization', call => page(403, `<h1>403</h1><p>${filler}</p><p>Authorization: ${call.headers.authorization}</p>`))
    const error = await failure(api().getOrganization())
    expect(error.message).toContain('Authorization: Bearer ***')
    expect(error.message).not.toContain(WRITE.slice(0, 8))
  })

  test('an envelope with thousands of long errors gives a message of bounded length, each error redacted before it is cut', async () => {
    const errors = Array.from({ length: 1000 }, (_, i) => ({
      code: i,
      message: `${'x'.repeat(480)} Bearer ${WRITE} ${'y'.repeat(10_000)}`
    }))
    fake.answerNext('getOrganization', {
      status: 400,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ success: false, errors })
    })
    const error = await failure(api().getOrganization())
    expect(error.message.length).toBeLessThan(5 * 520 + 300)
    expect(error.message).toContain('Bearer ***')
    expect(error.message).not.toContain(WRITE.slice(0, 8))
  })

  test.each([
    ['null', null],
    ['a string', 'idp'],
    ['an object without the expected fields', { id: 7, name: 'x', type: 'oidc' }]
  ])('a list item that is %s is an error naming Cloudflare', async (described, item) => {
    fake.answerNext('listIdentityProviders', {
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ success: true, errors: [], result: [item] })
    })
    const error = await failure(api().listIdentityProviders())
    expect(error.message).toBe(`Cloudflare: item 1 of page 1 of the list is not an identity provider (${described}).`)
  })

  test('an identity provider read by id that is not one is an error naming it', async () => {
    const id = '00000000-0000-4000-8000-000000000000'
    fake.answerNext('getIdentityProvider', {
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ success: true, errors: [], result: null })
    })
    const error = await failure(api().getIdentityProvider(id))
    expect(error.message).toBe(`Cloudflare: identity provider ${id} is not an identity provider (null).`)
  })
})
