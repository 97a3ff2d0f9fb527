// Apply, end to end: a fresh pool and account through the bundle, as the runner runs it: the
// resources, the outputs (GITHUB_OUTPUT), the masked client secret and the job summary. The rest
// of apply's behaviour (re-runs, adoption, paging, team name, domains, zone scope) runs in
// process: __tests__/integration/apply.test.ts.
import { CALLBACK, World, expectSuccess, planOf } from '../support/world.js'

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
