// Bad input fails before any call: each bad input gets an error naming it, and no fake sees a request.
import { World } from '../support/world.js'

let world: World
beforeAll(async () => {
  world = await World.start()
})
afterAll(async () => {
  await world.stop()
})

const BAD_INPUTS: Array<[string, Record<string, string>]> = [
  ['mode', { mode: 'yolo' }],
  ['user-pool-id', { 'user-pool-id': 'eu-west-1' }],
  ['aws-region', { 'aws-region': 'us-east-1' }],
  ['app-client-name', { 'app-client-name': 'name|with|pipes' }],
  ['app-client-id', { 'app-client-id': 'not an id' }],
  ['cognito-domain', { 'cognito-domain': 'my-amazon-login' }],
  ['identity-providers', { 'identity-providers': 'Google Workspace' }],
  ['scopes', { scopes: 'email profile' }],
  ['team-name', { 'team-name': 'acme corp' }],
  ['cloudflare-account-id', { 'cloudflare-account-id': '1234' }],
  ['cloudflare-zone-id', { 'cloudflare-zone-id': 'fedcba9876543210fedcba9876543210' }],
  ['cloudflare-api-token', { 'cloudflare-api-token': '' }],
  ['idp-id', { 'idp-id': 'idp-42' }],
  ['claims', { claims: `sub ${'x'.repeat(300)}` }],
  ['email-claim-name', { 'email-claim-name': 'e mail' }],
  ['pkce', { pkce: 'sometimes' }],
  ['verify', { verify: 'yes' }],
  ['comment', { comment: 'maybe' }]
]

test.each(BAD_INPUTS)('a bad %s fails with an error naming it, and nothing is called', async (input, bad) => {
  const before = world.cognito.calls.length + world.cloudflare.calls.length + world.github.calls.length
  const result = await world.run({ inputs: world.inputs(bad) })
  expect(result.exitCode).toBe(1)
  const annotation = result.commands.find(command => command.command === 'error' && command.properties.title === `Invalid input: ${input}`)
  expect(annotation?.message).toMatch(new RegExp(`^${input}: `))
  expect(result.stdout).toMatch(/invalid input\(s\); nothing was read or written/)
  expect(world.cognito.calls.length + world.cloudflare.calls.length + world.github.calls.length).toBe(before)
  expect(world.writeAttempts()).toEqual([])
})

test('several bad inputs are all reported in one run', async () => {
  const result = await world.run({ inputs: world.inputs({ mode: 'x', pkce: 'x', scopes: 'email' }) })
  expect(result.exitCode).toBe(1)
  expect(result.errors.filter(error => /^(mode|pkce|scopes): /.test(error))).toHaveLength(3)
})
