// Verify: what the Zero Trust dashboard's "Test" button would tell, checked before Cloudflare is
// pointed at the pool (Cloudflare has no API for that button). Each failure says what was
// expected, what was found, and how to fix it. Requests go through our HttpClient; the JWKS is
// parsed by jose. The judging is pure (exported for unit tests); the fetching is thin around it.
import { createHash, randomBytes, randomUUID } from 'node:crypto'
import { createLocalJWKSet, importJWK, type JSONWebKeySet, type JWK } from 'jose'
import { DOMAIN_CHECK, deadEndFix, type ObservedDomain } from './cognito/domain.js'
import { hostedUiBase, type Endpoints } from './endpoints.js'
import { describeError } from './errors.js'
import type { HttpClient, HttpRequest, HttpResponse } from './http.js'
import { fail, pass, skip, type CheckResult, type FieldChange } from './model.js'
import { pollUntil } from './poll.js'
import { SENSITIVE, redactedExcerpt } from './secrets.js'
import type { Settings } from './settings.js'

export const CHECKS = {
  discovery: 'Discovery document matches',
  jwks: 'JWKS has an RS256 signing key',
  domain: DOMAIN_CHECK,
  branding: 'Managed login has a branding style',
  hostedUi: 'Hosted UI accepts client and callback',
  credentials: "Token endpoint accepts the client's credentials",
  readBack: 'Cloudflare kept what was sent'
} as const

/** Values from a fetched document, as a check's details show them: redacted, then cut. */
const MAX_VALUE_CHARS = 200
/** A pool's JWKS has two keys; a set this big is not the pool's, and is not looked into. */
export const MAX_JWKS_KEYS = 100
/** Keys described in a failure's "found". */
const DESCRIBED_KEYS = 5

function shown(value: string): string {
  return redactedExcerpt(value, MAX_VALUE_CHARS)
}

async function getJson(http: HttpClient, url: string): Promise<{ status: number; json?: unknown }> {
  const response = await http.request({ method: 'GET', url, headers: { accept: 'application/json' } })
  try {
    return { status: response.status, json: JSON.parse(response.text) }
  } catch {
    return { status: response.status }
  }
}

// ---------------------------------------------------------------------------------------------
// 1. Discovery document

/**
 * The discovery fields that must name exactly what Cloudflare gets. A pool without a domain
 * publishes no authorization or token endpoint, so those wait until the domain exists.
 */
export function expectedDiscovery(endpoints: Endpoints, hostedEndpoints: boolean): Record<string, string> {
  return {
    issuer: endpoints.issuer,
    ...(hostedEndpoints ? { authorization_endpoint: endpoints.authUrl, token_endpoint: endpoints.tokenUrl } : {}),
    jwks_uri: endpoints.certsUrl
  }
}

/** How one discovery field compares with what Cloudflare gets. */
type FieldVerdict = 'same' | 'sibling' | 'missing' | 'other'

/**
 * `sibling`: an endpoint on another domain of the same pool (its prefix or custom domain), same
 * path. Both domains serve the pool's hosted UI, so Cloudflare's URLs work as well.
 */
function judgeField(field: string, value: unknown, expected: string, poolHostnames: readonly string[]): FieldVerdict {
  if (typeof value !== 'string' || value === '') return 'missing'
  if (value === expected) return 'same'
  if (!field.endsWith('_endpoint')) return 'other'
  const found = parseUrl(value)
  const wanted = parseUrl(expected)
  if (!found || !wanted || found.protocol !== 'https:' || found.port || found.search || found.hash) return 'other'
  const host = found.hostname.toLowerCase()
  const sameService = found.pathname === wanted.pathname && host !== wanted.hostname
  return sameService && poolHostnames.some(name => name.toLowerCase() === host) ? 'sibling' : 'other'
}

/**
 * Judges a fetched discovery document against what Cloudflare would get: the issuer and JWKS URL
 * exactly; the authorization and token endpoints exactly, or on another domain of the same pool
 * (passes, with a note). `poolHostnames` are the hostnames of the pool's domains.
 */
