import { request } from 'undici'
import { CloudflareErrorCode, CloudflareFake, REDACTED, type SecretShown, type StoredIdp } from './cloudflare.js'
import { ACCOUNT_ID as ACCOUNT } from '../constants.js'

const ZONE = 'fedcba9876543210fedcba9876543210'
const OTHER_ACCOUNT = 'ffffffffffffffffffffffffffffffff'
const WRITE = 'write-token'
const READ = 'read-token'

interface Reply {
  status: number
  headers: Record<string, string | string[] | undefined>
  text: string
  json: any
}

let fake: CloudflareFake

beforeEach(async () => {
  fake = await new CloudflareFake().start()
  fake.addToken(WRITE, 'write')
  fake.addToken(READ, 'read')
  fake.addAccount(ACCOUNT, { authDomain: 'acme.cloudflareaccess.com' })
  fake.addZone(ZONE)
})

afterEach(() => fake.stop())

/** A call to the fake; token null sends no Authorization header. */
async function cf(method: string, path: string, options: { token?: string | null; body?: unknown } = {}): Promise<Reply> {
  const token = options.token === undefined ? WRITE : options.token
  const headers: Record<string, string> = { 'content-type': 'application/json' }
  if (token !== null) headers.authorization = `Bearer ${token}`
  const answer = await request(`${fake.url}/client/v4${path}`, {
    method: method as 'GET',
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body)
  })
  const text = await answer.body.text()
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    json = undefined
  }
  return { status: answer.statusCode, headers: answer.headers, text, json }
}

const idps = `/accounts/${ACCOUNT}/access/identity_providers`

function oidcBody(overrides: Record<string, unknown> = {}, config: Record<string, unknown> = {}) {
  return {
    name: 'Cognito',
    type: 'oidc',
    config: {
      client_id: 'client-1',
      client_secret: 's3cret',
      auth_url: 'https://acme.auth.eu-west-1.amazoncognito.com/oauth2/authorize',
      token_url: 'https://acme.auth.eu-west-1.amazoncognito.com/oauth2/token',
      certs_url: 'http://127.0.0.1:4567/eu-west-1_abc/.well-known/jwks.json',
      scopes: ['openid', 'email', 'profile'],
      ...config
    },
    ...overrides
  }
}

function seed(count: number): StoredIdp[] {
  return Array.from({ length: count }, (_, i) =>
    fake.addIdentityProvider(
      { accountId: ACCOUNT },
      { name: `idp ${i}`, type: 'oidc', config: { client_id: `c${i}`, client_secret: `s${i}` } }
    )
  )
}

describe('authentication', () => {
  test('a missing or malformed Authorization header is 400 6003 with the 6111 chain', async () => {
    for (const token of [null, '']) {
      const reply = await cf('GET', idps, { token })
      expect(reply.status).toBe(400)
      expect(reply.json).toEqual({
        success: false,
        errors: [
          {
            code: 6003,
            message: 'Invalid request headers',
            error_chain: [{ code: 6111, message: 'Invalid format for Authorization header' }]
          }
        ],
        messages: [],
        result: null
      })
    }
  })

  test('an unknown token is 403 10000', async () => {
    const reply = await cf('GET', idps, { token: 'nope' })
    expect(reply.status).toBe(403)
    expect(reply.json.errors).toEqual([{ code: 10000, message: 'Authentication error' }])
  })

  test('a read token reads but cannot write', async () => {
    expect((await cf('GET', idps, { token: READ })).status).toBe(200)
    const reply = await cf('POST', idps, { token: READ, body: oidcBody() })
    expect(reply.status).toBe(403)
    expect(reply.json.errors[0].code).toBe(CloudflareErrorCode.authentication)
    expect(fake.identityProviders({ accountId: ACCOUNT })).toEqual([])
    expect(fake.writeAttempts().map(call => call.status)).toEqual([403])
    expect(fake.writes()).toEqual([])
  })
})

