// Issue: the action end to end in apply mode, against the local fakes.
import { ACCOUNT_ID, CALLBACK, World, ZONE_ID, expectSuccess, planOf } from '../support/world.js'

let world: World
beforeEach(async () => {
  world = await World.start()
})
afterEach(async () => {
  await world.stop()
})

test('a fresh pool and account end with one correct client, one correct identity provider, and the outputs', async () => {
  const result = await world.run()
  expectSuccess(result)

  expect(world.clients()).toHaveLength(1)
  const [client] = world.clients()
  expect(client).toMatchObject({
    ClientName: 'Cloudflare Access',
    CallbackURLs: [CALLBACK],
    AllowedOAuthFlows: ['code'],
    AllowedOAuthScopes: ['openid', 'email', 'profile'],
    SupportedIdentityProviders: ['COGNITO'],
    AllowedOAuthFlowsUserPoolClient: true
  })
  expect(client.ClientSecret).toBeTruthy()

  const idps = world.idps()
  expect(idps).toHaveLength(1)
  const host = 'acme-login.auth.eu-west-1.amazoncognito.com'
  expect(idps[0]).toMatchObject({
    name: 'Amazon Cognito',
    type: 'oidc',
    config: {
      client_id: client.ClientId,
      client_secret: client.ClientSecret,
      auth_url: `https://${host}/oauth2/authorize`,
      token_url: `https://${host}/oauth2/token`,
      certs_url: `${world.cognito.url}/${world.pool.Id}/.well-known/jwks.json`,
      scopes: ['openid', 'email', 'profile'],
      claims: ['sub', 'cognito:username', 'name', 'cognito:groups'],
      email_claim_name: 'email',
      pkce_enabled: true
    }
  })

  expect(result.outputs).toMatchObject({
    'identity-provider-id': idps[0].id,
    'client-id': client.ClientId,
    'callback-url': CALLBACK,
    'auth-url': `https://${host}/oauth2/authorize`,
    'token-url': `https://${host}/oauth2/token`,
    'certs-url': `${world.cognito.url}/${world.pool.Id}/.well-known/jwks.json`,
    changed: 'true'
  })
  expect(planOf(result).resources.map(resource => [resource.kind, resource.action])).toEqual([
    ['cognito-domain', 'no-change'],
    ['cognito-app-client', 'create'],
    ['cloudflare-identity-provider', 'create']
  ])
  expect(result.masked).toContain(client.ClientSecret)
  expect(result.summary).toContain('Applied: 2 created.')
  expect(result.summary).toContain(idps[0].id)
})

test('a second run writes nothing and says changed=false', async () => {
  expectSuccess(await world.run())
  const writesAfterFirst = world.writeAttempts().length
  const second = await world.run()
  expectSuccess(second)
  expect(world.writeAttempts()).toHaveLength(writesAfterFirst)
  expect(second.outputs.changed).toBe('false')
  expect(second.summary).toContain('No changes.')
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
  const result = await world.run()
  expectSuccess(result)

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
  const result = await world.run({ inputs: world.inputs({ 'app-client-id': client.ClientId, 'idp-id': idp.id }) })
  expectSuccess(result)
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
  const result = await world.run()
  expectSuccess(result)
  expect(world.clients()).toHaveLength(72 - 1)
  expect(world.cognito.clientsNamed(world.pool.Id, 'Cloudflare Access')).toHaveLength(1)
  expect(world.idps().filter(stored => stored.name === 'Amazon Cognito')).toHaveLength(1)
  expect(result.outputs).toMatchObject({ 'client-id': client.ClientId, 'identity-provider-id': idp.id })
  const listCalls = world.cognito.calls.filter(call => call.operation === 'ListUserPoolClients')
  expect(listCalls.length).toBeGreaterThan(10)
  expect(world.cloudflare.calls.filter(call => call.operation === 'listIdentityProviders').length).toBeGreaterThanOrEqual(3)
})