export function judgeDiscovery(
  document: Record<string, unknown>,
  endpoints: Endpoints,
  hostedEndpoints: boolean,
  url: string,
  poolHostnames: readonly string[] = []
): CheckResult {
  const expected = expectedDiscovery(endpoints, hostedEndpoints)
  const verdicts = Object.fromEntries(
    Object.keys(expected).map(field => [field, judgeField(field, document[field], expected[field], poolHostnames)])
  )
  const wrong = Object.keys(expected).filter(field => verdicts[field] === 'missing' || verdicts[field] === 'other')
  if (wrong.length === 0) {
    const later = hostedEndpoints ? '' : '; the authorization and token endpoints are checked once the domain exists'
    const siblings = Object.keys(expected).filter(field => verdicts[field] === 'sibling')
    return pass(
      CHECKS.discovery,
      `${Object.keys(expected).join(', ')} of ${url} match what Cloudflare gets${later}${siblingNote(document, siblings, endpoints.hostname)}`
    )
  }
  const missing = wrong.filter(field => verdicts[field] === 'missing')
  return fail(CHECKS.discovery, {
    expected: wrong.map(field => `${field} ${expected[field]}`).join(', '),
    found: wrong.map(field => `${field} ${verdicts[field] === 'missing' ? 'missing' : shown(String(document[field]))}`).join(', '),
    fix: missing.some(field => field.endsWith('_endpoint'))
      ? missingEndpointsFix(
          missing.filter(field => field.endsWith('_endpoint')),
          endpoints.hostname
        )
      : discoveryFix(document, wrong, endpoints.hostname)
  })
}

function siblingNote(document: Record<string, unknown>, siblings: string[], hostname: string): string {
  if (siblings.length === 0) return ''
  const published = [...new Set(siblings.map(field => hostOf(document[field])))].join(', ')
  return `; note: the pool publishes its hosted UI on ${published}, and Cloudflare gets ${hostname}, another domain of the same pool that serves the same endpoints`
}

/** Cognito publishes the hosted UI's endpoints only while the pool has a domain that serves them. */
function missingEndpointsFix(fields: string[], hostname: string): string {
  return (
    `the discovery document names no ${fields.join(' or ')}; Cognito publishes them only while the pool has a hosted domain: ` +
    `check in the Cognito console that ${hostname} is a domain of this pool and ACTIVE, then re-run.`
  )
}

/** The likely cause: another hosted domain than the one chosen, or an issuer other than the pool's. */
function discoveryFix(document: Record<string, unknown>, wrong: string[], hostname: string): string {
  const endpoints = wrong.filter(field => field.endsWith('_endpoint'))
  const published = endpoints.map(field => hostOf(document[field])).find(host => host !== undefined && host !== hostname)
  if (published) {
    const host = shown(published)
    return `the pool publishes its hosted UI on ${host}: set cognito-domain to \`${host.replace(/\.auth\.[a-z0-9-]+\.amazoncognito\.com$/, '')}\`, or leave it empty.`
  }
  if (endpoints.length > 0) {
    return `the pool publishes other endpoints on ${hostname} than Cloudflare would get: check the pool's domains in the Cognito console.`
  }
  return (
    "Cloudflare's certs URL comes from the issuer that DescribeUserPool names: check user-pool-id and aws-region, " +
    "and that any AWS_ENDPOINT_URL override serves this pool's issuer."
  )
}

function parseUrl(url: string): URL | undefined {
  try {
    return new URL(url)
  } catch {
    return undefined
  }
}

function hostOf(url: unknown): string | undefined {
  return typeof url === 'string' ? parseUrl(url)?.hostname : undefined
}

export function discoveryUrl(issuer: string): string {
  return `${issuer}/.well-known/openid-configuration`
}

