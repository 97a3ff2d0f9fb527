// The Cloudflare API v4 endpoints the action uses (Access organization and identity providers),
// with the envelope checked on every answer: HTTP status AND `success`, Cloudflare's own error
// codes and messages surfaced, and a hint naming the token permission when it is a 403. An error
// can quote the request it refuses, secret included, so every message is redacted as it is made.
// Retries of GET and PUT happen below, in HttpClient; a POST is never retried here (see createOnce).
import type { CloudflareScope } from '../settings.js'
import { ServiceError, describeError } from '../errors.js'
import { retryAfterMs, type HttpClient, type HttpRequest, type HttpResponse } from '../http.js'
import { redact, registerSecret } from '../secrets.js'

export interface IdentityProvider {
  id: string
  name: string
  type: string
  config: Record<string, unknown>
}

/** The body of a create or a (whole-object) update. */
export interface IdentityProviderBody {
  name: string
  type: 'oidc'
  config: OidcConfig
}

export interface OidcConfig {
  client_id: string
  client_secret: string
  auth_url: string
  token_url: string
  certs_url: string
  scopes: string[]
  claims: string[]
  email_claim_name: string
  pkce_enabled: boolean
}

interface CloudflareError {
  code?: number
  message?: string
  error_chain?: CloudflareError[]
}

interface Envelope<T> {
  success?: boolean
  errors?: CloudflareError[]
  result?: T
  result_info?: { page?: number; per_page?: number; total_pages?: number; count?: number; total_count?: number }
}

/** Large pages, so that one request lists all but the largest accounts (the maximum is not documented). */
const PER_PAGE = 1000
const MAX_PAGES = 200
export const PERMISSION_HINT =
  'The API token needs the permission "Access: Organizations, Identity Providers, and Groups": Read to plan, Write to apply.'

export class CloudflareApi {
  constructor(
    private readonly http: HttpClient,
    private readonly baseUrl: string,
    private readonly scope: CloudflareScope,
    private readonly token: string
  ) {}

  /** `accounts/<id>` or `zones/<id>`, for messages. */
  get scopeLabel(): string {
    return `${this.scope.kind}/${this.scope.id}`
  }

  async getOrganization(): Promise<{ auth_domain?: string; name?: string }> {
    return (await this.call<{ auth_domain?: string }>('GET', '/access/organizations')).result ?? {}
  }

  /** Every identity provider of the account or zone, across all pages. */
  async listIdentityProviders(): Promise<IdentityProvider[]> {
    const all: IdentityProvider[] = []
    for (let page = 1; page <= MAX_PAGES; page++) {
      const answer = await this.call<IdentityProvider[]>('GET', `/access/identity_providers?page=${page}&per_page=${PER_PAGE}`)
      if (!Array.isArray(answer.result)) {
        throw new ServiceError('Cloudflare', `the list of identity providers of ${this.scopeLabel} (page ${page}) is not a list.`)
      }
      const items = answer.result
      all.push(...items)
      const totalPages = answer.result_info?.total_pages
      const last = totalPages !== undefined ? page >= totalPages : items.length < PER_PAGE
      if (last || items.length === 0) return all
    }
    throw new ServiceError('Cloudflare', `more than ${MAX_PAGES * PER_PAGE} identity providers in ${this.scopeLabel}; pass idp-id.`)
  }

  async getIdentityProvider(id: string): Promise<IdentityProvider | undefined> {
    try {
      return (await this.call<IdentityProvider>('GET', `/access/identity_providers/${encodeURIComponent(id)}`)).result
    } catch (error) {
      if (error instanceof ServiceError && error.status === 404) return undefined
      throw error
    }
  }

  async createIdentityProvider(body: IdentityProviderBody): Promise<IdentityProvider> {
    registerSecret(body.config.client_secret)
    return this.single(await this.call<IdentityProvider>('POST', '/access/identity_providers', body), 'create')
  }