describe('routing and scopes', () => {
  test('the organization of an account, and its absence on a zone', async () => {
    const reply = await cf('GET', `/accounts/${ACCOUNT}/access/organizations`, { token: READ })
    expect(reply.status).toBe(200)
    expect(reply.json).toMatchObject({
      success: true,
      errors: [],
      messages: [],
      result: { name: 'acme', auth_domain: 'acme.cloudflareaccess.com' }
    })
    const missing = await cf('GET', `/zones/${ZONE}/access/organizations`)
    expect(missing.status).toBe(404)
    expect(missing.json.errors).toEqual([{ code: CloudflareErrorCode.access, message: 'access.api.error.not_found' }])
  })

  test('an unknown or malformed account is 404 7003', async () => {
    for (const account of [OTHER_ACCOUNT, 'not-an-id']) {
      const reply = await cf('GET', `/accounts/${account}/access/identity_providers`)
      expect(reply.status).toBe(404)
      expect(reply.json.errors).toEqual([
        {
          code: 7003,
          message: `Could not route to /accounts/${account}/access/identity_providers, perhaps your object identifier is invalid?`
        }
      ])
    }
  })

  test('other paths are 404 7000 and PATCH is 405', async () => {
    for (const path of [`/accounts/${ACCOUNT}/access/apps`, `/accounts/${ACCOUNT}/access/organizations/x`]) {
      const reply = await cf('GET', path)
      expect(reply.status).toBe(404)
      expect(reply.json.errors).toEqual([{ code: 7000, message: 'No route for that URI' }])
    }
    const [idp] = seed(1)
    const patch = await cf('PATCH', `${idps}/${idp.id}`, { body: { name: 'x' } })
    expect(patch.status).toBe(405)
    expect(patch.json.success).toBe(false)
    expect(fake.calls.map(call => [call.operation, call.write])).toEqual([
      ['noRoute', false],
      ['noRoute', false],
      ['methodNotAllowed', true]
    ])
  })

  test('account and zone providers are apart', async () => {
    const zoneIdps = `/zones/${ZONE}/access/identity_providers`
    const created = await cf('POST', zoneIdps, { body: oidcBody({ name: 'zone idp' }) })
    expect(created.status).toBe(201)
    expect(fake.identityProviders({ zoneId: ZONE }).map(idp => idp.name)).toEqual(['zone idp'])
    expect(fake.identityProviders({ accountId: ACCOUNT })).toEqual([])
    expect((await cf('GET', `${idps}/${created.json.result.id}`)).status).toBe(404)
    expect((await cf('GET', `${zoneIdps}/${created.json.result.id}`)).json.result.name).toBe('zone idp')
  })
})

