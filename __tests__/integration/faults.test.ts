// Fault injection, in process: reconcile() against the fakes, every call it makes (each write and
// each read) hit by throttling, a server error and a dropped connection, and the creates and
// updates also by a timeout and a lost answer (the write is done, the answer never arrives). A
// single fault is ridden out within the run, and the retry is logged; faults that outlast every
// retry end the run cleanly (one error line saying what was done and what was not, no stack
// trace). Either way a re-run converges to exactly what a clean run makes: one app client, one
// identity provider, the same configuration. Then the surprising answers and states: Cloudflare's
// `success: false` and non-JSON bodies, a client without OAuth settings, a provider of another
// type with our name, and duplicates, which stop the run before anything is written.
// (__tests__/e2e/faults.test.ts runs a few of these through the bundle, for the runner's side:
// the exit code, the one `::error::` line, the outputs and the summary after a partial failure.)
import type { Fault } from '../support/fakes/http-fake.js'
import { expectNoFailure, runInProcess, type InProcessResult } from '../support/in-process.js'
import { ACCOUNT_ID, CALLBACK, World, type WorldOptions } from '../support/world.js'

type Service = 'cognito' | 'cloudflare'

/** A starting state in which the faulted call really happens. */
interface Scenario {
  pool?: WorldOptions['pool']
  seed?: (world: World) => void
  inputs?: Record<string, string>
}

const SCENARIOS = {
  /** A pool with a prefix domain; no client, no identity provider. */
  fresh: {},
  /** A pool without a domain, and cognito-domain set: the prefix domain is created. */
  noDomain: { pool: { id: 'eu-west-1_NoDomain1', domain: undefined }, inputs: { 'cognito-domain': 'globex-login' } },
  /** Our client, without the Cloudflare callback and scopes: it is updated. */
  staleClient: {
    seed: world => {
      world.cognito.addClient(world.pool.Id, {
        ClientName: 'Cloudflare Access',
        GenerateSecret: true,
        CallbackURLs: ['https://app.example.com/callback'],
        AllowedOAuthFlows: ['code'],
        AllowedOAuthScopes: ['openid'],
        SupportedIdentityProviders: ['COGNITO'],
        AllowedOAuthFlowsUserPoolClient: true
      })
    }
  },
  /** Our client as Cognito describes one made without OAuth: no flows, scopes or callbacks at all. */
  bareClient: {
    seed: world => {
      world.cognito.addClient(world.pool.Id, { ClientName: 'Cloudflare Access', GenerateSecret: true })
    }
  },
  /** Managed login (version 2): the new client gets a branding style. */
  managedLogin: { pool: { managedLoginVersion: 2 } },
  /** Managed login, and our client has no branding style yet. */
  managedLoginClient: { pool: { managedLoginVersion: 2 }, seed: world => void world.seedReadyClient() },
  /** Our identity provider, with stale settings: it is updated. */
  staleIdp: {
    seed: world => {
      world.cloudflare.addIdentityProvider(
        { accountId: ACCOUNT_ID },
        {
          name: 'Amazon Cognito',
          type: 'oidc',
          config: {
            client_id: 'old-client',
            client_secret: 'old-secret-value',
            auth_url: 'https://old.example.com/authorize',
            token_url: 'https://old.example.com/token',
            certs_url: 'https://old.example.com/jwks',
            scopes: ['openid']
          }
        }
      )
    }
  }
} satisfies Record<string, Scenario>

type ScenarioName = keyof typeof SCENARIOS

async function startWorld(name: ScenarioName): Promise<World> {
  const scenario: Scenario = SCENARIOS[name]
  const world = await World.start({ pool: scenario.pool })
  scenario.seed?.(world)
  return world
}

function runIn(world: World, name: ScenarioName, extra: Record<string, string> = {}): Promise<InProcessResult> {
  const scenario: Scenario = SCENARIOS[name]
  return runInProcess(world, { inputs: world.inputs({ ...scenario.inputs, ...extra }) })
}