/** `<issuer>/.well-known/openid-configuration` names the endpoints we give Cloudflare. */
export async function checkDiscovery(
  http: HttpClient,
  endpoints: Endpoints,
  hostedEndpoints = true,
  poolHostnames: readonly string[] = []
): Promise<CheckResult> {
  const url = discoveryUrl(endpoints.issuer)
  const fix = `check user-pool-id and aws-region: the pool's issuer is ${endpoints.issuer}.`
  try {
    const { status, json } = await getJson(http, url)
    if (status !== 200 || typeof json !== 'object' || json === null || Array.isArray(json)) {
      const found = `HTTP ${status}${status === 200 ? ' without a JSON object' : ''}`
      return fail(CHECKS.discovery, { expected: `HTTP 200 with the discovery document at ${url}`, found, fix })
    }
    return judgeDiscovery(json as Record<string, unknown>, endpoints, hostedEndpoints, url, poolHostnames)
  } catch (error) {
    return fail(CHECKS.discovery, { expected: `the discovery document at ${url}`, found: describeError(error), fix })
  }
}

// ---------------------------------------------------------------------------------------------
// 2. JWKS

/** What a JWT verifier would pick for RS256 (jose's own rule): an RSA key for signatures. */
export function claimsRs256(key: JWK): boolean {
  return (
    key.kty === 'RSA' &&
    (key.use === undefined || key.use === 'sig') &&
    (key.alg === undefined || key.alg === 'RS256') &&
    (key.key_ops === undefined || key.key_ops.includes('verify'))
  )
}

/** Whether the key imports as an RSA public key of at least 2048 bits (jose refuses to verify with less). */
export async function usableForRs256(key: JWK): Promise<boolean> {
  if (!claimsRs256(key)) return false
  try {
    const imported = (await importJWK(key, 'RS256')) as { type?: string; algorithm?: { modulusLength?: number } }
    return imported.type === 'public' && (imported.algorithm?.modulusLength ?? 0) >= 2048
  } catch {
    return false
  }
}

/** A key in a few words, for "found": `EC ES256 sig (kid abc)`. */
export function describeKey(key: JWK): string {
  const text = (value: unknown) => (value === undefined ? undefined : shown(String(value)))
  const parts = [text(key.kty) ?? 'no kty', text(key.alg), text(key.use), key.d === undefined ? undefined : 'PRIVATE']
  return `${parts.filter(Boolean).join(' ')}${key.kid ? ` (kid ${text(key.kid)})` : ''}`
}

/** Judges a fetched JSON value as the pool's JWKS. */
export async function judgeJwks(json: unknown, certsUrl: string): Promise<CheckResult> {
  const fix =
    `Cloudflare verifies the ID tokens with these keys: check that ${certsUrl} is the pool's JWKS ` +
    '(user-pool-id, aws-region, and any AWS_ENDPOINT_URL override).'
  try {
    createLocalJWKSet(json as JSONWebKeySet) // throws on anything that is not a JWK set
  } catch (error) {
    return fail(CHECKS.jwks, { expected: 'a JWK set ({"keys": [...]})', found: describeError(error), fix })
  }
  const keys = (json as JSONWebKeySet).keys
  if (keys.length > MAX_JWKS_KEYS) {
    return fail(CHECKS.jwks, { expected: `a JWK set of a few keys (at most ${MAX_JWKS_KEYS})`, found: `${keys.length} keys`, fix })
  }
  const usable = await Promise.all(keys.map(usableForRs256))
  const count = usable.filter(Boolean).length
  if (count === 0) {
    const described = keys.slice(0, DESCRIBED_KEYS).map(describeKey).join(', ')
    const more = keys.length > DESCRIBED_KEYS ? ` and ${keys.length - DESCRIBED_KEYS} more` : ''
    const found = keys.length === 0 ? 'no keys' : `${keys.length} key(s), none usable: ${described}${more}`
    return fail(CHECKS.jwks, { expected: 'at least one RSA public key (2048 bits or more) for RS256 signatures', found, fix })
  }
  return pass(CHECKS.jwks, `${count} of ${keys.length} key(s) usable for RS256 at ${certsUrl}`)
}

