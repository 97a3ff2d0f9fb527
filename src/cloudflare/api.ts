// The Cloudflare API v4 endpoints the action uses (Access organization and identity providers),
// with the envelope checked on every answer: HTTP status AND `success`, Cloudflare's own error
// codes and messages surfaced, and a hint naming the token permission when it is a 403.
import type { CloudflareScope } from '../settings.js'
import { ServiceError, describeError } from '../errors.js'
import type { HttpClient, HttpRequest } from '../http.js'

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

interface Envelope<T> {
  success?: boolean
  errors?: Array<{ code?: number; message?: string }>
  result?: T
  result_info?: { page?: number; per_page?: number; total_pages?: number; count?: number; total_count?: number }
}

const PER_PAGE = 50
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
      const items = Array.isArray(answer.result) ? answer.result : []
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
    return this.single(await this.call<IdentityProvider>('POST', '/access/identity_providers', body), 'create')
  }

  async updateIdentityProvider(id: string, body: IdentityProviderBody): Promise<IdentityProvider> {
    const path = `/access/identity_providers/${encodeURIComponent(id)}`
    return this.single(await this.call<IdentityProvider>('PUT', path, body), 'update')
  }

  private single(answer: Envelope<IdentityProvider>, what: string): IdentityProvider {
    if (!answer.result?.id) throw new ServiceError('Cloudflare', `the ${what} answer carries no identity provider.`)
    return answer.result
  }

  private async call<T>(method: HttpRequest['method'], path: string, body?: unknown): Promise<Envelope<T>> {
    const url = `${this.baseUrl}/${this.scope.kind}/${this.scope.id}${path}`
    const what = `${method} ${this.scope.kind}/…${path.replace(/\?.*/, '')}`
    let response
    try {
      response = await this.http.request({
        method,
        url,
        headers: {
          authorization: `Bearer ${this.token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' })
        },
        body: body === undefined ? undefined : JSON.stringify(body)
      })
    } catch (error) {
      throw new ServiceError('Cloudflare', `${what} failed: ${describeError(error)}`, undefined, true)
    }
    const transient = response.status === 429 || response.status >= 500
    let envelope: Envelope<T>
    try {
      envelope = JSON.parse(response.text) as Envelope<T>
    } catch {
      const excerpt = response.text.replace(/\s+/g, ' ').slice(0, 200)
      throw new ServiceError('Cloudflare', `${what} answered HTTP ${response.status} with a body that is not JSON: ${excerpt}`, response.status, transient)
    }
    if (response.status >= 400 || envelope.success !== true) {
      throw new ServiceError('Cloudflare', `${what} failed (HTTP ${response.status}): ${errorText(envelope, response.status)}`, response.status, transient)
    }
    return envelope
  }
}

function errorText(envelope: Envelope<unknown>, status: number): string {
  const errors = (envelope.errors ?? []).map(error => `[${error.code ?? '?'}] ${error.message ?? 'no message'}`)
  const text = errors.length > 0 ? errors.join('; ') : 'no error details'
  if (status === 403) return `${text}. ${PERMISSION_HINT}`
  if (status === 401 || (status === 400 && /header|auth/i.test(text))) {
    return `${text}. Check cloudflare-api-token (or CLOUDFLARE_API_TOKEN).`
  }
  return text
}
