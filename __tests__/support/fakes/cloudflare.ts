// A stateful local fake of the Cloudflare API v4, limited to what the action touches: Zero Trust
// Access organizations and identity providers, at account and zone scope. Every identity-provider
// body is checked against the strict OIDC contract in ../fixtures, so a client that drifts from the
// contract fails here rather than against the real API.
import { randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv'
import formatsPlugin from 'ajv-formats'
import {
  HttpFake,
  credentialOf,
  intParam,
  isWriteMethod,
  pageOf,
  sendJson,
  type Call,
  type Fault,
  type Routed,
  type TokenPermission
} from './http-fake.js'

export type { TokenPermission } from './http-fake.js'

/** Where the identity providers live: an account or a zone. */
export type CloudflareScope = { accountId: string } | { zoneId: string }

export interface CloudflareOrganizationSeed {
  /** e.g. `myteam.cloudflareaccess.com` */
  authDomain: string
  /** Defaults to the team name (the first label of authDomain). */
  name?: string
}

/** An identity provider as the fake stores it: the secret in clear, unlike what the API answers. */
export interface StoredIdp {
  id: string
  name: string
  type: string
  config: Record<string, unknown>
  scim_config: Record<string, unknown>
  /** Managed elsewhere: a PUT or DELETE is refused. */
  read_only?: boolean
}

/**
 * How answers show a stored secret (the OIDC client secret, the SCIM secret). A recorded real GET
 * (cf-terraforming's testdata) has none at all; the schema says "redacted"; null is plausible too.
 */
export type SecretShown = 'absent' | 'null' | 'redacted'

export interface CloudflareFakeOptions {
  defaultPerPage?: number
  maxPerPage?: number
  rateLimit?: { limit: number }
}

export interface CloudflareError {
  code: number
  message: string
  error_chain?: Array<{ code?: number; message: string }>
}

export interface ResultInfo {
  page: number
  per_page: number
  count: number
  total_count: number
  total_pages?: number
}

/** Error codes the fake answers with, in one place. */
export const CloudflareErrorCode = {
  /** Edge: path matches no API route. */
  noRoute: 7000,
  /** Edge: method not available on the route. */
  methodNotAllowed: 7001,
  /** Edge: unknown or malformed account / zone identifier. */
  couldNotRoute: 7003,
  invalidRequestHeaders: 6003,
  invalidAuthorizationFormat: 6111,
  authentication: 10000,
  /** Used by the `success-false` fault. */
  odd: 10002,
  throttled: 971,
  /** Every error of the Access service itself: `access.api.error.*` (seen in the wild for invalid_request). */
  access: 12130
} as const

/** What Cloudflare shows instead of a stored secret. */
export const REDACTED = '**********'

const API_PREFIX = '/client/v4'
const CONTRACT_URL = new URL('../fixtures/cloudflare-access-idp.oidc-strict.openapi.json', import.meta.url)
const CLOUDFLARE_ID = /^[0-9a-f]{32}$/
const ROUTE = /^\/(accounts|zones)\/([^/]+)\/access\/(organizations|identity_providers)(?:\/([^/]+))?\/?$/

type ScopeKind = 'accounts' | 'zones'

interface ScopeState {
  organization?: Record<string, unknown>
  idps: StoredIdp[]
}

/** A parsed API path. */
interface Target {
  kind: ScopeKind
  scopeId: string
  collection: 'organizations' | 'identity_providers'
  itemId?: string
  /** The path below /client/v4, for error messages. */
  path: string
}

/** A routed request, as the operations see it. */
interface ApiRequest {
  req: IncomingMessage
  url: URL
  body: unknown
  target: Target
  operation: string
  write: boolean
}

/** Everything an answer can carry; `errors` present means failure. */
interface Answer {
  status: number
  result?: unknown
  result_info?: ResultInfo
  errors?: CloudflareError[]
  headers?: Record<string, string>
}

export class CloudflareFake extends HttpFake {
  defaultPerPage: number
  maxPerPage: number
  /** After `limit` requests (since start or resetRateLimit) every request gets a 429. */
  rateLimit?: { limit: number }
  /**
   * Check POST/PUT bodies against the strict OIDC contract (default). Off, the fake is as lenient as
   * the official schema (name, type and config present), which lets a test show what the real API
   * does with a body the strict contract would have refused, e.g. a PUT that forgets client_secret.
   */
  contractValidation = true
  /** How answers show stored secrets (default: absent, as the recorded real GET). */
  secretShown: SecretShown = 'absent'
  /** Answers leave out default values: `false`, empty lists and strings, `email_claim_name: email`. */
  omitDefaults = false
  /** Silently serve at most this many per page, and say so in result_info.per_page (unset: ask and get). */
  clampPerPage?: number
  /** Whether result_info carries total_pages (the schema has no such field; some answers do). */
  reportTotalPages = true
  /** Called after each create or update of an identity provider, with what it now stores (secret in clear). */
  onIdentityProviderWritten?: (idp: StoredIdp) => void

  private readonly tokens = new Map<string, TokenPermission>()
  private readonly scopes = new Map<string, ScopeState>()
  private requestCount = 0

  constructor(options: CloudflareFakeOptions = {}) {
    super()
    this.defaultPerPage = options.defaultPerPage ?? 25
    this.maxPerPage = options.maxPerPage ?? 1000
    this.rateLimit = options.rateLimit
  }

  // ---- seeding and inspection -------------------------------------------------------------

  addToken(token: string, permission: TokenPermission): void {
    this.tokens.set(token, permission)
  }

  addAccount(accountId: string, org?: CloudflareOrganizationSeed): void {
    this.addScope('accounts', accountId, org)
  }

  addZone(zoneId: string, org?: CloudflareOrganizationSeed): void {
    this.addScope('zones', zoneId, org)
  }

  addIdentityProvider(
    scope: CloudflareScope,
    idp: {
      name: string
      type: string
      config: Record<string, unknown>
      id?: string
      scim_config?: Record<string, unknown>
      read_only?: boolean
    }
  ): StoredIdp {
    const id = idp.id ?? randomUUID()
    if (this.identityProvider(id)) throw new Error(`identity provider ${id} already exists`)
    const state = this.scopeOf(scope)
    const stored = newIdp(id, idp, undefined, teamDomain(state))
    if (idp.read_only) stored.read_only = true
    state.idps.push(stored)
    return stored
  }

  /** Live state of a scope, secrets in clear (for assertions). */
  identityProviders(scope: CloudflareScope): StoredIdp[] {
    return [...this.scopeOf(scope).idps]
  }

  identityProvider(id: string): StoredIdp | undefined {
    for (const state of this.scopes.values()) {
      const found = state.idps.find(idp => idp.id === id)
      if (found) return found
    }
    return undefined
  }

  resetRateLimit(): void {
    this.requestCount = 0
  }

  private addScope(kind: ScopeKind, id: string, org?: CloudflareOrganizationSeed): void {
    if (!CLOUDFLARE_ID.test(id)) throw new Error(`${kind} id must be 32 lowercase hex characters: ${id}`)
    const state = this.scopes.get(`${kind}/${id}`) ?? { idps: [] }
    if (org) state.organization = organization(org)
    this.scopes.set(`${kind}/${id}`, state)
  }

  private scopeOf(scope: CloudflareScope): ScopeState {
    const key = 'accountId' in scope ? `accounts/${scope.accountId}` : `zones/${scope.zoneId}`
    const state = this.scopes.get(key)
    if (!state) throw new Error(`unknown scope ${key}: add it first`)
    return state
  }

  // ---- HTTP ----------------------------------------------------------------------------------

  protected route(req: IncomingMessage, res: ServerResponse, url: URL, body: unknown): Routed {
    const method = req.method ?? 'GET'
    const write = isWriteMethod(method)
    const target = parseTarget(url.pathname)
    if (!target) {
      const answer = failure(404, CloudflareErrorCode.noRoute, 'No route for that URI')
      return { operation: 'noRoute', write, handle: () => send(res, answer) }
    }
    const operation = operationOf(target, method)
    if (!operation) {
      const answer = failure(405, CloudflareErrorCode.methodNotAllowed, `Method ${method} not allowed`)
      return { operation: 'methodNotAllowed', write, handle: () => send(res, answer) }
    }
    return { operation, write, handle: () => send(res, this.serve({ req, url, body, target, operation, write })) }
  }

  protected answerFault(res: ServerResponse, fault: Fault, call: Call): boolean {
    switch (fault) {
      case 'http500':
        // The edge's own page, not the API envelope: a client must not assume JSON on a 5xx.
        res.writeHead(500, { 'content-type': 'text/html' })
        res.end(EDGE_500_PAGE)
        return true
      case 'throttle':
        send(res, throttled())
        return true
      case 'success-false':
        send(res, { status: 200, errors: [{ code: CloudflareErrorCode.odd, message: 'Something odd' }] })
        return true
      case 'non-json':
        res.writeHead(200, { 'content-type': 'text/plain' })
        res.end('upstream connect error')
        return true
      case 'echo-secret':
        // Cloudflare errors can quote the request, secrets included: the action must scrub them.
        send(res, invalidRequest(`could not process request ${JSON.stringify(call.body)}`))
        return true
      default:
        return false
    }
  }

  /** The checks every routed request goes through, in Cloudflare's order, then the operation. */
  private serve(request: ApiRequest): Answer {
    this.requestCount++
    const { target, write } = request
    const token = credentialOf(request.req.headers.authorization, ['Bearer'])
    const refusal = this.overRateLimit() ?? this.unauthenticated(token) ?? this.unroutable(target) ?? this.forbidden(token, write)
    if (refusal) return refusal
    return this.operate(request, this.scopes.get(`${target.kind}/${target.scopeId}`)!)
  }

  private operate({ operation, target, url, body }: ApiRequest, scope: ScopeState): Answer {
    switch (operation) {
      case 'getOrganization':
        return scope.organization ? ok(scope.organization) : accessFailure(404, 'access.api.error.not_found')
      case 'listIdentityProviders':
        return this.list(scope, url)
      case 'createIdentityProvider':
        return this.create(scope, target, body)
      case 'getIdentityProvider':
        return this.withIdp(scope, target, idp => ok(this.shown(idp)))
      case 'updateIdentityProvider':
        return this.withIdp(scope, target, idp => this.replace(scope, idp, target, body))
      case 'deleteIdentityProvider':
        return this.withIdp(scope, target, idp => {
          if (idp.read_only) return readOnly()
          scope.idps.splice(scope.idps.indexOf(idp), 1)
          return { status: 202, result: { id: idp.id } }
        })
      default:
        throw new Error(`CloudflareFake: no handler for ${operation}`)
    }
  }

  // ---- refusals (undefined: the request may go on) -------------------------------------------

  private overRateLimit(): Answer | undefined {
    return this.rateLimit && this.requestCount > this.rateLimit.limit ? throttled() : undefined
  }

  private unauthenticated(token: string | undefined): Answer | undefined {
    if (token === undefined) {
      const code = CloudflareErrorCode.invalidRequestHeaders
      const cause = {
        code: CloudflareErrorCode.invalidAuthorizationFormat,
        message: 'Invalid format for Authorization header'
      }
      return { status: 400, errors: [{ code, message: 'Invalid request headers', error_chain: [cause] }] }
    }
    return this.tokens.has(token) ? undefined : authenticationError()
  }

  private unroutable(target: Target): Answer | undefined {
    if (CLOUDFLARE_ID.test(target.scopeId) && this.scopes.has(`${target.kind}/${target.scopeId}`)) return undefined
    const message = `Could not route to ${target.path}, perhaps your object identifier is invalid?`
    return failure(404, CloudflareErrorCode.couldNotRoute, message)
  }

  private forbidden(token: string | undefined, write: boolean): Answer | undefined {
    return write && this.tokens.get(token!) !== 'write' ? authenticationError() : undefined
  }

  // ---- operations ----------------------------------------------------------------------------

  private list(scope: ScopeState, url: URL): Answer {
    const page = intParam(url, 'page') ?? 1
    const asked = intParam(url, 'per_page') ?? this.defaultPerPage
    if (!(page >= 1)) return invalidRequest('page must be a whole number of at least 1')
    if (!(asked >= 1 && (asked <= this.maxPerPage || this.clampPerPage !== undefined))) {
      return invalidRequest(`per_page must be a whole number between 1 and ${this.maxPerPage}`)
    }
    const perPage = this.clampPerPage === undefined ? asked : Math.min(asked, this.clampPerPage)
    const { items, totalPages } = pageOf(scope.idps, page, perPage)
    const total_count = scope.idps.length
    const result_info: ResultInfo = { page, per_page: perPage, count: items.length, total_count }
    if (this.reportTotalPages) result_info.total_pages = totalPages
    return { status: 200, result: items.map(idp => this.shown(idp)), result_info }
  }

  private create(scope: ScopeState, target: Target, body: unknown): Answer {
    const invalid = this.invalidBody(target, 'post', body)
    if (invalid) return invalidRequest(invalid)
    // Names are not unique in Cloudflare: a second create with the same name is a second provider.
    const idp = newIdp(randomUUID(), body as IdpBody, undefined, teamDomain(scope))
    scope.idps.push(idp)
    this.onIdentityProviderWritten?.(idp)
    return { status: 201, result: this.shown(idp) }
  }

  /**
   * PUT replaces the whole object: a config key or SCIM flag not sent (client_secret included) is
   * gone. Cloudflare's own SCIM secret and base URL stay; a provider marked read_only is refused.
   */
  private replace(scope: ScopeState, idp: StoredIdp, target: Target, body: unknown): Answer {
    if (idp.read_only) return readOnly()
    const invalid = this.invalidBody(target, 'put', body)
    if (invalid) return invalidRequest(invalid)
    const sent = body as IdpBody
    if (sent.type !== idp.type) {
      return invalidRequest(`the type of an identity provider cannot change (${idp.type} → ${sent.type})`)
    }
    Object.assign(idp, newIdp(idp.id, sent, idp.scim_config, teamDomain(scope)))
    this.onIdentityProviderWritten?.(idp)
    return ok(this.shown(idp))
  }

  /** A provider as the API answers it: secrets never in clear, and defaults left out when asked to. */
  private shown(idp: StoredIdp): Record<string, unknown> {
    const copy = structuredClone(idp) as StoredIdp
    hideSecret(copy.config, 'client_secret', this.secretShown)
    hideSecret(copy.scim_config, 'secret', this.secretShown)
    if (!this.omitDefaults) return { ...copy }
    const answer: Record<string, unknown> = { ...copy, config: withoutDefaults(copy.config) }
    const scim = withoutDefaults(copy.scim_config)
    if (Object.keys(scim).length > 0) answer.scim_config = scim
    else delete answer.scim_config
    return answer
  }

  private withIdp(scope: ScopeState, target: Target, action: (idp: StoredIdp) => Answer): Answer {
    const idp = scope.idps.find(candidate => candidate.id === target.itemId)
    return idp ? action(idp) : accessFailure(404, 'access.api.error.identity_provider_not_found')
  }

  private invalidBody(target: Target, method: 'post' | 'put', body: unknown): string | undefined {
    if (!this.contractValidation) return hasIdpShape(body) ? undefined : 'name, type and config are required'
    const validate = requestValidator(contractPath(target), method)
    return validate(body) ? undefined : describeErrors(validate.errors ?? [])
  }
}

// ---- routing --------------------------------------------------------------------------------

function parseTarget(pathname: string): Target | undefined {
  if (!pathname.startsWith(`${API_PREFIX}/`)) return undefined
  const path = pathname.slice(API_PREFIX.length)
  const match = ROUTE.exec(path)
  if (!match) return undefined
  const [, kind, scopeId, collection, itemId] = match
  if (collection === 'organizations' && itemId !== undefined) return undefined
  return { kind: kind as ScopeKind, scopeId, collection: collection as Target['collection'], itemId, path }
}

const OPERATIONS: Record<string, Record<string, string>> = {
  organizations: { GET: 'getOrganization' },
  identity_providers: { GET: 'listIdentityProviders', POST: 'createIdentityProvider' },
  identity_provider: {
    GET: 'getIdentityProvider',
    PUT: 'updateIdentityProvider',
    DELETE: 'deleteIdentityProvider'
  }
}

/** The operation for a method on a target; undefined means 405 (there is no PATCH, for one). */
function operationOf(target: Target, method: string): string | undefined {
  const resource = target.itemId === undefined ? target.collection : 'identity_provider'
  return OPERATIONS[resource][method.toUpperCase()]
}

/** The contract's path template for a target, e.g. `/zones/{zone_id}/access/identity_providers`. */
function contractPath(target: Target): string {
  const scope = target.kind === 'accounts' ? '/accounts/{account_id}' : '/zones/{zone_id}'
  const item = target.itemId === undefined ? '' : '/{identity_provider_id}'
  return `${scope}/access/identity_providers${item}`
}

// ---- answers --------------------------------------------------------------------------------

/** Cloudflare's envelope around every JSON answer. */
function send(res: ServerResponse, answer: Answer): void {
  const errors = answer.errors ?? []
  const envelope: Record<string, unknown> = {
    success: errors.length === 0,
    errors,
    messages: [],
    result: errors.length === 0 ? (answer.result ?? null) : null
  }
  if (answer.result_info) envelope.result_info = answer.result_info
  sendJson(res, answer.status, envelope, answer.headers)
}

function ok(result: unknown): Answer {
  return { status: 200, result }
}

function failure(status: number, code: number, message: string): Answer {
  return { status, errors: [{ code, message }] }
}

/** An error of the Access service itself. */
function accessFailure(status: number, message: string): Answer {
  return failure(status, CloudflareErrorCode.access, message)
}

function invalidRequest(detail: string): Answer {
  return accessFailure(400, `access.api.error.invalid_request: ${detail}`)
}

function readOnly(): Answer {
  return accessFailure(
    400,
    'access.api.error.identity_provider_read_only: this identity provider is managed elsewhere and cannot be changed'
  )
}

function authenticationError(): Answer {
  return failure(403, CloudflareErrorCode.authentication, 'Authentication error')
}

function throttled(): Answer {
  const answer = failure(429, CloudflareErrorCode.throttled, 'Please wait and consider throttling your request speed')
  return { ...answer, headers: { 'retry-after': '1' } }
}

const EDGE_500_PAGE =
  '<html>\r\n<head><title>500 Internal Server Error</title></head>\r\n<body>\r\n' +
  '<center><h1>500 Internal Server Error</h1></center>\r\n<hr><center>cloudflare</center>\r\n</body>\r\n</html>\r\n'

// ---- the stored objects -----------------------------------------------------------------------

type IdpBody = { name: string; type: string; config: Record<string, unknown>; scim_config?: Record<string, unknown> }

/**
 * A provider from a create or PUT body. SCIM flags not sent are off. The SCIM secret is
 * Cloudflare's: made when SCIM is first enabled, kept by later PUTs, but stored as sent when a
 * body carries one (a client that echoes the redacted secret back overwrites it, as a real bug would).
 */
function newIdp(id: string, body: IdpBody, previousScim?: Record<string, unknown>, team?: string): StoredIdp {
  const sent = structuredClone(body.scim_config ?? {})
  delete sent.scim_base_url
  const scim: Record<string, unknown> = { ...scimDefaults(), ...sent }
  if (scim.secret === undefined) scim.secret = previousScim?.secret ?? (scim.enabled === true ? randomUUID().replace(/-/g, '') : undefined)
  if (scim.secret === undefined) delete scim.secret
  // Cloudflare shows the SCIM endpoint once SCIM has been set up (the recorded GET has it then).
  if (team && scim.secret !== undefined) scim.scim_base_url = `https://${team}/scim/${id}`
  return { id, name: body.name, type: body.type, config: structuredClone(body.config), scim_config: scim }
}

function scimDefaults(): Record<string, unknown> {
  return { enabled: false, user_deprovision: false, seat_deprovision: false, group_member_deprovision: false }
}

function teamDomain(scope: ScopeState): string | undefined {
  const domain = scope.organization?.auth_domain
  return typeof domain === 'string' ? domain : undefined
}

/** A stored secret as answers show it. */
function hideSecret(holder: Record<string, unknown>, key: string, shown: SecretShown): void {
  if (!holder[key]) return
  if (shown === 'absent') delete holder[key]
  else holder[key] = shown === 'null' ? null : REDACTED
}

/** What a terse answer leaves out: false, empty lists and strings, null, and the default email claim. */
function withoutDefaults(values: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(values).filter(
      ([key, value]) =>
        value !== false &&
        value !== '' &&
        value !== null &&
        !(Array.isArray(value) && value.length === 0) &&
        !(key === 'email_claim_name' && value === 'email')
    )
  )
}