/** The JWKS parses, and at least one key can verify RS256 ID tokens. */
export async function checkJwks(http: HttpClient, certsUrl: string): Promise<CheckResult> {
  const fix = "the JWKS lives under the pool's issuer: check user-pool-id and aws-region."
  try {
    const { status, json } = await getJson(http, certsUrl)
    if (status !== 200 || json === undefined) {
      const found = `HTTP ${status}${status === 200 ? ' without JSON' : ''}`
      return fail(CHECKS.jwks, { expected: `HTTP 200 with a JWK set at ${certsUrl}`, found, fix })
    }
    return await judgeJwks(json, certsUrl)
  } catch (error) {
    return fail(CHECKS.jwks, { expected: `a JWK set at ${certsUrl}`, found: describeError(error), fix })
  }
}

// ---------------------------------------------------------------------------------------------
// 3. Domain status, 4. branding (from observed state; no request)

export interface DomainState {
  hostname: string
  exists: boolean
  status?: string
}

/** In apply the domain has been waited for; in plan a domain that is not ACTIVE yet is apply's to wait for. */
export function judgeDomain(domain: DomainState): CheckResult {
  const { hostname, status } = domain
  if (status === 'ACTIVE') return pass(CHECKS.domain, `${hostname} is ACTIVE`)
  const fix = deadEndFix(status)
  if (fix) return fail(CHECKS.domain, { expected: `${hostname} ACTIVE`, found: String(status), fix })
  if (!domain.exists) return skip(CHECKS.domain, `${hostname} does not exist yet; apply creates it and waits until it is ACTIVE`)
  return skip(CHECKS.domain, `${hostname} is ${status ?? 'without a status yet'}; apply waits until it is ACTIVE`)
}

export interface BrandingState {
  managedLoginVersion?: number
  clientId?: string
  hasBranding?: boolean
}

/** Managed login (version 2) shows no login page to a client without a style; the classic hosted UI needs none. */
export function judgeBranding(state: BrandingState): CheckResult | undefined {
  if (state.managedLoginVersion !== 2) return undefined
  if (state.hasBranding) return pass(CHECKS.branding, `app client ${state.clientId} has a managed login branding style`)
  const client = state.clientId ? `app client ${state.clientId} has none` : 'the app client is created during apply'
  return skip(CHECKS.branding, `${client}; apply creates the default style (Cognito-provided values)`)
}

// ---------------------------------------------------------------------------------------------
// 5. Hosted UI

export interface HostedUiProbe {
  /** Where requests for the hosted domain go: `https://<hostname>`, or the test override. */
  baseUrl: string
  clientId: string
  callbackUrl: string
  scopes: string[]
  /** Cloudflare sends a PKCE challenge when `pkce_enabled` (the pkce input). */
  pkce: boolean
}

/** RFC 7636's S256 challenge of a verifier: base64url(SHA-256(verifier)), unpadded. */
export function pkceChallenge(verifier: string): string {
  return createHash('sha256').update(verifier, 'ascii').digest('base64url')
}

/** The request a browser sent by Cloudflare makes to /oauth2/authorize, with a fresh PKCE challenge when Cloudflare would send one. */
export function authorizeUrl(probe: HostedUiProbe): string {
  const query = new URLSearchParams({
    response_type: 'code',
    client_id: probe.clientId,
    redirect_uri: probe.callbackUrl,
    scope: probe.scopes.join(' '),
    state: 'cognito-cloudflare-access-verify'
  })
  if (probe.pkce) {
    // The verifier is never used: the probe stops at the redirect, before any code exists.
    query.set('code_challenge', pkceChallenge(randomBytes(32).toString('base64url')))
    query.set('code_challenge_method', 'S256')
  }
  return `${probe.baseUrl}/oauth2/authorize?${query}`
}

/**
 * Judges Cognito's answer to /oauth2/authorize (never followed). Cognito answers a good request
 * with a redirect to its sign-in page (or straight to the one federated provider); a bad client,
 * callback or scope with a redirect to its /error page, or to the callback with `error=`.
 */
