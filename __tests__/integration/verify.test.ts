// Verify like the dashboard's "Test" button, in process (reconcile() against the fakes). Each
// failing check stops apply before anything is written to Cloudflare, and names the check, what
// was expected, what was found, and the fix; plan mode runs the checks read-only and reports them
// in a section of their own. (That a failing check fails a plan run's step is main's, tested end
// to end in __tests__/e2e/plan.test.ts; `verify: false`'s notice in __tests__/e2e/verify.test.ts.)
import { generateKeyPairSync } from 'node:crypto'
import type { CognitoFake } from '../support/fakes/cognito.js'
import { checksOf, expectNoFailure, runInProcess, type InProcessResult } from '../support/in-process.js'
import { CALLBACK, World, planOf } from '../support/world.js'

const HOST = 'acme-login.auth.eu-west-1.amazoncognito.com'
const CHECK = {
  discovery: 'Discovery document matches',
  jwks: 'JWKS has an RS256 signing key',
  domain: 'Hosted domain is ACTIVE',
  branding: 'Managed login has a branding style',
  hostedUi: 'Hosted UI accepts client and callback',
  credentials: "Token endpoint accepts the client's credentials",
  readBack: 'Cloudflare kept what was sent'
}

let world: World
beforeEach(async () => {
  world = await World.start()
})
afterEach(async () => {
  await world.stop()
})

const issuer = () => `${world.cognito.url}/${world.pool.Id}`

/** The run failed on `check`, saying what it expected and found, and Cloudflare saw no write. */
function expectStoppedBy(result: InProcessResult, check: string, expected: string, found: string): string {
  const message = result.error ?? ''
  expect(message).toContain(`Verification failed: ${check}: expected `)
  expect(message).toContain(expected)
  expect(message).toContain(found)
  expect(message).toMatch(/Fix: /)
  expect(message).toContain('Nothing was written to Cloudflare')
  expect(world.cloudflare.writeAttempts()).toEqual([])
  // The report keeps the checks that stopped the run.
  expect(result.report).toContain('Verification')
  expect(result.report).toMatch(new RegExp(`❌[^\\n]*${check}`))
  return message
}

/** The run's checks by name. */
function checksByName(
  result: InProcessResult
): Record<string, { status: string; detail: string; expected?: string; found?: string; fix?: string }> {
  return Object.fromEntries(checksOf(result.outcome!).map(check => [check.check, check]))
}

/**
 * Runs `change` inside the fake when its first `operation` request arrives, before it answers:
 * how another writer's change lands between two requests of the action.
 */
function beforeFirst(fake: CognitoFake, operation: string, change: () => void): void {
  fake.beforeNext(operation, change)
}

