// A stateful local fake of the Amazon Cognito user pools API, for end-to-end tests driven by the
// real AWS SDK v3. One server plays three hosts of the real service:
// - the API (AWS JSON 1.1: `POST /` with `x-amz-target: AWSCognitoIdentityProviderService.<Op>`),
// - the issuer (`GET /<poolId>/.well-known/openid-configuration` and `.../jwks.json`),
// - the hosted UI of the pools' domains (`GET /oauth2/authorize`, `/login`, `/error`).
// It validates requests the way Cognito does, so that a test against it fails where AWS would.
import { generateKeyPair, randomInt, randomUUID, type JsonWebKey, type KeyObject } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { promisify } from 'node:util'
import { HttpFake, sendJson, type Call, type Fault, type Routed } from './http-fake.js'

// ---------------------------------------------------------------------------------------------
// Types (SDK-shaped, PascalCase, so tests can compare the fake's state with SDK answers)
// ---------------------------------------------------------------------------------------------

export type TimeUnit = 'seconds' | 'minutes' | 'hours' | 'days'

export interface TokenValidityUnits {
  AccessToken: TimeUnit
  IdToken: TimeUnit
  RefreshToken: TimeUnit
}

export interface AnalyticsConfiguration {
  ApplicationId?: string
  ApplicationArn?: string
  RoleArn?: string
  ExternalId?: string
  UserDataShared?: boolean
}

export interface RefreshTokenRotation {
  Feature: 'ENABLED' | 'DISABLED'
  RetryGracePeriodSeconds?: number
}

/** The settings of an app client that CreateUserPoolClient and UpdateUserPoolClient set. */
export interface ClientFields {
  ClientName: string
  RefreshTokenValidity: number
  AccessTokenValidity: number
  IdTokenValidity: number
  TokenValidityUnits: TokenValidityUnits
  ReadAttributes: string[]
  WriteAttributes: string[]
  ExplicitAuthFlows: string[]
  SupportedIdentityProviders: string[]
  CallbackURLs: string[]
  LogoutURLs: string[]
  DefaultRedirectURI?: string
  AllowedOAuthFlows: string[]
  AllowedOAuthScopes: string[]
  AllowedOAuthFlowsUserPoolClient: boolean
  AnalyticsConfiguration?: AnalyticsConfiguration
  PreventUserExistenceErrors: 'ENABLED' | 'LEGACY'
  EnableTokenRevocation: boolean
  EnablePropagateAdditionalUserContextData: boolean
  AuthSessionValidity: number
  RefreshTokenRotation?: RefreshTokenRotation
}

/** A stored app client. Unset lists are stored as [] (and omitted from answers, like Cognito does). */
export interface FakeClient extends ClientFields {
  UserPoolId: string
  ClientId: string
  ClientSecret?: string
  ClientType: 'REGULAR' | 'DCR'
  CreationDate: Date
  LastModifiedDate: Date
}

export interface FakeDomain {
  /** The prefix (`my-login`) or the custom FQDN (`login.example.com`). */
  Domain: string
  UserPoolId: string
  custom: boolean
  ManagedLoginVersion: 1 | 2
  CustomDomainConfig?: { CertificateArn: string; SecurityPolicy?: string }
  CloudFrontDistribution: string
  Version: string
  /** How many more DescribeUserPoolDomain calls answer `CREATING` before the domain is `ACTIVE`. */
  creatingPolls: number
}

export interface FakeBranding {
  ManagedLoginBrandingId: string
  UserPoolId: string
  ClientId: string
  UseCognitoProvidedValues: boolean
  Settings?: unknown
  Assets: unknown[]
  CreationDate: Date
  LastModifiedDate: Date
}

export interface SigningKey {
  kid: string
  privateKey: KeyObject
  publicJwk: JsonWebKey
}

export interface CreatePoolOptions {
  /** Default: `eu-west-1_` + 9 random alphanumerics. The region is the part before `_`. */
  id?: string
  name?: string
  /** A prefix domain, created ACTIVE. */
  domain?: string
  /** A custom domain (FQDN), created ACTIVE. */
  customDomain?: string
  /** ManagedLoginVersion of the seeded domains (default 1). */
  managedLoginVersion?: 1 | 2
  issuerType?: 'ORIGINAL' | 'UPDATED'
  /** Names of the federated identity providers configured in the pool. */
  identityProviders?: string[]
}

