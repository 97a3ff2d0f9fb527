// The Cognito fake, driven by the real AWS SDK v3 client: if the SDK and the fake disagree about
// the protocol, these tests fail before any end-to-end test can be misled.
import {
  AddUserPoolClientSecretCommand,
  CognitoIdentityProviderClient,
  CognitoIdentityProviderServiceException,
  ConcurrentModificationException,
  CreateManagedLoginBrandingCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolDomainCommand,
  DescribeManagedLoginBrandingByClientCommand,
  DescribeUserPoolClientCommand,
  DescribeUserPoolCommand,
  DescribeUserPoolDomainCommand,
  DeleteUserPoolClientSecretCommand,
  InternalErrorException,
  InvalidOAuthFlowException,
  InvalidParameterException,
  LimitExceededException,
  ListUserPoolClientSecretsCommand,
  ListUserPoolClientsCommand,
  ManagedLoginBrandingExistsException,
  ResourceNotFoundException,
  ScopeDoesNotExistException,
  TooManyRequestsException,
  UpdateUserPoolClientCommand,
  type CreateUserPoolClientCommandInput,
  type UserPoolClientDescription
} from '@aws-sdk/client-cognito-identity-provider'
import { importJWK, jwtVerify, SignJWT } from 'jose'
import { CognitoFake, defaultClientSettings, type FakePool } from './cognito.js'

const credentials = { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' }
const SIGNED = { authorization: 'AWS4-HMAC-SHA256 Credential=AKIDTEST/20250101/eu-west-1/cognito-idp/aws4_request' }

let fake: CognitoFake
let sdk: CognitoIdentityProviderClient
let pool: FakePool

function newSdk(extra: Partial<ConstructorParameters<typeof CognitoIdentityProviderClient>[0]> = {}) {
  return new CognitoIdentityProviderClient({ region: 'eu-west-1', endpoint: fake.url, credentials, maxAttempts: 1, ...extra })
}

/** A request the SDK would not send (unknown fields, no signature), straight to the API. */
async function rawCall(operation: string, body: unknown, headers: Record<string, string> = SIGNED) {
  const res = await fetch(fake.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': `AWSCognitoIdentityProviderService.${operation}`,
      ...headers
    },
    body: JSON.stringify(body)
  })
  return { status: res.status, errorType: res.headers.get('x-amzn-errortype'), body: (await res.json()) as Record<string, unknown> }
}

const oauthClient = (extra: Partial<CreateUserPoolClientCommandInput> = {}): CreateUserPoolClientCommandInput => ({
  UserPoolId: pool.Id,
  ClientName: 'access',
  GenerateSecret: true,
  AllowedOAuthFlowsUserPoolClient: true,
  AllowedOAuthFlows: ['code'],
  AllowedOAuthScopes: ['openid', 'email', 'profile'],
  CallbackURLs: ['https://team.cloudflareaccess.com/cdn-cgi/access/callback'],
  SupportedIdentityProviders: ['COGNITO'],
  ...extra
})

beforeAll(async () => {
  fake = await new CognitoFake().start()
  sdk = newSdk()
})

afterAll(async () => {
  sdk.destroy()
  await fake.stop()
})

beforeEach(() => {
  pool = fake.createPool({ identityProviders: ['Okta'] })
  fake.pageSize = undefined
  fake.emptyPages = 0
  fake.domainCreatingPolls = 0
  fake.describedSecret = 'oldest'
  fake.newSecretRejections = 0
  fake.invalidClientStatus = 400
  fake.secretsPageSize = undefined
})

afterEach(() => expect(fake.pendingFaults()).toEqual([]))

describe('protocol', () => {
  test('unsigned requests are UnrecognizedClientException', async () => {
    const answer = await rawCall('DescribeUserPool', { UserPoolId: pool.Id }, {})
    expect(answer).toMatchObject({ status: 400, errorType: 'UnrecognizedClientException' })
    expect(answer.body.__type).toBe('UnrecognizedClientException')
  })

  test('unknown operations are UnknownOperationException, logged by their bare name', async () => {
    const answer = await rawCall('DeleteUserPool', { UserPoolId: pool.Id })
    expect(answer).toMatchObject({ status: 400, errorType: 'UnknownOperationException' })
    expect(fake.calls.at(-1)).toMatchObject({ operation: 'DeleteUserPool', write: true, status: 400 })
  })

  test('calls are logged with bare operation names and write flags', async () => {
    const before = fake.calls.length
    await sdk.send(new DescribeUserPoolCommand({ UserPoolId: pool.Id }))
    await sdk.send(new CreateUserPoolClientCommand({ UserPoolId: pool.Id, ClientName: 'x' }))
    const logged = fake.calls.slice(before).map(({ operation, write, status }) => ({ operation, write, status }))
    expect(logged).toEqual([
      { operation: 'DescribeUserPool', write: false, status: 200 },
      { operation: 'CreateUserPoolClient', write: true, status: 200 }
    ])
    expect(fake.calls.at(-1)?.headers['content-type']).toBe('application/x-amz-json-1.1')
  })
})

describe('user pools', () => {
  test('DescribeUserPool shows the domains and the issuer configuration', async () => {
    const seeded = fake.createPool({
      id: 'us-east-2_Abc123',
      name: 'staff',
      domain: 'staff-login',
      customDomain: 'login.example.com',
      issuerType: 'UPDATED'
    })
    const { UserPool } = await sdk.send(new DescribeUserPoolCommand({ UserPoolId: seeded.Id }))
    expect(UserPool).toMatchObject({
      Id: 'us-east-2_Abc123',
      Name: 'staff',
      Arn: 'arn:aws:cognito-idp:us-east-2:123456789012:userpool/us-east-2_Abc123',
      Domain: 'staff-login',
      CustomDomain: 'login.example.com',
      IssuerConfiguration: { Type: 'UPDATED' }
    })
    expect(UserPool?.CreationDate).toBeInstanceOf(Date)

    const bare = await sdk.send(new DescribeUserPoolCommand({ UserPoolId: pool.Id }))
    expect(bare.UserPool).not.toHaveProperty('Domain')
    expect(bare.UserPool).not.toHaveProperty('CustomDomain')
  })

  test('unknown and malformed pool ids', async () => {
    await expect(sdk.send(new DescribeUserPoolCommand({ UserPoolId: 'eu-west-1_nope' }))).rejects.toBeInstanceOf(ResourceNotFoundException)
    await expect(sdk.send(new DescribeUserPoolCommand({ UserPoolId: 'not a pool' }))).rejects.toBeInstanceOf(InvalidParameterException)
  })
})