export function judgeAuthorize(response: Pick<HttpResponse, 'status' | 'headers' | 'text'>, probe: HostedUiProbe): CheckResult {
  const location = response.headers.location
  const target = typeof location === 'string' ? new URL(location, probe.baseUrl) : undefined
  const error = target?.searchParams.get('error') ?? undefined
  const path = target && shown(target.pathname)
  const redirect = response.status >= 300 && response.status < 400
  if (redirect && target && !error && !target.pathname.endsWith('/error')) {
    return pass(CHECKS.hostedUi, `/oauth2/authorize redirects to ${path} for client ${probe.clientId} and callback ${probe.callbackUrl}`)
  }
  if (response.status === 200) return pass(CHECKS.hostedUi, `/oauth2/authorize shows the sign-in page for client ${probe.clientId}`)
  const loginUnavailable = /login pages? unavailable/i.test(response.text)
  // Unknown clients go to Cognito's /error page; a bad parameter of a known client goes back to the callback.
  const badParameter = error === 'invalid_request' && !target!.pathname.endsWith('/error')
  const found = error
    ? `Cognito's error \`${shown(error)}\` (a redirect to ${path})`
    : `HTTP ${response.status}${path ? ` to ${path}` : ''}${loginUnavailable ? ', "Login pages unavailable"' : ''}`
  return fail(CHECKS.hostedUi, {
    expected: `a redirect to the sign-in page for client ${probe.clientId} and redirect_uri ${probe.callbackUrl}`,
    found,
    fix: hostedUiFix(loginUnavailable ? 'login_unavailable' : badParameter ? 'bad_parameter' : error, probe)
  })
}

function hostedUiFix(error: string | undefined, probe: HostedUiProbe): string {
  const client = `app client ${probe.clientId}`
  switch (error) {
    case 'redirect_mismatch':
      return (
        `${probe.callbackUrl} is not among the callback URLs of ${client}. Re-run the action to add it; if this repeats, ` +
        'something else (Terraform, CloudFormation, a person in the console) rewrites the client, and UpdateUserPoolClient drops every callback it is not sent.'
      )
    case 'invalid_request':
      return `${client} is unknown to the user pool behind this domain: check app-client-id and cognito-domain.`
    case 'bad_parameter':
      return (
        `Cognito refused the request Cloudflare's browser sends${probe.pkce ? ' (with PKCE: code_challenge and code_challenge_method S256)' : ''}; ` +
        `check the hosted domain and ${client}${probe.pkce ? ', or set pkce: false' : ''}.`
      )
    case 'unauthorized_client':
    case 'unsupported_response_type':
      return `allow the authorization code grant on ${client} (AllowedOAuthFlows code, AllowedOAuthFlowsUserPoolClient true).`
    case 'invalid_scope':
      return `allow every scope in scopes (${probe.scopes.join(' ')}) on ${client}.`
    case 'login_unavailable':
      return `give ${client} a managed login branding style (the action creates the default one when the client has none).`
    default:
      return "check that the hosted domain serves this pool, and the app client's callback URLs, OAuth flows and scopes."
  }
}

/** What a browser sent by Cloudflare would get from /oauth2/authorize. */
export async function checkHostedUi(http: HttpClient, probe: HostedUiProbe): Promise<CheckResult> {
  const url = authorizeUrl(probe)
  try {
    return judgeAuthorize(await http.request({ method: 'GET', url }), probe)
  } catch (error) {
    return fail(CHECKS.hostedUi, {
      expected: `an answer from ${probe.baseUrl}/oauth2/authorize`,
      found: describeError(error),
      fix: 'check that the hosted domain resolves and is ACTIVE.'
    })
  }
}

// ---------------------------------------------------------------------------------------------
// 6. Token endpoint: the client's credentials

