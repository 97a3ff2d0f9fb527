// The pure parts of verify.ts (judging discovery, JWKS, domain, branding, the hosted UI's answer,
// the read-back), runChecks' plan-mode skipping against a stub HTTP client, and the domain wait.
import { generateKeyPairSync } from 'node:crypto'
import type { JWK } from 'jose'
import { identityProviderChanges } from '../src/cloudflare/identity-provider.js'
import { issuerUrl, waitForActiveDomain } from '../src/cognito/domain.js'
import { desiredIdentityProvider } from '../src/cloudflare/identity-provider.js'
import { deriveEndpoints } from '../src/endpoints.js'
import type { HttpClient, HttpRequest, HttpResponse } from '../src/http.js'
import {
  authorizeUrl,
  CHECKS,
  checkReadBack,
  describeKey,
  expectedDiscovery,
  failureMessage,
  judgeAuthorize,
  judgeBranding,
  judgeDiscovery,
  judgeDomain,
  judgeJwks,
  pkceChallenge,
  checkCredentials,
  judgeTokenAnswer,
  runChecks,
  tokenRequest,
  usableForRs256,
  type CredentialsProbe,
  type HostedUiProbe,
  type VerifyInputs
} from '../src/verify.js'
import { CALLBACK, convergedIdp, HOSTNAME, ISSUER, settingsWith } from './support/builders.js'

const endpoints = deriveEndpoints('acme', HOSTNAME, ISSUER)
const DISCOVERY_URL = `${ISSUER}/.well-known/openid-configuration`

function discoveryDocument(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    issuer: ISSUER,
    authorization_endpoint: `https://${HOSTNAME}/oauth2/authorize`,
    token_endpoint: `https://${HOSTNAME}/oauth2/token`,
    jwks_uri: `${ISSUER}/.well-known/jwks.json`,
    ...overrides
  }
}

function rsaJwk(bits = 2048, extra: Partial<JWK> = {}): JWK {
  return { ...(generateKeyPairSync('rsa', { modulusLength: bits }).publicKey.export({ format: 'jwk' }) as JWK), kid: 'k1', ...extra }
}
const rsa2048 = rsaJwk()
const ecJwk: JWK = {
  ...(generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'jwk' }) as JWK),
  kid: 'e1',
  alg: 'ES256',
  use: 'sig'
}

