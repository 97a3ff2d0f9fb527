// Issue 13: zero-downtime rotation of the client secret, and the token endpoint check of every
// secret before Cloudflare gets it. In process (reconcile() against the fakes; the runner's side of
// a rotation is __tests__/e2e/rotation.test.ts): the Cognito fake holds at
// most two secrets per client and knows which ones its token endpoint accepts; the Cloudflare fake
// reports every identity provider it stores, so each write is judged against Cognito at that
// moment (world.secretWrites). Which secret DescribeUserPoolClient shows while two are active is
// undocumented, so the tests that reach that state run both ways. world.run checks every run for
// leaks of every secret the client ever had.
import type { DescribedSecret, FakeClient } from '../support/fakes/cognito.js'
import type { RawAnswer } from '../support/fakes/http-fake.js'
import { runInProcess } from '../support/in-process.js'
import { World } from '../support/world.js'

const ROTATE = { 'rotate-secret': 'true' }
const DAY_MS = 24 * 60 * 60 * 1000

/** One run of reconcile(), read the way a workflow reads a step: exit code, error lines, outputs, summary. */
async function run(options: { inputs?: Record<string, string> } = {}) {
  const result = await runInProcess(world, options)
  const errors = result.problems.length > 0 ? result.problems.map(p => `${p.input}: ${p.message}`) : result.error ? [result.error] : []
  return { ...result, exitCode: errors.length > 0 ? 1 : 0, errors, summary: result.report }
}
type RunResult = Awaited<ReturnType<typeof run>>

function expectSuccess(result: RunResult): void {
  if (result.exitCode !== 0) throw new Error(`the run failed: ${result.errors.join('\n')}\n${result.stdout}`)
}

function planOf(result: RunResult): {
  resources: Array<{ kind: string; action: string; id?: string; changes: Array<{ field: string }>; notes?: string[] }>
  checks: Array<{ check: string; status: string; detail: string }>
} {
  return JSON.parse(result.outputs.plan)
}
const CREDENTIALS_CHECK = "Token endpoint accepts the client's credentials"

let world: World
let client: FakeClient
beforeEach(async () => {
  world = await World.start()
})
afterEach(async () => {
  await world.stop()
})

/** A client and identity provider that already match the configuration; Cloudflare holds the client's secret. */
function seedConverged(options: { secretCreated?: Date } = {}): FakeClient {
  client = world.seedConverged(options)
  return client
}

const active = () => world.cognito.clientSecrets(world.pool.Id, client.ClientId)
const cloudflareSecret = () => world.idps()[0].config.client_secret

/** Whatever the run did, Cloudflare holds a secret Cognito accepts now, and the client has one or two. */
function expectWorkingPair(): void {
  expect(world.idps()[0].config.client_id).toBe(client.ClientId)
  expect(world.cognito.acceptsSecret(client.ClientId, cloudflareSecret())).toBe(true)
  expect(active().length).toBeGreaterThanOrEqual(1)
  expect(active().length).toBeLessThanOrEqual(2)
}

/** The end of a rotation: exactly one secret, none of `before`, and Cloudflare holds it. */
function expectRotated(before: string[]): void {
  expect(active()).toHaveLength(1)
  const [secret] = active()
  expect(before).not.toContain(secret.ClientSecretId)
  expect(cloudflareSecret()).toBe(secret.ClientSecretValue)
  expect(world.cognito.acceptsSecret(client.ClientId, secret.ClientSecretValue)).toBe(true)
}

/** Every secret Cloudflare stored was one Cognito accepted at that moment, and no add ever asked for a third secret. */
function expectSafeWrites(): void {
  expect(world.secretWrites.length).toBeGreaterThan(0)
  expect(world.secretWrites.filter(write => !write.accepted)).toEqual([])
  expect(world.cognito.errorsAnswered.filter(error => error.type === 'LimitExceededException')).toEqual([])
}

