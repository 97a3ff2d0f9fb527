// The Cognito fake's OIDC side, the hosts a browser and an OIDC client talk to: the issuer
// (`/<poolId>/.well-known/openid-configuration` and `jwks.json`) and the hosted UI's
// `/oauth2/authorize`, checked in Cognito's order. Functions of a pool's state; the fake routes to them.
import type { ServerResponse } from 'node:http'
import { sendJson } from '../http-fake.js'
import type { FakeClient, FakePool, SigningKey } from './state.js'

export function answerDiscovery(res: ServerResponse, poolId: string, pool: FakePool | undefined, issuerBase: string): void {
  if (!pool) return sendJson(res, 404, { message: `User pool ${poolId} does not exist.` })
  if (pool.discoveryStatus && pool.discoveryStatus !== 200) {
    return sendJson(res, pool.discoveryStatus, { message: `discovery answers ${pool.discoveryStatus}` })
  }
  sendJson(res, 200, { ...discoveryDocument(pool, issuerBase), ...pool.discoveryOverrides })
}

export function discoveryDocument(pool: FakePool, issuerBase: string): Record<string, unknown> {
  const issuer = `${issuerBase}/${pool.Id}`
  const host = pool.hostedHost
  // Without a domain there is no hosted UI, so Cognito leaves out the endpoints it would serve.
  const hosted = host && {
    authorization_endpoint: `https://${host}/oauth2/authorize`,
    token_endpoint: `https://${host}/oauth2/token`,
    userinfo_endpoint: `https://${host}/oauth2/userInfo`,
    revocation_endpoint: `https://${host}/oauth2/revoke`,
    end_session_endpoint: `https://${host}/logout`
  }
  return {
    issuer,
    ...hosted,
    jwks_uri: `${issuer}/.well-known/jwks.json`,
    response_types_supported: ['code', 'token'],
    scopes_supported: ['openid', 'email', 'phone', 'profile'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['RS256'],
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post']
  }
}

export function answerJwks(res: ServerResponse, poolId: string, pool: FakePool | undefined, signingKeys: SigningKey[]): void {
  if (!pool) return sendJson(res, 404, { message: `User pool ${poolId} does not exist.` })
  if (pool.jwksStatus && pool.jwksStatus !== 200) {
    return sendJson(res, pool.jwksStatus, { message: `jwks answers ${pool.jwksStatus}` })
  }
  sendJson(res, 200, pool.jwks ?? { keys: signingKeys.map(key => key.publicJwk) })
}

/** What `https://<domain>/oauth2/authorize` answers, checked in Cognito's order; never followed. */
export function answerAuthorize(
  res: ServerResponse,
  query: URLSearchParams,
  found: { pool: FakePool; client: FakeClient } | undefined
): void {
  const clientId = query.get('client_id') ?? ''
  if (!found) {
    return redirect(res, errorPage({ error: 'invalid_request', error_description: 'Client does not exist', client_id: clientId }))
  }
  const { pool, client } = found
  const domain = pool.hostedDomain
  if (!domain) return sendHtml(res, 404, 'Not found', `User pool ${pool.Id} has no domain.`)
  const redirectUri = query.get('redirect_uri') ?? ''
  if (!client.CallbackURLs.includes(redirectUri)) {
    return redirect(res, errorPage({ error: 'redirect_mismatch', client_id: clientId }))
  }
  const responseType = query.get('response_type') ?? ''
  const flow = { code: 'code', token: 'implicit' }[responseType]
  if (!flow) return redirect(res, callbackError(redirectUri, 'unsupported_response_type', query))
  if (!client.AllowedOAuthFlowsUserPoolClient || !client.AllowedOAuthFlows.includes(flow)) {
    return redirect(res, errorPage({ error: 'unauthorized_client', client_id: clientId }))
  }
  const scopes = (query.get('scope') ?? '').split(' ').filter(Boolean)
  if (scopes.some(scope => !client.AllowedOAuthScopes.includes(scope))) {
    return redirect(res, callbackError(redirectUri, 'invalid_scope', query))
  }
  const pkceProblem = pkceError(query)
  if (pkceProblem) return redirect(res, callbackError(redirectUri, 'invalid_request', query, pkceProblem))
  // Managed login (version 2) has no pages for an app client without a branding style.
  if (domain.ManagedLoginVersion === 2 && !pool.brandings.has(client.ClientId)) {
    return sendHtml(res, 400, 'Login pages unavailable', 'Login pages unavailable. Please contact an administrator.')
  }
  redirect(res, `/login?${query.toString()}`)
}

function errorPage(params: Record<string, string>): string {
  return `/error?${new URLSearchParams(params).toString()}`
}

/**
 * What is wrong with a request's PKCE parameters, if anything. Cognito supports only the S256
 * method (RFC 7636), whose challenge is the base64url SHA-256 of the verifier: 43 characters.
 * A request without either parameter is fine: PKCE is the client's choice.
 */
function pkceError(query: URLSearchParams): string | undefined {
  const challenge = query.get('code_challenge')
  const method = query.get('code_challenge_method')
  if (challenge === null && method === null) return undefined
  if (challenge === null) return 'code_challenge is required with code_challenge_method'
  if (method !== 'S256') return 'code_challenge_method must be S256'
  if (!/^[A-Za-z0-9_-]{43}$/.test(challenge)) return 'code_challenge is not an S256 challenge'
  return undefined
}

/** An OAuth error sent back to the client's redirect URI, carrying its state. */
function callbackError(redirectUri: string, error: string, query: URLSearchParams, description?: string): string {
  const target = new URL(redirectUri)
  target.searchParams.set('error', error)
  if (description) target.searchParams.set('error_description', description)
  const state = query.get('state')
  if (state !== null) target.searchParams.set('state', state)
  return target.toString()
}

function redirect(res: ServerResponse, location: string): void {
  res.writeHead(302, { location, 'content-length': 0 })
  res.end()
}

export function sendHtml(res: ServerResponse, status: number, title: string, text: string): void {
  const html = `<!doctype html><html><head><title>${escapeHtml(title)}</title></head><body><p>${escapeHtml(text)}</p></body></html>`
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(html) })
  res.end(html)
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, char => `&#${char.charCodeAt(0)};`)
}