export type ClientSeed = Partial<Omit<FakeClient, 'UserPoolId'>> & { ClientName: string; GenerateSecret?: boolean }

/** The live state of one user pool. Tests may read and change it directly. */
export class FakePool {
  readonly clients = new Map<string, FakeClient>()
  /** Managed login branding styles, by ClientId. */
  readonly brandings = new Map<string, FakeBranding>()
  readonly domains: FakeDomain[] = []
  readonly CreationDate = new Date()
  /** Merged over the generated discovery document; a key set to undefined is removed. */
  discoveryOverrides?: Record<string, unknown>
  /** Answer the discovery document with this status (and an error body) instead. */
  discoveryStatus?: number
  /** Replaces the generated key set in jwks.json. */
  jwks?: { keys: unknown[] }
  /** Answer jwks.json with this status (and an error body) instead. */
  jwksStatus?: number
  /** Scopes of the pool's resource servers (`<identifier>/<name>`), which machine-to-machine clients use. */
  resourceServerScopes: string[] = []

  constructor(
    readonly Id: string,
    public Name: string,
    readonly identityProviders: string[],
    public issuerType?: 'ORIGINAL' | 'UPDATED'
  ) {}

  get region(): string {
    return this.Id.split('_')[0]
  }

  get Arn(): string {
    return `arn:aws:cognito-idp:${this.region}:${ACCOUNT}:userpool/${this.Id}`
  }

  get prefixDomain(): FakeDomain | undefined {
    return this.domains.find(domain => !domain.custom)
  }

  get customDomain(): FakeDomain | undefined {
    return this.domains.find(domain => domain.custom)
  }

  /** The managed login domain: the custom domain when there is one (Cognito prefers it), else the prefix's host. */
  get hostedDomain(): FakeDomain | undefined {
    return this.customDomain ?? this.prefixDomain
  }

  get hostedHost(): string | undefined {
    const domain = this.hostedDomain
    if (!domain) return undefined
    return domain.custom ? domain.Domain : `${domain.Domain}.auth.${this.region}.amazoncognito.com`
  }
}

// ---------------------------------------------------------------------------------------------
// Constants: Cognito's defaults and value sets
// ---------------------------------------------------------------------------------------------

const SERVICE = 'AWSCognitoIdentityProviderService'
const AMZ_JSON = 'application/x-amz-json-1.1'
const ACCOUNT = '123456789012'
const ALNUM_LOWER = 'abcdefghijklmnopqrstuvwxyz0123456789'
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ' + ALNUM_LOWER
const MAX_CLIENTS_PER_POOL = 1000

/** What an app client gets for every setting a Create or Update request leaves out. */
export function defaultClientSettings(): Omit<ClientFields, 'ClientName'> {
  return {
    RefreshTokenValidity: 30,
    AccessTokenValidity: 60,
    IdTokenValidity: 60,
    TokenValidityUnits: { AccessToken: 'minutes', IdToken: 'minutes', RefreshToken: 'days' },
    ReadAttributes: [],
    WriteAttributes: [],
    ExplicitAuthFlows: ['ALLOW_REFRESH_TOKEN_AUTH', 'ALLOW_USER_SRP_AUTH', 'ALLOW_CUSTOM_AUTH'],
    SupportedIdentityProviders: [],
    CallbackURLs: [],
    LogoutURLs: [],
    DefaultRedirectURI: undefined,
    AllowedOAuthFlows: [],
    AllowedOAuthScopes: [],
    AllowedOAuthFlowsUserPoolClient: false,
    AnalyticsConfiguration: undefined,
    PreventUserExistenceErrors: 'ENABLED',
    EnableTokenRevocation: true,
    EnablePropagateAdditionalUserContextData: false,
    AuthSessionValidity: 3,
    RefreshTokenRotation: undefined
  }
}