const ids = () => active().map(secret => secret.ClientSecretId)
const calls = (operation: string) => world.cognito.calls.filter(call => call.operation === operation)
const secretResource = (result: RunResult) =>
  planOf(result).resources.find(resource => resource.kind === 'cognito-client-secret') as
    { action: string; id?: string; changes: Array<{ field: string; before?: unknown; after?: unknown }>; notes?: string[] } | undefined

/** An AWS JSON error, as Cognito answers one. */
function awsError(type: string, message: string): RawAnswer {
  return {
    status: 400,
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': type },
    body: JSON.stringify({ __type: type, message })
  }
}

function failedWith(result: RunResult, text: string): string {
  expect(result.exitCode).toBe(1)
  const message = result.errors.join('\n')
  expect(message).toContain(text)
  return message
}

describe.each<DescribedSecret>(['oldest', 'newest'])('DescribeUserPoolClient shows the %s of two secrets', described => {
  beforeEach(() => {
    world.cognito.describedSecret = described
  })

  test('a rotation leaves exactly one, new, secret, Cloudflare holds it, and the report names ids, never values', async () => {
    seedConverged()
    const [old] = active()
    const result = await run({ inputs: world.inputs(ROTATE) })
    expectSuccess(result)
    expectRotated([old.ClientSecretId])
    expectSafeWrites()
    // add, write the new one; never the old one again.
    expect(world.secretWrites).toHaveLength(1)
    const [added] = active()
    expect(result.outputs.changed).toBe('true')
    expect(secretResource(result)).toMatchObject({ action: 'update', changes: [{ field: 'secret', after: 'rotate' }] })
    for (const line of [`added client secret ${added.ClientSecretId}`, `deleted client secret ${old.ClientSecretId}`]) {
      expect(result.stdout).toContain(line)
      expect(result.summary).toContain(line.replace(/_/g, '&#95;'))
    }
    expect(result.masked).toContain(added.ClientSecretValue)
    expect(calls('DeleteUserPoolClientSecret')).toHaveLength(1)

    const again = await run()
    expectSuccess(again)
    expect(again.outputs.changed).toBe('false')
    expect(active()).toEqual([added])
  })

  test('Cognito refuses the add (no IAM permission): nothing changes, and the re-run rotates', async () => {
    seedConverged()
    const before = ids()
    world.cognito.answerNext(
      'AddUserPoolClientSecret',
      awsError('AccessDeniedException', 'User is not authorized to perform: cognito-idp:AddUserPoolClientSecret')
    )
    const failed = await run({ inputs: world.inputs(ROTATE) })
    failedWith(failed, 'cognito-idp:AddUserPoolClientSecret')
    expect(ids()).toEqual(before)
    expectWorkingPair()
    expect(world.secretWrites).toEqual([])

    expectSuccess(await run({ inputs: world.inputs(ROTATE) }))
    expectRotated(before)
    expectSafeWrites()
  })

  test('an add whose answer is lost: the secret it made anyway is deleted, and the add is tried again', async () => {
    seedConverged()
    const before = ids()
    world.cognito.failNext('AddUserPoolClientSecret', 'lost-response')
    const result = await run({ inputs: world.inputs(ROTATE) })
    expectSuccess(result)
    expectRotated(before)
    expectSafeWrites()
    expect(calls('AddUserPoolClientSecret')).toHaveLength(2)
    // The orphan (value never seen) and the old secret are gone.
    expect(world.cognito.clientSecrets(world.pool.Id, client.ClientId, { deleted: true })).toHaveLength(3)
    expect(result.stdout).toContain('it was added, but its value never arrived')
  })

  test('Cloudflare refuses the write: the new secret is deleted again (rolled back), and the re-run rotates', async () => {
    seedConverged()
    const before = ids()
    world.cloudflare.answerNext('updateIdentityProvider', {
      status: 400,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        success: false,
        errors: [{ code: 12130, message: 'access.api.error.invalid_request' }],
        messages: [],
        result: null
      })
    })
    const failed = await run({ inputs: world.inputs(ROTATE) })
    const message = failedWith(failed, 'It was deleted again (rolled back)')
    expect(message).toContain(`Cognito has ${before[0]}, the secret Cloudflare holds`)
    expect(ids()).toEqual(before)
    expectWorkingPair()

    expectSuccess(await run({ inputs: world.inputs(ROTATE) }))
    expectRotated(before)
    expectSafeWrites()
  })

  test('a write with no clear answer: the old secret is written back before the new one is deleted', async () => {
    seedConverged()
    const before = ids()
    // Every attempt of the first PUT (the client retries 5 times); the write-back then goes through.
    world.cloudflare.failNext('updateIdentityProvider', 'http500', 6)
    const failed = await run({ inputs: world.inputs(ROTATE) })
    failedWith(failed, 'It was deleted again (rolled back)')
    expect(ids()).toEqual(before)
    expectWorkingPair()
    expect(cloudflareSecret()).toBe(world.cognito.clientSecrets(world.pool.Id, client.ClientId)[0].ClientSecretValue)

    expectSuccess(await run({ inputs: world.inputs(ROTATE) }))
    expectRotated(before)
    expectSafeWrites()
  })

  test('no write goes through at all: both secrets stay, and the re-run finishes without a third', async () => {
    seedConverged()
    const before = ids()
    world.cloudflare.failNext('updateIdentityProvider', 'http500', 12)
    const failed = await run({ inputs: world.inputs(ROTATE) })
    failedWith(failed, "accepts both, so Cloudflare's secret works whichever it holds")
    expect(active()).toHaveLength(2)
    expectWorkingPair()

    const addsBefore = calls('AddUserPoolClientSecret').length
    const rerun = await run({ inputs: world.inputs(ROTATE) })
    expectSuccess(rerun)
    // Cloudflare still held the older secret, which the re-run deleted first: the window is reported.
    expect(rerun.stdout).toMatch(/logins failed for at most \d+ ms, from the delete to this write/)
    expect(calls('AddUserPoolClientSecret')).toHaveLength(addsBefore)
    expectRotated(before)
    expectSafeWrites()
  })

  test('verification fails after Cloudflare got the new secret: both stay, Cloudflare holds the newer; the re-run deletes the older', async () => {
    seedConverged()
    const before = ids()
    world.cloudflare.beforeNext('updateIdentityProvider', () => {
      world.pool.jwksStatus = 503
    })
    const failed = await run({ inputs: world.inputs(ROTATE) })
    const message = failedWith(failed, 'Verification failed after Cloudflare got the new client secret')
    expect(message).toContain('Cloudflare holds the newer, which Cognito accepts')
    expect(active()).toHaveLength(2)
    expect(cloudflareSecret()).toBe(active()[1].ClientSecretValue)
    expectWorkingPair()

    world.pool.jwksStatus = undefined
    const addsBefore = calls('AddUserPoolClientSecret').length
    const rerun = await run({ inputs: world.inputs(ROTATE) })
    expectSuccess(rerun)
    expect(calls('AddUserPoolClientSecret')).toHaveLength(addsBefore)
    expect(secretResource(rerun)?.notes?.[0]).toContain('2 secrets are active: a rotation stopped before deleting the old one')
    expectRotated(before)
    expectSafeWrites()
  })

  test('the delete fails: both stay, Cloudflare holds the newer; the re-run deletes the older', async () => {
    seedConverged()
    const before = ids()
    world.cognito.answerNext(
      'DeleteUserPoolClientSecret',
      awsError('AccessDeniedException', 'User is not authorized to perform: cognito-idp:DeleteUserPoolClientSecret')
    )
    const failed = await run({ inputs: world.inputs(ROTATE) })
    failedWith(failed, 'Cloudflare holds the newer')
    expect(active()).toHaveLength(2)
    expect(cloudflareSecret()).toBe(active()[1].ClientSecretValue)
    expectWorkingPair()

    const rerun = await run({ inputs: world.inputs(ROTATE) })
    expectSuccess(rerun)
    expectRotated(before)
    expectSafeWrites()
  })

  test.each<['older' | 'newer']>([['older'], ['newer']])(
    'a run died between steps, leaving two secrets and Cloudflare with the %s: the next run finishes without adding one',
    async held => {
      seedConverged({ secretCreated: new Date(Date.now() - 3 * DAY_MS) })
      const newer = world.cognito.addClientSecret(world.pool.Id, client.ClientId)
      const [older] = active()
      world.cloudflare.identityProvider(world.idps()[0].id)!.config.client_secret = (held === 'older' ? older : newer).ClientSecretValue

      const result = await run({ inputs: world.inputs(ROTATE) })
      expectSuccess(result)
      expect(calls('AddUserPoolClientSecret')).toEqual([])
      expect(active()).toEqual([newer])
      expect(cloudflareSecret()).toBe(newer.ClientSecretValue)
      expectSafeWrites()
      expect(result.stdout).toContain(`deleted client secret ${older.ClientSecretId}`)
    }
  )

  test('a delete that leaves Cloudflare with a rejected secret is caught by the check after it, and repaired at once', async () => {
    seedConverged()
    const before = ids()
    // Cognito answers the check after the delete with invalid_client: Cloudflare's secret no longer works.
    world.cognito.beforeNext('DeleteUserPoolClientSecret', () => {
      world.cognito.answerNext('Token', {
        status: 400,
        headers: { 'content-type': 'application/json' },
        body: '{"error":"invalid_client"}'
      })
    })
    const result = await run({ inputs: world.inputs(ROTATE) })
    expectSuccess(result)
    expect(result.stdout).toMatch(/repaired: Cloudflare held a secret Cognito rejects for \d+ ms, until it got client secret /)
    expect(result.summary).toContain('repaired: Cloudflare held a secret Cognito rejects')
    expect(calls('AddUserPoolClientSecret')).toHaveLength(2)
    expectRotated(before)
    expectSafeWrites()
  })
})