describe('app clients', () => {
  test('create applies the defaults; describe omits empty lists and unset fields', async () => {
    const { UserPoolClient: created } = await sdk.send(
      new CreateUserPoolClientCommand({ UserPoolId: pool.Id, ClientName: 'plain', GenerateSecret: true })
    )
    expect(created?.ClientId).toMatch(/^[a-z0-9]{26}$/)
    expect(created?.ClientSecret).toMatch(/^[A-Za-z0-9]{51}$/)
    expect(created).toMatchObject({
      ClientName: 'plain',
      UserPoolId: pool.Id,
      RefreshTokenValidity: 30,
      AccessTokenValidity: 60,
      IdTokenValidity: 60,
      TokenValidityUnits: { AccessToken: 'minutes', IdToken: 'minutes', RefreshToken: 'days' },
      AuthSessionValidity: 3,
      EnableTokenRevocation: true,
      PreventUserExistenceErrors: 'ENABLED',
      AllowedOAuthFlowsUserPoolClient: false,
      ExplicitAuthFlows: ['ALLOW_REFRESH_TOKEN_AUTH', 'ALLOW_USER_SRP_AUTH', 'ALLOW_CUSTOM_AUTH']
    })
    expect(created?.CreationDate).toBeInstanceOf(Date)

    const { UserPoolClient: described } = await sdk.send(
      new DescribeUserPoolClientCommand({ UserPoolId: pool.Id, ClientId: created!.ClientId })
    )
    for (const absent of [
      'CallbackURLs',
      'LogoutURLs',
      'AllowedOAuthFlows',
      'AllowedOAuthScopes',
      'SupportedIdentityProviders',
      'ReadAttributes',
      'DefaultRedirectURI',
      'RefreshTokenRotation'
    ]) {
      expect(described).not.toHaveProperty(absent)
    }
    expect(described?.ClientSecret).toBe(created?.ClientSecret)
    // The stored client is SDK-shaped: compare it with the answer directly.
    const stored = Object.entries(fake.client(pool.Id, created!.ClientId!)!).filter(
      ([, value]) => !(Array.isArray(value) && value.length === 0)
    )
    expect(described).toEqual(Object.fromEntries(stored))
  })

  test('a client without GenerateSecret has no secret; names are not unique', async () => {
    const first = await sdk.send(new CreateUserPoolClientCommand({ UserPoolId: pool.Id, ClientName: 'twin' }))
    const second = await sdk.send(new CreateUserPoolClientCommand({ UserPoolId: pool.Id, ClientName: 'twin' }))
    expect(first.UserPoolClient?.ClientSecret).toBeUndefined()
    expect(first.UserPoolClient?.ClientId).not.toBe(second.UserPoolClient?.ClientId)
    expect(fake.clientsNamed(pool.Id, 'twin')).toHaveLength(2)
  })

  test('an OAuth client keeps what it was given', async () => {
    const { UserPoolClient } = await sdk.send(
      new CreateUserPoolClientCommand(oauthClient({ SupportedIdentityProviders: ['COGNITO', 'Okta'] }))
    )
    expect(fake.client(pool.Id, UserPoolClient!.ClientId!)).toMatchObject({
      AllowedOAuthFlows: ['code'],
      AllowedOAuthScopes: ['openid', 'email', 'profile'],
      SupportedIdentityProviders: ['COGNITO', 'Okta']
    })
  })

  test('UpdateUserPoolClient resets everything it is not sent', async () => {
    const { UserPoolClient: created } = await sdk.send(
      new CreateUserPoolClientCommand(
        oauthClient({
          LogoutURLs: ['https://example.com/bye'],
          AccessTokenValidity: 2,
          TokenValidityUnits: { AccessToken: 'hours', IdToken: 'hours', RefreshToken: 'days' },
          EnableTokenRevocation: false
        })
      )
    )
    const id = created!.ClientId
    await new Promise(resolve => setTimeout(resolve, 5))
    const { UserPoolClient: updated } = await sdk.send(
      new UpdateUserPoolClientCommand({ UserPoolId: pool.Id, ClientId: id, CallbackURLs: ['https://other.example.com/cb'] })
    )
    expect(updated).toMatchObject({
      ClientId: id,
      ClientName: 'access',
      ClientSecret: created!.ClientSecret,
      CallbackURLs: ['https://other.example.com/cb'],
      AccessTokenValidity: 60,
      TokenValidityUnits: { AccessToken: 'minutes', IdToken: 'minutes', RefreshToken: 'days' },
      EnableTokenRevocation: true,
      AllowedOAuthFlowsUserPoolClient: false
    })
    expect(updated).not.toHaveProperty('LogoutURLs')
    expect(updated).not.toHaveProperty('AllowedOAuthFlows')
    expect(updated!.LastModifiedDate!.getTime()).toBeGreaterThan(created!.LastModifiedDate!.getTime())
    expect(fake.client(pool.Id, id!)).toMatchObject({
      LogoutURLs: [],
      AllowedOAuthScopes: [],
      ...{ AuthSessionValidity: defaultClientSettings().AuthSessionValidity }
    })
  })

  test('UpdateUserPoolClient rejects the read-only fields of a described client', async () => {
    const client = fake.addClient(pool.Id, { ClientName: 'ro', GenerateSecret: true })
    for (const field of ['ClientSecret', 'ClientType', 'CreationDate', 'LastModifiedDate', 'GenerateSecret']) {
      const value = field === 'GenerateSecret' ? true : field.endsWith('Date') ? 1700000000 : 'x'
      const answer = await rawCall('UpdateUserPoolClient', { UserPoolId: pool.Id, ClientId: client.ClientId, [field]: value })
      expect(answer).toMatchObject({ status: 400, errorType: 'SerializationException' })
    }
    expect(fake.client(pool.Id, client.ClientId)?.LastModifiedDate).toBe(client.CreationDate)
  })

  test('unknown clients', async () => {
    await expect(sdk.send(new DescribeUserPoolClientCommand({ UserPoolId: pool.Id, ClientId: 'abc' }))).rejects.toBeInstanceOf(
      ResourceNotFoundException
    )
    await expect(sdk.send(new UpdateUserPoolClientCommand({ UserPoolId: pool.Id, ClientId: 'abc' }))).rejects.toBeInstanceOf(
      ResourceNotFoundException
    )
  })

  test.each<[string, Partial<CreateUserPoolClientCommandInput>, unknown]>([
    ['http callback to a public host', { CallbackURLs: ['http://example.com/cb'] }, InvalidParameterException],
    ['relative callback URL', { CallbackURLs: ['/cb'] }, InvalidParameterException],
    ['callback URL with a fragment', { CallbackURLs: ['https://example.com/cb#x'] }, InvalidParameterException],
    ['101 callback URLs', { CallbackURLs: Array.from({ length: 101 }, (_, i) => `https://example.com/${i}`) }, InvalidParameterException],
    ['OAuth on without flows', { AllowedOAuthFlows: [] }, InvalidParameterException],
    ['OAuth on without scopes', { AllowedOAuthScopes: [] }, InvalidParameterException],
    ['code flow without callback URLs', { CallbackURLs: [] }, InvalidOAuthFlowException],
    ['unknown scope', { AllowedOAuthScopes: ['openid', 'admin'] }, ScopeDoesNotExistException],
    ['email without openid', { AllowedOAuthScopes: ['email'] }, InvalidParameterException],
    ['unknown identity provider', { SupportedIdentityProviders: ['COGNITO', 'Google'] }, InvalidParameterException],
    ['unknown OAuth flow', { AllowedOAuthFlows: ['token' as 'code'] }, InvalidParameterException],
    ['client_credentials with code', { AllowedOAuthFlows: ['code', 'client_credentials'] }, InvalidOAuthFlowException],
    ['default redirect not a callback', { DefaultRedirectURI: 'https://elsewhere.example.com' }, InvalidParameterException],
    ['access token valid 2 days', { AccessTokenValidity: 2, TokenValidityUnits: { AccessToken: 'days' } }, InvalidParameterException],
    ['access token 60 without units (hours)', { AccessTokenValidity: 60 }, InvalidParameterException],
    ['missing name', { ClientName: undefined }, InvalidParameterException]
  ])('create rejects %s', async (_, change, error) => {
    await expect(sdk.send(new CreateUserPoolClientCommand(oauthClient(change)))).rejects.toBeInstanceOf(error)
    await expect(sdk.send(new CreateUserPoolClientCommand(oauthClient(change)))).rejects.toBeInstanceOf(
      CognitoIdentityProviderServiceException
    )
    expect(pool.clients.size).toBe(0)
  })

  test('client_credentials: accepted alone (with a secret and resource server scopes), refused beside code', async () => {
    pool.resourceServerScopes = ['api/read']
    const m2m = {
      ...oauthClient({ AllowedOAuthFlows: ['client_credentials'], AllowedOAuthScopes: ['api/read'], CallbackURLs: [] }),
      GenerateSecret: true
    }
    const created = await sdk.send(new CreateUserPoolClientCommand(m2m))
    expect(created.UserPoolClient?.AllowedOAuthFlows).toEqual(['client_credentials'])
    const mixed = new UpdateUserPoolClientCommand({
      UserPoolId: pool.Id,
      ClientId: created.UserPoolClient!.ClientId,
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthFlows: ['client_credentials', 'code'],
      AllowedOAuthScopes: ['api/read'],
      CallbackURLs: ['https://acme.cloudflareaccess.com/cdn-cgi/access/callback']
    })
    await expect(sdk.send(mixed)).rejects.toBeInstanceOf(InvalidOAuthFlowException)
    expect(pool.clients.get(created.UserPoolClient!.ClientId!)?.AllowedOAuthFlows).toEqual(['client_credentials'])
  })

  test.each([['http://localhost:8080/cb'], ['http://127.0.0.1/cb'], ['myapp://callback']])('create accepts callback %s', async url => {
    await sdk.send(new CreateUserPoolClientCommand(oauthClient({ CallbackURLs: [url], DefaultRedirectURI: url })))
    expect(pool.clients.size).toBe(1)
  })

  test('update validates like create', async () => {
    const client = fake.addClient(pool.Id, { ClientName: 'v' })
    const update = new UpdateUserPoolClientCommand({
      UserPoolId: pool.Id,
      ClientId: client.ClientId,
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthFlows: ['code'],
      AllowedOAuthScopes: ['openid']
    })
    await expect(sdk.send(update)).rejects.toBeInstanceOf(InvalidOAuthFlowException)
  })
})

