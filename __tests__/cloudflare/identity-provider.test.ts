// readTeamName: the team name read from the Access organization's auth_domain becomes the host of
// the callback URL put on the app client, so only a DNS label is taken; anything else is refused.
import { jest } from '@jest/globals'
import { CloudflareApi } from '../../src/cloudflare/api.js'
import { readTeamName } from '../../src/cloudflare/identity-provider.js'
import { HttpClient } from '../../src/http.js'
import { CloudflareFake } from '../fakes/cloudflare.js'

const ACCOUNT = '0123456789abcdef0123456789abcdef'
const TOKEN = 'Hk3Lq8Tz1Kw6Np4Rj9Hd2Mc7Sb5Yf0Ga'
let fake: CloudflareFake
let http: HttpClient

beforeEach(async () => {
  jest.spyOn(process.stdout, 'write').mockImplementation(() => true)
  fake = await new CloudflareFake().start()
  fake.addToken(TOKEN, 'read')
  http = new HttpClient('Cloudflare', { requestTimeoutMs: 1000, retryBaseMs: 5, maxRetries: 0, totalTimeoutMs: 5000 }, { info: () => undefined, debug: () => undefined })
})
afterEach(async () => {
  await http.close()
  await fake.stop()
  jest.restoreAllMocks()
})

function teamOf(authDomain: string): Promise<string> {
  fake.addAccount(ACCOUNT, { authDomain })
  return readTeamName(new CloudflareApi(http, `${fake.url}/client/v4`, { kind: 'accounts', id: ACCOUNT }, TOKEN))
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
  await expect(teamOf(authDomain)).rejects.toThrow(/^team-name: Cloudflare accounts\/\w+'s Access organization has no team domain of the form <team>\.cloudflareaccess\.com with a DNS label as <team> \(auth_domain: .*\); set team-name\.$/)
})