test("with no identity provider yet, the rotation is Cognito's alone, and the new provider gets the new secret", async () => {
  client = world.seedReadyClient()
  const before = ids()
  const result = await run({ inputs: world.inputs(ROTATE) })
  expectSuccess(result)
  expect(world.idps()).toHaveLength(1)
  expectRotated(before)
  expectSafeWrites()
  expect(world.secretWrites).toHaveLength(1)
})

describe('a new secret that Cognito takes a moment to accept', () => {
  test('is checked again until it is accepted, then written', async () => {
    seedConverged()
    const before = ids()
    world.cognito.newSecretRejections = 2
    const result = await run({ inputs: world.inputs(ROTATE) })
    expectSuccess(result)
    expect(result.stdout).toContain("secret yet (Cognito's error `invalid_client` (HTTP 400)); checking again in 50 ms (2 of 6)")
    expectRotated(before)
    expectSafeWrites()
  })

  test('one never accepted is deleted again, and Cloudflare keeps the secret it had', async () => {
    seedConverged()
    const before = ids()
    world.cognito.newSecretRejections = 100
    const failed = await run({ inputs: world.inputs(ROTATE) })
    failedWith(failed, 'is not accepted at the token endpoint')
    expect(ids()).toEqual(before)
    expect(world.secretWrites).toEqual([])
    expectWorkingPair()
  })
})

