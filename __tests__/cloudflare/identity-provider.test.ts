// The pure parts of the Cloudflare identity provider: defaults for
// what Cloudflare leaves out, and what an update carries through; and fetchTeamName, whose
// auth_domain becomes the host of the callback URL, so only a DNS label is taken.
import {
  configValue,
  fetchTeamName,
  identityProviderBody,
  keptNote,
  keptSettings,
  lostScimSettings
} from '../../src/cloudflare/identity-provider.js'
import { convergedIdp } from '../support/builders.js'
import { jest } from '@jest/globals'
import { CloudflareApi } from '../../src/cloudflare/api.js'
import { HttpClient } from '../../src/http.js'
import { CloudflareFake } from '../support/fakes/cloudflare.js'
import { ACCOUNT_ID as ACCOUNT } from '../support/constants.js'

const desired = {
  name: 'Amazon Cognito',
  config: {
    auth_url: 'https://a/oauth2/authorize',
    token_url: 'https://a/oauth2/token',
    certs_url: 'https://i/.well-known/jwks.json',
    scopes: ['openid'],
    claims: [],
    email_claim_name: 'email',
    pkce_enabled: true
  }
}

test('a field Cloudflare leaves out (or sends as null) is its default', () => {
  expect(configValue({}, 'pkce_enabled')).toBe(false)
  expect(configValue({ claims: null }, 'claims')).toEqual([])
  expect(configValue(undefined, 'scopes')).toEqual([])
  expect(configValue({}, 'email_claim_name')).toBe('email')
  expect(configValue({ pkce_enabled: true }, 'pkce_enabled')).toBe(true)
  expect(configValue({}, 'auth_url')).toBeUndefined()
})

test('a create sends only ours; an update also carries unmanaged config keys and the SCIM flags', () => {
  expect(identityProviderBody(desired, 'c1', 'secret-1')).toEqual({
    name: 'Amazon Cognito',
    type: 'oidc',
    config: { client_id: 'c1', client_secret: 'secret-1', ...desired.config }
  })
  const existing = {
    ...convergedIdp({
      prompt: 'login',
      redirect_url: 'https://acme.cloudflareaccess.com/cdn-cgi/access/callback',
      pkce_enabled: false,
      client_secret: '***'
    }),
    scim_config: { enabled: true, seat_deprovision: true, secret: '**********', scim_base_url: 'https://acme.cloudflareaccess.com/scim/1' }
  }
  const kept = keptSettings(existing)
  expect(kept).toEqual({ config: { prompt: 'login' }, scimConfig: { enabled: true, seat_deprovision: true } })
  const body = identityProviderBody(desired, 'c1', 'secret-1', kept)
  // Ours win over what was there; Cloudflare's own fields never go back.
  expect(body.config).toEqual({ prompt: 'login', client_id: 'c1', client_secret: 'secret-1', ...desired.config })
  expect(body.scim_config).toEqual({ enabled: true, seat_deprovision: true })
  expect(keptSettings({ ...convergedIdp(), scim_config: undefined })).toEqual({ config: {}, scimConfig: undefined })
  expect(keptSettings(undefined)).toEqual({ config: {}, scimConfig: undefined })
})

test('the read-back finds a SCIM flag that the update lost; off and absent are the same', () => {
  const kept = { config: {}, scimConfig: { enabled: true, user_deprovision: false, identity_update_behavior: 'reauth' } }
  expect(lostScimSettings({ ...convergedIdp(), scim_config: { enabled: true, identity_update_behavior: 'reauth' } }, kept)).toEqual([])
  expect(lostScimSettings({ ...convergedIdp(), scim_config: { enabled: false } }, kept)).toEqual([
    { field: 'scim_config.enabled', before: false, after: true },
    { field: 'scim_config.identity_update_behavior', before: undefined, after: 'reauth' }
  ])
})

test('the plan names what an update keeps', () => {
  expect(keptNote({ config: {} })).toBeUndefined()
  expect(keptNote({ config: { prompt: 'login' }, scimConfig: { enabled: true } })).toBe(
    'The update keeps what the action does not manage: scim_config (enabled; Cloudflare keeps its SCIM secret); config.prompt.'
  )
})

const TOKEN = 'Hk3Lq8Tz1Kw6Np4Rj9Hd2Mc7Sb5Yf0Ga'
let fake: CloudflareFake
let http: HttpClient

beforeEach(async () => {
  jest.spyOn(process.stdout, 'write').mockImplementation(() => true)
  fake = await new CloudflareFake().start()
  fake.addToken(TOKEN, 'read')
  http = new HttpClient(
    'Cloudflare',
    { requestTimeoutMs: 1000, retryBaseMs: 5, maxRetries: 0, totalTimeoutMs: 5000 },
    { info: () => undefined, debug: () => undefined }
  )
})
afterEach(async () => {
  await http.close()
  await fake.stop()
  jest.restoreAllMocks()
})

function teamOf(authDomain: string): Promise<string> {
  fake.addAccount(ACCOUNT, { authDomain })
  return fetchTeamName(new CloudflareApi(http, `${fake.url}/client/v4`, { kind: 'accounts', id: ACCOUNT }, TOKEN))
}

test.each([
  ['acme.cloudflareaccess.com', 'acme'],
  ['Acme-Corp.CloudflareAccess.com', 'acme-corp'],
  ['a1.cloudflareaccess.com', 'a1']
])('%s is team %s', async (authDomain, team) => {
  expect(await teamOf(authDomain)).toBe(team)
})

test.each([
  '2130706433:9/.cloudflareaccess.com',
  'evil.example/.cloudflareaccess.com',
  'a.b.cloudflareaccess.com',
  'acme\n::stop-commands::x.cloudflareaccess.com',
  'acme.cloudflareaccess.com.evil.example',
  '-acme.cloudflareaccess.com',
  'acme-.cloudflareaccess.com',
  `${'a'.repeat(64)}.cloudflareaccess.com`,
  'acme_corp.cloudflareaccess.com',
  '.cloudflareaccess.com',
  'acme.example.com',
  ''
])('%j is refused, naming team-name', async authDomain => {
  await expect(teamOf(authDomain)).rejects.toThrow(
    /^team-name: Cloudflare accounts\/\w+'s Access organization has no team domain of the form <team>\.cloudflareaccess\.com with a DNS label as <team> \(auth_domain: .*\); set team-name\.$/
  )
})