test('the team name comes from the Access organization, or from the input', async () => {
  expectSuccess(await world.run())
  expect(world.clients()[0].CallbackURLs).toEqual([CALLBACK])
  expect(world.cloudflare.calls.some(call => call.operation === 'getOrganization')).toBe(true)

  const other = await World.start()
  try {
    const result = await other.run({ inputs: other.inputs({ 'team-name': 'globex' }) })
    expectSuccess(result)
    expect(other.clients()[0].CallbackURLs).toEqual(['https://globex.cloudflareaccess.com/cdn-cgi/access/callback'])
    expect(other.cloudflare.calls.some(call => call.operation === 'getOrganization')).toBe(false)
  } finally {
    await other.stop()
  }
})

test('a pool without a domain gets the prefix domain from cognito-domain; without it, a clear error', async () => {
  const bare = await World.start({ pool: { id: 'eu-west-1_NoDomain1', domain: undefined } })
  try {
    const failed = await bare.run()
    expect(failed.exitCode).not.toBe(0)
    expect(failed.errors.join('\n')).toMatch(/cognito-domain: user pool eu-west-1_NoDomain1 has no domain/)
    expect(bare.writeAttempts()).toEqual([])

    const result = await bare.run({ inputs: bare.inputs({ 'cognito-domain': 'globex-login' }) })
    expectSuccess(result)
    expect(bare.cognito.domain('globex-login')).toMatchObject({ UserPoolId: 'eu-west-1_NoDomain1' })
    expect(result.outputs['auth-url']).toBe('https://globex-login.auth.eu-west-1.amazoncognito.com/oauth2/authorize')
    expect(planOf(result).resources[0]).toMatchObject({ kind: 'cognito-domain', action: 'create' })
  } finally {
    await bare.stop()
  }
})

test('zone scope writes the identity provider to the zone', async () => {
  const result = await world.run({
    inputs: { 'user-pool-id': world.pool.Id, 'cloudflare-zone-id': ZONE_ID, 'cloudflare-api-token': world.secrets()['cloudflare token'] }
  })
  expectSuccess(result)
  expect(world.cloudflare.identityProviders({ zoneId: ZONE_ID })).toHaveLength(1)
  expect(world.idps()).toHaveLength(0)
})

test('a custom domain is preferred, and the team name input accepts the whole team domain', async () => {
  const custom = await World.start({ pool: { id: 'eu-west-1_Custom001', domain: 'acme-prefix', customDomain: 'login.acme.com' } })
  try {
    const result = await custom.run({ inputs: custom.inputs({ 'team-name': 'acme.cloudflareaccess.com' }) })
    expectSuccess(result)
    expect(result.outputs['auth-url']).toBe('https://login.acme.com/oauth2/authorize')
  } finally {
    await custom.stop()
  }
})

test('the log folds each phase into a group and ends with one verdict line', async () => {
  const first = await world.run()
  expectSuccess(first)
  const groups = (result: typeof first) => result.commands.filter(command => command.command === 'group').map(command => command.message)
  expect(groups(first)).toEqual(['Observe: read Cognito and Cloudflare', 'Plan', 'Apply', 'Verification'])
  // Every group is closed before the next opens: the runner has one level.
  const marks = first.commands.filter(command => command.command === 'group' || command.command === 'endgroup').map(c => c.command)
  expect(marks).toEqual(['group', 'endgroup', 'group', 'endgroup', 'group', 'endgroup', 'group', 'endgroup'])
  const lastLine = (result: typeof first) => result.stdout.trimEnd().split('\n').at(-1)
  expect(lastLine(first)).toMatch(/^Applied: 2 created\. Verification: \d+ passed(, \d+ skipped)?\.$/)

  const second = await world.run()
  expectSuccess(second)
  expect(lastLine(second)).toMatch(/^No changes\. Cognito and Cloudflare Access match the configuration\. Verification: \d+ passed/)
  const plan = await world.run({ event: world.pullRequestEvent(), inputs: world.inputs({ comment: 'false' }) })
  expect(groups(plan)).toEqual(['Observe: read Cognito and Cloudflare', 'Plan', 'Verification'])
})
