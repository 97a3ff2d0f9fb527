// The Cloudflare API v4 endpoints the action uses (Access organization and identity providers),
// with the envelope checked on every answer: HTTP status AND `success`, Cloudflare's own error
// codes and messages surfaced, and a hint naming the token permission when it is a 403. An error
// can quote the request it refuses, secret included, so every message is redacted as it is made.
// Retries of GET and PUT happen below, in HttpClient; a POST is never retried here (see createOnce).
import type { CloudflareScope } from '../settings.js'
import { DeadlineError } from '../deadline.js'
import { ServiceError, describeError, describeMalformed } from '../errors.js'
import { retryAfterMs, type HttpClient, type HttpRequest, type HttpResponse } from '../http.js'
import { EXCERPT_SOURCE_LIMIT, redact, redactedExcerpt, registerSecret } from '../secrets.js'

export interface IdentityProvider {
  id: string
  name: string
  type: string
  config: Record<string, unknown>
  /** SCIM provisioning: flags, and Cloudflare's own `secret` and `scim_base_url`. May be absent. */
  scim_config?: Record<string, unknown>
  /** Managed elsewhere: the API cannot change it. */
  read_only?: boolean
}

/** The body of a create or a (whole-object) update. */
export interface IdentityProviderBody {
  name: string
  type: 'oidc'
  /** Ours, plus the config keys we do not manage, carried through an update. */
  config: OidcConfig & Record<string, unknown>
  /** Carried through an update, so that a PUT does not switch SCIM off; never the secret or the base URL. */
  scim_config?: Record<string, unknown>
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

/** Cloudflare's paging answer; any of it may be absent, and `per_page` is what the server used. */
export interface ResultInfo {
  page?: unknown
  per_page?: unknown
  count?: unknown
  total_count?: unknown
  total_pages?: unknown
}

interface Envelope<T> {
  success?: boolean
  errors?: CloudflareError[]
  result?: T
  result_info?: ResultInfo
}

/** What we ask for; the server may clamp it, so paging goes by what it says it used. */
const PER_PAGE = 50
/** A bound on the listing: past it, something is wrong (or the account is huge), and idp-id is the way. */
export const MAX_PAGES = 200
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
    const result = (await this.call<{ auth_domain?: unknown }>('GET', '/access/organizations')).result ?? {}
    if (typeof result !== 'object' || (result.auth_domain !== undefined && typeof result.auth_domain !== 'string')) {
      throw new ServiceError('Cloudflare', `the Access organization of ${this.scopeLabel} is not an object with a text auth_domain.`)
    }
    return result as { auth_domain?: string }
  }

  /**
   * Every identity provider of the account or zone, across all pages: on while the server's own
   * result_info says there is more, stopping at an empty page, each provider once (a provider
   * created during the listing can shift another onto the next page twice).
   */
  async listIdentityProviders(): Promise<IdentityProvider[]> {
    const byId = new Map<string, IdentityProvider>()
    for (let page = 1; page <= MAX_PAGES; page++) {
      const answer = await this.call<IdentityProvider[]>('GET', `/access/identity_providers?page=${page}&per_page=${PER_PAGE}`)
      if (!Array.isArray(answer.result)) {
        throw new ServiceError('Cloudflare', `the list of identity providers of ${this.scopeLabel} (page ${page}) is not a list.`)
      }
      const items = answer.result
      for (const [index, raw] of items.entries()) {
        const item = checkedIdentityProvider(raw, `item ${index + 1} of page ${page} of the list`)
        if (!byId.has(item.id)) byId.set(item.id, item)
      }
      if (items.length === 0 || !morePages(answer.result_info, page, items.length)) return [...byId.values()]
    }
    throw new ServiceError(
      'Cloudflare',
      `the list of identity providers of ${this.scopeLabel} still went on after ${MAX_PAGES} pages, so it was not read to the end; ` +
        'set idp-id to the identity provider to use.'
    )
  }

  async getIdentityProvider(id: string): Promise<IdentityProvider | undefined> {
    try {
      const answer = await this.call<IdentityProvider>('GET', `/access/identity_providers/${encodeURIComponent(id)}`)
      return checkedIdentityProvider(answer.result, `identity provider ${id}`)
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
      if (error instanceof DeadlineError) throw error
      // No answer (a reset, a timeout): a create may have happened anyway, so this is transient.
      throw failure(`${what} failed: ${describeError(error)}`, undefined, true)
    }
    return checkEnvelope<T>(what, response)
  }
}