describe('1. the discovery document must name what Cloudflare gets', () => {
  const wrong: Array<[string, string]> = [
    ['issuer', 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Other'],
    ['authorization_endpoint', 'https://elsewhere.example.com/oauth2/authorize'],
    ['token_endpoint', 'https://elsewhere.example.com/oauth2/token'],
    ['jwks_uri', 'https://elsewhere.example.com/jwks.json']
  ]
  test.each(wrong)('a different %s stops apply before Cloudflare', async (field, value) => {
    const expected: Record<string, string> = {
      issuer: issuer(),
      authorization_endpoint: `https://${HOST}/oauth2/authorize`,
      token_endpoint: `https://${HOST}/oauth2/token`,
      jwks_uri: `${issuer()}/.well-known/jwks.json`
    }
    world.pool.discoveryOverrides = { [field]: value }
    const result = await runInProcess(world)
    expectStoppedBy(result, CHECK.discovery, `${field} ${expected[field]}`, `${field} ${value}`)
  })

  test('a missing field is found missing; an unreachable document names its HTTP status', async () => {
    world.pool.discoveryOverrides = { token_endpoint: undefined }
    const missing = expectStoppedBy(
      await runInProcess(world),
      CHECK.discovery,
      `token_endpoint https://${HOST}/oauth2/token`,
      'token_endpoint missing'
    )
    expect(missing).toContain(
      `the discovery document names no token_endpoint; Cognito publishes them only while the pool has a hosted domain: check in the Cognito console that ${HOST}`
    )
    world.pool.discoveryOverrides = undefined
    world.pool.discoveryStatus = 404
    expectStoppedBy(
      await runInProcess(world),
      CHECK.discovery,
      `HTTP 200 with the discovery document at ${issuer()}/.well-known/openid-configuration`,
      'found HTTP 404'
    )
  })

  test('the prefix domain chosen while the pool publishes its custom domain: another domain of the same pool passes, with a note', async () => {
    const custom = await World.start({ pool: { id: 'eu-west-1_Custom002', domain: 'acme-prefix', customDomain: 'login.acme.com' } })
    try {
      const result = await runInProcess(custom, { inputs: custom.inputs({ 'cognito-domain': 'acme-prefix' }) })
      expectNoFailure(result)
      const prefixHost = 'acme-prefix.auth.eu-west-1.amazoncognito.com'
      expect(checksOf(result.outcome!).find(check => check.check === CHECK.discovery)).toMatchObject({
        status: 'pass',
        detail: expect.stringContaining(
          `note: the pool publishes its hosted UI on login.acme.com, and Cloudflare gets ${prefixHost}, another domain of the same pool`
        )
      })
      expect(custom.idps()[0].config).toMatchObject({
        auth_url: `https://${prefixHost}/oauth2/authorize`,
        token_url: `https://${prefixHost}/oauth2/token`
      })
    } finally {
      await custom.stop()
    }
  })

  test("endpoints on a host that is not one of the pool's domains still stop apply, naming it", async () => {
    world.pool.discoveryOverrides = {
      authorization_endpoint: 'https://login.elsewhere.com/oauth2/authorize',
      token_endpoint: 'https://login.elsewhere.com/oauth2/token'
    }
    const message = expectStoppedBy(
      await runInProcess(world),
      CHECK.discovery,
      `authorization_endpoint https://${HOST}/oauth2/authorize`,
      'found authorization_endpoint https://login.elsewhere.com/oauth2/authorize'
    )
    expect(message).toContain('the pool publishes its hosted UI on login.elsewhere.com')
  })
})

describe('2. the JWKS must hold a key Cloudflare can verify RS256 ID tokens with', () => {
  const ecKey = () => ({
    ...generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'jwk' }),
    kid: 'ec-1',
    alg: 'ES256',
    use: 'sig'
  })
  const rsaKey = (bits: number, extra: object = {}) => ({
    ...generateKeyPairSync('rsa', { modulusLength: bits }).publicKey.export({ format: 'jwk' }),
    kid: `rsa-${bits}`,
    ...extra
  })
  const cases: Array<[string, () => { keys: unknown[] }, string]> = [
    ['only an EC key', () => ({ keys: [ecKey()] }), '1 key(s), none usable: EC ES256 sig (kid ec-1)'],
    ['no keys at all', () => ({ keys: [] }), 'found no keys'],
    ['only an encryption key', () => ({ keys: [rsaKey(2048, { use: 'enc', alg: 'RSA-OAEP' })] }), 'RSA RSA-OAEP enc (kid rsa-2048)'],
    ['only a 1024-bit RSA key', () => ({ keys: [rsaKey(1024, { alg: 'RS256', use: 'sig' })] }), 'RSA RS256 sig (kid rsa-1024)']
  ]
  test.each(cases)('%s stops apply before Cloudflare', async (_, jwks, found) => {
    world.pool.jwks = jwks()
    expectStoppedBy(await runInProcess(world), CHECK.jwks, 'at least one RSA public key (2048 bits or more) for RS256 signatures', found)
  })

  test('a JWKS answering 404 stops apply before Cloudflare', async () => {
    world.pool.jwksStatus = 404
    expectStoppedBy(await runInProcess(world), CHECK.jwks, `HTTP 200 with a JWK set at ${issuer()}/.well-known/jwks.json`, 'found HTTP 404')
  })
})