describe('identity providers', () => {
  test('list pages with result_info', async () => {
    fake.defaultPerPage = 2
    seed(5)
    const pages = []
    for (let page = 1; page <= 3; page++) pages.push(await cf('GET', `${idps}?page=${page}`, { token: READ }))
    expect(pages.map(reply => reply.json.result.map((idp: StoredIdp) => idp.name))).toEqual([
      ['idp 0', 'idp 1'],
      ['idp 2', 'idp 3'],
      ['idp 4']
    ])
    expect(pages[2].json.result_info).toEqual({ page: 3, per_page: 2, count: 1, total_count: 5, total_pages: 3 })
    const beyond = await cf('GET', `${idps}?page=9&per_page=4`)
    expect(beyond.json.result).toEqual([])
    expect(beyond.json.result_info).toEqual({ page: 9, per_page: 4, count: 0, total_count: 5, total_pages: 2 })
  })

  test('out-of-range paging is 400', async () => {
    fake.maxPerPage = 10
    for (const query of ['per_page=11', 'per_page=0', 'page=0', 'page=abc', 'per_page=2.5']) {
      const reply = await cf('GET', `${idps}?${query}`)
      expect(reply.status).toBe(400)
      expect(reply.json.errors[0].code).toBe(CloudflareErrorCode.access)
    }
    expect((await cf('GET', `${idps}?per_page=10`)).status).toBe(200)
  })

  test('a stored secret never shows in clear: absent by default, or null, or redacted, as a test asks', async () => {
    const created = await cf('POST', idps, { body: oidcBody() })
    expect(created.status).toBe(201)
    const id = created.json.result.id
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/)
    expect(created.json.result.config).not.toHaveProperty('client_secret')
    expect(created.json.result).toMatchObject({ name: 'Cognito', type: 'oidc', scim_config: { enabled: false } })
    const shown: Array<[SecretShown, unknown]> = [
      ['absent', undefined],
      ['null', null],
      ['redacted', REDACTED]
    ]
    for (const [mode, value] of shown) {
      fake.secretShown = mode
      for (const config of [(await cf('GET', `${idps}/${id}`)).json.result.config, (await cf('GET', idps)).json.result[0].config]) {
        expect(config.client_secret).toBe(value)
        expect('client_secret' in config).toBe(mode !== 'absent')
      }
      expect(JSON.stringify((await cf('GET', idps)).json)).not.toContain('s3cret')
    }
    expect(fake.identityProvider(id)?.config.client_secret).toBe('s3cret')
  })

  test('answers can leave out default values, or show them all', async () => {
    const body = oidcBody({}, { claims: [], pkce_enabled: false, email_claim_name: 'email' })
    const { id } = (await cf('POST', idps, { body })).json.result
    expect((await cf('GET', `${idps}/${id}`)).json.result).toMatchObject({
      config: { claims: [], pkce_enabled: false, email_claim_name: 'email' },
      scim_config: { enabled: false }
    })
    fake.omitDefaults = true
    const terse = (await cf('GET', `${idps}/${id}`)).json.result
    expect(terse.config).not.toHaveProperty('claims')
    expect(terse.config).not.toHaveProperty('pkce_enabled')
    expect(terse.config).not.toHaveProperty('email_claim_name')
    expect(terse.config.scopes).toEqual(['openid', 'email', 'profile'])
    expect(terse).not.toHaveProperty('scim_config')
    expect(fake.identityProvider(id)?.config.pkce_enabled).toBe(false)
  })

  test('SCIM: the secret is made when SCIM is first enabled, never shown, and kept by a PUT that resets the flags it leaves out', async () => {
    fake.secretShown = 'redacted'
    const [idp] = seed(1)
    expect(idp.scim_config).not.toHaveProperty('secret')
    const enable = oidcBody({ scim_config: { enabled: true, user_deprovision: true, seat_deprovision: true } })
    const enabled = await cf('PUT', `${idps}/${idp.id}`, { body: enable })
    expect(enabled.json.result.scim_config).toMatchObject({
      enabled: true,
      secret: REDACTED,
      scim_base_url: `https://acme.cloudflareaccess.com/scim/${idp.id}`
    })
    const scimSecret = idp.scim_config.secret
    expect(scimSecret).toMatch(/^[0-9a-f]{32}$/)
    await cf('PUT', `${idps}/${idp.id}`, { body: oidcBody() })
    expect(idp.scim_config).toMatchObject({ enabled: false, user_deprovision: false, seat_deprovision: false, secret: scimSecret })
    // A client that echoes the redacted secret back overwrites it, as a real API might.
    await cf('PUT', `${idps}/${idp.id}`, { body: oidcBody({ scim_config: { enabled: true, secret: REDACTED } }) })
    expect(idp.scim_config.secret).toBe(REDACTED)
  })

  test('a read_only provider reads, but refuses PUT and DELETE', async () => {
    const idp = fake.addIdentityProvider(
      { accountId: ACCOUNT },
      { name: 'managed', type: 'oidc', config: { client_id: 'c' }, read_only: true }
    )
    expect((await cf('GET', `${idps}/${idp.id}`)).json.result).toMatchObject({ id: idp.id, read_only: true })
    for (const method of ['PUT', 'DELETE']) {
      const reply = await cf(method, `${idps}/${idp.id}`, { body: method === 'PUT' ? oidcBody() : undefined })
      expect(reply.status).toBe(400)
      expect(reply.json.errors[0].message).toMatch(/^access\.api\.error\.identity_provider_read_only/)
    }
    expect(fake.identityProvider(idp.id)?.config).toEqual({ client_id: 'c' })
  })

  test('per_page can be clamped without total_pages: result_info says what was served', async () => {
    seed(7)
    fake.clampPerPage = 3
    fake.reportTotalPages = false
    const reply = await cf('GET', `${idps}?page=2&per_page=50`)
    expect(reply.json.result.map((idp: StoredIdp) => idp.name)).toEqual(['idp 3', 'idp 4', 'idp 5'])
    expect(reply.json.result_info).toEqual({ page: 2, per_page: 3, count: 3, total_count: 7 })
    fake.reportTotalPages = true
    expect((await cf('GET', `${idps}?page=3&per_page=50`)).json.result_info).toEqual({
      page: 3,
      per_page: 3,
      count: 1,
      total_count: 7,
      total_pages: 3
    })
  })

  test('names are not unique: a second create is a second provider', async () => {
    const first = await cf('POST', idps, { body: oidcBody() })
    const second = await cf('POST', idps, { body: oidcBody() })
    expect(first.json.result.id).not.toBe(second.json.result.id)
    expect(fake.identityProviders({ accountId: ACCOUNT }).map(idp => idp.name)).toEqual(['Cognito', 'Cognito'])
    expect(fake.writes().map(call => call.operation)).toEqual(['createIdentityProvider', 'createIdentityProvider'])
  })

  test('PUT replaces the whole object: keys not sent are gone', async () => {
    const [idp] = seed(1)
    idp.config.email_claim_name = 'mail'
    const reply = await cf('PUT', `${idps}/${idp.id}`, { body: oidcBody({ name: 'renamed' }, { client_secret: 'new' }) })
    expect(reply.status).toBe(200)
    expect(reply.json.result.name).toBe('renamed')
    const sent = oidcBody({ name: 'renamed' }, { client_secret: 'new' })
    expect(fake.identityProvider(idp.id)).toEqual({ ...sent, id: idp.id, scim_config: idp.scim_config })
    expect(idp.config.email_claim_name).toBeUndefined()
  })

  test('PUT sends the redacted secret back at its peril: it is stored verbatim', async () => {
    fake.secretShown = 'redacted'
    const [idp] = seed(1)
    const current = (await cf('GET', `${idps}/${idp.id}`)).json.result
    await cf('PUT', `${idps}/${idp.id}`, { body: oidcBody({}, { client_secret: current.config.client_secret }) })
    expect(idp.config.client_secret).toBe(REDACTED)
  })

  test('a PUT without client_secret: refused by the contract, clears the secret without it', async () => {
    const [idp] = seed(1)
    const body = oidcBody()
    delete (body.config as Record<string, unknown>).client_secret
    const refused = await cf('PUT', `${idps}/${idp.id}`, { body })
    expect(refused.status).toBe(400)
    expect(refused.json.errors[0].message).toContain('/config/client_secret is required')
    expect(idp.config.client_secret).toBe('s0')

    fake.contractValidation = false
    expect((await cf('PUT', `${idps}/${idp.id}`, { body })).status).toBe(200)
    expect(idp.config).not.toHaveProperty('client_secret')
  })

  test('PUT cannot change the type, and an unknown id is 404', async () => {
    const github = fake.addIdentityProvider({ accountId: ACCOUNT }, { name: 'gh', type: 'github', config: { client_id: 'x' } })
    const reply = await cf('PUT', `${idps}/${github.id}`, { body: oidcBody() })
    expect(reply.status).toBe(400)
    expect(reply.json.errors[0].message).toMatch(/type .*cannot change/)
    expect(github.type).toBe('github')
    const unknown = await cf('PUT', `${idps}/00000000-0000-4000-8000-000000000000`, { body: oidcBody() })
    expect(unknown.status).toBe(404)
    expect(unknown.json.errors).toEqual([{ code: CloudflareErrorCode.access, message: 'access.api.error.identity_provider_not_found' }])
  })

  test('DELETE answers the id and the provider is gone', async () => {
    const [idp] = seed(1)
    const reply = await cf('DELETE', `${idps}/${idp.id}`)
    expect(reply.status).toBe(202)
    expect(reply.json.result).toEqual({ id: idp.id })
    expect((await cf('GET', `${idps}/${idp.id}`)).status).toBe(404)
    expect(fake.identityProvider(idp.id)).toBeUndefined()
  })
})