/**
 * What a world holds, without what differs between any two worlds (ids, secrets, dates, the
 * fakes' ports): an identity provider's client id and secret show as the client they belong to.
 */
function snapshot(world: World): unknown {
  const clients = world.clients()
  const clientOf = (id: unknown) => clients.find(client => client.ClientId === id)
  return JSON.parse(
    JSON.stringify({
      domains: world.pool.domains.map(domain => ({ name: domain.Domain, version: domain.ManagedLoginVersion })),
      clients: clients.map(({ ClientId: _id, ClientSecret, CreationDate: _c, LastModifiedDate: _m, ...rest }) => ({
        ...rest,
        hasSecret: Boolean(ClientSecret)
      })),
      brandings: [...world.pool.brandings.values()].map(branding => ({
        client: clientOf(branding.ClientId)?.ClientName,
        default: branding.UseCognitoProvidedValues
      })),
      idps: world.idps().map(({ id: _id, config, ...rest }) => {
        const client = clientOf(config.client_id)
        return {
          ...rest,
          config: {
            ...config,
            client_id: client ? `<client “${client.ClientName}”>` : config.client_id,
            client_secret: client && config.client_secret === client.ClientSecret ? '<its secret>' : '<another secret>',
            certs_url: String(config.certs_url).replace(world.cognito.url, '<issuer host>')
          }
        }
      })
    })
  )
}

/** What a clean run makes of each scenario, computed once, in a world of its own. */
const references = new Map<ScenarioName, Promise<unknown>>()
function reference(name: ScenarioName): Promise<unknown> {
  let found = references.get(name)
  if (!found) {
    found = (async () => {
      const world = await startWorld(name)
      try {
        expectNoFailure(await runIn(world, name))
        return snapshot(world)
      } finally {
        await world.stop()
      }
    })()
    references.set(name, found)
  }
  return found
}

/** The run failed with an error that is a sentence (the step's one error line), and the log has no stack trace. */
function expectCleanFailure(result: InProcessResult): string {
  expect(result.error).toEqual(expect.any(String))
  expect(result.stdout).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m)
  return result.error!
}

/** A re-run finishes the job: exactly what a clean run makes, one client and one identity provider. */
async function expectConvergedAfterRerun(world: World, scenario: ScenarioName): Promise<InProcessResult> {
  const rerun = await runIn(world, scenario)
  expectNoFailure(rerun)
  expect(world.cognito.clientsNamed(world.pool.Id, 'Cloudflare Access')).toHaveLength(1)
  expect(world.idps()).toHaveLength(1)
  expect(snapshot(world)).toEqual(await reference(scenario))
  return rerun
}

function fakeOf(world: World, service: Service) {
  return service === 'cognito' ? world.cognito : world.cloudflare
}

/** The fault reached the call it was meant for, and no injected fault was left over. */
function expectFaultsHit(world: World, service: Service, operation: string, fault: Fault, times = 1): void {
  const fake = fakeOf(world, service)
  expect(fake.pendingFaults()).toEqual([])
  expect(fake.calls.filter(call => call.operation === operation && call.fault === fault)).toHaveLength(times)
}

// --- one fault per call: ridden out within the run -------------------------------------------

interface Target {
  operation: string
  service: Service
  scenario: ScenarioName
  faults: Fault[]
  /** The log line that tells the fault was met and handled. */
  logged: RegExp
}

const BASIC: Fault[] = ['throttle', 'http500', 'reset']
/** A write may be carried out although its answer never arrives. */
const WRITE: Fault[] = [...BASIC, 'timeout', 'lost-response']

const sdkRetry = (operation: string) => new RegExp(`Cognito ${operation} answered \\S+.*; the AWS SDK retries it`)
const createRetry = (what: string, operation: string) =>
  new RegExp(`Creating ${what}.* failed \\(.*${operation}.*\\); looking for it before trying again`)