describe('discovery', () => {
  test('auth and token endpoints are expected only once the pool has a domain', () => {
    expect(Object.keys(expectedDiscovery(endpoints, true))).toEqual(['issuer', 'authorization_endpoint', 'token_endpoint', 'jwks_uri'])
    expect(Object.keys(expectedDiscovery(endpoints, false))).toEqual(['issuer', 'jwks_uri'])
  })

  test('a matching document passes, extra fields and all', () => {
    expect(judgeDiscovery(discoveryDocument({ userinfo_endpoint: 'x' }), endpoints, true, DISCOVERY_URL).status).toBe('pass')
    const partial = judgeDiscovery({ issuer: ISSUER, jwks_uri: endpoints.certsUrl }, endpoints, false, DISCOVERY_URL)
    expect(partial).toMatchObject({ status: 'pass', detail: expect.stringContaining('checked once the domain exists') })
  })

  test('the hosted UI published on another domain: expected, found, and the cognito-domain to set', () => {
    const other = 'login.acme.com'
    const result = judgeDiscovery(
      discoveryDocument({ authorization_endpoint: `https://${other}/oauth2/authorize`, token_endpoint: `https://${other}/oauth2/token` }),
      endpoints,
      true,
      DISCOVERY_URL
    )
    expect(result).toMatchObject({
      status: 'fail',
      expected: `authorization_endpoint https://${HOSTNAME}/oauth2/authorize, token_endpoint https://${HOSTNAME}/oauth2/token`,
      found: `authorization_endpoint https://${other}/oauth2/authorize, token_endpoint https://${other}/oauth2/token`,
      fix: 'the pool publishes its hosted UI on login.acme.com: set cognito-domain to `login.acme.com`, or leave it empty.'
    })
    const prefix = judgeDiscovery(
      discoveryDocument({ token_endpoint: 'https://globex.auth.eu-west-1.amazoncognito.com/oauth2/token' }),
      endpoints,
      true,
      DISCOVERY_URL
    )
    expect(prefix.fix).toContain('set cognito-domain to `globex`')
  })

  test("endpoints on another domain of the same pool pass, with a note; on a host that is not the pool's, they fail", () => {
    const custom = 'login.acme.com'
    const document = discoveryDocument({
      authorization_endpoint: `https://${custom}/oauth2/authorize`,
      token_endpoint: `https://${custom}/oauth2/token`
    })
    const sibling = judgeDiscovery(document, endpoints, true, DISCOVERY_URL, [custom, HOSTNAME])
    expect(sibling).toMatchObject({ status: 'pass' })
    expect(sibling.detail).toContain(
      `note: the pool publishes its hosted UI on ${custom}, and Cloudflare gets ${HOSTNAME}, another domain of the same pool`
    )
    expect(judgeDiscovery(document, endpoints, true, DISCOVERY_URL, ['other.acme.com']).status).toBe('fail')
    // Same pool domain, but another path or a query is not the same endpoint.
    const otherPath = discoveryDocument({ token_endpoint: `https://${custom}/oauth2/other` })
    expect(judgeDiscovery(otherPath, endpoints, true, DISCOVERY_URL, [custom]).status).toBe('fail')
    const plainHttp = discoveryDocument({ token_endpoint: `http://${custom}/oauth2/token` })
    expect(judgeDiscovery(plainHttp, endpoints, true, DISCOVERY_URL, [custom]).status).toBe('fail')
  })

  test('the issuer and JWKS URL must match exactly, even on a domain of the pool', () => {
    const result = judgeDiscovery(
      discoveryDocument({ jwks_uri: `https://${HOSTNAME}/.well-known/jwks.json` }),
      endpoints,
      true,
      DISCOVERY_URL,
      [HOSTNAME]
    )
    expect(result).toMatchObject({ status: 'fail', found: `jwks_uri https://${HOSTNAME}/.well-known/jwks.json` })
  })

  test('missing endpoints are reported as missing, with a fix about the domain, not about another one', () => {
    const result = judgeDiscovery(
      discoveryDocument({ authorization_endpoint: undefined, token_endpoint: null }),
      endpoints,
      true,
      DISCOVERY_URL,
      [HOSTNAME]
    )
    expect(result).toMatchObject({
      status: 'fail',
      found: 'authorization_endpoint missing, token_endpoint missing',
      fix: expect.stringContaining(
        `names no authorization_endpoint or token_endpoint; Cognito publishes them only while the pool has a hosted domain: check in the Cognito console that ${HOSTNAME}`
      )
    })
    expect(result.fix).not.toMatch(/other endpoints|set cognito-domain/)
  })

  test('another path on the same host, or another issuer, gets a fix that does not blame cognito-domain', () => {
    const path = judgeDiscovery(discoveryDocument({ token_endpoint: `https://${HOSTNAME}/oauth2/other` }), endpoints, true, DISCOVERY_URL)
    expect(path.fix).toMatch(/^the pool publishes other endpoints on /)
    const issuer = judgeDiscovery(
      discoveryDocument({ issuer: 'https://issuer-cognito-idp.eu-west-1.amazonaws.com/x', jwks_uri: undefined }),
      endpoints,
      true,
      DISCOVERY_URL
    )
    expect(issuer).toMatchObject({ status: 'fail', found: 'issuer https://issuer-cognito-idp.eu-west-1.amazonaws.com/x, jwks_uri missing' })
    expect(issuer.fix).toContain('check user-pool-id and aws-region')
    expect(issuer.detail).toBe(`expected ${issuer.expected}; found ${issuer.found}. Fix: ${issuer.fix}`)
  })
})