describe('the strict contract', () => {
  test.each([
    ['a SAML provider', oidcBody({ type: 'saml' }), '/type must be equal to one of the allowed values'],
    ['a missing client_id', oidcBody({}, { client_id: undefined }), '/config/client_id is required'],
    ['an unknown config key', oidcBody({}, { redirect_url: 'https://x' }), '/config/redirect_url is not allowed'],
    ['plain http off the loopback', oidcBody({}, { auth_url: 'http://example.com/auth' }), '/config/auth_url must match pattern'],
    ['a missing name', oidcBody({ name: undefined }), '/name is required'],
    ['a body that is not an object', 'just a string', '/ must be object']
  ])('rejects %s with 400', async (_what, body, message) => {
    const reply = await cf('POST', idps, { body })
    expect(reply.status).toBe(400)
    expect(reply.json.errors[0].code).toBe(CloudflareErrorCode.access)
    expect(reply.json.errors[0].message).toContain(message)
    expect(fake.identityProviders({ accountId: ACCOUNT })).toEqual([])
  })

  test('accepts http to 127.0.0.1 and localhost, as local fakes need', async () => {
    for (const certs_url of ['http://127.0.0.1:4567/jwks.json', 'http://localhost/jwks.json', 'https://example.com/jwks.json']) {
      expect((await cf('POST', idps, { body: oidcBody({}, { certs_url }) })).status).toBe(201)
    }
    const sneaky = await cf('POST', idps, { body: oidcBody({}, { certs_url: 'http://127.0.0.1.evil.com/jwks.json' }) })
    expect(sneaky.status).toBe(400)
  })
})

