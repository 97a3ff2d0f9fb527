// The Cognito fake's state: SDK-shaped types (PascalCase, so tests can compare the fake's state
// with SDK answers), the live state of a user pool, Cognito's defaults for a client, and the
// small generators (ids, secrets, signing keys, page tokens) the fake needs.
import { generateKeyPair, randomInt, type JsonWebKey, type KeyObject } from 'node:crypto'
import { promisify } from 'node:util'

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

/**
 * One secret of an app client. Deleted secrets are kept (marked), so that a test can check that
 * none of them ever leaked.
 */
export interface FakeClientSecret {
  ClientSecretId: string
  ClientSecretValue: string
  ClientSecretCreateDate: Date
  deletedAt?: Date
  /** Token requests still answered `invalid_client`: a secret Cognito has made but does not accept yet. */
  pendingRejections: number
}

/** Which active secret DescribeUserPoolClient shows while a client has two: Cognito does not document it. */
export type DescribedSecret = 'oldest' | 'newest'

export type ClientSeed = Partial<Omit<FakeClient, 'UserPoolId'>> & {
  ClientName: string
  GenerateSecret?: boolean
  /** When the first secret was made (default: now); for tests of rotate-after-days. */
  secretCreated?: Date
}

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
  /** Every secret each client ever had, by ClientId, in the order they were made. */
  readonly clientSecrets = new Map<string, FakeClientSecret[]>()

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

export const ACCOUNT = '123456789012'

export const ALNUM_LOWER = 'abcdefghijklmnopqrstuvwxyz0123456789'

export const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ' + ALNUM_LOWER

export const MAX_CLIENTS_PER_POOL = 1000

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

export function randomString(length: number, alphabet: string): string {
  let text = ''
  for (let i = 0; i < length; i++) text += alphabet[randomInt(alphabet.length)]
  return text
}

const generateRsaKeyPair = promisify(generateKeyPair)

export async function newSigningKey(): Promise<SigningKey> {
  const { publicKey, privateKey } = await generateRsaKeyPair('rsa', { modulusLength: 2048 })
  const kid = Buffer.from(randomString(32, ALNUM)).toString('base64')
  const jwk = publicKey.export({ format: 'jwk' })
  return { kid, privateKey, publicJwk: { kid, alg: 'RS256', use: 'sig', kty: 'RSA', e: jwk.e, n: jwk.n } }
}
