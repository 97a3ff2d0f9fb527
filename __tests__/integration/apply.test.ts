// Apply, in process (reconcile() against the fakes): a second run writes nothing, an existing
// client keeps every setting of its own, app-client-id and idp-id adopt in place, targets on late
// pages are found, the team name and the domain come from the services or the inputs, and zone
// scope writes to the zone. (A fresh apply through the bundle, with the runner's outputs, masking
// and summary: __tests__/e2e/apply.test.ts.)
import { expectNoFailure, runInProcess } from '../support/in-process.js'
import { ACCOUNT_ID, CALLBACK, World, ZONE_ID, planOf } from '../support/world.js'

let world: World
beforeEach(async () => {
  world = await World.start()
})
afterEach(async () => {
  await world.stop()
})

test('a second run writes nothing and says changed=false', async () => {
  expectNoFailure(await runInProcess(world))
  const writesAfterFirst = world.writeAttempts().length
  const second = await runInProcess(world)
  expectNoFailure(second)
  expect(world.writeAttempts()).toHaveLength(writesAfterFirst)
  expect(second.outputs.changed).toBe('false')
  expect(second.report).toContain('No changes.')
  expect(world.clients()).toHaveLength(1)
  expect(world.idps()).toHaveLength(1)
})

test('an existing client with custom settings keeps every one of them', async () => {
  const existing = world.cognito.addClient(world.pool.Id, {
    ClientName: 'Cloudflare Access',
    GenerateSecret: true,
    RefreshTokenValidity: 7,
    AccessTokenValidity: 15,
    IdTokenValidity: 20,
    TokenValidityUnits: { AccessToken: 'minutes', IdToken: 'minutes', RefreshToken: 'days' },
    ExplicitAuthFlows: ['ALLOW_REFRESH_TOKEN_AUTH', 'ALLOW_USER_SRP_AUTH'],
    CallbackURLs: ['https://app.example.com/callback'],
    LogoutURLs: ['https://app.example.com/logout'],
    DefaultRedirectURI: 'https://app.example.com/callback',
    AllowedOAuthFlows: ['code'],
    AllowedOAuthScopes: ['openid', 'phone'],
    AllowedOAuthFlowsUserPoolClient: true,
    SupportedIdentityProviders: ['COGNITO'],
    ReadAttributes: ['email', 'name'],
    EnableTokenRevocation: false,
    PreventUserExistenceErrors: 'LEGACY',
    AuthSessionValidity: 12
  })
  const before = structuredClone({ ...existing })
  const result = await runInProcess(world)
  expectNoFailure(result)

  expect(world.clients()).toHaveLength(1)
  const after = world.cognito.client(world.pool.Id, existing.ClientId)!
  expect(after).toMatchObject({
    RefreshTokenValidity: 7,
    AccessTokenValidity: 15,
    IdTokenValidity: 20,
    TokenValidityUnits: before.TokenValidityUnits,
    ExplicitAuthFlows: before.ExplicitAuthFlows,
    LogoutURLs: ['https://app.example.com/logout'],
    DefaultRedirectURI: 'https://app.example.com/callback',
    ReadAttributes: ['email', 'name'],
    EnableTokenRevocation: false,
    PreventUserExistenceErrors: 'LEGACY',
    AuthSessionValidity: 12,
    ClientSecret: before.ClientSecret,
    CallbackURLs: ['https://app.example.com/callback', CALLBACK],
    AllowedOAuthScopes: ['openid', 'phone', 'email', 'profile']
  })
  expect(planOf(result).resources[1]).toMatchObject({ action: 'update', id: existing.ClientId })
  expect(world.idps()[0].config.client_secret).toBe(before.ClientSecret)
})

test('app-client-id and idp-id adopt existing resources in place, whatever their names', async () => {
  const client = world.cognito.addClient(world.pool.Id, { ClientName: 'Legacy SSO', GenerateSecret: true })
  const idp = world.cloudflare.addIdentityProvider(
    { accountId: ACCOUNT_ID },
    {
      name: 'Company login',
      type: 'oidc',
      config: {
        client_id: 'old',
        client_secret: 'old-secret-value',
        auth_url: 'https://old.example.com/a',
        token_url: 'https://old.example.com/t',
        certs_url: 'https://old.example.com/c'
      }
    }
  )
  const result = await runInProcess(world, { inputs: world.inputs({ 'app-client-id': client.ClientId, 'idp-id': idp.id }) })
  expectNoFailure(result)
  expect(world.clients()).toHaveLength(1)
  expect(world.idps()).toHaveLength(1)
  expect(world.cognito.client(world.pool.Id, client.ClientId)).toMatchObject({ ClientName: 'Legacy SSO', CallbackURLs: [CALLBACK] })
  expect(world.cloudflare.identityProvider(idp.id)).toMatchObject({
    name: 'Amazon Cognito',
    config: { client_id: client.ClientId, client_secret: client.ClientSecret }
  })
  expect(result.outputs['client-id']).toBe(client.ClientId)
  expect(result.outputs['identity-provider-id']).toBe(idp.id)
})