describe('ListUserPoolClients', () => {
  async function listAll(maxResults?: number) {
    const clients: UserPoolClientDescription[] = []
    let pages = 0
    let token: string | undefined
    do {
      const page = await sdk.send(new ListUserPoolClientsCommand({ UserPoolId: pool.Id, MaxResults: maxResults, NextToken: token }))
      clients.push(...(page.UserPoolClients ?? []))
      token = page.NextToken
      pages++
    } while (token)
    return { clients, pages }
  }

  test('pages by pageSize, with empty pages carrying a NextToken, until NextToken is absent', async () => {
    for (let i = 0; i < 5; i++) fake.addClient(pool.Id, { ClientName: `c${i}` })
    fake.pageSize = 2
    fake.emptyPages = 2

    const first = await sdk.send(new ListUserPoolClientsCommand({ UserPoolId: pool.Id, MaxResults: 60 }))
    expect(first.UserPoolClients).toEqual([])
    expect(first.NextToken).toBeDefined()

    const { clients, pages } = await listAll(60)
    expect(clients.map(client => client.ClientName)).toEqual(['c0', 'c1', 'c2', 'c3', 'c4'])
    expect(clients[0]).toEqual({ ClientId: expect.any(String), ClientName: 'c0', UserPoolId: pool.Id })
    expect(pages).toBe(5) // empty, [c0 c1], empty, [c2 c3], [c4]
  })

  test('MaxResults bounds the page too', async () => {
    for (let i = 0; i < 3; i++) fake.addClient(pool.Id, { ClientName: `c${i}` })
    expect(await listAll(1)).toMatchObject({ pages: 3 })
    const all = await sdk.send(new ListUserPoolClientsCommand({ UserPoolId: pool.Id }))
    expect(all.NextToken).toBeUndefined()
    expect(all.UserPoolClients).toHaveLength(3)
  })

  test('invalid MaxResults and NextToken', async () => {
    for (const MaxResults of [0, 61]) {
      await expect(sdk.send(new ListUserPoolClientsCommand({ UserPoolId: pool.Id, MaxResults }))).rejects.toBeInstanceOf(
        InvalidParameterException
      )
    }
    await expect(sdk.send(new ListUserPoolClientsCommand({ UserPoolId: pool.Id, NextToken: 'garbage' }))).rejects.toBeInstanceOf(
      InvalidParameterException
    )
    await expect(sdk.send(new ListUserPoolClientsCommand({ UserPoolId: 'eu-west-1_none' }))).rejects.toBeInstanceOf(
      ResourceNotFoundException
    )
  })
})