describe('JWKS', () => {
  test('usable for RS256: an RSA public signing key of 2048 bits or more, as jose would pick and import it', async () => {
    expect(await usableForRs256(rsa2048)).toBe(true)
    expect(await usableForRs256({ ...rsa2048, alg: 'RS256', use: 'sig', key_ops: ['verify'] })).toBe(true)
    expect(await usableForRs256(ecJwk)).toBe(false)
    expect(await usableForRs256({ ...rsa2048, use: 'enc' })).toBe(false)
    expect(await usableForRs256({ ...rsa2048, alg: 'RS512' })).toBe(false)
    expect(await usableForRs256({ ...rsa2048, key_ops: ['encrypt'] })).toBe(false)
    expect(await usableForRs256(rsaJwk(1024))).toBe(false)
    expect(await usableForRs256({ kty: 'RSA', n: 'broken', e: 'AQAB' })).toBe(false)
    const privateKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' }) as JWK
    expect(await usableForRs256(privateKey)).toBe(false)
  })

  test('keys are described for "found"', () => {
    expect(describeKey(ecJwk)).toBe('EC ES256 sig (kid e1)')
    expect(describeKey({ kty: 'RSA', d: 'x' })).toBe('RSA PRIVATE')
    expect(describeKey({})).toBe('no kty')
  })

  test('a set with one usable key passes; none, or not a set at all, fails with expected and found', async () => {
    expect(await judgeJwks({ keys: [ecJwk, rsa2048] }, endpoints.certsUrl)).toMatchObject({
      status: 'pass',
      detail: expect.stringMatching(/^1 of 2 key\(s\)/)
    })
    expect(await judgeJwks({ keys: [] }, endpoints.certsUrl)).toMatchObject({ status: 'fail', found: 'no keys' })
    expect(await judgeJwks({ keys: [ecJwk] }, endpoints.certsUrl)).toMatchObject({
      status: 'fail',
      found: '1 key(s), none usable: EC ES256 sig (kid e1)'
    })
    expect(await judgeJwks({ keys: 'nope' }, endpoints.certsUrl)).toMatchObject({ status: 'fail', expected: 'a JWK set ({"keys": [...]})' })
    expect(await judgeJwks([], endpoints.certsUrl)).toMatchObject({ status: 'fail' })
  })
})

describe('domain and branding', () => {
  test("ACTIVE passes; waiting is apply's; FAILED and DELETING fail with a fix", () => {
    const hostname = HOSTNAME
    expect(judgeDomain({ hostname, exists: true, status: 'ACTIVE' }).status).toBe('pass')
    expect(judgeDomain({ hostname, exists: true, status: 'CREATING' })).toMatchObject({
      status: 'skip',
      detail: `${hostname} is CREATING; apply waits until it is ACTIVE`
    })
    expect(judgeDomain({ hostname, exists: true, status: 'UPDATING' }).status).toBe('skip')
    expect(judgeDomain({ hostname, exists: true })).toMatchObject({
      status: 'skip',
      detail: expect.stringContaining('without a status yet')
    })
    expect(judgeDomain({ hostname, exists: false })).toMatchObject({
      status: 'skip',
      detail: expect.stringContaining('does not exist yet; apply creates it')
    })
    expect(judgeDomain({ hostname, exists: true, status: 'FAILED' })).toMatchObject({
      status: 'fail',
      expected: `${hostname} ACTIVE`,
      found: 'FAILED',
      fix: expect.stringContaining('ACM certificate')
    })
    expect(judgeDomain({ hostname, exists: true, status: 'DELETING' })).toMatchObject({
      status: 'fail',
      fix: expect.stringContaining('being deleted')
    })
  })

  test('branding matters only for managed login (version 2)', () => {
    expect(judgeBranding({ managedLoginVersion: 1, clientId: 'c', hasBranding: false })).toBeUndefined()
    expect(judgeBranding({})).toBeUndefined()
    expect(judgeBranding({ managedLoginVersion: 2, clientId: 'c', hasBranding: true })?.status).toBe('pass')
    expect(judgeBranding({ managedLoginVersion: 2, clientId: 'c', hasBranding: false })).toMatchObject({
      status: 'skip',
      detail: 'app client c has none; apply creates the default style (Cognito-provided values)'
    })
    expect(judgeBranding({ managedLoginVersion: 2 })?.detail).toMatch(/^the app client is created during apply/)
  })
})