const httpRetry = (method: string, path: string) =>
  new RegExp(`${method} \\S*${path} answered (HTTP \\d+|\\S+); retry 1 of \\d+ in \\d+ ms`)

const WRITES: Target[] = [
  {
    operation: 'CreateUserPoolDomain',
    service: 'cognito',
    scenario: 'noDomain',
    faults: WRITE,
    logged: createRetry('Cognito prefix domain', 'CreateUserPoolDomain')
  },
  {
    operation: 'CreateUserPoolClient',
    service: 'cognito',
    scenario: 'fresh',
    faults: WRITE,
    logged: createRetry('Cognito app client', 'CreateUserPoolClient')
  },
  {
    operation: 'UpdateUserPoolClient',
    service: 'cognito',
    scenario: 'staleClient',
    faults: [...WRITE, 'concurrent-modification'],
    logged: sdkRetry('UpdateUserPoolClient')
  },
  {
    operation: 'CreateManagedLoginBranding',
    service: 'cognito',
    scenario: 'managedLogin',
    faults: WRITE,
    logged: sdkRetry('CreateManagedLoginBranding')
  },
  {
    operation: 'createIdentityProvider',
    service: 'cloudflare',
    scenario: 'fresh',
    faults: WRITE,
    logged: createRetry('Cloudflare identity provider', 'POST accounts/…/access/identity_providers')
  },
  {
    operation: 'updateIdentityProvider',
    service: 'cloudflare',
    scenario: 'staleIdp',
    faults: WRITE,
    logged: httpRetry('PUT', '/access/identity_providers/[\\w-]+')
  }
]

const READS: Target[] = [
  { operation: 'DescribeUserPool', service: 'cognito', scenario: 'fresh', faults: BASIC, logged: sdkRetry('DescribeUserPool') },
  { operation: 'ListUserPoolClients', service: 'cognito', scenario: 'fresh', faults: BASIC, logged: sdkRetry('ListUserPoolClients') },
  {
    operation: 'DescribeUserPoolClient',
    service: 'cognito',
    scenario: 'staleClient',
    faults: BASIC,
    logged: sdkRetry('DescribeUserPoolClient')
  },
  { operation: 'DescribeUserPoolDomain', service: 'cognito', scenario: 'fresh', faults: BASIC, logged: sdkRetry('DescribeUserPoolDomain') },
  {
    operation: 'DescribeManagedLoginBrandingByClient',
    service: 'cognito',
    scenario: 'managedLoginClient',
    faults: BASIC,
    logged: sdkRetry('DescribeManagedLoginBrandingByClient')
  },
  {
    operation: 'GetOpenIdConfiguration',
    service: 'cognito',
    scenario: 'fresh',
    faults: BASIC,
    logged: httpRetry('GET', '/.well-known/openid-configuration')
  },
  { operation: 'GetJwks', service: 'cognito', scenario: 'fresh', faults: BASIC, logged: httpRetry('GET', '/.well-known/jwks.json') },
  { operation: 'Authorize', service: 'cognito', scenario: 'fresh', faults: BASIC, logged: httpRetry('GET', '/oauth2/authorize') },
  {
    operation: 'getOrganization',
    service: 'cloudflare',
    scenario: 'fresh',
    faults: BASIC,
    logged: httpRetry('GET', '/access/organizations')
  },
  {
    operation: 'listIdentityProviders',
    service: 'cloudflare',
    scenario: 'fresh',
    faults: BASIC,
    logged: httpRetry('GET', '/access/identity_providers')
  },
  {
    operation: 'getIdentityProvider',
    service: 'cloudflare',
    scenario: 'fresh',
    faults: BASIC,
    logged: httpRetry('GET', '/access/identity_providers/[\\w-]+')
  }
]