/** A whole number Cloudflare sent, or undefined for anything else. */
function count(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : undefined
}

/**
 * Whether a list goes on after `page`, which held `received` items, by what the server says:
 * its total_pages, else its total_count against its own per_page, else a full page of its own
 * per_page. When it says nothing, the next page is asked for (an empty one ends the list).
 */
export function morePages(info: ResultInfo | undefined, page: number, received: number): boolean {
  const totalPages = count(info?.total_pages)
  if (totalPages !== undefined) return page < totalPages
  const perPage = count(info?.per_page) || count(info?.count) || received
  const totalCount = count(info?.total_count)
  if (totalCount !== undefined) return page * perPage < totalCount
  const serverPerPage = count(info?.per_page)
  if (serverPerPage !== undefined && serverPerPage > 0) return received >= serverPerPage
  return received > 0
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
    throw failure(
      `${what} answered HTTP ${status} with a body that is not Cloudflare's JSON envelope: ${excerpt(response.text)}`,
      status,
      unknownOutcome,
      wait
    )
  }
  if (status >= 400 || envelope.success !== true) {
    throw failure(
      `${what} failed (HTTP ${status}${envelope.success === false && status < 400 ? ', success: false' : ''}): ${errorText(envelope, status)}`,
      status,
      transient,
      wait
    )
  }
  return envelope
}

function failure(message: string, status?: number, transient = false, retryAfter?: number): ServiceError {
  return new ServiceError('Cloudflare', redact(message), status, transient, retryAfter)
}

/** An identity provider as the API answers one: an object with a text id, name and type. */
function checkedIdentityProvider(item: unknown, what: string): IdentityProvider {
  const idp = item as Partial<IdentityProvider> | null
  const valid =
    typeof idp === 'object' &&
    idp !== null &&
    !Array.isArray(idp) &&
    typeof idp.id === 'string' &&
    typeof idp.name === 'string' &&
    typeof idp.type === 'string' &&
    (idp.config === undefined || idp.config === null || typeof idp.config === 'object')
  if (!valid) throw new ServiceError('Cloudflare', `${what} is not an identity provider (${describeMalformed(item)}).`)
  return { ...idp, config: idp.config ?? {} } as IdentityProvider
}

const EXCERPT_CHARS = 160
/** Tags, each a bounded scan: `[^<>]` stops at the next `<`, so a body of 200 kB of `<` stays linear. */
const TAG = /<[^<>]*>/g

/**
 * The start of a body that is not JSON, as text. Redacted first (a page can quote the request and
 * its token), then tags and line breaks out, and only then cut: a cut never leaves a piece of a
 * secret that redaction would not recognise. Only a capped prefix of the body is looked at.
 */
function excerpt(text: string): string {
  const plain = redact(text.slice(0, EXCERPT_SOURCE_LIMIT)).replace(TAG, ' ').replace(/\s+/g, ' ').trim()
  return plain ? `“${plain.slice(0, EXCERPT_CHARS)}${plain.length > EXCERPT_CHARS ? '…' : ''}”` : '(empty)'
}

/** Cloudflare's errors, each with its code and the chain of causes it may carry. */
function errorText(envelope: Envelope<unknown>, status: number): string {
  const errors = (Array.isArray(envelope.errors) ? envelope.errors.slice(0, MAX_ERRORS) : []).map(error => describeCloudflareError(error))
  const text = errors.length > 0 ? errors.join('; ') : 'no error details'
  if (status === 403) return `${text}. ${PERMISSION_HINT}`
  if (status === 401 || (status === 400 && /header|auth/i.test(text))) {
    return `${text}. Check cloudflare-api-token (or CLOUDFLARE_API_TOKEN).`
  }
  return text
}

/** Errors shown of an envelope, and of each error's chain of causes, and the length of each message. */
const MAX_ERRORS = 5
const MAX_MESSAGE_CHARS = 500

function describeCloudflareError(error: CloudflareError | null, depth = 0): string {
  const message = error?.message === undefined ? 'no message' : redactedExcerpt(String(error.message), MAX_MESSAGE_CHARS)
  const text = `[${String(error?.code ?? '?').slice(0, 20)}] ${message}`
  const causes = Array.isArray(error?.error_chain) && depth < 3 ? error.error_chain.slice(0, MAX_ERRORS) : []
  const chain = causes.map(cause => describeCloudflareError(cause, depth + 1))
  return chain.length > 0 ? `${text} (${chain.join('; ')})` : text
}