test('targets on the last of several pages are found, not duplicated', async () => {
  for (let i = 0; i < 70; i++) world.cognito.addClient(world.pool.Id, { ClientName: `other app ${i}` })
  const client = world.cognito.addClient(world.pool.Id, { ClientName: 'Cloudflare Access', GenerateSecret: true })
  world.cognito.pageSize = 7
  world.cognito.emptyPages = 3
  // Cloudflare pages by up to 1,000: the target is on the third page.
  for (let i = 0; i < 2100; i++) {
    world.cloudflare.addIdentityProvider({ accountId: ACCOUNT_ID }, { name: `Other ${i}`, type: 'onetimepin', config: {} })
  }
  const idp = world.cloudflare.addIdentityProvider(
    { accountId: ACCOUNT_ID },
    {
      name: 'Amazon Cognito',
      type: 'oidc',
      config: { client_id: 'x', client_secret: 'y-secret-value' }
    }
  )
  const result = await runInProcess(world)
  expectNoFailure(result)
  expect(world.clients()).toHaveLength(72 - 1)
  expect(world.cognito.clientsNamed(world.pool.Id, 'Cloudflare Access')).toHaveLength(1)
  expect(world.idps().filter(stored => stored.name === 'Amazon Cognito')).toHaveLength(1)
  expect(result.outputs).toMatchObject({ 'client-id': client.ClientId, 'identity-provider-id': idp.id })
  const listCalls = world.cognito.calls.filter(call => call.operation === 'ListUserPoolClients')
  expect(listCalls.length).toBeGreaterThan(10)
  expect(world.cloudflare.calls.filter(call => call.operation === 'listIdentityProviders').length).toBeGreaterThanOrEqual(3)
})

test('the team name comes from the Access organization, or from the input', async () => {
  expectNoFailure(await runInProcess(world))
  expect(world.clients()[0].CallbackURLs).toEqual([CALLBACK])
  expect(world.cloudflare.calls.some(call => call.operation === 'getOrganization')).toBe(true)

  const other = await World.start()
  try {
    const result = await runInProcess(other, { inputs: other.inputs({ 'team-name': 'globex' }) })
    expectNoFailure(result)
    expect(other.clients()[0].CallbackURLs).toEqual(['https://globex.cloudflareaccess.com/cdn-cgi/access/callback'])
    expect(other.cloudflare.calls.some(call => call.operation === 'getOrganization')).toBe(false)
  } finally {
    await other.stop()
  }
})

test('a pool without a domain gets the prefix domain from cognito-domain; without it, a clear error', async () => {
  const bare = await World.start({ pool: { id: 'eu-west-1_NoDomain1', domain: undefined } })
  try {
    const failed = await runInProcess(bare)
    expect(failed.error).toMatch(/cognito-domain: user pool eu-west-1_NoDomain1 has no domain/)
    expect(bare.writeAttempts()).toEqual([])

    const result = await runInProcess(bare, { inputs: bare.inputs({ 'cognito-domain': 'globex-login' }) })
    expectNoFailure(result)
    expect(bare.cognito.domain('globex-login')).toMatchObject({ UserPoolId: 'eu-west-1_NoDomain1' })
    expect(result.outputs['auth-url']).toBe('https://globex-login.auth.eu-west-1.amazoncognito.com/oauth2/authorize')
    expect(planOf(result).resources[0]).toMatchObject({ kind: 'cognito-domain', action: 'create' })
  } finally {
    await bare.stop()
  }
})

test('zone scope writes the identity provider to the zone', async () => {
  const result = await runInProcess(world, {
    inputs: { 'user-pool-id': world.pool.Id, 'cloudflare-zone-id': ZONE_ID, 'cloudflare-api-token': world.secrets()['cloudflare token'] }
  })
  expectNoFailure(result)
  expect(world.cloudflare.identityProviders({ zoneId: ZONE_ID })).toHaveLength(1)
  expect(world.idps()).toHaveLength(0)
})

test('a custom domain is preferred, and the team name input accepts the whole team domain', async () => {
  const custom = await World.start({ pool: { id: 'eu-west-1_Custom001', domain: 'acme-prefix', customDomain: 'login.acme.com' } })
  try {
    const result = await runInProcess(custom, { inputs: custom.inputs({ 'team-name': 'acme.cloudflareaccess.com' }) })
    expectNoFailure(result)
    expect(result.outputs['auth-url']).toBe('https://login.acme.com/oauth2/authorize')
  } finally {
    await custom.stop()
  }
})