/** How the fake's token endpoint authenticates a client: `accepts` says whether a secret is one Cognito takes now. */
export interface TokenEndpointOptions {
  find: (clientId: string) => { pool: FakePool; client: FakeClient } | undefined
  accepts: (found: { pool: FakePool; client: FakeClient }, secret: string) => boolean
  /** HTTP status of `invalid_client`: Cognito answers 400; RFC 6749 allows 401 for HTTP Basic. */
  invalidClientStatus: 400 | 401
}

const GRANT_TYPES = ['authorization_code', 'refresh_token', 'client_credentials']

/**
 * `POST /oauth2/token`, as Cognito answers it: the client is authenticated first (HTTP Basic, or
 * client_id and client_secret in the form), so a wrong secret gets `invalid_client` whatever the
 * code; then the grant type and the client's flows; then the code, and since this fake issues no
 * codes, every code is unknown: `invalid_grant`.
 */
export function answerToken(res: ServerResponse, authorization: string | undefined, body: unknown, options: TokenEndpointOptions): void {
  const form = new URLSearchParams(typeof body === 'string' ? body : '')
  const credentials = clientCredentials(authorization, form)
  const found = credentials && options.find(credentials.clientId)
  const invalidClient = () => {
    const headers: Record<string, string> = options.invalidClientStatus === 401 ? { 'www-authenticate': 'Basic realm="cognito"' } : {}
    sendJson(res, options.invalidClientStatus, { error: 'invalid_client' }, headers)
  }
  if (!credentials || !found) return invalidClient()
  const confidential = found.client.ClientSecret !== undefined
  if (confidential && (credentials.secret === undefined || !options.accepts(found, credentials.secret))) return invalidClient()
  const grantType = form.get('grant_type') ?? ''
  if (!GRANT_TYPES.includes(grantType)) return sendJson(res, 400, { error: 'unsupported_grant_type' })
  const { client } = found
  if (grantType === 'authorization_code' && (!client.AllowedOAuthFlowsUserPoolClient || !client.AllowedOAuthFlows.includes('code'))) {
    return sendJson(res, 400, { error: 'unauthorized_client' })
  }
  sendJson(res, 400, { error: 'invalid_grant' })
}

function clientCredentials(authorization: string | undefined, form: URLSearchParams): { clientId: string; secret?: string } | undefined {
  const basic = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(authorization?.trim() ?? '')
  if (basic) {
    const decoded = Buffer.from(basic[1], 'base64').toString('utf8')
    const colon = decoded.indexOf(':')
    return colon > 0 ? { clientId: decoded.slice(0, colon), secret: decoded.slice(colon + 1) } : undefined
  }
  const clientId = form.get('client_id')
  return clientId ? { clientId, secret: form.get('client_secret') ?? undefined } : undefined
}