/**
 * Cognito's token endpoint authenticates the client before it looks at the code (RFC 6749 §5.2):
 * a made-up code with the right secret gets `invalid_grant`, with a wrong one `invalid_client`.
 * So a request with a dummy code tells whether Cognito accepts a secret, without signing anyone in.
 */
export interface CredentialsProbe {
  /** Where requests for the hosted domain go: `https://<hostname>`, or the test override. */
  baseUrl: string
  clientId: string
  clientSecret: string
  callbackUrl: string
}

/** Asking again after a failed check: a secret Cognito just made may take a moment to be accepted. */
export interface CheckRetry {
  attempts: number
  delayMs: number
  log: (message: string) => void
}

/** The token request Cloudflare would make, with HTTP Basic client authentication and a code that exists nowhere. */
export function tokenRequest(probe: CredentialsProbe): HttpRequest {
  const basic = Buffer.from(`${probe.clientId}:${probe.clientSecret}`, 'utf8').toString('base64')
  return {
    method: 'POST',
    url: `${probe.baseUrl}/oauth2/token`,
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json', authorization: `Basic ${basic}` },
    body: new URLSearchParams({ grant_type: 'authorization_code', code: randomUUID(), redirect_uri: probe.callbackUrl }).toString()
  }
}

/** The OAuth `error` of a token endpoint's answer, if it is a JSON object with one. */
function oauthError(text: string): string | undefined {
  try {
    const json = JSON.parse(text) as { error?: unknown }
    return typeof json?.error === 'string' ? json.error : undefined
  } catch {
    return undefined
  }
}

/** Judges the token endpoint's answer to the dummy code. Never shows the secret: only the client id and Cognito's error code. */
export function judgeTokenAnswer(
  response: Pick<HttpResponse, 'status' | 'text'>,
  probe: Omit<CredentialsProbe, 'clientSecret'>
): CheckResult {
  const error = oauthError(response.text)
  if (error === 'invalid_grant') {
    return pass(
      CHECKS.credentials,
      `/oauth2/token authenticates app client ${probe.clientId} with its secret (a dummy code gets invalid_grant, not invalid_client)`
    )
  }
  return fail(CHECKS.credentials, {
    expected: `\`invalid_grant\` for a dummy code, which means app client ${probe.clientId} authenticated with the secret`,
    found: error ? `Cognito's error \`${shown(error)}\` (HTTP ${response.status})` : `HTTP ${response.status} without an OAuth error`,
    fix: credentialsFix(error, probe.clientId)
  })
}

function credentialsFix(error: string | undefined, clientId: string): string {
  switch (error) {
    case 'invalid_client':
      return (
        `Cognito does not accept this secret for app client ${clientId}: it was deleted or replaced (by a rotation elsewhere, say). ` +
        "Re-run, which reads the client's secret again; if it repeats, run once with rotate-secret: true to give the client a new secret and Cloudflare with it."
      )
    case 'unauthorized_client':
      return `allow the authorization code grant on app client ${clientId} (AllowedOAuthFlows code, AllowedOAuthFlowsUserPoolClient true).`
    default:
      return "check that the hosted domain serves this pool's token endpoint (/oauth2/token), then re-run."
  }
}

/** One probe; `retryable` when asking again may help (a new secret not accepted yet, throttling, a server error). */
async function probeTokenEndpoint(http: HttpClient, probe: CredentialsProbe): Promise<{ check: CheckResult; retryable: boolean }> {
  try {
    const response = await http.request(tokenRequest(probe))
    const check = judgeTokenAnswer(response, probe)
    const retryable = oauthError(response.text) === 'invalid_client' || response.status === 429 || response.status >= 500
    return { check, retryable }
  } catch (error) {
    const check = fail(CHECKS.credentials, {
      expected: `an answer from ${probe.baseUrl}/oauth2/token`,
      found: describeError(error),
      fix: 'check that the hosted domain resolves and is ACTIVE.'
    })
    return { check, retryable: true }
  }
}

