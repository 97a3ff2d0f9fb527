// Verify: what the Zero Trust dashboard's "Test" button would tell, checked before Cloudflare is
// pointed at the pool (Cloudflare has no API for that button). Each check says what it expected,
// what it found, and how to fix it. Requests go through our HttpClient; the JWKS is parsed by jose.
import { createLocalJWKSet, importJWK, type JSONWebKeySet, type JWK } from 'jose'
import type { Endpoints } from './desired.js'
import { describeError } from './errors.js'
import type { HttpClient } from './http.js'
import type { CheckResult, FieldChange } from './plan.js'
import { SENSITIVE } from './secrets.js'

export const CHECKS = {
  domain: 'Hosted domain is ACTIVE',
  branding: 'Managed login has a branding style',
  discovery: 'Discovery document matches',
  jwks: 'JWKS has an RS256 signing key',
  hostedUi: 'Hosted UI accepts client and callback',
  readBack: 'Cloudflare kept what was sent'
} as const

export const pass = (check: string, detail: string): CheckResult => ({ check, status: 'pass', detail })
export const fail = (check: string, detail: string): CheckResult => ({ check, status: 'fail', detail })
export const skip = (check: string, detail: string): CheckResult => ({ check, status: 'skip', detail })

async function getJson(http: HttpClient, url: string): Promise<{ status: number; json?: unknown; text: string }> {
  const response = await http.request({ method: 'GET', url, headers: { accept: 'application/json' } })
  try {
    return { status: response.status, json: JSON.parse(response.text), text: response.text }
  } catch {
    return { status: response.status, text: response.text }
  }
}

/** `<issuer>/.well-known/openid-configuration` names the endpoints we give Cloudflare. */
export async function checkDiscovery(http: HttpClient, endpoints: Endpoints): Promise<CheckResult> {
  const url = `${endpoints.issuer}/.well-known/openid-configuration`
  try {
    const { status, json } = await getJson(http, url)
    if (status !== 200 || typeof json !== 'object' || json === null) {
      return fail(CHECKS.discovery, `GET ${url} answered HTTP ${status}${json ? '' : ' without JSON'}; expected the pool's discovery document. Check user-pool-id and aws-region.`)
    }
    const document = json as Record<string, unknown>
    const expected: Record<string, string> = {
      issuer: endpoints.issuer,
      authorization_endpoint: endpoints.authUrl,
      token_endpoint: endpoints.tokenUrl,
      jwks_uri: endpoints.certsUrl
    }
    const mismatches = Object.entries(expected)
      .filter(([field, value]) => document[field] !== value)
      .map(([field, value]) => `${field}: expected ${value}, found ${String(document[field] ?? 'nothing')}`)
    if (mismatches.length > 0) {
      return fail(CHECKS.discovery, `${mismatches.join('; ')}. The pool publishes other endpoints than the ones Cloudflare would get: check cognito-domain and the pool's domains.`)
    }
    return pass(CHECKS.discovery, `issuer, authorization, token and JWKS endpoints match ${url}`)
  } catch (error) {
    return fail(CHECKS.discovery, `GET ${url} failed: ${describeError(error)}`)
  }
}

function usableForRs256(key: JWK): boolean {
  return key.kty === 'RSA' && (key.use === undefined || key.use === 'sig') && (key.alg === undefined || key.alg === 'RS256')
}

/** The JWKS parses, and at least one key can verify RS256 ID tokens. */
export async function checkJwks(http: HttpClient, certsUrl: string): Promise<CheckResult> {
  try {
    const { status, json } = await getJson(http, certsUrl)
    if (status !== 200 || json === undefined) {
      return fail(CHECKS.jwks, `GET ${certsUrl} answered HTTP ${status}${json === undefined ? ' without JSON' : ''}; Cloudflare could not verify any ID token. Check the pool's issuer.`)
    }
    try {
      createLocalJWKSet(json as JSONWebKeySet) // throws on anything that is not a JWK set
    } catch (error) {
      return fail(CHECKS.jwks, `${certsUrl} is not a JWK set: ${describeError(error)}`)
    }
    const keys = (json as JSONWebKeySet).keys
    let usable = 0
    for (const key of keys.filter(usableForRs256)) {
      try {
        await importJWK(key, 'RS256')
        usable++
      } catch {
        // An RSA key that does not import is no use to Cloudflare either.
      }
    }
    if (usable === 0) {
      return fail(CHECKS.jwks, `${certsUrl} has ${keys.length} key(s), none an RSA signing key usable for RS256; expected at least one.`)
    }
    return pass(CHECKS.jwks, `${usable} of ${keys.length} key(s) usable for RS256 at ${certsUrl}`)
  } catch (error) {
    return fail(CHECKS.jwks, `GET ${certsUrl} failed: ${describeError(error)}`)
  }
}

export interface HostedUiProbe {
  /** Where requests for the hosted domain go: `https://<hostname>`, or the test override. */
  baseUrl: string
  clientId: string
  callbackUrl: string
  scopes: string[]
}

/**
 * What a browser sent by Cloudflare would get from /oauth2/authorize: Cognito answers a bad client,
 * callback or scope with a redirect to its error page (or to the callback with `error=`).
 */