const SINGLE_FAULTS = [
  ...WRITES.map(target => ({ ...target, kind: 'write' })),
  ...READS.map(target => ({ ...target, kind: 'read' }))
].flatMap(({ faults, ...target }) => faults.map(fault => ({ ...target, fault })))

describe('one fault in any call is ridden out, logged, and the run ends as a clean run does', () => {
  test.concurrent.each(SINGLE_FAULTS)('$operation: $fault', async ({ operation, service, scenario, fault, logged, kind }) => {
    const world = await startWorld(scenario)
    try {
      fakeOf(world, service).failNext(operation, fault)
      const first = await runIn(world, scenario)
      expectNoFailure(first)
      expectFaultsHit(world, service, operation, fault)
      expect(first.stdout).toMatch(logged)
      expect(world.cognito.clientsNamed(world.pool.Id, 'Cloudflare Access')).toHaveLength(1)
      expect(world.idps()).toHaveLength(1)
      expect(snapshot(world)).toEqual(await reference(scenario))
      // After a faulted write, a re-run finds nothing left to do (a read's fault leaves no trace
      // a re-run could find: the state above is already the clean run's).
      if (kind === 'write') expect((await runIn(world, scenario)).outputs.changed).toBe('false')
    } finally {
      await world.stop()
    }
  })
})

// --- faults that outlast every retry: a clean failure, then a re-run converges ---------------

interface Persistent {
  operation: string
  service: Service
  scenario: ScenarioName
  /** Exactly the attempts the action makes: SDK 8, createOnce 4, HTTP 1 + 5 retries. */
  times: number
  /** What the one error line says: what failed, what was done, what was not. */
  error: RegExp
}

const NOTHING_WRITTEN = 'Nothing was written before the failure\\.'
const PERSISTENT: Persistent[] = [
  {
    operation: 'CreateUserPoolDomain',
    service: 'cognito',
    scenario: 'noDomain',
    times: 4,
    error: new RegExp(
      `^Cognito: CreateUserPoolDomain failed: InternalErrorException: .* ${NOTHING_WRITTEN} Not done: create Cognito prefix domain globex-login\\S+; create Cognito app client “Cloudflare Access”; create Cloudflare identity provider “Amazon Cognito”\\. Re-running`
    )
  },
  {
    operation: 'CreateUserPoolClient',
    service: 'cognito',
    scenario: 'fresh',
    times: 4,
    error: new RegExp(
      `^Cognito: CreateUserPoolClient failed: .* ${NOTHING_WRITTEN} Not done: create Cognito app client “Cloudflare Access”; create Cloudflare identity provider “Amazon Cognito”\\.`
    )
  },
  {
    operation: 'UpdateUserPoolClient',
    service: 'cognito',
    scenario: 'staleClient',
    times: 8,
    error: new RegExp(
      `^Cognito: UpdateUserPoolClient failed: .* ${NOTHING_WRITTEN} Not done: update Cognito app client “Cloudflare Access”; create Cloudflare identity provider “Amazon Cognito”\\.`
    )
  },
  {
    operation: 'CreateManagedLoginBranding',
    service: 'cognito',
    scenario: 'managedLogin',
    times: 8,
    error:
      /^Cognito: CreateManagedLoginBranding failed: .* Done before the failure: created Cognito app client “Cloudflare Access” \(\w+\)\. Not done: create Managed login branding style of the app client; create Cloudflare identity provider “Amazon Cognito”\./
  },
  {
    operation: 'createIdentityProvider',
    service: 'cloudflare',
    scenario: 'fresh',
    times: 4,
    error:
      /^Cloudflare: POST accounts\/…\/access\/identity_providers answered HTTP 500 .* Done before the failure: created Cognito app client “Cloudflare Access” \(\w+\)\. Not done: create Cloudflare identity provider “Amazon Cognito”\. Re-running the workflow finishes the job without creating anything twice\.$/
  },
  {
    operation: 'updateIdentityProvider',
    service: 'cloudflare',
    scenario: 'staleIdp',
    times: 6,
    error:
      /^Cloudflare: PUT accounts\/…\/access\/identity_providers\/[\w-]+ answered HTTP 500 .* Done before the failure: created Cognito app client “Cloudflare Access” \(\w+\)\. Not done: update Cloudflare identity provider “Amazon Cognito”\./
  },
  {
    operation: 'DescribeUserPool',
    service: 'cognito',
    scenario: 'fresh',
    times: 8,
    error: /^Cognito: DescribeUserPool failed: InternalErrorException: Internal server error\.$/
  },
  {
    operation: 'listIdentityProviders',
    service: 'cloudflare',
    scenario: 'fresh',
    times: 6,
    error:
      /^Cloudflare: GET accounts\/…\/access\/identity_providers answered HTTP 500 with a body that is not Cloudflare's JSON envelope: “500 Internal Server Error/
  },
  {
    // Checked before the first write: a JWKS that cannot be read leaves nothing created.
    operation: 'GetJwks',
    service: 'cognito',
    scenario: 'fresh',
    times: 6,
    error: new RegExp(
      `JWKS has an RS256 signing key.*HTTP 500.*Nothing was written to Cloudflare\\. ${NOTHING_WRITTEN} Not done: create Cognito app client “Cloudflare Access”; create Cloudflare identity provider “Amazon Cognito”\\.`
    )
  },
  {
    operation: 'getIdentityProvider',
    service: 'cloudflare',
    scenario: 'fresh',
    times: 6,
    error:
      /^Cloudflare: GET accounts\/…\/access\/identity_providers\/[\w-]+ answered HTTP 500 .* Done before the failure: created Cognito app client .*; created Cloudflare identity provider “Amazon Cognito” \([\w-]+\)\. Re-running/
  }
]