describe('rate limit and faults', () => {
  test('the rate limit answers 429 until reset', async () => {
    fake.rateLimit = { limit: 2 }
    expect((await cf('GET', idps)).status).toBe(200)
    expect((await cf('GET', idps)).status).toBe(200)
    const limited = await cf('GET', idps)
    expect(limited.status).toBe(429)
    expect(limited.headers['retry-after']).toBe('1')
    expect(limited.json.errors[0].code).toBe(CloudflareErrorCode.throttled)
    fake.resetRateLimit()
    expect((await cf('GET', idps)).status).toBe(200)
  })

  test('http500 is the edge HTML page', async () => {
    fake.failNext('listIdentityProviders', 'http500')
    const reply = await cf('GET', idps)
    expect(reply.status).toBe(500)
    expect(reply.headers['content-type']).toBe('text/html')
    expect(reply.text).toContain('500 Internal Server Error')
    expect(reply.text).toContain('cloudflare')
    expect((await cf('GET', idps)).status).toBe(200)
  })

  test('throttle is 429 971 with retry-after', async () => {
    fake.failNext('createIdentityProvider', 'throttle')
    const reply = await cf('POST', idps, { body: oidcBody() })
    expect(reply.status).toBe(429)
    expect(reply.headers['retry-after']).toBe('1')
    expect(reply.json).toEqual({
      success: false,
      errors: [{ code: 971, message: 'Please wait and consider throttling your request speed' }],
      messages: [],
      result: null
    })
    expect(fake.identityProviders({ accountId: ACCOUNT })).toEqual([])
  })

  test('success-false is a 200 that failed', async () => {
    fake.failNext('getOrganization', 'success-false')
    const reply = await cf('GET', `/accounts/${ACCOUNT}/access/organizations`)
    expect(reply.status).toBe(200)
    expect(reply.json).toEqual({
      success: false,
      errors: [{ code: 10002, message: 'Something odd' }],
      messages: [],
      result: null
    })
  })

  test('non-json is a 200 in plain text', async () => {
    fake.failNext('listIdentityProviders', 'non-json')
    const reply = await cf('GET', idps)
    expect(reply.status).toBe(200)
    expect(reply.headers['content-type']).toBe('text/plain')
    expect(reply.text).toBe('upstream connect error')
  })

  test('echo-secret quotes the request, secret included', async () => {
    const [idp] = seed(1)
    fake.failNext('updateIdentityProvider', 'echo-secret')
    const reply = await cf('PUT', `${idps}/${idp.id}`, { body: oidcBody({}, { client_secret: 'do-not-leak' }) })
    expect(reply.status).toBe(400)
    expect(reply.json.errors[0].message).toContain('"client_secret":"do-not-leak"')
    expect(idp.config.client_secret).toBe('s0')
    expect(fake.calls.at(-1)).toMatchObject({
      operation: 'updateIdentityProvider',
      fault: 'echo-secret',
      write: true,
      status: 400
    })
  })

  test('lost-response creates the provider but the client gets no answer', async () => {
    fake.failNext('createIdentityProvider', 'lost-response')
    await expect(cf('POST', idps, { body: oidcBody() })).rejects.toThrow()
    expect(fake.identityProviders({ accountId: ACCOUNT })).toHaveLength(1)
    expect(fake.pendingFaults()).toEqual([])
  })
})
