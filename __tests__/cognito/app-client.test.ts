import type { UserPoolClientType } from '@aws-sdk/client-cognito-identity-provider'
import {
  UPDATE_FIELDS,
  checkExistingClient,
  clientChanges,
  createClientRequest,
  union,
  updateClientRequest,
  type DesiredClient
} from '../../src/cognito/app-client.js'

const desired: DesiredClient = {
  name: 'Cloudflare Access',
  callbackUrl: 'https://acme.cloudflareaccess.com/cdn-cgi/access/callback',
  scopes: ['openid', 'email', 'profile'],
  identityProviders: ['COGNITO']
}

const customised: UserPoolClientType = {
  UserPoolId: 'eu-west-1_Pool1',
  ClientId: 'client123',
  ClientName: 'Cloudflare Access',
  ClientSecret: 'super-secret-value',
  ClientType: 'CONFIDENTIAL' as never,
  CreationDate: new Date(0),
  LastModifiedDate: new Date(0),
  RefreshTokenValidity: 7,
  AccessTokenValidity: 15,
  IdTokenValidity: 15,
  TokenValidityUnits: { AccessToken: 'minutes', IdToken: 'minutes', RefreshToken: 'days' },
  ExplicitAuthFlows: ['ALLOW_REFRESH_TOKEN_AUTH', 'ALLOW_USER_SRP_AUTH'],
  SupportedIdentityProviders: ['Google'],
  CallbackURLs: ['https://app.example.com/callback'],
  LogoutURLs: ['https://app.example.com/logout'],
  AllowedOAuthFlows: ['implicit'],
  AllowedOAuthScopes: ['openid', 'phone'],
  AllowedOAuthFlowsUserPoolClient: true,
  EnableTokenRevocation: false,
  AuthSessionValidity: 10
}

test('union keeps the existing order and appends what is missing', () => {
  expect(union(['b', 'a'], ['a', 'c'])).toEqual(['b', 'a', 'c'])
  expect(union(undefined, ['x'])).toEqual(['x'])
})

test('a new client is confidential, code flow only, with our callback', () => {
  expect(createClientRequest('eu-west-1_Pool1', desired)).toMatchObject({
    UserPoolId: 'eu-west-1_Pool1',
    ClientName: 'Cloudflare Access',
    GenerateSecret: true,
    AllowedOAuthFlowsUserPoolClient: true,
    AllowedOAuthFlows: ['code'],
    AllowedOAuthScopes: ['openid', 'email', 'profile'],
    SupportedIdentityProviders: ['COGNITO'],
    CallbackURLs: [desired.callbackUrl]
  })
})

test('an update carries every user setting through and merges ours as sets', () => {
  const request = updateClientRequest(customised, desired) as unknown as Record<string, unknown>
  expect(request).toMatchObject({
    UserPoolId: 'eu-west-1_Pool1',
    ClientId: 'client123',
    RefreshTokenValidity: 7,
    AccessTokenValidity: 15,
    LogoutURLs: ['https://app.example.com/logout'],
    ExplicitAuthFlows: ['ALLOW_REFRESH_TOKEN_AUTH', 'ALLOW_USER_SRP_AUTH'],
    EnableTokenRevocation: false,
    AuthSessionValidity: 10,
    CallbackURLs: ['https://app.example.com/callback', desired.callbackUrl],
    AllowedOAuthFlows: ['implicit', 'code'],
    AllowedOAuthScopes: ['openid', 'phone', 'email', 'profile'],
    SupportedIdentityProviders: ['Google', 'COGNITO']
  })
  for (const forbidden of ['ClientSecret', 'ClientType', 'CreationDate', 'LastModifiedDate', 'GenerateSecret']) {
    expect(request).not.toHaveProperty(forbidden)
  }
  for (const key of Object.keys(request)) expect(['UserPoolId', 'ClientId', ...UPDATE_FIELDS]).toContain(key)
})