const TIME_UNITS = ['seconds', 'minutes', 'hours', 'days']
const SECONDS_PER: Record<string, number> = { seconds: 1, minutes: 60, hours: 3600, days: 86400 }
const LEGACY_AUTH_FLOWS = ['ADMIN_NO_SRP_AUTH', 'CUSTOM_AUTH_FLOW_ONLY', 'USER_PASSWORD_AUTH']
const AUTH_FLOWS = [
  ...LEGACY_AUTH_FLOWS,
  'ALLOW_ADMIN_USER_PASSWORD_AUTH',
  'ALLOW_CUSTOM_AUTH',
  'ALLOW_USER_PASSWORD_AUTH',
  'ALLOW_USER_SRP_AUTH',
  'ALLOW_REFRESH_TOKEN_AUTH',
  'ALLOW_USER_AUTH'
]
const OAUTH_FLOWS = ['code', 'implicit', 'client_credentials']
const OAUTH_SCOPES = ['openid', 'email', 'phone', 'profile', 'aws.cognito.signin.user.admin']
const OPENID_DEPENDENT_SCOPES = ['email', 'phone', 'profile']
const STANDARD_ATTRIBUTES = [
  'address',
  'birthdate',
  'email',
  'email_verified',
  'family_name',
  'gender',
  'given_name',
  'locale',
  'middle_name',
  'name',
  'nickname',
  'phone_number',
  'phone_number_verified',
  'picture',
  'preferred_username',
  'profile',
  'updated_at',
  'website',
  'zoneinfo'
]
const PREFIX_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/
const RESERVED_PREFIX_WORDS = ['aws', 'amazon', 'cognito']
const FQDN_PATTERN = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/
const POOL_ID_PATTERN = /^[\w-]+_[0-9a-zA-Z]+$/
const CLIENT_ID_PATTERN = /^[\w+]+$/
// Cognito takes ACM certificates for custom domains from us-east-1 only (CloudFront's region).
const CERTIFICATE_PATTERN = /^arn:aws:acm:us-east-1:\d{12}:certificate\/[\w-]+$/

// ---------------------------------------------------------------------------------------------
// Request shapes: the real API rejects fields it does not know, and values of the wrong type
// ---------------------------------------------------------------------------------------------

type Kind = 'string' | 'number' | 'boolean' | 'list' | 'object' | 'document'
type Input = Record<string, unknown>

const CLIENT_SETTINGS_SHAPE: Record<keyof Omit<ClientFields, 'ClientName'>, Kind> = {
  RefreshTokenValidity: 'number',
  AccessTokenValidity: 'number',
  IdTokenValidity: 'number',
  TokenValidityUnits: 'object',
  ReadAttributes: 'list',
  WriteAttributes: 'list',
  ExplicitAuthFlows: 'list',
  SupportedIdentityProviders: 'list',
  CallbackURLs: 'list',
  LogoutURLs: 'list',
  DefaultRedirectURI: 'string',
  AllowedOAuthFlows: 'list',
  AllowedOAuthScopes: 'list',
  AllowedOAuthFlowsUserPoolClient: 'boolean',
  AnalyticsConfiguration: 'object',
  PreventUserExistenceErrors: 'string',
  EnableTokenRevocation: 'boolean',
  EnablePropagateAdditionalUserContextData: 'boolean',
  AuthSessionValidity: 'number',
  RefreshTokenRotation: 'object'
}

const SHAPES: Record<string, Record<string, Kind>> = {
  DescribeUserPool: { UserPoolId: 'string' },
  ListUserPoolClients: { UserPoolId: 'string', MaxResults: 'number', NextToken: 'string', ClientType: 'string' },
  DescribeUserPoolClient: { UserPoolId: 'string', ClientId: 'string' },
  CreateUserPoolClient: {
    UserPoolId: 'string',
    ClientName: 'string',
    GenerateSecret: 'boolean',
    ClientSecret: 'string',
    ...CLIENT_SETTINGS_SHAPE
  },
  // No ClientSecret, ClientType, dates or GenerateSecret: echoing a described client back fails.
  UpdateUserPoolClient: { UserPoolId: 'string', ClientId: 'string', ClientName: 'string', ...CLIENT_SETTINGS_SHAPE },
  DescribeUserPoolDomain: { Domain: 'string' },
  CreateUserPoolDomain: {
    UserPoolId: 'string',
    Domain: 'string',
    ManagedLoginVersion: 'number',
    CustomDomainConfig: 'object',
    Routing: 'object'
  },
  DescribeManagedLoginBrandingByClient: { UserPoolId: 'string', ClientId: 'string', ReturnMergedResources: 'boolean' },
  CreateManagedLoginBranding: {
    UserPoolId: 'string',
    ClientId: 'string',
    UseCognitoProvidedValues: 'boolean',
    Settings: 'document',
    Assets: 'list'
  }
}

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