function organization(seed: CloudflareOrganizationSeed): Record<string, unknown> {
  const now = new Date().toISOString()
  return {
    name: seed.name ?? seed.authDomain.split('.')[0],
    auth_domain: seed.authDomain,
    login_design: {},
    is_ui_read_only: false,
    auto_redirect_to_identity: false,
    session_duration: '24h',
    created_at: now,
    updated_at: now
  }
}

function hasIdpShape(body: unknown): body is IdpBody {
  const value = body as Partial<IdpBody> | undefined
  return typeof value?.name === 'string' && typeof value.type === 'string' && isPlainObject(value.config)
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

// ---- the contract -----------------------------------------------------------------------------

const contract = JSON.parse(readFileSync(CONTRACT_URL, 'utf8')) as Record<string, unknown>
// ajv-formats is CommonJS: under NodeNext its default import is module.exports, whose `default` is the plugin.
const addFormats = formatsPlugin.default
const ajv = new Ajv({ allErrors: true })
addFormats(ajv)
const validators = new Map<string, ValidateFunction>()

/** The compiled JSON request-body schema of one contract operation. */
function requestValidator(template: string, method: 'post' | 'put'): ValidateFunction {
  const key = `${method} ${template}`
  let validate = validators.get(key)
  if (!validate) {
    const location = ['paths', template, method, 'requestBody', 'content', 'application/json', 'schema']
    const schema = resolvePointer(contract, location)
    if (!schema) throw new Error(`the contract has no JSON request body for ${key}`)
    validate = ajv.compile(relaxLoopbackUrls(inlineRefs(schema)) as object)
    validators.set(key, validate)
  }
  return validate
}

/** Replace every local `$ref` by what it points to, so ajv sees one self-contained schema. */
function inlineRefs(node: unknown, trail: string[] = []): unknown {
  if (Array.isArray(node)) return node.map(item => inlineRefs(item, trail))
  if (!isPlainObject(node)) return node
  const ref = node.$ref
  if (typeof ref === 'string') {
    if (!ref.startsWith('#/')) throw new Error(`only local $refs are supported: ${ref}`)
    if (trail.includes(ref)) throw new Error(`circular $ref: ${ref}`)
    const tokens = ref
      .slice(2)
      .split('/')
      .map(token => token.replaceAll('~1', '/').replaceAll('~0', '~'))
    return inlineRefs(resolvePointer(contract, tokens), [...trail, ref])
  }
  return Object.fromEntries(Object.entries(node).map(([key, value]) => [key, inlineRefs(value, trail)]))
}

function resolvePointer(root: unknown, tokens: string[]): unknown {
  return tokens.reduce<unknown>((node, token) => (isPlainObject(node) ? node[token] : undefined), root)
}

/**
 * The one deliberate relaxation of the contract: where it demands `^https://`, also accept plain
 * http to the loopback host, because in tests the IdP endpoints (certs_url above all) are local
 * fakes on http://127.0.0.1:<port>. Everything else in the contract is enforced as written.
 */
const HTTPS_OR_LOOPBACK_HTTP = '^(https://|http://(127\\.0\\.0\\.1|localhost)(:[0-9]+)?(/|$))'

function relaxLoopbackUrls(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(relaxLoopbackUrls)
  if (!isPlainObject(node)) return node
  const relaxed = Object.fromEntries(Object.entries(node).map(([key, value]) => [key, relaxLoopbackUrls(value)]))
  if (relaxed.pattern === '^https://') relaxed.pattern = HTTPS_OR_LOOPBACK_HTTP
  return relaxed
}

/** ajv's errors as one message naming each failing JSON path, e.g. `/config/client_id is required`. */
function describeErrors(errors: ErrorObject[]): string {
  return errors
    .map(error => {
      const params = error.params as { missingProperty?: string; additionalProperty?: string }
      if (params.missingProperty) return `${error.instancePath}/${params.missingProperty} is required`
      if (params.additionalProperty) return `${error.instancePath}/${params.additionalProperty} is not allowed`
      return `${error.instancePath || '/'} ${error.message ?? 'is invalid'}`
    })
    .join('; ')
}