describe('a fault that outlasts every retry fails the run cleanly; the re-run converges', () => {
  test.concurrent.each(PERSISTENT)('$operation: http500 × $times', async ({ operation, service, scenario, times, error }) => {
    const world = await startWorld(scenario)
    try {
      fakeOf(world, service).failNext(operation, 'http500', times)
      const failed = await runIn(world, scenario)
      expect(expectCleanFailure(failed)).toMatch(error)
      expectFaultsHit(world, service, operation, 'http500', times)
      expect(world.cognito.clientsNamed(world.pool.Id, 'Cloudflare Access').length).toBeLessThanOrEqual(1)
      expect(world.idps().length).toBeLessThanOrEqual(1)
      await expectConvergedAfterRerun(world, scenario)
    } finally {
      await world.stop()
    }
  })
})

test('creates whose answers are lost leave exactly one client and one identity provider after the run', async () => {
  const world = await startWorld('noDomain')
  try {
    world.cognito.failNext('CreateUserPoolDomain', 'lost-response')
    world.cognito.failNext('CreateUserPoolClient', 'lost-response')
    world.cloudflare.failNext('createIdentityProvider', 'lost-response')
    const result = await runIn(world, 'noDomain')
    expectNoFailure(result)
    expect(world.cognito.pendingFaults()).toEqual([])
    expect(world.cloudflare.pendingFaults()).toEqual([])
    // Each create reached the service once: what it made was found and adopted, not made again.
    for (const [fake, operation] of [
      [world.cognito, 'CreateUserPoolClient'],
      [world.cognito, 'CreateUserPoolDomain'],
      [world.cloudflare, 'createIdentityProvider']
    ] as const) {
      expect(fake.calls.filter(call => call.operation === operation)).toHaveLength(1)
    }
    expect(world.clients()).toHaveLength(1)
    expect(world.idps()).toHaveLength(1)
    expect(result.stdout.match(/was created after all; adopting it/g)).toHaveLength(3)
    expect(result.outputs).toMatchObject({ 'client-id': world.clients()[0].ClientId, 'identity-provider-id': world.idps()[0].id })
    expect(snapshot(world)).toEqual(await reference('noDomain'))
  } finally {
    await world.stop()
  }
})

