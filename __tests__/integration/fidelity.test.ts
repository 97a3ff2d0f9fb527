// Behave right against the real services, whose answers differ from our first guesses; in
// process (reconcile() against the fakes). The Cloudflare fake is switched to each plausible
// answer (a secret absent, null or redacted; defaults left out; a clamped page size without
// total_pages), and the action must be right for all of them: no write on a second run, no
// setting lost on update, no unsafe or impossible adoption.
import type { SecretShown } from '../support/fakes/cloudflare.js'
import { checksOf, expectNoFailure, runInProcess, type InProcessResult } from '../support/in-process.js'
import { ACCOUNT_ID, CALLBACK, World, planOf } from '../support/world.js'

let world: World
beforeEach(async () => {
  world = await World.start()
})
afterEach(async () => {
  await world.stop()
})

const SECRET_SHOWN: SecretShown[] = ['absent', 'null', 'redacted']
const STALE_CALLBACK = 'https://oldteam.cloudflareaccess.com/cdn-cgi/access/callback'
const OWN_CALLBACK = 'https://app.example.com/callback'

function idpResource(result: InProcessResult) {
  return planOf(result).resources.find(resource => resource.kind === 'cloudflare-identity-provider') as {
    action: string
    changes: Array<{ field: string }>
    notes?: string[]
  }
}

const cloudflareWrites = () => world.cloudflare.writeAttempts().map(call => call.operation)

describe('a second apply writes nothing, whatever Cloudflare shows of what it holds', () => {
  test.each(SECRET_SHOWN)('the secret shown %s: changed=false and no write', async shown => {
    world.cloudflare.secretShown = shown
    expectNoFailure(await runInProcess(world))
    const writes = world.writeAttempts().length
    const second = await runInProcess(world)
    expectNoFailure(second)
    expect(world.writeAttempts()).toHaveLength(writes)
    expect(second.outputs.changed).toBe('false')
    expect(idpResource(second)).toMatchObject({
      action: 'no-change',
      notes: [expect.stringMatching(/^client_secret is not written: Cloudflare never shows it/)]
    })
    expect(second.report).toContain('client_secret is not written')
  })

  test('defaults left out (pkce_enabled: false, empty claims, the default email claim): read back and compared as defaults', async () => {
    world.cloudflare.omitDefaults = true
    const inputs = world.inputs({ pkce: 'false', claims: '' })
    const first = await runInProcess(world, { inputs })
    expectNoFailure(first)
    // The read-back passed although the answer had neither pkce_enabled nor claims.
    expect(checksOf(first.outcome!).find(check => check.check === 'Cloudflare kept what was sent')).toMatchObject({ status: 'pass' })
    expect(world.idps()[0].config).toMatchObject({ pkce_enabled: false, claims: [] })
    const answered = (await fetch(`${world.cloudflare.url}/client/v4/accounts/${ACCOUNT_ID}/access/identity_providers`, {
      headers: { authorization: `Bearer ${world.secrets()['cloudflare token']}` }
    }).then(response => response.json())) as { result: Array<{ config: Record<string, unknown> }> }
    expect(answered.result[0].config).not.toHaveProperty('pkce_enabled')

    const writes = world.writeAttempts().length
    const second = await runInProcess(world, { inputs })
    expectNoFailure(second)
    expect(world.writeAttempts()).toHaveLength(writes)
    expect(second.outputs.changed).toBe('false')
  })
})

test('sync-secret: true writes the secret once, and the plan, log and report say why', async () => {
  expectNoFailure(await runInProcess(world))
  const [idp] = world.idps()
  const clientSecret = world.clients()[0].ClientSecret
  idp.config.client_secret = 'set-by-hand-in-the-dashboard'
  // Nothing shows the hand-made secret: a plain run cannot see it, and does not guess.
  const plain = await runInProcess(world)
  expectNoFailure(plain)
  expect(plain.outputs.changed).toBe('false')
  expect(idp.config.client_secret).toBe('set-by-hand-in-the-dashboard')

  const cloudflareBefore = cloudflareWrites().length
  const cognitoBefore = world.cognito.writeAttempts().length
  const synced = await runInProcess(world, { inputs: world.inputs({ 'sync-secret': 'true' }) })
  expectNoFailure(synced)
  expect(cloudflareWrites().slice(cloudflareBefore)).toEqual(['updateIdentityProvider'])
  expect(world.cognito.writeAttempts()).toHaveLength(cognitoBefore)
  expect(world.idps()[0].config.client_secret).toBe(clientSecret)
  expect(synced.outputs.changed).toBe('true')
  const reason = 'client_secret is written: sync-secret is true (Cloudflare never shows the secret, so it cannot be compared).'
  expect(idpResource(synced)).toMatchObject({ action: 'update', changes: [{ field: 'config.client_secret' }], notes: [reason] })
  expect(synced.stdout).toContain(reason)
  expect(synced.report).toContain('client_secret is written: sync-secret is true')
})