/** Whether Cognito accepts `probe.clientSecret` for the client, asking up to `retry.attempts` times. */
export async function checkCredentials(http: HttpClient, probe: CredentialsProbe, retry?: CheckRetry): Promise<CheckResult> {
  const polled = await pollUntil({
    what: `the token endpoint to accept app client ${probe.clientId}'s secret`,
    look: () => probeTokenEndpoint(http, probe),
    done: ({ check }) => check.status === 'pass',
    deadEnd: ({ retryable }) => !retryable,
    intervalMs: retry?.delayMs ?? 0,
    maxWaitMs: Number.POSITIVE_INFINITY,
    maxLooks: Math.max(1, retry?.attempts ?? 1),
    onWait: ({ check }, { looks }) =>
      retry?.log(
        `The token endpoint does not accept app client ${probe.clientId}'s secret yet (${check.found}); ` +
          `checking again in ${retry.delayMs} ms (${looks + 1} of ${retry.attempts}).`
      )
  })
  return polled.value.check
}

// ---------------------------------------------------------------------------------------------
// 7. Read-back, and the failure message

/** Compares the identity provider Cloudflare holds with what was sent (the secret cannot be compared). */
export function checkReadBack(changes: FieldChange[]): CheckResult {
  const differences = changes.filter(change => change.after !== SENSITIVE)
  if (differences.length === 0) return pass(CHECKS.readBack, 'every field but the secret reads back as sent (lists as sets)')
  return fail(CHECKS.readBack, {
    expected: differences.map(change => `${change.field} ${JSON.stringify(change.after)}`).join(', '),
    found: differences.map(change => `${change.field} ${JSON.stringify(change.before ?? null)}`).join(', '),
    fix: 'Cloudflare changed or dropped what it was sent: look at the identity provider in Zero Trust (Settings → Authentication), and re-run to write it again.'
  })
}

/** The failed checks as one message, without a final period (callers append to it). */
export function failureMessage(checks: CheckResult[]): string | undefined {
  const failed = checks.filter(check => check.status === 'fail')
  if (failed.length === 0) return undefined
  return `Verification failed: ${failed.map(check => `${check.check}: ${check.detail.replace(/\.$/, '')}`).join(' | ')}`
}

// ---------------------------------------------------------------------------------------------
// All checks

export interface VerifyInputs {
  http: HttpClient
  endpoints: Endpoints
  /** `https://<hostname>` or COGNITO_HOSTED_UI_ENDPOINT. */
  hostedUiBase: string
  scopes: string[]
  /** The pkce input: the probe sends a challenge as Cloudflare would. */
  pkce: boolean
  /** The hostnames of the pool's domains (prefix and custom), for the discovery check. */
  poolHostnames?: string[]
  /** Undefined when the client does not exist yet. */
  clientId?: string
  /** Apply mode: the secret Cloudflare gets, for the token endpoint check (plan mode does not use it). */
  clientSecret?: string
  /** Why there is no secret to check (apply sends none to Cloudflare); default: plan mode's reason. */
  noSecretReason?: string
  /** The client has changes still to apply (plan mode), so probing it now would mislead. */
  clientPending: boolean
  domainExists: boolean
  domainStatus?: string
  managedLoginVersion?: number
  hasBranding?: boolean
  /**
   * Results that still hold, so they are not fetched again: checks an earlier run of these made
   * before apply wrote anything, or a probe started while observing.
   */
  known?: { discovery?: CheckResult; jwks?: CheckResult; hostedUi?: CheckResult | Promise<CheckResult | undefined> }
}

/** The state the checks judge: of the client, the domain and the branding, as observed or as apply left them. */
export interface CheckedState {
  /** Undefined when the client does not exist yet. */
  clientId?: string
  /** The client has changes still to apply (plan mode). */
  clientPending: boolean
  domain: Pick<ObservedDomain, 'exists' | 'status' | 'managedLoginVersion' | 'poolHostnames'>
  hasBranding?: boolean
  /** Apply mode: the secret the token endpoint check tries (plan mode never uses the secret). */
  clientSecret?: string
  /** Why there is no secret to check, when apply has one but sends none to Cloudflare. */
  noSecretReason?: string
  known?: VerifyInputs['known']
}

