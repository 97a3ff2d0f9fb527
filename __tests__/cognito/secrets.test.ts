// src/cognito/secrets.ts through the real CognitoApi (AWS SDK) against the Cognito fake: paging,
// hostile answers, the value masked on arrival, an add never repeated by the SDK, and a delete of a
// secret already gone counting as done.
import { CognitoApi } from '../../src/cognito/api.js'
import { ClientSecrets, describeSecret, MAX_SECRET_PAGES } from '../../src/cognito/secrets.js'
import { clearSecretsForTest, redact } from '../../src/secrets.js'
import { CognitoFake, type FakeClient, type FakePool } from '../support/fakes/cognito.js'

let fake: CognitoFake
let api: CognitoApi
let pool: FakePool
let client: FakeClient
let secrets: ClientSecrets

const AMZ = { 'content-type': 'application/x-amz-json-1.1' }
const listAnswer = (body: unknown) => ({ status: 200, headers: AMZ, body: JSON.stringify(body) })

beforeAll(async () => {
  process.env.AWS_ACCESS_KEY_ID ??= 'AKIDTESTFAKE'
  process.env.AWS_SECRET_ACCESS_KEY ??= 'fake-secret-access-key'
  fake = await new CognitoFake().start()
  api = new CognitoApi({
    region: 'eu-west-1',
    endpoint: fake.url,
    requestTimeoutMs: 2000,
    maxAttempts: 3,
    totalTimeoutMs: 10_000,
    log: () => {},
    debug: () => {}
  })
})

afterAll(async () => {
  api.destroy()
  await fake.stop()
})

beforeEach(() => {
  clearSecretsForTest()
  pool = fake.createPool()
  client = fake.addClient(pool.Id, { ClientName: 'access', GenerateSecret: true })
  secrets = new ClientSecrets(api, pool.Id, client.ClientId)
  fake.secretsPageSize = undefined
})

afterEach(() => expect(fake.pendingFaults()).toEqual([]))

test('list: every page, oldest first, ids and dates', async () => {
  const second = fake.addClientSecret(pool.Id, client.ClientId)
  fake.secretsPageSize = 1
  const listed = await secrets.list()
  const [first] = fake.clientSecrets(pool.Id, client.ClientId)
  expect(listed).toEqual([
    { id: first.ClientSecretId, created: first.ClientSecretCreateDate },
    { id: second.ClientSecretId, created: second.ClientSecretCreateDate }
  ])
  expect(
    fake.calls.filter(
      call => call.operation === 'ListUserPoolClientSecrets' && (call.body as { ClientId?: string }).ClientId === client.ClientId
    )
  ).toHaveLength(2)
  expect(describeSecret(listed[0])).toMatch(
    new RegExp(`^${first.ClientSecretId} \\(created \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ\\)$`)
  )
})

test('list: a NextToken given twice, or pages without end, stop the paging', async () => {
  fake.answerNext('ListUserPoolClientSecrets', listAnswer({ ClientSecrets: [], NextToken: 'again' }), 2)
  await expect(secrets.list()).rejects.toThrow(/ListUserPoolClientSecrets still had more pages after page 2 \(or gave a NextToken twice\)/)
  let page = 0
  fake.answerNext('ListUserPoolClientSecrets', () => listAnswer({ ClientSecrets: [], NextToken: `token-${++page}` }), MAX_SECRET_PAGES)
  await expect(secrets.list()).rejects.toThrow(`after page ${MAX_SECRET_PAGES}`)
  expect(page).toBe(MAX_SECRET_PAGES)
})

test.each<[string, unknown]>([
  ['a null item', [null]],
  ['an id that is not <client-id>--<epoch>', [{ ClientSecretId: 'x\n::stop-commands::y', ClientSecretCreateDate: 1 }]],
  ['no date', [{ ClientSecretId: 'abc--123' }]],
  ['not a list', { ClientSecretId: 'abc--123' }]
])('list: %s is refused, naming the operation and never echoing the item', async (_, items) => {
  fake.answerNext('ListUserPoolClientSecrets', listAnswer({ ClientSecrets: items }))
  const error = await secrets.list().catch((caught: Error) => caught)
  expect(String(error)).toMatch(/Cognito: ListUserPoolClientSecrets answered/)
  expect(String(error)).not.toContain('stop-commands')
})

test('add: the value is masked the moment it arrives', async () => {
  const added = await secrets.add()
  expect(added.id).toMatch(new RegExp(`^${client.ClientId}--\\d+$`))
  expect(fake.acceptsSecret(client.ClientId, added.value)).toBe(true)
  expect(redact(`value ${added.value}`)).toBe('value ***')
})

test('add: never repeated by the SDK (a second add could be a third secret)', async () => {
  fake.failNext('AddUserPoolClientSecret', 'http500')
  await expect(secrets.add()).rejects.toThrow(/AddUserPoolClientSecret failed/)
  const adds = fake.calls.filter(
    call => call.operation === 'AddUserPoolClientSecret' && (call.body as { ClientId?: string }).ClientId === client.ClientId
  )
  expect(adds.map(call => call.headers['amz-sdk-request'])).toEqual(['attempt=1; max=1'])
})

test('delete: a secret already gone counts as deleted (a retried delete whose answer was lost)', async () => {
  const added = await secrets.add()
  const [first] = fake.clientSecrets(pool.Id, client.ClientId)
  fake.failNext('DeleteUserPoolClientSecret', 'lost-response')
  await secrets.delete(first.ClientSecretId)
  expect(fake.clientSecrets(pool.Id, client.ClientId).map(secret => secret.ClientSecretId)).toEqual([added.id])
  // The last secret is Cognito's to refuse.
  await expect(secrets.delete(added.id)).rejects.toThrow(/InvalidParameterException/)
})