describe('an update keeps what the action does not manage', () => {
  test.each<SecretShown>(['absent', 'redacted'])(
    'every scim_config flag, the SCIM secret and another config key survive (secrets shown %s)',
    async shown => {
      world.cloudflare.secretShown = shown
      expectNoFailure(await runInProcess(world))
      const [idp] = world.idps()
      const scimSecret = 'scim0123456789abcdef0123456789ab'
      const scim = {
        enabled: true,
        user_deprovision: true,
        seat_deprovision: true,
        group_member_deprovision: true,
        identity_update_behavior: 'reauth'
      }
      idp.scim_config = { ...scim, secret: scimSecret, scim_base_url: `https://acme.cloudflareaccess.com/scim/${idp.id}` }
      idp.config.prompt = 'login'
      idp.config.claims = ['sub'] // drift, so that apply updates the provider

      const result = await runInProcess(world)
      expectNoFailure(result)
      expect(cloudflareWrites().at(-1)).toBe('updateIdentityProvider')
      const stored = world.cloudflare.identityProvider(idp.id)!
      expect(stored.scim_config).toEqual({ ...scim, secret: scimSecret, scim_base_url: `https://acme.cloudflareaccess.com/scim/${idp.id}` })
      expect(stored.config).toMatchObject({ prompt: 'login', claims: ['sub', 'cognito:username', 'name', 'cognito:groups'] })
      const sent = world.cloudflare.calls.filter(call => call.operation === 'updateIdentityProvider').at(-1)!.body as Record<
        string,
        Record<string, unknown>
      >
      expect(sent.scim_config).toEqual(scim)
      expect(idpResource(result).notes).toContainEqual(
        expect.stringContaining(
          'The update keeps what the action does not manage: scim_config (enabled, user_deprovision, seat_deprovision, group_member_deprovision, identity_update_behavior'
        )
      )
      expect(checksOf(result.outcome!).find(check => check.check === 'Cloudflare kept what was sent')).toMatchObject({ status: 'pass' })
    }
  )
})

describe('what cannot work is refused in the plan, before any write to either service', () => {
  test('a read_only identity provider', async () => {
    const client = world.cognito.addClient(world.pool.Id, { ClientName: 'Cloudflare Access', GenerateSecret: true })
    const idp = world.cloudflare.addIdentityProvider(
      { accountId: ACCOUNT_ID },
      {
        name: 'Amazon Cognito',
        type: 'oidc',
        read_only: true,
        config: { client_id: 'managed-elsewhere', client_secret: 'kept-by-terraform-0123' }
      }
    )
    const result = await runInProcess(world)
    const message = result.error ?? ''
    expect(message).toContain(
      `Cloudflare identity provider ${idp.id} ("Amazon Cognito") is read-only (read_only: true): it is managed elsewhere`
    )
    expect(world.writeAttempts()).toEqual([])
    expect(world.cognito.client(world.pool.Id, client.ClientId)?.CallbackURLs).toEqual([])
    expect(result.report).toContain('is read-only')
  })

  test('an adopted machine-to-machine (client_credentials) client', async () => {
    world.pool.resourceServerScopes = ['api/read']
    const m2m = world.cognito.addClient(world.pool.Id, {
      ClientName: 'Cloudflare Access',
      GenerateSecret: true,
      AllowedOAuthFlows: ['client_credentials'],
      AllowedOAuthScopes: ['api/read'],
      AllowedOAuthFlowsUserPoolClient: true
    })
    const result = await runInProcess(world, { inputs: world.inputs({ 'app-client-id': m2m.ClientId }) })
    expect(result.error).toMatch(
      new RegExp(
        `app client ${m2m.ClientId} \\("Cloudflare Access"\\) is a machine-to-machine client .*set app-client-id to another confidential client, or remove app-client-id`
      )
    )
    expect(world.writeAttempts()).toEqual([])
    expect(world.idps()).toEqual([])
  })
})

test('ReadAttributes that lack email get it (shown in the plan), so ID tokens carry the email claim', async () => {
  const client = world.seedReadyClient()
  client.ReadAttributes = ['name', 'custom:team']
  const planned = await runInProcess(world, { inputs: world.inputs({ mode: 'plan' }) })
  expectNoFailure(planned)
  expect(planOf(planned).resources[1]).toMatchObject({ action: 'update', changes: [{ field: 'ReadAttributes' }] })
  expect(world.writeAttempts()).toEqual([])
  expectNoFailure(await runInProcess(world))
  expect(world.cognito.client(world.pool.Id, client.ClientId)?.ReadAttributes).toEqual(['name', 'custom:team', 'email'])
})

