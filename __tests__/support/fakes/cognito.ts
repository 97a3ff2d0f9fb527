// A stateful local fake of the Amazon Cognito user pools API, for end-to-end tests driven by the
// real AWS SDK v3. One server plays three hosts of the real service:
// - the API (AWS JSON 1.1: `POST /` with `x-amz-target: AWSCognitoIdentityProviderService.<Op>`),
// - the issuer (`GET /<poolId>/.well-known/openid-configuration` and `.../jwks.json`),
// - the hosted UI of the pools' domains (`GET /oauth2/authorize`, `/login`, `/error`, and
//   `POST /oauth2/token`, which authenticates the client first).
// It validates requests the way Cognito does, so that a test against it fails where AWS would.
// The parts: `cognito/state.ts` (types, pool state, defaults), `cognito/validation.ts` (request
// shapes, errors, Cognito's rules), `cognito/oidc.ts` (issuer and hosted UI) and
// `cognito/secrets.ts` (client secrets, two at most); this file routes and implements the API
// operations on the state.
import { randomUUID } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { HttpFake, sendJson, type Call, type Fault, type Routed } from './http-fake.js'
import { answerAuthorize, answerDiscovery, answerJwks, answerToken, sendHtml } from './cognito/oidc.js'
import { activeSecrets, addSecret, deleteSecret, describedSecret, listSecrets, storeSecret } from './cognito/secrets.js'
import {
  ACCOUNT,
  ALNUM,
  ALNUM_LOWER,
  MAX_CLIENTS_PER_POOL,
  defaultClientSettings,
  newSigningKey,
  randomString,
  FakePool,
  type ClientSeed,
  type CreatePoolOptions,
  type DescribedSecret,
  type FakeClientSecret,
  type FakeBranding,
  type FakeClient,
  type FakeDomain,
  type SigningKey
} from './cognito/state.js'
import {
  CLIENT_ID_PATTERN,
  CognitoError,
  POOL_ID_PATTERN,
  SHAPES,
  checkClientName,
  checkCustomDomain,
  checkPrefixDomain,
  checkShape,
  constraint,
  invalid,
  newClientSecret,
  notFound,
  required,
  settingsFrom,
  validateClient,
  type Input
} from './cognito/validation.js'

export * from './cognito/state.js'
export { CognitoError } from './cognito/validation.js'

const SERVICE = 'AWSCognitoIdentityProviderService'
const AMZ_JSON = 'application/x-amz-json-1.1'

export class CognitoFake extends HttpFake {
  /** How many describes a domain created through CreateUserPoolDomain answers `CREATING`. */
  domainCreatingPolls = 0
  /** ListUserPoolClients returns at most min(MaxResults, pageSize) clients per page. */
  pageSize?: number
  /** Empty pages (with a NextToken) that ListUserPoolClients inserts before its pages of clients. */
  emptyPages = 0
  /** The pools' signing keys (shared by all pools of this fake), for tests that mint tokens. */
  readonly signingKeys: SigningKey[] = []
  /** Which secret DescribeUserPoolClient shows while a client has two (undocumented: tests run both ways). */
  describedSecret: DescribedSecret = 'oldest'
  /** How many token requests a new secret is rejected (`invalid_client`) before Cognito accepts it. */
  newSecretRejections = 0
  /** HTTP status of the token endpoint's `invalid_client` (400, as Cognito; or 401, which RFC 6749 allows). */
  invalidClientStatus: 400 | 401 = 400
  /** ListUserPoolClientSecrets answers at most this many per page, with a NextToken (unset: all at once, as Cognito). */
  secretsPageSize?: number
  /** Every error the API answered (not the injected ones), for tests: `LimitExceededException` of an add means a third secret was asked for. */
  readonly errorsAnswered: Array<{ operation: string; type: string }> = []

  private readonly pools = new Map<string, FakePool>()
  /** Every domain of every pool, by name: prefixes and custom domains are globally unique. */
  private readonly domains = new Map<string, FakeDomain>()