export async function checkHostedUi(http: HttpClient, probe: HostedUiProbe): Promise<CheckResult> {
  const query = new URLSearchParams({
    response_type: 'code',
    client_id: probe.clientId,
    redirect_uri: probe.callbackUrl,
    scope: probe.scopes.join(' '),
    state: 'cognito-cloudflare-access-verify'
  })
  const url = `${probe.baseUrl}/oauth2/authorize?${query}`
  try {
    const response = await http.request({ method: 'GET', url })
    const location = response.headers.location
    const target = typeof location === 'string' ? new URL(location, probe.baseUrl) : undefined
    const error = target?.searchParams.get('error')
    if (response.status >= 300 && response.status < 400 && target && !error && !target.pathname.endsWith('/error')) {
      return pass(CHECKS.hostedUi, `/oauth2/authorize redirects to ${target.pathname} for client ${probe.clientId}`)
    }
    if (response.status === 200) return pass(CHECKS.hostedUi, `/oauth2/authorize shows the login page for client ${probe.clientId}`)
    const found = error ? `Cognito's error \`${error}\`` : `HTTP ${response.status}${target ? ` to ${target.pathname}` : ''}`
    return fail(CHECKS.hostedUi, `/oauth2/authorize answered ${found} for client ${probe.clientId} and redirect_uri ${probe.callbackUrl}; ${hostedUiHint(error)}`)
  } catch (error) {
    return fail(CHECKS.hostedUi, `GET ${probe.baseUrl}/oauth2/authorize failed: ${describeError(error)}`)
  }
}

function hostedUiHint(error: string | null | undefined): string {
  switch (error) {
    case 'redirect_mismatch':
      return 'the callback URL is not among the client\'s callback URLs (check team-name).'
    case 'unauthorized_client':
      return 'the client does not allow the authorization-code flow from the hosted UI.'
    case 'invalid_scope':
      return 'the client does not allow every scope in scopes.'
    default:
      return 'expected a redirect to the login page. Check the domain, managed-login branding and the client.'
  }
}

/** Compares the identity provider Cloudflare holds with what was sent (the secret cannot be compared). */
export function checkReadBack(changes: FieldChange[]): CheckResult {
  const differences = changes.filter(change => change.after !== SENSITIVE)
  if (differences.length === 0) return pass(CHECKS.readBack, 'every field but the secret reads back as sent')
  const list = differences.map(change => `${change.field}: sent ${JSON.stringify(change.after)}, found ${JSON.stringify(change.before)}`)
  return fail(CHECKS.readBack, `Cloudflare holds other values than were sent: ${list.join('; ')}`)
}

/** Checks that failed, as one message. */
export function failureMessage(checks: CheckResult[]): string | undefined {
  const failed = checks.filter(check => check.status === 'fail')
  if (failed.length === 0) return undefined
  return `Verification failed: ${failed.map(check => `${check.check}: ${check.detail}`).join(' | ')}`
}

export interface VerifyInputs {
  http: HttpClient
  endpoints: Endpoints
  /** `https://<hostname>` or COGNITO_HOSTED_UI_ENDPOINT. */
  hostedUiBase: string
  scopes: string[]
  /** Undefined when the client does not exist yet. */
  clientId?: string
  /** The client has changes still to apply (plan mode), so probing it now would mislead. */
  clientPending: boolean
  domainExists: boolean
  domainStatus?: string
  managedLoginVersion?: number
  hasBranding?: boolean
}

/**
 * Runs every check that the state allows. In apply mode they all run, after the Cognito writes;
 * in plan mode, what depends on a pending change is skipped (it runs during apply).
 */
export async function runChecks(inputs: VerifyInputs): Promise<CheckResult[]> {
  const { http, endpoints } = inputs
  const later = 'checked during apply'
  const domain =
    inputs.domainStatus === 'ACTIVE'
      ? pass(CHECKS.domain, `${endpoints.hostname} is ACTIVE`)
      : skip(CHECKS.domain, `${endpoints.hostname} is ${inputs.domainStatus ?? 'not created yet'}; apply waits until it is ACTIVE`)
  const branding =
    inputs.managedLoginVersion !== 2
      ? undefined
      : inputs.hasBranding
        ? pass(CHECKS.branding, 'the app client has a managed-login branding style')
        : skip(CHECKS.branding, 'the app client has no branding style yet; apply creates the default one')
  const probe = !inputs.clientPending && inputs.clientId !== undefined && domain.status === 'pass' && branding?.status !== 'skip'
  const [discovery, jwks, hostedUi] = await Promise.all([
    inputs.domainExists
      ? checkDiscovery(http, endpoints)
      : skip(CHECKS.discovery, `the hosted domain does not exist yet; ${later}`),
    checkJwks(http, endpoints.certsUrl),
    probe
      ? checkHostedUi(http, { baseUrl: inputs.hostedUiBase, clientId: inputs.clientId!, callbackUrl: endpoints.callbackUrl, scopes: inputs.scopes })
      : skip(CHECKS.hostedUi, `the app client, domain or branding has changes pending; ${later}`)
  ])
  return [domain, ...(branding ? [branding] : []), discovery, jwks, hostedUi]
}