describe('domains', () => {
  test('create, describe, and show on the pool', async () => {
    const domain = `login-${pool.Id.slice(-9).toLowerCase()}`
    const created = await sdk.send(new CreateUserPoolDomainCommand({ UserPoolId: pool.Id, Domain: domain, ManagedLoginVersion: 2 }))
    expect(created).toMatchObject({ ManagedLoginVersion: 2, CloudFrontDomain: expect.stringMatching(/cloudfront\.net$/) })
    const { DomainDescription } = await sdk.send(new DescribeUserPoolDomainCommand({ Domain: domain }))
    expect(DomainDescription).toMatchObject({
      UserPoolId: pool.Id,
      Domain: domain,
      Status: 'ACTIVE',
      ManagedLoginVersion: 2,
      Version: expect.any(String),
      CloudFrontDistribution: created.CloudFrontDomain
    })
    const { UserPool } = await sdk.send(new DescribeUserPoolCommand({ UserPoolId: pool.Id }))
    expect(UserPool?.Domain).toBe(domain)
  })

  test('an unknown domain is an empty description, not an error', async () => {
    const answer = await sdk.send(new DescribeUserPoolDomainCommand({ Domain: 'nobody-has-this' }))
    expect(answer.DomainDescription).toEqual({})
  })

  test('prefixes are globally unique, one per pool, and validated', async () => {
    const other = fake.createPool({ domain: 'taken-prefix' })
    expect(other.prefixDomain?.Domain).toBe('taken-prefix')
    const create = (Domain: string, UserPoolId = pool.Id) => sdk.send(new CreateUserPoolDomainCommand({ UserPoolId, Domain }))
    await expect(create('taken-prefix')).rejects.toThrow('Domain already associated with another user pool.')
    await expect(create('taken-prefix')).rejects.toBeInstanceOf(InvalidParameterException)
    for (const bad of ['My-Login', '-x', 'x-', 'my-aws-login', 'amazonish', 'cognito-pool', 'a'.repeat(64)]) {
      await expect(create(bad)).rejects.toBeInstanceOf(InvalidParameterException)
    }
    await expect(create('second-prefix', other.Id)).rejects.toBeInstanceOf(InvalidParameterException)
    await expect(create('free-prefix', 'eu-west-1_none')).rejects.toBeInstanceOf(ResourceNotFoundException)
  })

  test('a custom domain needs a us-east-1 certificate', async () => {
    const create = (CertificateArn: string) =>
      sdk.send(
        new CreateUserPoolDomainCommand({
          UserPoolId: pool.Id,
          Domain: `auth.${pool.Id.slice(-9).toLowerCase()}.example.com`,
          CustomDomainConfig: { CertificateArn }
        })
      )
    await expect(create('arn:aws:acm:eu-west-1:123456789012:certificate/abc')).rejects.toBeInstanceOf(InvalidParameterException)
    await create('arn:aws:acm:us-east-1:123456789012:certificate/abc')
    expect(pool.customDomain?.CustomDomainConfig).toEqual({ CertificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/abc' })
  })

  test('activateAfterPolls and domainCreatingPolls', async () => {
    const describe = async (Domain: string) => (await sdk.send(new DescribeUserPoolDomainCommand({ Domain }))).DomainDescription?.Status
    fake.createPool({ domain: 'slow-prefix' })
    fake.activateAfterPolls('slow-prefix', 2)
    expect([await describe('slow-prefix'), await describe('slow-prefix'), await describe('slow-prefix')]).toEqual([
      'CREATING',
      'CREATING',
      'ACTIVE'
    ])

    fake.domainCreatingPolls = 1
    const domain = `new-${pool.Id.slice(-9).toLowerCase()}`
    await sdk.send(new CreateUserPoolDomainCommand({ UserPoolId: pool.Id, Domain: domain }))
    expect([await describe(domain), await describe(domain)]).toEqual(['CREATING', 'ACTIVE'])
  })
})

describe('managed login branding', () => {
  test('create once per client, then describe', async () => {
    const client = fake.addClient(pool.Id, { ClientName: 'b' })
    const input = { UserPoolId: pool.Id, ClientId: client.ClientId }
    await expect(sdk.send(new DescribeManagedLoginBrandingByClientCommand(input))).rejects.toBeInstanceOf(ResourceNotFoundException)
    const created = await sdk.send(new CreateManagedLoginBrandingCommand({ ...input, UseCognitoProvidedValues: true }))
    expect(created.ManagedLoginBranding).toMatchObject({ UserPoolId: pool.Id, UseCognitoProvidedValues: true, Assets: [] })
    expect(created.ManagedLoginBranding?.CreationDate).toBeInstanceOf(Date)
    const described = await sdk.send(new DescribeManagedLoginBrandingByClientCommand(input))
    expect(described.ManagedLoginBranding?.ManagedLoginBrandingId).toBe(created.ManagedLoginBranding?.ManagedLoginBrandingId)
    await expect(sdk.send(new CreateManagedLoginBrandingCommand(input))).rejects.toBeInstanceOf(ManagedLoginBrandingExistsException)
  })

  test('settings round-trip as a document', async () => {
    const client = fake.addClient(pool.Id, { ClientName: 'b' })
    const Settings = { components: { pageBackground: { lightMode: { color: 'ffffffff' } } } }
    await sdk.send(new CreateManagedLoginBrandingCommand({ UserPoolId: pool.Id, ClientId: client.ClientId, Settings }))
    const described = await sdk.send(new DescribeManagedLoginBrandingByClientCommand({ UserPoolId: pool.Id, ClientId: client.ClientId }))
    expect(described.ManagedLoginBranding).toMatchObject({ UseCognitoProvidedValues: false, Settings })
    await expect(sdk.send(new CreateManagedLoginBrandingCommand({ UserPoolId: pool.Id, ClientId: 'nosuchclient' }))).rejects.toBeInstanceOf(
      ResourceNotFoundException
    )
  })
})

describe('injected faults', () => {
  const create = () => new CreateUserPoolClientCommand({ UserPoolId: pool.Id, ClientName: 'faulty' })

  test.each([
    ['http500', InternalErrorException, 500],
    ['throttle', TooManyRequestsException, 400],
    ['concurrent-modification', ConcurrentModificationException, 400]
  ] as const)('%s maps to the SDK exception', async (fault, exception, status) => {
    fake.failNext('CreateUserPoolClient', fault)
    const error = await sdk.send(create()).catch(e => e)
    expect(error).toBeInstanceOf(exception)
    expect(error.$metadata.httpStatusCode).toBe(status)
    expect(pool.clients.size).toBe(0)
    await sdk.send(create())
    expect(pool.clients.size).toBe(1)
  })

  test('reset drops the connection before anything is done', async () => {
    fake.failNext('CreateUserPoolClient', 'reset')
    await expect(sdk.send(create())).rejects.toThrow()
    expect(pool.clients.size).toBe(0)
  })

  test.each([
    ['requestTimeout + throwOnRequestTimeout', { requestTimeout: 300, throwOnRequestTimeout: true }],
    ['socketTimeout', { socketTimeout: 300 }]
  ])('timeout holds the request until the client gives up (%s)', async (_, requestHandler) => {
    const impatient = newSdk({ requestHandler })
    fake.failNext('DescribeUserPool', 'timeout')
    const started = Date.now()
    await expect(impatient.send(new DescribeUserPoolCommand({ UserPoolId: pool.Id }))).rejects.toMatchObject({ name: 'TimeoutError' })
    expect(Date.now() - started).toBeLessThan(2000)
    impatient.destroy()
  })

  // A trap for the action itself: with this @smithy/node-http-handler, requestTimeout alone only warns.
  test('requestTimeout without throwOnRequestTimeout does not end a held request', async () => {
    const warnings: unknown[] = []
    const logger = { debug() {}, info() {}, warn: (message: unknown) => warnings.push(message), error() {} }
    const impatient = newSdk({ requestHandler: { requestTimeout: 300, logger } })
    fake.failNext('DescribeUserPool', 'timeout')
    const pending = impatient.send(new DescribeUserPoolCommand({ UserPoolId: pool.Id })).then(
      () => 'answered',
      () => 'failed'
    )
    const first = await Promise.race([pending, new Promise(resolve => setTimeout(() => resolve('still waiting'), 600))])
    expect(first).toBe('still waiting')
    expect(String(warnings[0])).toContain('requestTimeout')
    impatient.destroy() // destroys the agent's sockets, so the held request fails now
    expect(await pending).toBe('failed')
  })

  test('lost-response performs the create but the client sees an error', async () => {
    fake.failNext('CreateUserPoolClient', 'lost-response')
    await expect(sdk.send(create())).rejects.toThrow()
    expect(fake.clientsNamed(pool.Id, 'faulty')).toHaveLength(1)
    expect(fake.calls.at(-1)).toMatchObject({ operation: 'CreateUserPoolClient', fault: 'lost-response', status: 200 })
  })
})

describe('issuer', () => {
  const get = async (path: string) => {
    const res = await fetch(`${fake.url}${path}`)
    return { status: res.status, body: (await res.json()) as Record<string, any> }
  }

  test('discovery document names the hosted domain and the JWKS', async () => {
    const seeded = fake.createPool({ id: 'eu-west-1_Disco1', domain: 'disco-login' })
    const { status, body } = await get(`/${seeded.Id}/.well-known/openid-configuration`)
    expect(status).toBe(200)
    const issuer = `${fake.url}/eu-west-1_Disco1`
    expect(body).toMatchObject({
      issuer,
      authorization_endpoint: 'https://disco-login.auth.eu-west-1.amazoncognito.com/oauth2/authorize',
      token_endpoint: 'https://disco-login.auth.eu-west-1.amazoncognito.com/oauth2/token',
      userinfo_endpoint: 'https://disco-login.auth.eu-west-1.amazoncognito.com/oauth2/userInfo',
      end_session_endpoint: 'https://disco-login.auth.eu-west-1.amazoncognito.com/logout',
      jwks_uri: `${issuer}/.well-known/jwks.json`,
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['RS256'],
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post']
    })
    expect(fake.calls.at(-1)).toMatchObject({ operation: 'GetOpenIdConfiguration', write: false, status: 200 })

    fake.createPool({ id: 'eu-west-1_Custom1', domain: 'custom-one', customDomain: 'auth.example.org' })
    expect((await get('/eu-west-1_Custom1/.well-known/openid-configuration')).body.authorization_endpoint).toBe(
      'https://auth.example.org/oauth2/authorize'
    )
  })

  test('JWKS keys are real RSA keys that verify tokens signed with the fake keys', async () => {
    const { status, body } = await get(`/${pool.Id}/.well-known/jwks.json`)
    expect(status).toBe(200)
    expect(body.keys).toHaveLength(2)
    expect(fake.calls.at(-1)).toMatchObject({ operation: 'GetJwks', write: false })
    const [jwk] = body.keys
    expect(jwk).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig', kid: fake.signingKeys[0].kid, e: 'AQAB' })
    const publicKey = await importJWK(jwk, 'RS256')
    const token = await new SignJWT({ sub: 'u' }).setProtectedHeader({ alg: 'RS256', kid: jwk.kid }).sign(fake.signingKeys[0].privateKey)
    await expect(jwtVerify(token, publicKey)).resolves.toMatchObject({ payload: { sub: 'u' } })
  })

  test('knobs break the documents; unknown pools are 404', async () => {
    pool.discoveryOverrides = { jwks_uri: 'https://wrong.example.com/jwks.json', token_endpoint: undefined }
    const discovery = (await get(`/${pool.Id}/.well-known/openid-configuration`)).body
    expect(discovery.jwks_uri).toBe('https://wrong.example.com/jwks.json')
    expect(discovery).not.toHaveProperty('token_endpoint')

    pool.jwks = { keys: [{ kty: 'EC', crv: 'P-256', x: 'x', y: 'y' }] }
    expect((await get(`/${pool.Id}/.well-known/jwks.json`)).body.keys[0].kty).toBe('EC')
    pool.jwksStatus = 404
    expect((await get(`/${pool.Id}/.well-known/jwks.json`)).status).toBe(404)

    expect(await get('/eu-west-1_nothing/.well-known/openid-configuration')).toEqual({
      status: 404,
      body: { message: 'User pool eu-west-1_nothing does not exist.' }
    })
  })

  test('faults on the issuer are plain HTTP errors', async () => {
    fake.failNext('GetJwks', 'http500')
    expect((await get(`/${pool.Id}/.well-known/jwks.json`)).status).toBe(500)
    fake.failNext('GetOpenIdConfiguration', 'throttle')
    expect((await get(`/${pool.Id}/.well-known/openid-configuration`)).status).toBe(429)
  })
})

describe('hosted UI', () => {
  const callback = 'https://team.cloudflareaccess.com/cdn-cgi/access/callback'
  /** RFC 7636 appendix B's challenge. */
  const S256_CHALLENGE = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM'

  async function authorize(params: Record<string, string>) {
    const res = await fetch(`${fake.url}/oauth2/authorize?${new URLSearchParams(params)}`, { redirect: 'manual' })
    return { status: res.status, location: res.headers.get('location') ?? '', text: await res.text() }
  }

  function seed(version: 1 | 2 = 1) {
    const seeded = fake.createPool({ domain: `ui-${Math.random().toString(36).slice(2, 10)}`, managedLoginVersion: version })
    const client = fake.addClient(seeded.Id, {
      ClientName: 'ui',
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthFlows: ['code'],
      AllowedOAuthScopes: ['openid', 'email'],
      CallbackURLs: [callback],
      SupportedIdentityProviders: ['COGNITO']
    })
    const params = {
      response_type: 'code',
      client_id: client.ClientId,
      redirect_uri: callback,
      scope: 'openid email',
      state: 's1',
      code_challenge: S256_CHALLENGE,
      code_challenge_method: 'S256'
    }
    return { seeded, client, params }
  }

  test('a good request goes on to the login page', async () => {
    const { params } = seed()
    const answer = await authorize(params)
    expect(answer.status).toBe(302)
    const location = new URL(answer.location, fake.url)
    expect(location.pathname).toBe('/login')
    expect(Object.fromEntries(location.searchParams)).toEqual(params)
    expect(fake.calls.at(-1)).toMatchObject({ operation: 'Authorize', write: false, status: 302 })
    const login = await fetch(new URL(answer.location, fake.url))
    expect(login.status).toBe(200)
    expect(login.headers.get('content-type')).toMatch(/text\/html/)
  })

  test('errors, in Cognito order', async () => {
    const { params, client } = seed()
    expect((await authorize({ ...params, client_id: 'unknownclient' })).location).toMatch(
      /^\/error\?error=invalid_request&error_description=/
    )
    expect((await authorize({ ...params, redirect_uri: 'https://evil.example.com' })).location).toBe(
      `/error?error=redirect_mismatch&client_id=${client.ClientId}`
    )
    expect((await authorize({ ...params, response_type: 'token' })).location).toBe(
      `/error?error=unauthorized_client&client_id=${client.ClientId}`
    )
    expect((await authorize({ ...params, scope: 'openid phone' })).location).toBe(`${callback}?error=invalid_scope&state=s1`)
    client.AllowedOAuthFlowsUserPoolClient = false
    expect((await authorize(params)).location).toMatch(/^\/error\?error=unauthorized_client/)
  })

  test('PKCE is optional; when sent, only S256 with a well-formed challenge goes on, like Cognito', async () => {
    const { params } = seed()
    const { code_challenge: _challenge, code_challenge_method: _method, ...plain } = params
    expect(new URL((await authorize(plain)).location, fake.url).pathname).toBe('/login')
    const refused = async (change: Record<string, string>, drop: string[] = []) => {
      const query: Record<string, string> = { ...params, ...change }
      for (const key of drop) delete query[key]
      const location = new URL((await authorize(query)).location)
      return [location.origin + location.pathname, location.searchParams.get('error'), location.searchParams.get('error_description')]
    }
    expect(await refused({ code_challenge_method: 'plain' })).toEqual([callback, 'invalid_request', 'code_challenge_method must be S256'])
    expect(await refused({}, ['code_challenge_method'])).toEqual([callback, 'invalid_request', 'code_challenge_method must be S256'])
    expect(await refused({}, ['code_challenge'])).toEqual([
      callback,
      'invalid_request',
      'code_challenge is required with code_challenge_method'
    ])
    expect(await refused({ code_challenge: 'abc' })).toEqual([callback, 'invalid_request', 'code_challenge is not an S256 challenge'])
  })

  test('managed login v2 needs a branding style for the client', async () => {
    const { seeded, client, params } = seed(2)
    const unbranded = await authorize(params)
    expect(unbranded.status).toBe(400)
    expect(unbranded.text).toContain('Login pages unavailable')
    fake.addBranding(seeded.Id, client.ClientId)
    expect((await authorize(params)).status).toBe(302)
  })
})

test('beforeNext runs a change once, when the next call of the operation arrives and before it is answered', async () => {
  const changes: string[] = []
  fake.beforeNext('DescribeUserPool', call => {
    changes.push(call.operation)
    pool.Name = 'renamed before the answer'
  })
  expect((await sdk.send(new DescribeUserPoolCommand({ UserPoolId: pool.Id }))).UserPool?.Name).toBe('renamed before the answer')
  pool.Name = 'again'
  expect((await sdk.send(new DescribeUserPoolCommand({ UserPoolId: pool.Id }))).UserPool?.Name).toBe('again')
  expect(changes).toEqual(['DescribeUserPool'])
})

describe('client secrets', () => {
  async function confidentialClient() {
    const created = await sdk.send(new CreateUserPoolClientCommand(oauthClient()))
    return created.UserPoolClient!
  }
  const list = async (clientId: string, NextToken?: string) =>
    sdk.send(new ListUserPoolClientSecretsCommand({ UserPoolId: pool.Id, ClientId: clientId, NextToken }))

  test('a new client has one secret, listed by id and date without its value', async () => {
    const client = await confidentialClient()
    const listed = await list(client.ClientId!)
    expect(listed.ClientSecrets).toEqual([
      { ClientSecretId: expect.stringMatching(new RegExp(`^${client.ClientId}--\\d+$`)), ClientSecretCreateDate: expect.any(Date) }
    ])
    expect(listed.NextToken).toBeUndefined()
    const [stored] = fake.clientSecrets(pool.Id, client.ClientId!)
    expect(stored.ClientSecretValue).toBe(client.ClientSecret)
    expect(Number(stored.ClientSecretId.split('--')[1])).toBe(stored.ClientSecretCreateDate.getTime() / 1000)
  })

  test('add shows the new value once; two at most (LimitExceededException); the last cannot be deleted', async () => {
    const client = await confidentialClient()
    const added = await sdk.send(new AddUserPoolClientSecretCommand({ UserPoolId: pool.Id, ClientId: client.ClientId }))
    const descriptor = added.ClientSecretDescriptor!
    expect(descriptor.ClientSecretValue).toMatch(/^[A-Za-z0-9]{51}$/)
    expect(descriptor.ClientSecretCreateDate!.getTime()).toBeGreaterThan(
      fake.clientSecrets(pool.Id, client.ClientId!)[0].ClientSecretCreateDate.getTime()
    )
    await expect(sdk.send(new AddUserPoolClientSecretCommand({ UserPoolId: pool.Id, ClientId: client.ClientId }))).rejects.toBeInstanceOf(
      LimitExceededException
    )
    expect(fake.errorsAnswered.at(-1)).toEqual({ operation: 'AddUserPoolClientSecret', type: 'LimitExceededException' })

    const [first, second] = (await list(client.ClientId!)).ClientSecrets!
    expect(second.ClientSecretId).toBe(descriptor.ClientSecretId)
    await sdk.send(
      new DeleteUserPoolClientSecretCommand({ UserPoolId: pool.Id, ClientId: client.ClientId, ClientSecretId: first.ClientSecretId })
    )
    expect((await list(client.ClientId!)).ClientSecrets!.map(secret => secret.ClientSecretId)).toEqual([second.ClientSecretId])
    await expect(
      sdk.send(
        new DeleteUserPoolClientSecretCommand({ UserPoolId: pool.Id, ClientId: client.ClientId, ClientSecretId: second.ClientSecretId })
      )
    ).rejects.toBeInstanceOf(InvalidParameterException)
    await expect(
      sdk.send(
        new DeleteUserPoolClientSecretCommand({ UserPoolId: pool.Id, ClientId: client.ClientId, ClientSecretId: first.ClientSecretId })
      )
    ).rejects.toBeInstanceOf(ResourceNotFoundException)
    // A deleted secret is kept for the leak check.
    expect(fake.clientSecrets(pool.Id, client.ClientId!, { deleted: true })).toHaveLength(2)
  })

  test('a secret the caller chooses is not shown back; a public client gets none', async () => {
    const client = await confidentialClient()
    const chosen = 'Kx7Rq2Vm9Lt4Np8Hs3Jd6Fb1Yc5Ga0UeWz'
    const added = await sdk.send(
      new AddUserPoolClientSecretCommand({ UserPoolId: pool.Id, ClientId: client.ClientId, ClientSecret: chosen })
    )
    expect(added.ClientSecretDescriptor).not.toHaveProperty('ClientSecretValue')
    expect(fake.acceptsSecret(client.ClientId!, chosen)).toBe(true)
    const publicClient = fake.addClient(pool.Id, { ClientName: 'spa' })
    await expect(
      sdk.send(new AddUserPoolClientSecretCommand({ UserPoolId: pool.Id, ClientId: publicClient.ClientId }))
    ).rejects.toBeInstanceOf(InvalidParameterException)
    expect((await list(publicClient.ClientId)).ClientSecrets).toEqual([])
  })

  test('ListUserPoolClientSecrets pages with a NextToken when secretsPageSize asks', async () => {
    const client = await confidentialClient()
    fake.addClientSecret(pool.Id, client.ClientId!)
    fake.secretsPageSize = 1
    const first = await list(client.ClientId!)
    expect(first.ClientSecrets).toHaveLength(1)
    expect(first.NextToken).toEqual(expect.any(String))
    const second = await list(client.ClientId!, first.NextToken)
    expect(second.ClientSecrets).toHaveLength(1)
    expect(second.NextToken).toBeUndefined()
    expect(second.ClientSecrets![0].ClientSecretId).not.toBe(first.ClientSecrets![0].ClientSecretId)
    await expect(list(client.ClientId!, 'forged')).rejects.toBeInstanceOf(InvalidParameterException)
  })

  test.each(['oldest', 'newest'] as const)('with two secrets, DescribeUserPoolClient shows the %s', async which => {
    fake.describedSecret = which
    const client = await confidentialClient()
    const [older] = fake.clientSecrets(pool.Id, client.ClientId!)
    const newer = fake.addClientSecret(pool.Id, client.ClientId!)
    const described = await sdk.send(new DescribeUserPoolClientCommand({ UserPoolId: pool.Id, ClientId: client.ClientId }))
    expect(described.UserPoolClient?.ClientSecret).toBe((which === 'oldest' ? older : newer).ClientSecretValue)
  })
})

describe('token endpoint', () => {
  const callback = 'https://team.cloudflareaccess.com/cdn-cgi/access/callback'

  async function token(clientId: string, secret: string | undefined, form: Record<string, string> = {}) {
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' }
    if (secret !== undefined) headers.authorization = `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`
    const body = new URLSearchParams({ grant_type: 'authorization_code', code: crypto.randomUUID(), redirect_uri: callback, ...form })
    const res = await fetch(`${fake.url}/oauth2/token`, { method: 'POST', headers, body })
    return { status: res.status, body: (await res.json()) as { error?: string }, authenticate: res.headers.get('www-authenticate') }
  }

  async function client() {
    return (await sdk.send(new CreateUserPoolClientCommand(oauthClient()))).UserPoolClient!
  }

  test('the client is authenticated first: a wrong secret is invalid_client, a right one with a dummy code invalid_grant', async () => {
    const { ClientId, ClientSecret } = await client()
    expect(await token(ClientId!, ClientSecret)).toMatchObject({ status: 400, body: { error: 'invalid_grant' } })
    expect(await token(ClientId!, 'WrongSecretValue0123456789')).toMatchObject({ status: 400, body: { error: 'invalid_client' } })
    expect(await token('unknownclient', 'x')).toMatchObject({ status: 400, body: { error: 'invalid_client' } })
    expect(await token(ClientId!, undefined, { client_id: ClientId!, client_secret: ClientSecret! })).toMatchObject({
      body: { error: 'invalid_grant' }
    })
    expect(await token(ClientId!, undefined, { client_id: ClientId! })).toMatchObject({ body: { error: 'invalid_client' } })
    expect(await token(ClientId!, ClientSecret, { grant_type: 'password' })).toMatchObject({ body: { error: 'unsupported_grant_type' } })
    expect(fake.calls.at(-1)).toMatchObject({ operation: 'Token', write: false })
  })

  test('both active secrets are accepted, a deleted one no longer', async () => {
    const { ClientId, ClientSecret } = await client()
    const newer = fake.addClientSecret(pool.Id, ClientId!)
    expect((await token(ClientId!, ClientSecret)).body.error).toBe('invalid_grant')
    expect((await token(ClientId!, newer.ClientSecretValue)).body.error).toBe('invalid_grant')
    const [older] = fake.clientSecrets(pool.Id, ClientId!)
    await sdk.send(new DeleteUserPoolClientSecretCommand({ UserPoolId: pool.Id, ClientId, ClientSecretId: older.ClientSecretId }))
    expect((await token(ClientId!, ClientSecret)).body.error).toBe('invalid_client')
    expect(fake.acceptsSecret(ClientId!, ClientSecret)).toBe(false)
  })

  test('newSecretRejections: a new secret is refused that many times, then accepted', async () => {
    const { ClientId } = await client()
    fake.newSecretRejections = 2
    const added = await sdk.send(new AddUserPoolClientSecretCommand({ UserPoolId: pool.Id, ClientId }))
    const value = added.ClientSecretDescriptor!.ClientSecretValue!
    expect(fake.acceptsSecret(ClientId!, value)).toBe(false)
    expect((await token(ClientId!, value)).body.error).toBe('invalid_client')
    expect((await token(ClientId!, value)).body.error).toBe('invalid_client')
    expect((await token(ClientId!, value)).body.error).toBe('invalid_grant')
    expect(fake.acceptsSecret(ClientId!, value)).toBe(true)
  })

  test('invalidClientStatus 401 answers as RFC 6749 allows for HTTP Basic; a client without the code grant is unauthorized_client', async () => {
    const { ClientId, ClientSecret } = await client()
    fake.invalidClientStatus = 401
    expect(await token(ClientId!, 'WrongSecretValue0123456789')).toEqual({
      status: 401,
      body: { error: 'invalid_client' },
      authenticate: expect.stringMatching(/^Basic/)
    })
    fake.client(pool.Id, ClientId!)!.AllowedOAuthFlows = ['implicit']
    expect((await token(ClientId!, ClientSecret)).body.error).toBe('unauthorized_client')
  })
})