test('a throttled create waits as long as Cloudflare asks before it tries again', async () => {
  const world = await startWorld('fresh')
  try {
    world.cloudflare.failNext('createIdentityProvider', 'throttle')
    const result = await runIn(world, 'fresh')
    expectNoFailure(result)
    expect(result.stdout).toMatch(
      /Cloudflare identity provider “Amazon Cognito” does not exist; creating it again in 1000 ms \(attempt 2 of 4\)/
    )
    const creates = world.cloudflare.calls.filter(call => call.operation === 'createIdentityProvider')
    expect(creates).toHaveLength(2)
  } finally {
    await world.stop()
  }
})

// --- surprising answers: a clear error naming the call, or handled; a re-run converges ----------

interface Surprise {
  operation: string
  fault: Fault
  scenario: ScenarioName
  /** The error line, or undefined when the action rides it out. */
  error?: RegExp
}

const ODD = '\\(HTTP 200, success: false\\): \\[10002\\] Something odd'
const NOT_JSON = "answered HTTP 200 with a body that is not Cloudflare's JSON envelope: “upstream connect error”"
const SURPRISES: Surprise[] = [
  {
    operation: 'getOrganization',
    fault: 'success-false',
    scenario: 'fresh',
    error: new RegExp(`^Cloudflare: GET accounts/…/access/organizations failed ${ODD}$`)
  },
  {
    operation: 'listIdentityProviders',
    fault: 'success-false',
    scenario: 'fresh',
    error: new RegExp(`^Cloudflare: GET accounts/…/access/identity_providers failed ${ODD}$`)
  },
  {
    operation: 'createIdentityProvider',
    fault: 'success-false',
    scenario: 'fresh',
    error: new RegExp(
      `^Cloudflare: POST accounts/…/access/identity_providers failed ${ODD} Done before the failure: created Cognito app client`
    )
  },
  {
    operation: 'updateIdentityProvider',
    fault: 'success-false',
    scenario: 'staleIdp',
    error: new RegExp(`^Cloudflare: PUT accounts/…/access/identity_providers/[\\w-]+ failed ${ODD} Done before`)
  },
  {
    operation: 'getIdentityProvider',
    fault: 'success-false',
    scenario: 'fresh',
    error: new RegExp(`^Cloudflare: GET accounts/…/access/identity_providers/[\\w-]+ failed ${ODD} Done before`)
  },
  {
    operation: 'getOrganization',
    fault: 'non-json',
    scenario: 'fresh',
    error: new RegExp(`^Cloudflare: GET accounts/…/access/organizations ${NOT_JSON}$`)
  },
  {
    operation: 'listIdentityProviders',
    fault: 'non-json',
    scenario: 'fresh',
    error: new RegExp(`^Cloudflare: GET accounts/…/access/identity_providers ${NOT_JSON}$`)
  },
  // A 2xx without the envelope may or may not have created it: look, then create (once).
  { operation: 'createIdentityProvider', fault: 'non-json', scenario: 'fresh' },
  {
    operation: 'updateIdentityProvider',
    fault: 'non-json',
    scenario: 'staleIdp',
    error: new RegExp(`^Cloudflare: PUT accounts/…/access/identity_providers/[\\w-]+ ${NOT_JSON} Done before`)
  }
]

describe("Cloudflare's surprising answers end in a clear error naming the call, and a re-run converges", () => {
  test.concurrent.each(SURPRISES)('$operation: $fault', async ({ operation, fault, scenario, error }) => {
    const world = await startWorld(scenario)
    try {
      world.cloudflare.failNext(operation, fault)
      const first = await runIn(world, scenario)
      if (error) expect(expectCleanFailure(first)).toMatch(error)
      else expectNoFailure(first)
      expectFaultsHit(world, 'cloudflare', operation, fault)
      await expectConvergedAfterRerun(world, scenario)
    } finally {
      await world.stop()
    }
  })
})