/** An answer in Cognito's error format; thrown by the operation handlers. */
export class CognitoError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400
  ) {
    super(message)
  }
}

const invalid = (message: string) => new CognitoError('InvalidParameterException', message)
const oauthFlow = (message: string) => new CognitoError('InvalidOAuthFlowException', message)
const notFound = (message: string) => new CognitoError('ResourceNotFoundException', message)

/** Cognito's wording for a request field that breaks a model constraint. */
function constraint(field: string, value: unknown, rule: string): CognitoError {
  const shown = Array.isArray(value) ? `[${value.join(', ')}]` : String(value)
  return invalid(`1 validation error detected: Value '${shown}' at '${camel(field)}' failed to satisfy constraint: ${rule}`)
}

function camel(field: string): string {
  return field.charAt(0).toLowerCase() + field.slice(1)
}

function sendError(res: ServerResponse, error: CognitoError): void {
  sendJson(
    res,
    error.status,
    { __type: error.type, message: error.message },
    { 'content-type': AMZ_JSON, 'x-amzn-errortype': error.type, 'x-amzn-requestid': randomUUID() }
  )
}

// ---------------------------------------------------------------------------------------------
// The fake
// ---------------------------------------------------------------------------------------------

export class CognitoFake extends HttpFake {
  /** How many describes a domain created through CreateUserPoolDomain answers `CREATING`. */
  domainCreatingPolls = 0
  /** ListUserPoolClients returns at most min(MaxResults, pageSize) clients per page. */
  pageSize?: number
  /** Empty pages (with a NextToken) that ListUserPoolClients inserts before its pages of clients. */
  emptyPages = 0
  /** The pools' signing keys (shared by all pools of this fake), for tests that mint tokens. */
  readonly signingKeys: SigningKey[] = []

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
    CreateManagedLoginBranding: input => this.createManagedLoginBranding(input)
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