  private readonly operations: Record<string, (input: Input) => unknown> = {
    DescribeUserPool: input => this.describeUserPool(input),
    ListUserPoolClients: input => this.listUserPoolClients(input),
    DescribeUserPoolClient: input => this.describeUserPoolClient(input),
    CreateUserPoolClient: input => this.createUserPoolClient(input),
    UpdateUserPoolClient: input => this.updateUserPoolClient(input),
    DescribeUserPoolDomain: input => this.describeUserPoolDomain(input),
    CreateUserPoolDomain: input => this.createUserPoolDomain(input),
    DescribeManagedLoginBrandingByClient: input => this.describeManagedLoginBrandingByClient(input),
    CreateManagedLoginBranding: input => this.createManagedLoginBranding(input),
    AddUserPoolClientSecret: input => this.withClient(input, (pool, client) => addSecret(pool, client, input, this.newSecretRejections)),
    ListUserPoolClientSecrets: input => this.withClient(input, (pool, client) => listSecrets(pool, client, input, this.secretsPageSize)),
    DeleteUserPoolClientSecret: input => this.withClient(input, (pool, client) => deleteSecret(pool, client, input))
  }

  override async start(): Promise<this> {
    if (this.signingKeys.length === 0) {
      const keys = await Promise.all([newSigningKey(), newSigningKey()])
      this.signingKeys.push(...keys)
    }
    return super.start()
  }

  // --- seeding and inspection (in-process, no HTTP) ------------------------------------------

  createPool(opts: CreatePoolOptions = {}): FakePool {
    const id = opts.id ?? `eu-west-1_${randomString(9, ALNUM)}`
    if (this.pools.has(id)) throw new Error(`pool ${id} already exists`)
    const pool = new FakePool(id, opts.name ?? `pool-${id}`, [...(opts.identityProviders ?? [])], opts.issuerType)
    this.pools.set(id, pool)
    const version = opts.managedLoginVersion ?? 1
    if (opts.domain) this.addDomain(pool, opts.domain, version, 0)
    if (opts.customDomain) {
      const config = { CertificateArn: `arn:aws:acm:us-east-1:${ACCOUNT}:certificate/${randomUUID()}` }
      this.addDomain(pool, opts.customDomain, version, 0, config)
    }
    return pool
  }

  /**
   * Stores a client as given, without Cognito's validation (to seed odd states). Its `ClientSecret`
   * is what DescribeUserPoolClient shows of its secrets (see `describedSecret`); setting it replaces
   * them all with that one, as a hand edit would.
   */
  addClient(poolId: string, seed: ClientSeed): FakeClient {
    const pool = this.pool(poolId)
    const { GenerateSecret, ClientSecret, secretCreated, ...fields } = seed
    const now = new Date()
    const client = {
      ...defaultClientSettings(),
      ClientId: randomString(26, ALNUM_LOWER),
      ClientType: 'REGULAR',
      CreationDate: now,
      LastModifiedDate: now,
      ...fields,
      UserPoolId: pool.Id
    } as FakeClient
    Object.defineProperty(client, 'ClientSecret', {
      enumerable: true,
      configurable: true,
      get: () => describedSecret(pool, client.ClientId, this.describedSecret),
      set: (value: string) => {
        for (const secret of activeSecrets(pool, client.ClientId)) secret.deletedAt = new Date()
        storeSecret(pool, client.ClientId, value)
      }
    })
    const secret = ClientSecret ?? (GenerateSecret ? randomString(51, ALNUM) : undefined)
    if (secret !== undefined)
      storeSecret(pool, client.ClientId, secret, { created: secretCreated, pendingRejections: this.newSecretRejections })
    pool.clients.set(client.ClientId, client)
    return client
  }

  /** Gives a client another secret (as AddUserPoolClientSecret, at most two), made at `created` (default now). */
  addClientSecret(poolId: string, clientId: string, options: { created?: Date } = {}): FakeClientSecret {
    const pool = this.pool(poolId)
    if (activeSecrets(pool, clientId).length >= 2) throw new Error(`client ${clientId} already has two secrets`)
    return storeSecret(pool, clientId, randomString(51, ALNUM), options)
  }

  /** A client's active secrets, oldest first (with `deleted`, every secret it ever had). */
  clientSecrets(poolId: string, clientId: string, options: { deleted?: boolean } = {}): FakeClientSecret[] {
    const pool = this.pool(poolId)
    return options.deleted ? [...(pool.clientSecrets.get(clientId) ?? [])] : activeSecrets(pool, clientId)
  }

  /** Whether the token endpoint accepts this secret for the client now. */
  acceptsSecret(clientId: string, secret: unknown): boolean {
    const found = this.findClientAnywhere(clientId)
    return (
      found !== undefined &&
      activeSecrets(found.pool, clientId).some(known => known.ClientSecretValue === secret && known.pendingRejections === 0)
    )
  }