describe('surprising states', () => {
  test('a client described without any OAuth settings gets them, and nothing else of it changes', async () => {
    const world = await startWorld('bareClient')
    try {
      const [before] = world.clients().map(client => structuredClone(client))
      expectNoFailure(await runIn(world, 'bareClient'))
      const [after] = world.clients()
      expect(after).toMatchObject({
        ClientId: before.ClientId,
        ClientSecret: before.ClientSecret,
        ExplicitAuthFlows: before.ExplicitAuthFlows,
        CallbackURLs: [CALLBACK],
        AllowedOAuthFlows: ['code'],
        AllowedOAuthScopes: ['openid', 'email', 'profile'],
        SupportedIdentityProviders: ['COGNITO'],
        AllowedOAuthFlowsUserPoolClient: true
      })
      expect(world.idps()).toHaveLength(1)
      expect(world.idps()[0].config).toMatchObject({ client_id: before.ClientId, client_secret: before.ClientSecret })
    } finally {
      await world.stop()
    }
  })

  test('an identity provider of another type with our name stops the run before anything is written', async () => {
    const world = await startWorld('fresh')
    try {
      world.cloudflare.addIdentityProvider({ accountId: ACCOUNT_ID }, { name: 'Amazon Cognito', type: 'onetimepin', config: {} })
      const error = expectCleanFailure(await runIn(world, 'fresh'))
      expect(error).toMatch(
        /has an identity provider named "Amazon Cognito" of type onetimepin, not oidc\. Choose another idp-name, or rename that provider\./
      )
      expect(world.writeAttempts()).toEqual([])

      expectNoFailure(await runIn(world, 'fresh', { 'idp-name': 'Amazon Cognito (OIDC)' }))
      expect(world.idps().map(idp => [idp.name, idp.type])).toEqual([
        ['Amazon Cognito', 'onetimepin'],
        ['Amazon Cognito (OIDC)', 'oidc']
      ])
    } finally {
      await world.stop()
    }
  })

  test('two clients with our name stop the run before anything is written, naming both and app-client-id', async () => {
    const world = await startWorld('fresh')
    try {
      world.seedReadyClient()
      world.seedReadyClient()
      const [first, second] = world.clients()
      const error = expectCleanFailure(await runIn(world, 'fresh'))
      expect(error).toContain(
        `has 2 app clients named "Cloudflare Access" (${first.ClientId}, ${second.ClientId}); set app-client-id to the one to use`
      )
      expect(world.writeAttempts()).toEqual([])

      const chosen = await runIn(world, 'fresh', { 'app-client-id': second.ClientId })
      expectNoFailure(chosen)
      expect(world.clients()).toHaveLength(2)
      expect(world.idps()[0].config.client_id).toBe(second.ClientId)
    } finally {
      await world.stop()
    }
  })

  test('two identity providers with our name stop the run before anything is written, naming both and idp-id', async () => {
    const world = await startWorld('staleIdp')
    try {
      SCENARIOS.staleIdp.seed(world)
      const [first, second] = world.idps()
      const error = expectCleanFailure(await runIn(world, 'staleIdp'))
      expect(error).toContain(
        `has 2 OIDC identity providers named "Amazon Cognito" (${first.id}, ${second.id}); set idp-id to the one to use`
      )
      expect(world.writeAttempts()).toEqual([])

      expectNoFailure(await runIn(world, 'staleIdp', { 'idp-id': first.id }))
      expect(world.clients()).toHaveLength(1)
      expect(world.cloudflare.identityProvider(first.id)?.config.client_id).toBe(world.clients()[0].ClientId)
      expect(world.cloudflare.identityProvider(second.id)?.config.client_id).toBe('old-client')
    } finally {
      await world.stop()
    }
  })
})