  /** Stores a client as given, without Cognito's validation (to seed odd states). */
  addClient(poolId: string, seed: ClientSeed): FakeClient {
    const pool = this.pool(poolId)
    const { GenerateSecret, ...fields } = seed
    const now = new Date()
    const client: FakeClient = {
      ...defaultClientSettings(),
      ClientId: randomString(26, ALNUM_LOWER),
      ClientSecret: GenerateSecret ? randomString(51, ALNUM) : undefined,
      ClientType: 'REGULAR',
      CreationDate: now,
      LastModifiedDate: now,
      ...fields,
      UserPoolId: pool.Id
    }
    pool.clients.set(client.ClientId, client)
    return client
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
    if (req.method !== 'GET') return undefined
    const wellKnown = /^\/([^/]+)\/\.well-known\/(openid-configuration|jwks\.json)$/.exec(url.pathname)
    if (wellKnown) {
      const [, poolId, document] = wellKnown
      return document === 'jwks.json'
        ? { operation: 'GetJwks', write: false, handle: () => this.answerJwks(res, poolId) }
        : { operation: 'GetOpenIdConfiguration', write: false, handle: () => this.answerDiscovery(res, poolId) }
    }
    switch (url.pathname) {
      case '/oauth2/authorize':
        return { operation: 'Authorize', write: false, handle: () => this.answerAuthorize(res, url.searchParams) }
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

  // --- issuer ----------------------------------------------------------------------------------

  private answerDiscovery(res: ServerResponse, poolId: string): void {
    const pool = this.pools.get(poolId)
    if (!pool) return sendJson(res, 404, { message: `User pool ${poolId} does not exist.` })
    if (pool.discoveryStatus && pool.discoveryStatus !== 200) {
      return sendJson(res, pool.discoveryStatus, { message: `discovery answers ${pool.discoveryStatus}` })
    }
    sendJson(res, 200, { ...this.discoveryDocument(pool), ...pool.discoveryOverrides })
  }

  private discoveryDocument(pool: FakePool): Record<string, unknown> {
    const issuer = `${this.url}/${pool.Id}`
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

  private answerJwks(res: ServerResponse, poolId: string): void {
    const pool = this.pools.get(poolId)
    if (!pool) return sendJson(res, 404, { message: `User pool ${poolId} does not exist.` })
    if (pool.jwksStatus && pool.jwksStatus !== 200) {
      return sendJson(res, pool.jwksStatus, { message: `jwks answers ${pool.jwksStatus}` })
    }
    sendJson(res, 200, pool.jwks ?? { keys: this.signingKeys.map(key => key.publicJwk) })
  }

  // --- hosted UI -------------------------------------------------------------------------------

  /** What `https://<domain>/oauth2/authorize` answers, checked in Cognito's order; never followed. */
  private answerAuthorize(res: ServerResponse, query: URLSearchParams): void {
    const clientId = query.get('client_id') ?? ''
    const found = this.findClientAnywhere(clientId)
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

  private findClientAnywhere(clientId: string): { pool: FakePool; client: FakeClient } | undefined {
    for (const pool of this.pools.values()) {
      const client = pool.clients.get(clientId)
      if (client) return { pool, client }
    }
    return undefined
  }
}

// ---------------------------------------------------------------------------------------------
// Request checking
// ---------------------------------------------------------------------------------------------

/** Rejects unknown fields and wrongly typed values like the real JSON protocol; null counts as absent. */
function checkShape(body: unknown, shape: Record<string, Kind>): Input {
  if (body === undefined) return {}
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new CognitoError('SerializationException', 'Start of structure or map found where not expected.')
  }
  const input: Input = {}
  for (const [field, value] of Object.entries(body)) {
    const kind = shape[field]
    if (!kind) throw new CognitoError('SerializationException', `Unrecognized field "${field}".`)
    if (value === null) continue
    if (!hasKind(value, kind)) throw new CognitoError('SerializationException', `Unexpected value type for field "${field}".`)
    input[field] = value
  }
  return input
}

function hasKind(value: unknown, kind: Kind): boolean {
  switch (kind) {
    case 'list':
      return Array.isArray(value)
    case 'object':
      return typeof value === 'object' && !Array.isArray(value)
    case 'document':
      return true
    default:
      return typeof value === kind
  }
}

function required(input: Input, field: string): string {
  const value = input[field]
  if (value === undefined)
    throw invalid(`1 validation error detected: Value null at '${camel(field)}' failed to satisfy constraint: Member must not be null`)
  return value as string
}

function checkClientName(name: string): string {
  if (name.length < 1 || name.length > 128) throw constraint('ClientName', name, 'Member must have length between 1 and 128')
  if (!/^[\w\s+=,.@-]+$/.test(name)) {
    throw constraint('ClientName', name, 'Member must satisfy regular expression pattern: [\\w\\s+=,.@-]+')
  }
  return name
}

/** The secret of a new client: generated, chosen by the caller, or none. */
function newClientSecret(input: Input): string | undefined {
  const chosen = input.ClientSecret as string | undefined
  if (input.GenerateSecret === true && chosen !== undefined) {
    throw invalid('You cannot specify both GenerateSecret as true and a ClientSecret.')
  }
  if (chosen !== undefined && !/^[\w+]{24,64}$/.test(chosen)) {
    throw constraint('ClientSecret', '***', 'Member must have length between 24 and 64 and match [\\w+]+')
  }
  return input.GenerateSecret === true ? randomString(51, ALNUM) : chosen
}

/**
 * The full settings of a client after a Create or Update request: what the request sends, and the
 * defaults for everything else. Every key is present, so Object.assign also clears optional fields.
 */
function settingsFrom(input: Input, name: string): ClientFields {
  const defaults = defaultClientSettings()
  const sent = Object.fromEntries(
    Object.keys(CLIENT_SETTINGS_SHAPE)
      .filter(key => input[key] !== undefined)
      .map(key => [key, structuredClone(input[key])])
  ) as Partial<ClientFields>
  const fields: ClientFields = { ...defaults, ...sent, ClientName: name, TokenValidityUnits: tokenUnits(input) }
  // An unsent validity is the default duration (1 hour, 1 hour, 30 days) in whatever unit applies.
  for (const [field, unit, seconds] of VALIDITY_DEFAULTS) {
    if (input[field] === undefined) fields[field] = Math.ceil(seconds / SECONDS_PER[fields.TokenValidityUnits[unit]])
  }
  // Cognito replaces a refresh token validity of 0 with its default of 30 days.
  if (fields.RefreshTokenValidity === 0) {
    fields.RefreshTokenValidity = 30
    fields.TokenValidityUnits.RefreshToken = 'days'
  }
  return fields
}

const VALIDITY_DEFAULTS: Array<['AccessTokenValidity' | 'IdTokenValidity' | 'RefreshTokenValidity', keyof TokenValidityUnits, number]> = [
  ['AccessTokenValidity', 'AccessToken', 3600],
  ['IdTokenValidity', 'IdToken', 3600],
  ['RefreshTokenValidity', 'RefreshToken', 30 * 86400]
]

/**
 * Units of the token validities. An unsent unit is hours (access, ID) or days (refresh) when the
 * validity itself is sent, as the API documents; when neither is sent the defaults are 60 minutes.
 */
function tokenUnits(input: Input): TokenValidityUnits {
  const sent = (input.TokenValidityUnits ?? {}) as Partial<Record<string, unknown>>
  for (const [key, unit] of Object.entries(sent)) {
    if (!['AccessToken', 'IdToken', 'RefreshToken'].includes(key)) {
      throw new CognitoError('SerializationException', `Unrecognized field "${key}" in TokenValidityUnits.`)
    }
    if (unit !== null && !TIME_UNITS.includes(unit as string)) {
      throw constraint(`TokenValidityUnits.${key}`, unit, `Member must satisfy enum value set: [${TIME_UNITS.join(', ')}]`)
    }
  }
  const unit = (key: string, validity: string, whenSent: TimeUnit, otherwise: TimeUnit) =>
    (sent[key] as TimeUnit | undefined) ?? (input[validity] !== undefined ? whenSent : otherwise)
  return {
    AccessToken: unit('AccessToken', 'AccessTokenValidity', 'hours', 'minutes'),
    IdToken: unit('IdToken', 'IdTokenValidity', 'hours', 'minutes'),
    RefreshToken: unit('RefreshToken', 'RefreshTokenValidity', 'days', 'days')
  }
}

/** Cognito's checks of a client's settings, for both Create and Update. */
function validateClient(pool: FakePool, fields: ClientFields, hasSecret: boolean): void {
  checkValidities(fields)
  checkEnums(fields)
  checkAttributes(fields)
  checkIdentityProviders(pool, fields.SupportedIdentityProviders)
  checkUrls(fields)
  checkScopes(fields.AllowedOAuthScopes, pool.resourceServerScopes)
  checkOAuthFlows(fields, hasSecret)
  checkOptionalStructures(fields)
}

function checkValidities(fields: ClientFields): void {
  const ranges: Array<[keyof ClientFields, keyof TokenValidityUnits, number, number]> = [
    ['AccessTokenValidity', 'AccessToken', 5 * 60, 86400],
    ['IdTokenValidity', 'IdToken', 5 * 60, 86400],
    ['RefreshTokenValidity', 'RefreshToken', 3600, 3650 * 86400]
  ]
  for (const [field, unit, min, max] of ranges) {
    const value = fields[field] as number
    const seconds = value * SECONDS_PER[fields.TokenValidityUnits[unit]]
    if (!Number.isInteger(value) || seconds < min || seconds > max) {
      throw invalid(`Invalid range for ${field}: ${value} ${fields.TokenValidityUnits[unit]} is not between ${min} and ${max} seconds.`)
    }
  }
  if (!Number.isInteger(fields.AuthSessionValidity) || fields.AuthSessionValidity < 3 || fields.AuthSessionValidity > 15) {
    throw constraint('AuthSessionValidity', fields.AuthSessionValidity, 'Member must have value between 3 and 15')
  }
}

function checkEnums(fields: ClientFields): void {
  checkEnumList('ExplicitAuthFlows', fields.ExplicitAuthFlows, AUTH_FLOWS)
  const legacy = fields.ExplicitAuthFlows.some(flow => LEGACY_AUTH_FLOWS.includes(flow))
  if (legacy && fields.ExplicitAuthFlows.some(flow => flow.startsWith('ALLOW_'))) {
    throw invalid('ExplicitAuthFlows cannot mix legacy values with values that begin with ALLOW_.')
  }
  checkEnumList('AllowedOAuthFlows', fields.AllowedOAuthFlows, OAUTH_FLOWS)
  if (fields.AllowedOAuthFlows.length > 3)
    throw constraint('AllowedOAuthFlows', fields.AllowedOAuthFlows, 'Member must have length less than or equal to 3')
  if (!['ENABLED', 'LEGACY'].includes(fields.PreventUserExistenceErrors)) {
    throw constraint(
      'PreventUserExistenceErrors',
      fields.PreventUserExistenceErrors,
      'Member must satisfy enum value set: [LEGACY, ENABLED]'
    )
  }
}

function checkEnumList(field: string, values: unknown[], allowed: string[]): void {
  if (values.some(value => !allowed.includes(value as string))) {
    throw constraint(field, values, `Member must satisfy constraint: [Member must satisfy enum value set: [${allowed.join(', ')}]]`)
  }
}

function checkAttributes(fields: ClientFields): void {
  const known = (name: string) => STANDARD_ATTRIBUTES.includes(name) || /^(dev:)?custom:[\w.:-]{1,20}$/.test(name)
  if (!fields.ReadAttributes.every(known)) throw invalid('Invalid read attributes specified while creating a client')
  if (!fields.WriteAttributes.every(known)) throw invalid('Invalid write attributes specified while creating a client')
}

function checkIdentityProviders(pool: FakePool, providers: string[]): void {
  for (const provider of providers) {
    if (provider !== 'COGNITO' && !pool.identityProviders.includes(provider)) {
      throw invalid(`The provider ${provider} does not exist for User Pool ${pool.Id}`)
    }
  }
}

function checkUrls(fields: ClientFields): void {
  for (const field of ['CallbackURLs', 'LogoutURLs'] as const) {
    const urls = fields[field]
    if (urls.length > 100) throw constraint(field, `${urls.length} URLs`, 'Member must have length less than or equal to 100')
    for (const url of urls) checkRedirectUrl(field, url)
  }
  if (fields.DefaultRedirectURI !== undefined) {
    checkRedirectUrl('DefaultRedirectURI', fields.DefaultRedirectURI)
    if (!fields.CallbackURLs.includes(fields.DefaultRedirectURI)) {
      throw invalid('DefaultRedirectURI must be one of the CallbackURLs.')
    }
  }
}

/**
 * A redirect URL must be absolute and without a fragment; http only for loopback hosts; other
 * schemes (app URLs like myapp://callback) are allowed, as the API documents.
 */
function checkRedirectUrl(field: string, url: string): void {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    throw invalid(`${field} must be absolute URLs: ${url}`)
  }
  if (url.length > 1024) throw invalid(`${field} URLs must be at most 1024 characters.`)
  if (parsed.hash || url.includes('#')) throw invalid(`${field} must not contain a fragment: ${url}`)
  if (parsed.protocol === 'http:' && !['localhost', '127.0.0.1', '[::1]'].includes(parsed.hostname)) {
    throw invalid(`${field} must use https, except http://localhost: ${url}`)
  }
}

function checkScopes(scopes: string[], resourceServerScopes: string[]): void {
  if (scopes.length > 50)
    throw constraint('AllowedOAuthScopes', `${scopes.length} scopes`, 'Member must have length less than or equal to 50')
  const unknown = scopes.find(scope => !OAUTH_SCOPES.includes(scope) && !resourceServerScopes.includes(scope))
  if (unknown !== undefined) throw new CognitoError('ScopeDoesNotExistException', `Invalid scope requested: ${unknown}`)
  if (scopes.some(scope => OPENID_DEPENDENT_SCOPES.includes(scope)) && !scopes.includes('openid')) {
    throw invalid('The scopes email, phone and profile require the openid scope.')
  }
}

function checkOAuthFlows(fields: ClientFields, hasSecret: boolean): void {
  if (!fields.AllowedOAuthFlowsUserPoolClient) return
  const flows = fields.AllowedOAuthFlows
  if (flows.length === 0 || fields.AllowedOAuthScopes.length === 0) {
    throw invalid('AllowedOAuthFlows and AllowedOAuthScopes are required if user pool client is allowed to use OAuth flows.')
  }
  const browserFlow = flows.includes('code') || flows.includes('implicit')
  if (flows.includes('client_credentials')) {
    if (browserFlow) throw oauthFlow('client_credentials flow can not be selected along with code flow or implicit flow.')
    if (!hasSecret) throw oauthFlow('client_credentials flow can not be selected if client does not have a client secret.')
    const standard = fields.AllowedOAuthScopes.find(scope => OAUTH_SCOPES.includes(scope))
    if (standard) throw oauthFlow(`${standard} is not supported with client_credentials flow.`)
  }
  if (browserFlow && fields.CallbackURLs.length === 0) {
    throw oauthFlow('CallbackUrls can not be empty when code flow or implicit flow is selected.')
  }
}

function checkOptionalStructures(fields: ClientFields): void {
  const analytics = fields.AnalyticsConfiguration
  if (analytics && !analytics.ApplicationId && !analytics.ApplicationArn) {
    throw invalid('AnalyticsConfiguration needs an ApplicationId or an ApplicationArn.')
  }
  const rotation = fields.RefreshTokenRotation
  if (rotation) {
    if (!['ENABLED', 'DISABLED'].includes(rotation.Feature)) {
      throw constraint('RefreshTokenRotation.Feature', rotation.Feature, 'Member must satisfy enum value set: [ENABLED, DISABLED]')
    }
    const grace = rotation.RetryGracePeriodSeconds ?? 0
    if (grace < 0 || grace > 60)
      throw constraint('RefreshTokenRotation.RetryGracePeriodSeconds', grace, 'Member must have value between 0 and 60')
  }
}

function checkPrefixDomain(name: string, config: unknown): void {
  if (!PREFIX_PATTERN.test(name)) {
    throw constraint('Domain', name, 'Member must satisfy regular expression pattern: ^[a-z0-9](?:[a-z0-9\\-]{0,61}[a-z0-9])?$')
  }
  const reserved = RESERVED_PREFIX_WORDS.find(word => name.includes(word))
  if (reserved) throw invalid(`Domain cannot contain reserved word: ${reserved}`)
  if (config !== undefined) throw invalid('CustomDomainConfig is only valid for a custom domain.')
}

function checkCustomDomain(name: string, config: FakeDomain['CustomDomainConfig']): void {
  if (!FQDN_PATTERN.test(name)) throw invalid(`${name} is not a valid custom domain name.`)
  if (!config?.CertificateArn || !CERTIFICATE_PATTERN.test(config.CertificateArn)) {
    throw invalid(
      "The specified SSL certificate doesn't exist, isn't in us-east-1 region, isn't valid, or doesn't include a valid certificate chain."
    )
  }
}

// ---------------------------------------------------------------------------------------------
// Answers
// ---------------------------------------------------------------------------------------------

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
    if (item === undefined || (Array.isArray(item) && item.length === 0 && key !== 'UserPoolClients' && key !== 'Assets')) continue
    out[key] = toWire(item)
  }
  return out
}