  /** Gives a client a managed login branding style (what CreateManagedLoginBranding does). */
  addBranding(poolId: string, clientId: string, opts: { UseCognitoProvidedValues?: boolean; Settings?: unknown } = {}): FakeBranding {
    const pool = this.pool(poolId)
    const now = new Date()
    const branding: FakeBranding = {
      ManagedLoginBrandingId: randomUUID(),
      UserPoolId: pool.Id,
      ClientId: clientId,
      UseCognitoProvidedValues: opts.UseCognitoProvidedValues ?? opts.Settings === undefined,
      Settings: opts.Settings,
      Assets: [],
      CreationDate: now,
      LastModifiedDate: now
    }
    pool.brandings.set(clientId, branding)
    return branding
  }

  pool(poolId: string): FakePool {
    const pool = this.pools.get(poolId)
    if (!pool) throw new Error(`CognitoFake has no pool ${poolId}`)
    return pool
  }

  client(poolId: string, clientId: string): FakeClient | undefined {
    return this.pools.get(poolId)?.clients.get(clientId)
  }

  clientsNamed(poolId: string, name: string): FakeClient[] {
    return [...this.pool(poolId).clients.values()].filter(client => client.ClientName === name)
  }

  domain(name: string): FakeDomain | undefined {
    return this.domains.get(name)
  }

  /** The domain answers `CREATING` to the next `n` DescribeUserPoolDomain calls, then `ACTIVE`. */
  activateAfterPolls(domain: string, n: number): void {
    const found = this.domains.get(domain)
    if (!found) throw new Error(`CognitoFake has no domain ${domain}`)
    found.creatingPolls = n
  }

  // --- routing ---------------------------------------------------------------------------------

  protected route(req: IncomingMessage, res: ServerResponse, url: URL, body: unknown): Routed | undefined {
    if (req.method === 'POST' && url.pathname === '/') return this.routeApi(req, res, body)
    if (req.method === 'POST' && url.pathname === '/oauth2/token') {
      return {
        operation: 'Token',
        write: false,
        handle: () => answerToken(res, headerValue(req, 'authorization'), body, this.tokenEndpoint())
      }
    }
    if (req.method !== 'GET') return undefined
    const wellKnown = /^\/([^/]+)\/\.well-known\/(openid-configuration|jwks\.json)$/.exec(url.pathname)
    if (wellKnown) {
      const [, poolId, document] = wellKnown
      return document === 'jwks.json'
        ? { operation: 'GetJwks', write: false, handle: () => answerJwks(res, poolId, this.pools.get(poolId), this.signingKeys) }
        : {
            operation: 'GetOpenIdConfiguration',
            write: false,
            handle: () => answerDiscovery(res, poolId, this.pools.get(poolId), this.url)
          }
    }
    switch (url.pathname) {
      case '/oauth2/authorize':
        return {
          operation: 'Authorize',
          write: false,
          handle: () => answerAuthorize(res, url.searchParams, this.findClientAnywhere(url.searchParams.get('client_id') ?? ''))
        }
      case '/login':
        return { operation: 'Login', write: false, handle: () => sendHtml(res, 200, 'Sign in', 'The managed login page.') }
      case '/error':
        return { operation: 'Error', write: false, handle: () => sendHtml(res, 400, 'Error', url.searchParams.get('error') ?? 'error') }
      default:
        return undefined
    }
  }

  protected answerFault(res: ServerResponse, fault: Fault, call: Call): boolean {
    // API calls get Cognito's JSON errors; the issuer and hosted UI hosts answer plain HTTP errors.
    const api = call.method === 'POST'
    switch (fault) {
      case 'http500':
        if (api) sendError(res, new CognitoError('InternalErrorException', 'Internal server error.', 500))
        else sendJson(res, 500, { message: 'Internal server error' })
        return true
      case 'throttle':
        if (api) sendError(res, new CognitoError('TooManyRequestsException', 'Rate exceeded'))
        else sendJson(res, 429, { message: 'Rate exceeded' })
        return true
      case 'concurrent-modification':
        if (!api) return false
        sendError(res, new CognitoError('ConcurrentModificationException', 'Concurrent modification of the resource, try again.'))
        return true
      default:
        return false
    }
  }