describe('rotate-after-days', () => {
  test('rotates a secret older than the limit', async () => {
    seedConverged({ secretCreated: new Date(Date.now() - 40 * DAY_MS) })
    const before = ids()
    const planned = await run({ inputs: world.inputs({ mode: 'plan', 'rotate-after-days': '30' }) })
    expectSuccess(planned)
    expect(planned.outputs.changed).toBe('true')
    expect(secretResource(planned)?.notes?.[0]).toMatch(
      new RegExp(`^secret: rotate: the newest secret ${before[0]} \\(created [^)]+\\) is 40 days old, more than rotate-after-days \\(30\\)`)
    )

    expectSuccess(await run({ inputs: world.inputs({ 'rotate-after-days': '30' }) }))
    expectRotated(before)
    expectSafeWrites()
  })

  test('leaves a younger secret alone, and says how old it is', async () => {
    seedConverged({ secretCreated: new Date(Date.now() - 10 * DAY_MS) })
    const before = ids()
    const result = await run({ inputs: world.inputs({ 'rotate-after-days': '30' }) })
    expectSuccess(result)
    expect(result.outputs.changed).toBe('false')
    expect(secretResource(result)).toMatchObject({ action: 'no-change', changes: [] })
    expect(secretResource(result)?.notes?.[0]).toMatch(
      /^secret: kept: the secret \S+ \(created [^)]+\) is 10 days old, and rotate-after-days is 30\.$/
    )
    expect(ids()).toEqual(before)
    expect(calls('AddUserPoolClientSecret')).toEqual([])
    expect(world.cloudflare.writeAttempts()).toEqual([])
  })

  test('is checked as an input before anything is read', async () => {
    const result = await run({ inputs: world.inputs({ 'rotate-after-days': 'monthly' }) })
    failedWith(result, 'rotate-after-days: `monthly` is not a whole number of days')
    expect(world.cognito.calls).toEqual([])
  })
})