function brandingAnswer(branding: FakeBranding, merged: boolean): unknown {
  // ClientId is the fake's index, not a field of ManagedLoginBrandingType.
  const { ClientId: _clientId, ...answer } = branding
  return merged ? { ...answer, Settings: branding.Settings ?? {} } : answer
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

function sendHtml(res: ServerResponse, status: number, title: string, text: string): void {
  const html = `<!doctype html><html><head><title>${escapeHtml(title)}</title></head><body><p>${escapeHtml(text)}</p></body></html>`
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(html) })
  res.end(html)
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, char => `&#${char.charCodeAt(0)};`)
}

// ---------------------------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------------------------

function headerValue(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name]
  return Array.isArray(value) ? value[0] : value
}

function randomString(length: number, alphabet: string): string {
  let text = ''
  for (let i = 0; i < length; i++) text += alphabet[randomInt(alphabet.length)]
  return text
}

const generateRsaKeyPair = promisify(generateKeyPair)

async function newSigningKey(): Promise<SigningKey> {
  const { publicKey, privateKey } = await generateRsaKeyPair('rsa', { modulusLength: 2048 })
  const kid = Buffer.from(randomString(32, ALNUM)).toString('base64')
  const jwk = publicKey.export({ format: 'jwk' })
  return { kid, privateKey, publicJwk: { kid, alg: 'RS256', use: 'sig', kty: 'RSA', e: jwk.e, n: jwk.n } }
}