  private routeApi(req: IncomingMessage, res: ServerResponse, body: unknown): Routed {
    const target = headerValue(req, 'x-amz-target')
    const operation = target?.startsWith(`${SERVICE}.`) ? target.slice(SERVICE.length + 1) : target || 'UnknownOperation'
    return {
      operation,
      write: !/^(Describe|List|Get)/.test(operation),
      handle: () => this.answerApi(req, res, operation, body)
    }
  }

  private answerApi(req: IncomingMessage, res: ServerResponse, operation: string, body: unknown): void {
    try {
      // Signatures are not verified: the point is that the client signed at all.
      if (!/^AWS4-HMAC-SHA256 Credential=\S+/.test(headerValue(req, 'authorization') ?? '')) {
        throw new CognitoError('UnrecognizedClientException', 'The security token included in the request is invalid.')
      }
      const handler = this.operations[operation]
      if (!handler) throw new CognitoError('UnknownOperationException', `Unknown operation ${operation}.`)
      const input = checkShape(body, SHAPES[operation])
      const output = handler(input)
      sendJson(res, 200, toWire(output), { 'content-type': AMZ_JSON, 'x-amzn-requestid': randomUUID() })
    } catch (error) {
      if (!(error instanceof CognitoError)) throw error
      this.errorsAnswered.push({ operation, type: error.type })
      sendError(res, error)
    }
  }

  // --- lookups -------------------------------------------------------------------------------

  private findPool(input: Input): FakePool {
    const id = required(input, 'UserPoolId')
    if (!POOL_ID_PATTERN.test(id) || id.length > 55) {
      throw constraint('UserPoolId', id, 'Member must satisfy regular expression pattern: [\\w-]+_[0-9a-zA-Z]+')
    }
    const pool = this.pools.get(id)
    if (!pool) throw notFound(`User pool ${id} does not exist.`)
    return pool
  }

  private withClient(input: Input, operation: (pool: FakePool, client: FakeClient) => unknown): unknown {
    const pool = this.findPool(input)
    return operation(pool, this.findClient(pool, input))
  }

  /** The token endpoint's view: a new secret is refused for its first `pendingRejections` requests. */
  private tokenEndpoint() {
    return {
      find: (clientId: string) => this.findClientAnywhere(clientId),
      accepts: ({ pool, client }: { pool: FakePool; client: FakeClient }, secret: string) => {
        const known = activeSecrets(pool, client.ClientId).find(candidate => candidate.ClientSecretValue === secret)
        if (!known) return false
        if (known.pendingRejections === 0) return true
        known.pendingRejections--
        return false
      },
      invalidClientStatus: this.invalidClientStatus
    }
  }

  private findClient(pool: FakePool, input: Input): FakeClient {
    const id = required(input, 'ClientId')
    if (!CLIENT_ID_PATTERN.test(id) || id.length > 128) {
      throw constraint('ClientId', id, 'Member must satisfy regular expression pattern: [\\w+]+')
    }
    const client = pool.clients.get(id)
    if (!client) throw notFound(`User pool client ${id} does not exist.`)
    return client
  }

  // --- user pools and clients ----------------------------------------------------------------

  private describeUserPool(input: Input): unknown {
    const pool = this.findPool(input)
    return {
      UserPool: {
        Id: pool.Id,
        Name: pool.Name,
        Arn: pool.Arn,
        CreationDate: pool.CreationDate,
        LastModifiedDate: pool.CreationDate,
        Domain: pool.prefixDomain?.Domain,
        CustomDomain: pool.customDomain?.Domain,
        IssuerConfiguration: pool.issuerType ? { Type: pool.issuerType } : undefined,
        UserPoolTier: 'ESSENTIALS',
        MfaConfiguration: 'OFF',
        DeletionProtection: 'INACTIVE',
        EstimatedNumberOfUsers: 0
      }
    }
  }

  private describeUserPoolClient(input: Input): unknown {
    const client = this.findClient(this.findPool(input), input)
    return { UserPoolClient: client }
  }

  private createUserPoolClient(input: Input): unknown {
    const pool = this.findPool(input)
    const fields = settingsFrom(input, checkClientName(required(input, 'ClientName')))
    const secret = newClientSecret(input)
    validateClient(pool, fields, secret !== undefined)
    if (pool.clients.size >= MAX_CLIENTS_PER_POOL) {
      throw new CognitoError('LimitExceededException', 'Max number of clients reached for the user pool.')
    }
    const client = this.addClient(pool.Id, { ...fields, ClientSecret: secret })
    return { UserPoolClient: client }
  }

