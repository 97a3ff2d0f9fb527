// The Cognito fake's request checking, the way Cognito does it: request shapes (the real API
// rejects fields it does not know and values of the wrong type), Cognito's error format and
// wording, and its rules for an app client's settings and for domains. Pure: no state, no HTTP.
import {
  ALNUM,
  defaultClientSettings,
  randomString,
  type ClientFields,
  type FakeDomain,
  type FakePool,
  type TimeUnit,
  type TokenValidityUnits
} from './state.js'

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

export const POOL_ID_PATTERN = /^[\w-]+_[0-9a-zA-Z]+$/

export const CLIENT_ID_PATTERN = /^[\w+]+$/

// Cognito takes ACM certificates for custom domains from us-east-1 only (CloudFront's region).
const CERTIFICATE_PATTERN = /^arn:aws:acm:us-east-1:\d{12}:certificate\/[\w-]+$/

type Kind = 'string' | 'number' | 'boolean' | 'list' | 'object' | 'document'

export type Input = Record<string, unknown>

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

export const SHAPES: Record<string, Record<string, Kind>> = {
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
  AddUserPoolClientSecret: { UserPoolId: 'string', ClientId: 'string', ClientSecret: 'string' },
  ListUserPoolClientSecrets: { UserPoolId: 'string', ClientId: 'string', NextToken: 'string' },
  DeleteUserPoolClientSecret: { UserPoolId: 'string', ClientId: 'string', ClientSecretId: 'string' },
  CreateManagedLoginBranding: {
    UserPoolId: 'string',
    ClientId: 'string',
    UseCognitoProvidedValues: 'boolean',
    Settings: 'document',
    Assets: 'list'
  }
}

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

export const invalid = (message: string) => new CognitoError('InvalidParameterException', message)

const oauthFlow = (message: string) => new CognitoError('InvalidOAuthFlowException', message)

export const notFound = (message: string) => new CognitoError('ResourceNotFoundException', message)

/** Cognito's wording for a request field that breaks a model constraint. */
export function constraint(field: string, value: unknown, rule: string): CognitoError {
  const shown = Array.isArray(value) ? `[${value.join(', ')}]` : String(value)
  return invalid(`1 validation error detected: Value '${shown}' at '${camel(field)}' failed to satisfy constraint: ${rule}`)
}

function camel(field: string): string {
  return field.charAt(0).toLowerCase() + field.slice(1)
}

/** Rejects unknown fields and wrongly typed values like the real JSON protocol; null counts as absent. */
export function checkShape(body: unknown, shape: Record<string, Kind>): Input {
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

export function required(input: Input, field: string): string {
  const value = input[field]
  if (value === undefined)
    throw invalid(`1 validation error detected: Value null at '${camel(field)}' failed to satisfy constraint: Member must not be null`)
  return value as string
}

export function checkClientName(name: string): string {
  if (name.length < 1 || name.length > 128) throw constraint('ClientName', name, 'Member must have length between 1 and 128')
  if (!/^[\w\s+=,.@-]+$/.test(name)) {
    throw constraint('ClientName', name, 'Member must satisfy regular expression pattern: [\\w\\s+=,.@-]+')
  }
  return name
}

/** The secret of a new client: generated, chosen by the caller, or none. */
export function newClientSecret(input: Input): string | undefined {
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
export function settingsFrom(input: Input, name: string): ClientFields {
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
export function validateClient(pool: FakePool, fields: ClientFields, hasSecret: boolean): void {
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

export function checkPrefixDomain(name: string, config: unknown): void {
  if (!PREFIX_PATTERN.test(name)) {
    throw constraint('Domain', name, 'Member must satisfy regular expression pattern: ^[a-z0-9](?:[a-z0-9\\-]{0,61}[a-z0-9])?$')
  }
  const reserved = RESERVED_PREFIX_WORDS.find(word => name.includes(word))
  if (reserved) throw invalid(`Domain cannot contain reserved word: ${reserved}`)
  if (config !== undefined) throw invalid('CustomDomainConfig is only valid for a custom domain.')
}

export function checkCustomDomain(name: string, config: FakeDomain['CustomDomainConfig']): void {
  if (!FQDN_PATTERN.test(name)) throw invalid(`${name} is not a valid custom domain name.`)
  if (!config?.CertificateArn || !CERTIFICATE_PATTERN.test(config.CertificateArn)) {
    throw invalid(
      "The specified SSL certificate doesn't exist, isn't in us-east-1 region, isn't valid, or doesn't include a valid certificate chain."
    )
  }
}