describe('3. the hosted domain must be ACTIVE; a new one is waited for', () => {
  test('a domain the action creates is CREATING for two polls: progress is logged, then the run succeeds', async () => {
    const bare = await World.start({ pool: { id: 'eu-west-1_NoDomain2', domain: undefined } })
    try {
      bare.cognito.domainCreatingPolls = 2
      const result = await runInProcess(bare, { inputs: bare.inputs({ 'cognito-domain': 'globex-login' }) })
      expectNoFailure(result)
      const progress = result.stdout.split('\n').filter(line => line.startsWith('Waiting for hosted domain'))
      expect(progress).toEqual([
        expect.stringMatching(
          /^Waiting for hosted domain globex-login\.auth\.eu-west-1\.amazoncognito\.com to be ACTIVE: it is CREATING after \d+\.\d s \(poll 1; next in 50 ms, giving up after 5\.0 s\)\.$/
        ),
        expect.stringMatching(/: it is CREATING after \d+\.\d s \(poll 2; /)
      ])
      expect(checksByName(result)[CHECK.domain]).toMatchObject({ status: 'pass' })
      expect(bare.idps()).toHaveLength(1)
    } finally {
      await bare.stop()
    }
  })

  test('a domain still CREATING after the bounded wait stops apply before Cloudflare; a re-run finishes', async () => {
    const bare = await World.start({ pool: { id: 'eu-west-1_NoDomain3', domain: undefined } })
    try {
      bare.cognito.domainCreatingPolls = 1000
      const inputs = bare.inputs({ 'cognito-domain': 'globex-login' })
      const result = await runInProcess(bare, { inputs, env: { COGNITO_ACCESS_DOMAIN_WAIT_MS: '300' } })
      const message = result.error ?? ''
      expect(message).toMatch(
        /Verification failed: Hosted domain is ACTIVE: expected globex-login\.auth\.eu-west-1\.amazoncognito\.com to be ACTIVE within 0\.3 s; found CREATING, not ACTIVE, after 0\.\d s\. Fix: .*re-run/
      )
      expect(message).toContain('Nothing was written to Cloudflare')
      expect(bare.cloudflare.writeAttempts()).toEqual([])

      bare.cognito.activateAfterPolls('globex-login', 0)
      expectNoFailure(await runInProcess(bare, { inputs }))
      expect(bare.idps()).toHaveLength(1)
      expect(bare.cognito.clientsNamed(bare.pool.Id, 'Cloudflare Access')).toHaveLength(1)
    } finally {
      await bare.stop()
    }
  })
})

describe('4. managed login: the client needs a branding style', () => {
  test('a client without one: the plan says so, and apply creates the default style before probing', async () => {
    const v2 = await World.start({ pool: { id: 'eu-west-1_Managed01', managedLoginVersion: 2 } })
    try {
      const client = v2.cognito.addClient(v2.pool.Id, {
        ClientName: 'Cloudflare Access',
        GenerateSecret: true,
        CallbackURLs: [CALLBACK],
        AllowedOAuthFlows: ['code'],
        AllowedOAuthScopes: ['openid', 'email', 'profile'],
        AllowedOAuthFlowsUserPoolClient: true,
        SupportedIdentityProviders: ['COGNITO']
      })
      const planned = await runInProcess(v2, { inputs: v2.inputs({ mode: 'plan' }) })
      expectNoFailure(planned)
      expect(planOf(planned).resources.find(resource => resource.kind === 'managed-login-branding')).toMatchObject({ action: 'create' })
      const planChecks = Object.fromEntries(checksOf(planned.outcome!).map(check => [check.check, check]))
      expect(planChecks[CHECK.branding]).toMatchObject({
        status: 'skip',
        detail: `app client ${client.ClientId} has none; apply creates the default style (Cognito-provided values)`
      })
      expect(planChecks[CHECK.hostedUi]).toMatchObject({
        status: 'skip',
        detail: expect.stringContaining('the branding style is created during apply')
      })
      expect(v2.writeAttempts()).toEqual([])

      const applied = await runInProcess(v2)
      expectNoFailure(applied)
      expect(v2.pool.brandings.get(client.ClientId)).toMatchObject({ UseCognitoProvidedValues: true })
      const checks = Object.fromEntries(checksOf(applied.outcome!).map(check => [check.check, check]))
      expect(checks[CHECK.branding]).toMatchObject({ status: 'pass' })
      // The fake's managed login shows no page to a client without a style: this pass is real.
      expect(checks[CHECK.hostedUi]).toMatchObject({ status: 'pass' })
    } finally {
      await v2.stop()
    }
  })
})

describe('5. the hosted UI must accept this client and callback', () => {
  test('another writer drops the callback before the probe: redirect_mismatch stops apply before Cloudflare; a re-run repairs', async () => {
    // UpdateUserPoolClient resets every list it is not sent: a Terraform run that manages the same
    // client, landing between the action's write and its probe, drops the Cloudflare callback.
    beforeFirst(world.cognito, 'Authorize', () => {
      for (const client of world.clients()) client.CallbackURLs = ['https://app.example.com/callback']
    })
    const result = await runInProcess(world)
    const clientId = world.clients()[0].ClientId
    const message = expectStoppedBy(
      result,
      CHECK.hostedUi,
      `a redirect to the sign-in page for client ${clientId} and redirect_uri ${CALLBACK}`,
      "found Cognito's error `redirect_mismatch` (a redirect to /error)"
    )
    expect(message).toContain(`${CALLBACK} is not among the callback URLs of app client ${clientId}`)

    expectNoFailure(await runInProcess(world))
    expect(world.clients()[0].CallbackURLs).toEqual(['https://app.example.com/callback', CALLBACK])
    expect(world.idps()).toHaveLength(1)
  })
})

describe('6. after apply, the identity provider is read back', () => {
  test('a passing apply reports every check in order, the read-back last', async () => {
    const result = await runInProcess(world)
    expectNoFailure(result)
    expect(checksOf(result.outcome!).map(check => [check.check, check.status])).toEqual([
      [CHECK.discovery, 'pass'],
      [CHECK.jwks, 'pass'],
      [CHECK.domain, 'pass'],
      [CHECK.hostedUi, 'pass'],
      [CHECK.credentials, 'pass'],
      [CHECK.readBack, 'pass']
    ])
    expect(result.stdout).toContain(`Verification ✓ ${CHECK.readBack}: every field but the secret reads back as sent`)
  })
})

describe('the checks that need no write come first, in both modes', () => {
  /** Ways the issuer can be broken that no write of the action could repair. */
  const broken: Array<[string, (world: World) => void, string, string]> = [
    ['a JWKS without keys', world => void (world.pool.jwks = { keys: [] }), CHECK.jwks, 'found no keys'],
    ['a JWKS answering 404', world => void (world.pool.jwksStatus = 404), CHECK.jwks, 'found HTTP 404'],
    [
      'a discovery document naming another issuer',
      world => void (world.pool.discoveryOverrides = { issuer: 'https://elsewhere.example.com/x' }),
      CHECK.discovery,
      'found issuer https://elsewhere.example.com/x'
    ]
  ]

  test.each(broken)(
    '%s on a fresh pool: apply fails with no write to either service, and plan fails the same check',
    async (_, breakIt, check, found) => {
      breakIt(world)
      const applied = await runInProcess(world)
      const message = applied.error ?? ''
      expect(message).toContain(`Verification failed: ${check}: expected `)
      expect(message).toContain(found)
      expect(message).toContain('Nothing was written before the failure.')
      expect(world.writeAttempts()).toEqual([])
      expect(world.clients()).toEqual([])
      expect(checksByName(applied)[check]).toMatchObject({ status: 'fail' })

      const planned = await runInProcess(world, { inputs: world.inputs({ mode: 'plan' }) })
      expect(checksByName(planned)[check]).toMatchObject({ status: 'fail', detail: checksByName(applied)[check].detail })
      expect(world.writeAttempts()).toEqual([])
    }
  )

  test('a broken JWKS on a pool whose domain is still to be created: not even the domain is created', async () => {
    const bare = await World.start({ pool: { id: 'eu-west-1_NoDomain5', domain: undefined } })
    try {
      bare.pool.jwks = { keys: [] }
      const result = await runInProcess(bare, { inputs: bare.inputs({ 'cognito-domain': 'globex-login' }) })
      expect(result.error).toContain(`Verification failed: ${CHECK.jwks}`)
      expect(bare.writeAttempts()).toEqual([])
      expect(bare.pool.domains).toEqual([])
    } finally {
      await bare.stop()
    }
  })

  test('nothing is fetched twice: each read once in a converged run, and the documents once in a fresh apply', async () => {
    const count = (operation: string, since = 0) => world.cognito.calls.slice(since).filter(call => call.operation === operation).length
    expectNoFailure(await runInProcess(world))
    for (const operation of ['GetOpenIdConfiguration', 'GetJwks', 'Authorize'])
      expect([operation, count(operation)]).toEqual([operation, 1])

    for (const mode of ['apply', 'plan']) {
      const cognitoBefore = world.cognito.calls.length
      const cloudflareBefore = world.cloudflare.calls.length
      const result = await runInProcess(world, { inputs: world.inputs({ mode }) })
      expectNoFailure(result)
      expect(result.outputs.changed).toBe('false')
      const cognitoOperations = world.cognito.calls
        .slice(cognitoBefore)
        .map(call => call.operation)
        .sort()
      expect(cognitoOperations).toEqual([
        'Authorize',
        'DescribeUserPool',
        'DescribeUserPoolClient',
        'DescribeUserPoolDomain',
        'GetJwks',
        'GetOpenIdConfiguration',
        'ListUserPoolClients'
      ])
      expect(
        world.cloudflare.calls
          .slice(cloudflareBefore)
          .map(call => call.operation)
          .sort()
      ).toEqual(['getOrganization', 'listIdentityProviders'])
    }
  })
})

describe('plan mode: the checks run read-only and have a section of their own', () => {
  test('a converged setup: every check passes, in the report and the plan output, with no write', async () => {
    expectNoFailure(await runInProcess(world))
    const writes = world.writeAttempts().length
    const authorizeCalls = () => world.cognito.calls.filter(call => call.operation === 'Authorize').length
    const probesBefore = authorizeCalls()

    const result = await runInProcess(world, { inputs: world.inputs({ mode: 'plan' }) })
    expectNoFailure(result)
    expect(world.writeAttempts()).toHaveLength(writes)
    expect(authorizeCalls()).toBe(probesBefore + 1)
    expect(checksOf(result.outcome!).map(check => [check.check, check.status])).toEqual([
      [CHECK.discovery, 'pass'],
      [CHECK.jwks, 'pass'],
      [CHECK.domain, 'pass'],
      [CHECK.hostedUi, 'pass'],
      // Plan mode does not use the client secret: the token endpoint check is apply's.
      [CHECK.credentials, 'skip']
    ])
    const section = result.report.slice(result.report.indexOf('#### Verification'))
    for (const name of [CHECK.discovery, CHECK.jwks, CHECK.domain, CHECK.hostedUi]) expect(section).toContain(`| ✅ | ${name} |`)
  })

  test('pending changes: what depends on them is skipped with the reason; the rest runs', async () => {
    const result = await runInProcess(world, { inputs: world.inputs({ mode: 'plan' }) })
    expectNoFailure(result)
    const checks = checksByName(result)
    expect(checks[CHECK.discovery]).toMatchObject({ status: 'pass' })
    expect(checks[CHECK.jwks]).toMatchObject({ status: 'pass' })
    expect(checks[CHECK.domain]).toMatchObject({ status: 'pass', detail: `${HOST} is ACTIVE` })
    expect(checks[CHECK.hostedUi]).toMatchObject({
      status: 'skip',
      detail: 'the app client is created during apply; the probe runs during apply'
    })
    expect(result.report).toContain(`| ⏭️ | ${CHECK.hostedUi} |`)
    expect(world.cognito.calls.some(call => call.operation === 'Authorize')).toBe(false)
    expect(world.writeAttempts()).toEqual([])
  })

  test("a domain still CREATING is reported as apply's to wait for; one not created yet is checked as far as it can be", async () => {
    world.cognito.activateAfterPolls('acme-login', 5)
    const creating = checksByName(await runInProcess(world, { inputs: world.inputs({ mode: 'plan' }) }))
    expect(creating[CHECK.domain]).toMatchObject({ status: 'skip', detail: `${HOST} is CREATING; apply waits until it is ACTIVE` })

    const bare = await World.start({ pool: { id: 'eu-west-1_NoDomain4', domain: undefined } })
    try {
      const result = await runInProcess(bare, { inputs: bare.inputs({ mode: 'plan', 'cognito-domain': 'globex-login' }) })
      expectNoFailure(result)
      const checks = checksByName(result)
      expect(checks[CHECK.discovery]).toMatchObject({
        status: 'pass',
        detail: expect.stringMatching(
          /^issuer, jwks_uri of .* match what Cloudflare gets; the authorization and token endpoints are checked once the domain exists$/
        )
      })
      expect(checks[CHECK.domain]).toMatchObject({
        status: 'skip',
        detail: 'globex-login.auth.eu-west-1.amazoncognito.com does not exist yet; apply creates it and waits until it is ACTIVE'
      })
      expect(bare.writeAttempts()).toEqual([])
    } finally {
      await bare.stop()
    }
  })

  test('a failing check in a plan run: expected, found and fix in the plan output and the report', async () => {
    world.pool.jwks = { keys: [] }
    const result = await runInProcess(world, { inputs: world.inputs({ mode: 'plan' }) })
    expect(JSON.parse(result.outputs.plan).checks).toEqual(checksOf(result.outcome!))
    expect(checksByName(result)[CHECK.jwks]).toMatchObject({
      status: 'fail',
      expected: 'at least one RSA public key (2048 bits or more) for RS256 signatures',
      found: 'no keys',
      fix: expect.stringContaining('check that')
    })
    expect(result.report).toContain(`| ❌ | ${CHECK.jwks} |`)
    expect(world.writeAttempts()).toEqual([])
  })
})