describe('hosted UI', () => {
  const probe: HostedUiProbe = {
    baseUrl: 'https://acme.example',
    clientId: 'client1',
    callbackUrl: CALLBACK,
    scopes: ['openid', 'email'],
    pkce: false
  }
  const answer = (status: number, location?: string, text = ''): Pick<HttpResponse, 'status' | 'headers' | 'text'> => ({
    status,
    headers: location ? { location } : {},
    text
  })

  test('the probe asks what Cloudflare asks: the code flow, this client, the callback, the scopes', () => {
    const url = new URL(authorizeUrl(probe))
    expect(url.origin + url.pathname).toBe('https://acme.example/oauth2/authorize')
    expect(Object.fromEntries(url.searchParams)).toMatchObject({
      response_type: 'code',
      client_id: 'client1',
      redirect_uri: CALLBACK,
      scope: 'openid email'
    })
    expect(url.searchParams.has('code_challenge')).toBe(false)
    expect(url.searchParams.has('code_challenge_method')).toBe(false)
  })

  test('with pkce, the probe sends a fresh S256 challenge, as Cloudflare does', () => {
    const first = new URL(authorizeUrl({ ...probe, pkce: true })).searchParams
    const second = new URL(authorizeUrl({ ...probe, pkce: true })).searchParams
    expect(first.get('code_challenge_method')).toBe('S256')
    expect(first.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(second.get('code_challenge')).not.toBe(first.get('code_challenge'))
  })

  test("the S256 challenge is RFC 7636's (its appendix B example)", () => {
    expect(pkceChallenge('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).toBe('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM')
  })

  test('a PKCE parameter Cognito refuses comes back to the callback as invalid_request, with a fix about PKCE', () => {
    const result = judgeAuthorize(answer(302, `${CALLBACK}?error=invalid_request&error_description=code_challenge_method+must+be+S256`), {
      ...probe,
      pkce: true
    })
    expect(result).toMatchObject({
      status: 'fail',
      found: expect.stringContaining('`invalid_request`'),
      fix: expect.stringContaining('code_challenge_method S256')
    })
    expect(result.fix).toContain('pkce: false')
  })

  test('a redirect to the sign-in page (or to a federated provider), or the page itself, passes', () => {
    expect(judgeAuthorize(answer(302, '/login?client_id=client1'), probe).status).toBe('pass')
    expect(judgeAuthorize(answer(302, 'https://accounts.google.com/o/oauth2/v2/auth?x=1'), probe).status).toBe('pass')
    expect(judgeAuthorize(answer(200, undefined, '<html>sign in</html>'), probe).status).toBe('pass')
  })

  test.each([
    [
      'redirect_mismatch',
      '/error?error=redirect_mismatch&client_id=client1',
      `${CALLBACK} is not among the callback URLs of app client client1`
    ],
    ['invalid_request', '/error?error=invalid_request&error_description=Client+does+not+exist', 'unknown to the user pool'],
    ['unauthorized_client', '/error?error=unauthorized_client', 'allow the authorization code grant'],
    ['invalid_scope', `${CALLBACK}?error=invalid_scope&state=s`, 'allow every scope in scopes (openid email)']
  ])("Cognito's error %s fails, naming it, with its fix", (error, location, fix) => {
    const result = judgeAuthorize(answer(302, location), probe)
    expect(result).toMatchObject({
      status: 'fail',
      expected: `a redirect to the sign-in page for client client1 and redirect_uri ${CALLBACK}`,
      found: expect.stringContaining(`Cognito's error \`${error}\``),
      fix: expect.stringContaining(fix)
    })
  })

  test('managed login without a style, the error page without a code, and a 404 fail too', () => {
    expect(judgeAuthorize(answer(400, undefined, 'Login pages unavailable. Please contact an administrator.'), probe)).toMatchObject({
      status: 'fail',
      found: 'HTTP 400, "Login pages unavailable"',
      fix: expect.stringContaining('branding style')
    })
    expect(judgeAuthorize(answer(302, '/error'), probe)).toMatchObject({ status: 'fail', found: 'HTTP 302 to /error' })
    expect(judgeAuthorize(answer(404), probe)).toMatchObject({ status: 'fail', found: 'HTTP 404' })
  })
})

describe("token endpoint: the client's credentials", () => {
  const SECRET = 'Vq3Lx8Tz1Nc6Rb9Wm4Ks7Jd2Hf5Gp0YaUe'
  const probe: CredentialsProbe = { baseUrl: `https://${HOSTNAME}`, clientId: 'client0001', clientSecret: SECRET, callbackUrl: CALLBACK }
  const answer = (status: number, text: string) => ({ status, headers: {}, text })

  test('the request is the code exchange Cloudflare makes, with a dummy code and HTTP Basic; the secret only in the header', () => {
    const request = tokenRequest(probe)
    expect(request).toMatchObject({ method: 'POST', url: `https://${HOSTNAME}/oauth2/token` })
    expect(request.headers).toMatchObject({
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`client0001:${SECRET}`).toString('base64')}`
    })
    const form = new URLSearchParams(request.body)
    expect(Object.fromEntries(form)).toEqual({
      grant_type: 'authorization_code',
      code: expect.stringMatching(/^[0-9a-f-]{36}$/),
      redirect_uri: CALLBACK
    })
    expect(`${request.url} ${request.body}`).not.toContain(SECRET)
    expect(tokenRequest(probe).body).not.toBe(request.body)
  })

  test('invalid_grant: the client authenticated; invalid_client (400 or 401): the secret is wrong', () => {
    expect(judgeTokenAnswer(answer(400, '{"error":"invalid_grant"}'), probe)).toMatchObject({ check: CHECKS.credentials, status: 'pass' })
    for (const status of [400, 401]) {
      const failed = judgeTokenAnswer(answer(status, '{"error":"invalid_client"}'), probe)
      expect(failed).toMatchObject({ status: 'fail', found: `Cognito's error \`invalid_client\` (HTTP ${status})` })
      expect(failed.fix).toContain('Cognito does not accept this secret for app client client0001')
      expect(JSON.stringify(failed)).not.toContain(SECRET)
    }
  })

  test('anything else fails with expected, found and a fix', () => {
    expect(judgeTokenAnswer(answer(400, '{"error":"unauthorized_client"}'), probe)).toMatchObject({
      status: 'fail',
      fix: expect.stringContaining('authorization code grant')
    })
    expect(judgeTokenAnswer(answer(500, '<html>oops</html>'), probe)).toMatchObject({
      status: 'fail',
      found: 'HTTP 500 without an OAuth error'
    })
    // A token (impossible for a dummy code) is not what the check expects either.
    expect(judgeTokenAnswer(answer(200, '{"access_token":"x"}'), probe)).toMatchObject({
      status: 'fail',
      expected: expect.stringContaining('invalid_grant')
    })
  })

  function scripted(texts: Array<string | Error>): { http: HttpClient; asked: () => number } {
    let asked = 0
    const http = {
      request: async () => {
        const next = texts[Math.min(asked++, texts.length - 1)]
        if (next instanceof Error) throw next
        return answer(400, next)
      }
    } as unknown as HttpClient
    return { http, asked: () => asked }
  }

  test('a new secret not accepted yet is asked about again, within the attempts given, each retry logged', async () => {
    const log: string[] = []
    const { http, asked } = scripted(['{"error":"invalid_client"}', '{"error":"invalid_client"}', '{"error":"invalid_grant"}'])
    expect(await checkCredentials(http, probe, { attempts: 3, delayMs: 1, log: line => log.push(line) })).toMatchObject({ status: 'pass' })
    expect(asked()).toBe(3)
    expect(log).toEqual([
      "The token endpoint does not accept app client client0001's secret yet (Cognito's error `invalid_client` (HTTP 400)); checking again in 1 ms (2 of 3).",
      "The token endpoint does not accept app client client0001's secret yet (Cognito's error `invalid_client` (HTTP 400)); checking again in 1 ms (3 of 3)."
    ])
    const twice = scripted(['{"error":"invalid_client"}', '{"error":"invalid_client"}', '{"error":"invalid_grant"}'])
    expect(await checkCredentials(twice.http, probe, { attempts: 2, delayMs: 1, log: () => {} })).toMatchObject({ status: 'fail' })
    expect(twice.asked()).toBe(2)
  })

  test('an answer that waiting cannot change is not asked again; a request that throws is a failed check', async () => {
    const unauthorized = scripted(['{"error":"unauthorized_client"}'])
    expect(await checkCredentials(unauthorized.http, probe, { attempts: 5, delayMs: 1, log: () => {} })).toMatchObject({ status: 'fail' })
    expect(unauthorized.asked()).toBe(1)
    const broken = scripted([new Error('socket hang up')])
    expect(await checkCredentials(broken.http, probe)).toMatchObject({ status: 'fail', found: 'socket hang up' })
  })
})

describe('read-back and the failure message', () => {
  const desired = desiredIdentityProvider(settingsWith(), deriveEndpoints('acme', HOSTNAME, ISSUER))

  test('lists in another order and the redacted secret read back as sent', () => {
    const stored = convergedIdp({
      scopes: ['profile', 'email', 'openid'],
      claims: ['cognito:groups', 'name', 'cognito:username', 'sub'],
      client_secret: '***'
    })
    expect(checkReadBack(identityProviderChanges(stored, desired, 'client0001', false)).status).toBe('pass')
    const noSecret = convergedIdp({ client_secret: undefined })
    expect(checkReadBack(identityProviderChanges(noSecret, desired, 'client0001', false)).status).toBe('pass')
  })

  test('a value Cloudflare dropped or changed fails with what was sent and what it holds', () => {
    const stored = convergedIdp({ pkce_enabled: false, claims: ['sub'] })
    const result = checkReadBack(identityProviderChanges(stored, desired, 'client0001', false))
    expect(result).toMatchObject({
      status: 'fail',
      expected: 'config.claims ["sub","cognito:username","name","cognito:groups"], config.pkce_enabled true',
      found: 'config.claims ["sub"], config.pkce_enabled false'
    })
  })

  test('failures join into one message naming each check; passes and skips are left out', () => {
    expect(
      failureMessage([
        { check: 'a', status: 'pass', detail: 'ok' },
        { check: 'b', status: 'skip', detail: 'later' }
      ])
    ).toBeUndefined()
    const message = failureMessage([
      { check: 'A', status: 'fail', detail: 'expected x; found y. Fix: z.' },
      { check: 'B', status: 'fail', detail: 'expected p; found q. Fix: r' }
    ])
    expect(message).toBe('Verification failed: A: expected x; found y. Fix: z | B: expected p; found q. Fix: r')
  })
})

describe('runChecks', () => {
  /** An HttpClient answering like a healthy pool, recording what was asked. */
  function healthyHttp(asked: string[]): HttpClient {
    const answers: Record<string, HttpResponse> = {
      [DISCOVERY_URL]: { status: 200, headers: {}, text: JSON.stringify(discoveryDocument()) },
      [endpoints.certsUrl]: { status: 200, headers: {}, text: JSON.stringify({ keys: [rsa2048] }) }
    }
    return {
      request: async (request: HttpRequest) => {
        asked.push(request.url.replace(/\?.*/, ''))
        return answers[request.url] ?? { status: 302, headers: { location: '/login' }, text: '' }
      }
    } as unknown as HttpClient
  }

  function inputs(http: HttpClient, overrides: Partial<VerifyInputs> = {}): VerifyInputs {
    return {
      http,
      endpoints,
      hostedUiBase: `https://${HOSTNAME}`,
      scopes: ['openid', 'email', 'profile'],
      pkce: true,
      clientId: 'client0001',
      clientPending: false,
      domainExists: true,
      domainStatus: 'ACTIVE',
      ...overrides
    }
  }

  const statuses = (checks: Array<{ check: string; status: string }>) => checks.map(check => `${check.check}: ${check.status}`)

  test('a ready state runs every check, in the order of the Test button', async () => {
    const asked: string[] = []
    const checks = await runChecks(inputs(healthyHttp(asked), { managedLoginVersion: 2, hasBranding: true }))
    expect(statuses(checks)).toEqual([
      `${CHECKS.discovery}: pass`,
      `${CHECKS.jwks}: pass`,
      `${CHECKS.domain}: pass`,
      `${CHECKS.branding}: pass`,
      `${CHECKS.hostedUi}: pass`,
      // Plan mode gives no secret: the token endpoint check is apply's.
      `${CHECKS.credentials}: skip`
    ])
    expect(asked).toContain(`https://${HOSTNAME}/oauth2/authorize`)
    expect(asked).not.toContain(`https://${HOSTNAME}/oauth2/token`)
  })

  test('with the secret (apply mode), the token endpoint check runs last', async () => {
    const asked: string[] = []
    const http = healthyHttp(asked)
    const tokenAware = {
      request: async (request: HttpRequest) =>
        request.url.endsWith('/oauth2/token')
          ? (asked.push(request.url), { status: 400, headers: {}, text: '{"error":"invalid_grant"}' })
          : http.request(request)
    } as unknown as HttpClient
    const checks = await runChecks(inputs(tokenAware, { clientSecret: 'client-secret-for-unit-tests' }))
    expect(checks.at(-1)).toMatchObject({ check: CHECKS.credentials, status: 'pass' })
    expect(asked).toContain(`https://${HOSTNAME}/oauth2/token`)
  })

  test.each<[string, Partial<VerifyInputs>, string]>([
    ['no client yet', { clientId: undefined }, 'the app client is created during apply'],
    ['a client update to apply', { clientPending: true }, 'app client client0001 has changes to apply first'],
    ['a CREATING domain', { domainStatus: 'CREATING' }, 'the hosted domain is not ACTIVE yet'],
    ['a FAILED domain', { domainStatus: 'FAILED' }, 'the hosted domain cannot serve it'],
    ['a branding style to create', { managedLoginVersion: 2, hasBranding: false }, 'the branding style is created during apply']
  ])('plan mode with %s skips the hosted UI probe, saying why, and sends no probe', async (_, state, reason) => {
    const asked: string[] = []
    const checks = await runChecks(inputs(healthyHttp(asked), state))
    const hostedUi = checks.find(check => check.check === CHECKS.hostedUi)
    expect(hostedUi).toMatchObject({ status: 'skip', detail: expect.stringContaining(reason) })
    expect(asked.some(url => url.endsWith('/oauth2/authorize'))).toBe(false)
    expect(checks.find(check => check.check === CHECKS.jwks)?.status).toBe('pass')
  })

  test('a request that throws becomes a failed check, not a crash', async () => {
    const broken = {
      request: async () => {
        throw new Error('socket hang up')
      }
    } as unknown as HttpClient
    const checks = await runChecks(inputs(broken))
    expect(checks.filter(check => check.status === 'fail').map(check => [check.check, check.found])).toEqual([
      [CHECKS.discovery, 'socket hang up'],
      [CHECKS.jwks, 'socket hang up'],
      [CHECKS.hostedUi, 'socket hang up']
    ])
  })
})

describe('waiting for the domain', () => {
  test('FAILED stops at once with the fix; no poll is wasted on it', async () => {
    let polls = 0
    const wait = waitForActiveDomain('x.example', {
      describeStatus: async () => (polls++, 'FAILED'),
      pollMs: 1,
      maxWaitMs: 60_000,
      log: () => {}
    })
    expect(await wait).toMatchObject({
      check: 'Hosted domain is ACTIVE',
      status: 'fail',
      detail: expect.stringMatching(/^expected x\.example to be ACTIVE; found FAILED\. Fix: .*ACM certificate/)
    })
    expect(polls).toBe(1)
  })

  test('each poll logs its progress; the timeout names the bound, what was found, and the fix', async () => {
    const log: string[] = []
    const wait = waitForActiveDomain('x.example', {
      describeStatus: async () => undefined,
      pollMs: 50,
      maxWaitMs: 200,
      log: m => log.push(m)
    })
    expect(await wait).toMatchObject({
      status: 'fail',
      detail: expect.stringMatching(
        /^expected x\.example to be ACTIVE within 0\.2 s; found no status, not ACTIVE, after 0\.\d s\. Fix: .*COGNITO_ACCESS_DOMAIN_WAIT_MS/
      )
    })
    expect(log[0]).toMatch(
      /^Waiting for hosted domain x\.example to be ACTIVE: it is not visible yet after 0\.0 s \(poll 1; next in 50 ms, giving up after 0\.2 s\)\.$/
    )
  })
})

test('the issuer is the one the pool names, in its primary region (the prefix of its id)', () => {
  const updated = { Id: 'eu-west-1_X', IssuerConfiguration: { Type: 'UPDATED' as const } }
  expect(issuerUrl(updated, 'eu-central-1')).toBe('https://issuer-cognito-idp.eu-west-1.amazonaws.com/eu-west-1_X')
  expect(issuerUrl({ Id: 'eu-west-1_X', IssuerConfiguration: { Type: 'ORIGINAL' } }, 'eu-west-1')).toBe(
    'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_X'
  )
  expect(issuerUrl(updated, 'eu-west-1', 'http://127.0.0.1:9')).toBe('http://127.0.0.1:9/eu-west-1_X')
})