  async updateIdentityProvider(id: string, body: IdentityProviderBody): Promise<IdentityProvider> {
    registerSecret(body.config.client_secret)
    const path = `/access/identity_providers/${encodeURIComponent(id)}`
    return this.single(await this.call<IdentityProvider>('PUT', path, body), 'update')
  }

  private single(answer: Envelope<IdentityProvider>, what: string): IdentityProvider {
    if (typeof answer.result?.id !== 'string') throw new ServiceError('Cloudflare', `the ${what} answer carries no identity provider.`)
    return answer.result
  }

  private async call<T>(method: HttpRequest['method'], path: string, body?: unknown): Promise<Envelope<T>> {
    const what = `${method} ${this.scope.kind}/…${path.replace(/\?.*/, '')}`
    let response: HttpResponse
    try {
      response = await this.http.request({
        method,
        url: `${this.baseUrl}/${this.scope.kind}/${this.scope.id}${path}`,
        headers: {
          authorization: `Bearer ${this.token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' })
        },
        body: body === undefined ? undefined : JSON.stringify(body)
      })
    } catch (error) {
      // No answer (a reset, a timeout): a create may have happened anyway, so this is transient.
      throw failure(`${what} failed: ${describeError(error)}`, undefined, true)
    }
    return checkEnvelope<T>(what, response)
  }
}

/** The envelope of an answer that is JSON, HTTP 2xx and `success: true`; a clear error otherwise. */
function checkEnvelope<T>(what: string, response: HttpResponse): Envelope<T> {
  const { status } = response
  const transient = status === 429 || status >= 500
  const wait = retryAfterMs(response.headers['retry-after'])
  let envelope: Envelope<T>
  try {
    envelope = JSON.parse(response.text) as Envelope<T>
    if (typeof envelope !== 'object' || envelope === null) throw new TypeError('not an object')
  } catch {
    // A proxy's page, or a 2xx without the envelope: the request's outcome is unknown, so a
    // create looks before it retries.
    const unknownOutcome = transient || (status >= 200 && status < 300)
    throw failure(`${what} answered HTTP ${status} with a body that is not Cloudflare's JSON envelope: ${excerpt(response.text)}`, status, unknownOutcome, wait)
  }
  if (status >= 400 || envelope.success !== true) {
    throw failure(`${what} failed (HTTP ${status}${envelope.success === false && status < 400 ? ', success: false' : ''}): ${errorText(envelope, status)}`, status, transient, wait)
  }
  return envelope
}

function failure(message: string, status?: number, transient = false, retryAfter?: number): ServiceError {
  return new ServiceError('Cloudflare', redact(message), status, transient, retryAfter)
}

/** The start of a body that is not JSON, as text: tags and line breaks out. */
function excerpt(text: string): string {
  const plain = text.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim()
  return plain ? `“${plain.slice(0, 160)}${plain.length > 160 ? '…' : ''}”` : '(empty)'
}

/** Cloudflare's errors, each with its code and the chain of causes it may carry. */
function errorText(envelope: Envelope<unknown>, status: number): string {
  const errors = (Array.isArray(envelope.errors) ? envelope.errors : []).map(describeCloudflareError)
  const text = errors.length > 0 ? errors.join('; ') : 'no error details'
  if (status === 403) return `${text}. ${PERMISSION_HINT}`
  if (status === 401 || (status === 400 && /header|auth/i.test(text))) {
    return `${text}. Check cloudflare-api-token (or CLOUDFLARE_API_TOKEN).`
  }
  return text
}

function describeCloudflareError(error: CloudflareError | null, depth = 0): string {
  const text = `[${error?.code ?? '?'}] ${error?.message ?? 'no message'}`
  const chain = Array.isArray(error?.error_chain) && depth < 3 ? error.error_chain.map(cause => describeCloudflareError(cause, depth + 1)) : []
  return chain.length > 0 ? `${text} (${chain.join('; ')})` : text
}