test('describe omits empty lists: missing is treated as empty', () => {
  const bare: UserPoolClientType = { UserPoolId: 'p', ClientId: 'c', ClientName: 'n', ClientSecret: 's' }
  expect(clientChanges(bare, desired).map(change => change.field)).toEqual([
    'CallbackURLs',
    'AllowedOAuthFlows',
    'AllowedOAuthScopes',
    'SupportedIdentityProviders',
    'AllowedOAuthFlowsUserPoolClient'
  ])
  expect(clientChanges(bare, desired)[0]).toEqual({ field: 'CallbackURLs', before: [], after: [desired.callbackUrl] })
})

test('a client that already has everything needs no change', () => {
  const converged = { ...customised, ...(updateClientRequest(customised, desired) as UserPoolClientType) }
  expect(clientChanges(converged, desired)).toEqual([])
})

test('a public client or a full callback list cannot be fixed by an update', () => {
  expect(() => checkExistingClient({ ...customised, ClientSecret: undefined }, desired)).toThrow(/no client secret/)
  const full = Array.from({ length: 100 }, (_, i) => `https://x${i}.example.com/cb`)
  expect(() => checkExistingClient({ ...customised, CallbackURLs: full }, desired)).toThrow(/100 callback URLs/)
  expect(() => checkExistingClient({ ...customised, CallbackURLs: [...full.slice(1), desired.callbackUrl] }, desired)).not.toThrow()
})

test('a machine-to-machine client cannot also serve Cloudflare', () => {
  const m2m = { ...customised, AllowedOAuthFlows: ['client_credentials' as const] }
  expect(() => checkExistingClient(m2m, desired)).toThrow(/app client client123 \("Cloudflare Access"\) is a machine-to-machine client/)
})

test('email joins ReadAttributes only when they are set, lack it, and the email claim is `email`', () => {
  const limited = { ...customised, ReadAttributes: ['name', 'custom:team'] }
  const wanting = { ...desired, emailAttribute: true }
  expect((updateClientRequest(limited, wanting) as { ReadAttributes?: string[] }).ReadAttributes).toEqual(['name', 'custom:team', 'email'])
  expect(clientChanges(limited, wanting)).toContainEqual({
    field: 'ReadAttributes',
    before: ['name', 'custom:team'],
    after: ['name', 'custom:team', 'email']
  })
  expect(clientChanges(limited, desired).map(change => change.field)).not.toContain('ReadAttributes')
  expect(clientChanges({ ...customised, ReadAttributes: undefined }, wanting).map(change => change.field)).not.toContain('ReadAttributes')
  expect(clientChanges({ ...limited, ReadAttributes: ['email'] }, wanting).map(change => change.field)).not.toContain('ReadAttributes')
})

test("pruning removes other teams' Access callbacks only, and counts against the limit after it", () => {
  const stale = 'https://old.cloudflareaccess.com/cdn-cgi/access/callback'
  const withStale = { ...customised, CallbackURLs: ['https://app.example.com/callback', stale] }
  const pruning = { ...desired, pruneOtherTeams: true }
  expect((updateClientRequest(withStale, pruning) as { CallbackURLs?: string[] }).CallbackURLs).toEqual([
    'https://app.example.com/callback',
    desired.callbackUrl
  ])
  expect((updateClientRequest(withStale, desired) as { CallbackURLs?: string[] }).CallbackURLs).toEqual([
    ...withStale.CallbackURLs,
    desired.callbackUrl
  ])
  // A swap (one removed, ours added) is a change even though the count stays.
  const swapped = { ...customised, CallbackURLs: [stale] }
  expect(clientChanges(swapped, pruning)).toContainEqual({ field: 'CallbackURLs', before: [stale], after: [desired.callbackUrl] })
  const full = [...Array.from({ length: 99 }, (_, i) => `https://x${i}.example.com/cb`), stale]
  expect(() => checkExistingClient({ ...customised, CallbackURLs: full }, desired)).toThrow(/100 callback URLs/)
  expect(() => checkExistingClient({ ...customised, CallbackURLs: full }, pruning)).not.toThrow()
})