  /** Cognito's sharp edge: whatever the request leaves out is reset to its default, not kept. */
  private updateUserPoolClient(input: Input): unknown {
    const pool = this.findPool(input)
    const client = this.findClient(pool, input)
    const name = input.ClientName === undefined ? client.ClientName : checkClientName(input.ClientName as string)
    const fields = settingsFrom(input, name)
    validateClient(pool, fields, client.ClientSecret !== undefined)
    Object.assign(client, fields, { LastModifiedDate: new Date() })
    return { UserPoolClient: client }
  }

  private listUserPoolClients(input: Input): unknown {
    const pool = this.findPool(input)
    const max = (input.MaxResults as number | undefined) ?? 60
    if (!Number.isInteger(max) || max < 1 || max > 60) {
      throw constraint(
        'MaxResults',
        max,
        max < 1 ? 'Member must have value greater than or equal to 1' : 'Member must have value less than or equal to 60'
      )
    }
    const state = input.NextToken === undefined ? { o: 0, e: this.emptyPages, d: false } : decodePageToken(pool, input.NextToken as string)
    const clients = [...pool.clients.values()].filter(client => !input.ClientType || client.ClientType === input.ClientType)
    // Empty pages that still carry a NextToken: real Cognito may answer them, and clients must go on.
    if (state.e > 0 && !state.d) {
      return { UserPoolClients: [], NextToken: encodePageToken(pool, { o: state.o, e: state.e - 1, d: true }) }
    }
    const size = Math.max(1, Math.min(max, this.pageSize ?? max))
    const page = clients.slice(state.o, state.o + size)
    const next = state.o + page.length
    const more = next < clients.length || state.e > 0
    return {
      UserPoolClients: page.map(client => ({
        ClientId: client.ClientId,
        ClientName: client.ClientName,
        UserPoolId: client.UserPoolId
      })),
      NextToken: more ? encodePageToken(pool, { o: next, e: state.e, d: false }) : undefined
    }
  }

  // --- domains -------------------------------------------------------------------------------

  private describeUserPoolDomain(input: Input): unknown {
    const domain = this.domains.get(required(input, 'Domain'))
    // An unknown domain is not an error: Cognito answers an empty description.
    if (!domain) return { DomainDescription: {} }
    const creating = domain.creatingPolls > 0
    if (creating) domain.creatingPolls--
    return {
      DomainDescription: {
        UserPoolId: domain.UserPoolId,
        AWSAccountId: ACCOUNT,
        Domain: domain.Domain,
        S3Bucket: `aws-cognito-prod-${this.pool(domain.UserPoolId).region}-assets`,
        CloudFrontDistribution: domain.CloudFrontDistribution,
        Version: domain.Version,
        Status: creating ? 'CREATING' : 'ACTIVE',
        CustomDomainConfig: domain.CustomDomainConfig,
        ManagedLoginVersion: domain.ManagedLoginVersion
      }
    }
  }

  private createUserPoolDomain(input: Input): unknown {
    const pool = this.findPool(input)
    const name = required(input, 'Domain')
    const version = (input.ManagedLoginVersion as number | undefined) ?? 1
    if (version !== 1 && version !== 2) throw invalid(`ManagedLoginVersion ${version} is not supported; use 1 or 2.`)
    const custom = name.includes('.')
    const config = input.CustomDomainConfig as FakeDomain['CustomDomainConfig']
    if (custom) checkCustomDomain(name, config)
    else checkPrefixDomain(name, config)
    const taken = this.domains.get(name)
    if (taken && taken.UserPoolId !== pool.Id) throw invalid('Domain already associated with another user pool.')
    if (custom ? pool.customDomain : pool.prefixDomain) throw invalid('User pool already has a domain configured.')
    const domain = this.addDomain(pool, name, version, this.domainCreatingPolls, custom ? config : undefined)
    return { ManagedLoginVersion: domain.ManagedLoginVersion, CloudFrontDomain: domain.CloudFrontDistribution }
  }