describe("other teams' Access callbacks", () => {
  function seedSharedClient() {
    const client = world.seedReadyClient()
    client.CallbackURLs = [OWN_CALLBACK, CALLBACK, STALE_CALLBACK]
    return client
  }

  test('are warned about in the plan, the log and the report, and kept by default', async () => {
    const client = seedSharedClient()
    const result = await runInProcess(world)
    expectNoFailure(result)
    expect(world.cognito.client(world.pool.Id, client.ClientId)?.CallbackURLs).toEqual([OWN_CALLBACK, CALLBACK, STALE_CALLBACK])
    expect(world.cognito.writeAttempts()).toEqual([])
    const warning = expect.stringContaining(
      `also allows the Cloudflare Access callback of the Zero Trust team “oldteam” (${STALE_CALLBACK})`
    )
    expect(result.warnings).toContainEqual(warning)
    expect(JSON.parse(result.outputs.plan).warnings).toEqual([warning])
    expect(result.report).toContain('> [!WARNING]')
    expect(result.report).toMatch(
      /Team names are released on rename: if that team was renamed or deleted, whoever registers the name can receive authorization codes/
    )
    expect(result.report).toContain('prune-callbacks: true')
  })

  test("are pruned with prune-callbacks: true, in the plan; the user's own callback stays", async () => {
    const client = seedSharedClient()
    const inputs = world.inputs({ 'prune-callbacks': 'true' })
    const planned = await runInProcess(world, { inputs: { ...inputs, mode: 'plan' } })
    expectNoFailure(planned)
    expect(planOf(planned).resources[1]).toMatchObject({
      action: 'update',
      changes: [{ field: 'CallbackURLs', before: [OWN_CALLBACK, CALLBACK, STALE_CALLBACK], after: [OWN_CALLBACK, CALLBACK] }]
    })
    expect(planned.report).toContain('<del><code>https://oldteam.cloudflareaccess.com/cdn-cgi/access/callback</code></del>')
    expect(planned.warnings).toEqual([])
    expect(world.writeAttempts()).toEqual([])

    const applied = await runInProcess(world, { inputs })
    expectNoFailure(applied)
    expect(world.cognito.client(world.pool.Id, client.ClientId)?.CallbackURLs).toEqual([OWN_CALLBACK, CALLBACK])
    expect(applied.stdout).toContain(`prune-callbacks: true removes the Access callbacks of other Zero Trust teams: ${STALE_CALLBACK}.`)
    const again = await runInProcess(world, { inputs })
    expectNoFailure(again)
    expect(again.outputs.changed).toBe('false')
  })
})

test('a provider on a late page behind a clamped page size without total_pages is found, not duplicated', async () => {
  world.cloudflare.clampPerPage = 20
  world.cloudflare.reportTotalPages = false
  for (let i = 0; i < 120; i++)
    world.cloudflare.addIdentityProvider({ accountId: ACCOUNT_ID }, { name: `Other ${i}`, type: 'onetimepin', config: {} })
  const idp = world.cloudflare.addIdentityProvider(
    { accountId: ACCOUNT_ID },
    {
      name: 'Amazon Cognito',
      type: 'oidc',
      config: { client_id: 'x', client_secret: 'old-secret-value' }
    }
  )
  const result = await runInProcess(world)
  expectNoFailure(result)
  expect(result.outputs['identity-provider-id']).toBe(idp.id)
  expect(world.idps().filter(stored => stored.name === 'Amazon Cognito')).toHaveLength(1)
  expect(cloudflareWrites()).toEqual(['updateIdentityProvider'])
  const pages = world.cloudflare.calls
    .filter(call => call.operation === 'listIdentityProviders')
    .map(call => new URL(call.path, 'http://x').searchParams.get('page'))
  expect(pages).toEqual(['1', '2', '3', '4', '5', '6', '7'])
})

test("the hosted-UI probe sends what Cloudflare's browser sends: a PKCE challenge when pkce is on, none when off", async () => {
  const probes = () =>
    world.cognito.calls.filter(call => call.operation === 'Authorize').map(call => new URL(call.path, 'http://x').searchParams)
  expectNoFailure(await runInProcess(world))
  const withPkce = probes().at(-1)!
  expect(withPkce.get('code_challenge_method')).toBe('S256')
  expect(withPkce.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/)

  expectNoFailure(await runInProcess(world, { inputs: world.inputs({ pkce: 'false' }) }))
  const withoutPkce = probes().at(-1)!
  expect(withoutPkce.has('code_challenge')).toBe(false)
  expect(withoutPkce.has('code_challenge_method')).toBe(false)
  expect(world.idps()[0].config.pkce_enabled).toBe(false)
})