describe('plan mode', () => {
  test('shows `secret: rotate` with the reason, never a value, and writes nothing', async () => {
    seedConverged()
    const result = await run({ inputs: world.inputs({ ...ROTATE, mode: 'plan' }) })
    expectSuccess(result)
    expect(result.outputs.changed).toBe('true')
    const resource = secretResource(result)
    expect(resource).toMatchObject({
      action: 'update',
      id: ids()[0],
      changes: [{ field: 'secret', before: [expect.stringContaining(ids()[0])], after: 'rotate' }]
    })
    expect(resource?.notes?.[0]).toMatch(
      /^secret: rotate: requested \(rotate-secret: true\)\. A new secret is checked at the token endpoint/
    )
    expect(result.stdout).toContain('~ update Cognito app client secret')
    expect(result.stdout).toContain('secret: rotate: requested (rotate-secret: true)')
    expect(result.summary).toContain('secret: rotate: requested (rotate-secret: true)')
    expect(world.writeAttempts()).toEqual([])
    expect(calls('Token')).toEqual([])
    // Plan mode does not use the secret: the token endpoint check waits for apply.
    expect(planOf(result).checks.find(check => check.check === CREDENTIALS_CHECK)).toMatchObject({ status: 'skip' })
  })

  test('without the rotation inputs, the secrets are not even listed (no new IAM action needed)', async () => {
    seedConverged()
    const result = await run({ inputs: world.inputs({ mode: 'plan' }) })
    expectSuccess(result)
    expect(secretResource(result)).toBeUndefined()
    expect(calls('ListUserPoolClientSecrets')).toEqual([])
  })
})

describe('the credentials check', () => {
  test('a secret Cognito no longer accepts fails the run before anything is written to Cloudflare', async () => {
    world.seedReadyClient()
    client = world.clients()[0]
    // Someone replaces the client's secret in the console after the action has read it.
    world.cognito.beforeNext('Token', () => {
      client.ClientSecret = 'Rq7ZtK2mWx9LpV4nHc8JdF3sYb6GuE1aQo5TiN0rXk'
    })
    const result = await run()
    const message = failedWith(result, `Verification failed: ${CREDENTIALS_CHECK}: expected \`invalid_grant\` for a dummy code`)
    expect(message).toContain("found Cognito's error `invalid_client` (HTTP 400)")
    expect(message).toContain('Nothing was written to Cloudflare')
    expect(world.cloudflare.writeAttempts()).toEqual([])
    expect(result.summary).toMatch(new RegExp(`❌[^\\n]*${CREDENTIALS_CHECK.replace(/'/g, '.')}`))
  })

  test('passes for the secret that Cloudflare gets, in every apply', async () => {
    const result = await run()
    expectSuccess(result)
    expect(planOf(result).checks.find(check => check.check === CREDENTIALS_CHECK)).toMatchObject({ status: 'pass' })
    expectSafeWrites()
    const [token] = calls('Token')
    expect(token.headers.authorization).toMatch(/^Basic /)
    expect(String(token.body)).toMatch(
      /^grant_type=authorization_code&code=[0-9a-f-]{36}&redirect_uri=https%3A%2F%2Facme\.cloudflareaccess\.com/
    )
  })
})