/** The checks' inputs, built one way for both the checks before apply and those after its Cognito writes. */
export function verifyInputs(settings: Settings, http: HttpClient, endpoints: Endpoints, state: CheckedState): VerifyInputs {
  return {
    http,
    endpoints,
    hostedUiBase: hostedUiBase(settings.endpoints.hostedUi, endpoints.hostname),
    scopes: settings.scopes,
    pkce: settings.pkce,
    poolHostnames: state.domain.poolHostnames,
    clientId: state.clientId,
    clientPending: state.clientPending,
    domainExists: state.domain.exists,
    domainStatus: state.domain.status,
    managedLoginVersion: state.domain.managedLoginVersion,
    hasBranding: state.hasBranding,
    clientSecret: state.clientSecret,
    noSecretReason: state.noSecretReason,
    known: state.known
  }
}

/** Why the hosted UI cannot be probed yet (plan mode); undefined when it can. */
function probeBlocker(inputs: VerifyInputs, domain: CheckResult, branding: CheckResult | undefined): string | undefined {
  const later = 'the probe runs during apply'
  if (inputs.clientId === undefined) return `the app client is created during apply; ${later}`
  if (inputs.clientPending) return `app client ${inputs.clientId} has changes to apply first (see the plan); ${later}`
  if (domain.status === 'fail') return 'the hosted domain cannot serve it (see the domain check)'
  if (domain.status === 'skip') return `the hosted domain is not ACTIVE yet; ${later}`
  if (branding?.status === 'skip') return `the branding style is created during apply; ${later}`
  return undefined
}

/**
 * Runs every check the state allows, in the order of the dashboard's "Test": discovery, JWKS,
 * domain, branding, hosted UI, then the token endpoint with the secret (apply mode only). In apply
 * mode they all run, after the Cognito writes; in plan mode, what depends on a change still to
 * apply is skipped with the reason (it runs during apply).
 */
export async function runChecks(inputs: VerifyInputs): Promise<CheckResult[]> {
  const { http, endpoints } = inputs
  const domain = judgeDomain({ hostname: endpoints.hostname, exists: inputs.domainExists, status: inputs.domainStatus })
  const branding = judgeBranding(inputs)
  const blocker = probeBlocker(inputs, domain, branding)
  const probe = {
    baseUrl: inputs.hostedUiBase,
    clientId: inputs.clientId!,
    callbackUrl: endpoints.callbackUrl,
    scopes: inputs.scopes,
    pkce: inputs.pkce
  }
  const { known = {} } = inputs
  const [discovery, jwks, hostedUi, credentials] = await Promise.all([
    known.discovery ?? checkDiscovery(http, endpoints, inputs.domainExists, inputs.poolHostnames),
    known.jwks ?? checkJwks(http, endpoints.certsUrl),
    blocker ? skip(CHECKS.hostedUi, blocker) : (async () => (await known.hostedUi) ?? checkHostedUi(http, probe))(),
    credentialsCheck(inputs, blocker)
  ])
  return [discovery, jwks, domain, ...(branding ? [branding] : []), hostedUi, credentials]
}

/** The token endpoint check, when there is a secret to check (apply mode) and nothing blocks it. */
function credentialsCheck(inputs: VerifyInputs, blocker: string | undefined): Promise<CheckResult> | CheckResult {
  if (blocker) return skip(CHECKS.credentials, blocker)
  if (inputs.clientSecret === undefined) {
    return skip(
      CHECKS.credentials,
      inputs.noSecretReason ?? 'plan mode does not use the client secret; apply checks it before Cloudflare gets it'
    )
  }
  const probe = {
    baseUrl: inputs.hostedUiBase,
    clientId: inputs.clientId!,
    clientSecret: inputs.clientSecret,
    callbackUrl: inputs.endpoints.callbackUrl
  }
  return checkCredentials(inputs.http, probe)
}