  private addDomain(
    pool: FakePool,
    name: string,
    version: 1 | 2,
    creatingPolls: number,
    config?: FakeDomain['CustomDomainConfig']
  ): FakeDomain {
    if (this.domains.has(name)) throw new Error(`domain ${name} is already taken`)
    const domain: FakeDomain = {
      Domain: name,
      UserPoolId: pool.Id,
      custom: name.includes('.'),
      ManagedLoginVersion: version,
      CustomDomainConfig: config && { ...config },
      CloudFrontDistribution: `d${randomString(13, ALNUM_LOWER)}.cloudfront.net`,
      Version: new Date().toISOString().replace(/\D/g, '').slice(0, 14),
      creatingPolls
    }
    this.domains.set(name, domain)
    pool.domains.push(domain)
    return domain
  }

  // --- managed login branding ----------------------------------------------------------------

  private describeManagedLoginBrandingByClient(input: Input): unknown {
    const pool = this.findPool(input)
    const client = this.findClient(pool, input)
    const branding = pool.brandings.get(client.ClientId)
    if (!branding) throw notFound(`Managed login branding style for app client ${client.ClientId} does not exist.`)
    const merged = input.ReturnMergedResources === true
    return { ManagedLoginBranding: brandingAnswer(branding, merged) }
  }

  private createManagedLoginBranding(input: Input): unknown {
    const pool = this.findPool(input)
    const client = this.findClient(pool, input)
    const assets = (input.Assets as unknown[] | undefined) ?? []
    if (input.UseCognitoProvidedValues === true && (input.Settings !== undefined || assets.length > 0)) {
      throw invalid('Settings and Assets must be empty when UseCognitoProvidedValues is true.')
    }
    if (pool.brandings.has(client.ClientId)) {
      throw new CognitoError('ManagedLoginBrandingExistsException', 'A managed login branding style already exists for this app client.')
    }
    const branding = this.addBranding(pool.Id, client.ClientId, {
      UseCognitoProvidedValues: (input.UseCognitoProvidedValues as boolean | undefined) ?? false,
      Settings: input.Settings
    })
    branding.Assets = assets
    return { ManagedLoginBranding: brandingAnswer(branding, false) }
  }

  private findClientAnywhere(clientId: string): { pool: FakePool; client: FakeClient } | undefined {
    for (const pool of this.pools.values()) {
      const client = pool.clients.get(clientId)
      if (client) return { pool, client }
    }
    return undefined
  }
}

function sendError(res: ServerResponse, error: CognitoError): void {
  sendJson(
    res,
    error.status,
    { __type: error.type, message: error.message },
    { 'content-type': AMZ_JSON, 'x-amzn-errortype': error.type, 'x-amzn-requestid': randomUUID() }
  )
}

/**
 * The JSON Cognito sends: dates as epoch seconds, and (like the real service) no empty lists,
 * no unset fields and none of the fake's own bookkeeping.
 */
function toWire(value: unknown): unknown {
  if (value instanceof Date) return value.getTime() / 1000
  if (Array.isArray(value)) return value.map(toWire)
  if (value === null || typeof value !== 'object') return value
  const out: Record<string, unknown> = {}
  for (const [key, item] of Object.entries(value)) {
    if (
      item === undefined ||
      (Array.isArray(item) && item.length === 0 && key !== 'UserPoolClients' && key !== 'ClientSecrets' && key !== 'Assets')
    )
      continue
    out[key] = toWire(item)
  }
  return out
}

function brandingAnswer(branding: FakeBranding, merged: boolean): unknown {
  // ClientId is the fake's index, not a field of ManagedLoginBrandingType.
  const { ClientId: _clientId, ...answer } = branding
  return merged ? { ...answer, Settings: branding.Settings ?? {} } : answer
}

function headerValue(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name]
  return Array.isArray(value) ? value[0] : value
}

interface PageState {
  /** Offset of the next client. */
  o: number
  /** Empty pages still to insert. */
  e: number
  /** Whether the previous page was an inserted empty one (so the next must be real). */
  d: boolean
}

function encodePageToken(pool: FakePool, state: PageState): string {
  return Buffer.from(JSON.stringify({ p: pool.Id, ...state })).toString('base64url')
}

function decodePageToken(pool: FakePool, token: string): PageState {
  try {
    const state = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'))
    if (state.p === pool.Id && Number.isInteger(state.o) && Number.isInteger(state.e) && typeof state.d === 'boolean') {
      return { o: state.o, e: state.e, d: state.d }
    }
  } catch {
    // fall through: not one of ours
  }
  throw invalid('Invalid pagination token.')
}
