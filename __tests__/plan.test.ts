import { buildPlan, countActions, describePlan, hasChanges, planJson } from '../src/plan.js'
import { CALLBACK, convergedClient, convergedIdp, freshObserved, observed, settingsWith } from './support/builders.js'

const settings = settingsWith()

function actions(plan: ReturnType<typeof buildPlan>) {
  return Object.fromEntries(plan.resources.map(resource => [resource.kind, resource.action]))
}

test('a fresh pool and account: create domain, client and identity provider', () => {
  const plan = buildPlan(settings, freshObserved())
  expect(actions(plan)).toEqual({
    'cognito-domain': 'create',
    'cognito-app-client': 'create',
    'cloudflare-identity-provider': 'create'
  })
  expect(plan.steps.createDomain).toBe('acme')
  expect('create' in plan.steps.client).toBe(true)
  const idp = plan.resources[2]
  expect(idp.changes).toContainEqual({ field: 'config.client_id', after: '(known after apply)' })
  expect(idp.changes).toContainEqual({ field: 'config.client_secret', after: '(sensitive)' })
  expect(countActions(plan)).toEqual({ create: 3, update: 0, 'no-change': 0 })
})

test('a converged setup plans no change', () => {
  const plan = buildPlan(settings, observed())
  expect(hasChanges(plan)).toBe(false)
  expect(plan.steps.client).toEqual({ keep: 'client0001' })
  expect(plan.steps.identityProvider.action).toBe('no-change')
})

test('drift: a missing callback updates the client only', () => {
  const plan = buildPlan(settings, observed({ client: convergedClient({ CallbackURLs: ['https://other.example.com/cb'] }) }))
  expect(actions(plan)).toMatchObject({ 'cognito-app-client': 'update', 'cloudflare-identity-provider': 'no-change' })
  expect(plan.resources[1].changes).toEqual([
    { field: 'CallbackURLs', before: ['https://other.example.com/cb'], after: ['https://other.example.com/cb', CALLBACK] }
  ])
})

test('drift: a stale URL, another client id, changed claims update the identity provider', () => {
  const stale = buildPlan(settings, observed({ identityProvider: convergedIdp({ token_url: 'https://old.example.com/oauth2/token' }) }))
  expect(stale.resources[2].changes).toEqual([
    {
      field: 'config.token_url',
      before: 'https://old.example.com/oauth2/token',
      after: 'https://acme.auth.eu-west-1.amazoncognito.com/oauth2/token'
    }
  ])
  const otherClient = buildPlan(settings, observed({ identityProvider: convergedIdp({ client_id: 'oldclient' }) }))
  expect(otherClient.resources[2].changes.map(change => change.field)).toEqual(['config.client_id', 'config.client_secret'])
  const claims = buildPlan(settings, observed({ identityProvider: convergedIdp({ claims: ['sub'] }) }))
  expect(claims.resources[2].changes).toEqual([
    { field: 'config.claims', before: ['sub'], after: ['sub', 'cognito:username', 'name', 'cognito:groups'] }
  ])
})

test('lists in another order are not drift', () => {
  const plan = buildPlan(settings, observed({ identityProvider: convergedIdp({ scopes: ['profile', 'openid', 'email'] }) }))
  expect(hasChanges(plan)).toBe(false)
})

test('managed login: a client without a branding style gets the default one', () => {
  const v2 = { name: 'acme', kind: 'prefix' as const, hostname: 'h', exists: true, status: 'ACTIVE', managedLoginVersion: 2 }
  const plan = buildPlan(settings, observed({ domain: v2, hasBranding: false }))
  expect(actions(plan)['managed-login-branding']).toBe('create')
  expect(plan.steps.createBranding).toBe(true)
  const branded = buildPlan(settings, observed({ domain: v2, hasBranding: true }))
  expect(actions(branded)['managed-login-branding']).toBe('no-change')
})

test('the plan JSON holds no secret', () => {
  const json = planJson(buildPlan(settings, observed({ identityProvider: convergedIdp({ client_id: 'oldclient' }) })))
  expect(json).not.toContain('client-secret-for-unit-tests')
  expect(json).not.toContain('cf-token-for-unit-tests')
  expect(JSON.parse(json)).toMatchObject({ mode: 'apply', changed: true })
})

test('the plan in the log: one line per resource, with the fields that change', () => {
  const lines = describePlan(buildPlan(settings, observed({ client: convergedClient({ CallbackURLs: [] }) })))
  expect(lines).toEqual([
    'Plan: 0 to create, 1 to change, 2 unchanged.',
    '  = no-change Cognito prefix domain acme.auth.eu-west-1.amazoncognito.com (acme)',
    '  ~ update Cognito app client “Cloudflare Access” (client0001): CallbackURLs',
    '  = no-change Cloudflare identity provider “Amazon Cognito” (11111111-2222-3333-4444-555555555555)',
    '      client_secret is not written: Cloudflare never shows it, so it cannot be compared, and the client id is the same and the client has no new secret. ' +
      'To repair a secret changed in the dashboard, run once with sync-secret: true.'
  ])
  expect(describePlan(buildPlan(settings, observed()))[0]).toBe('Plan: no changes.')
})

describe('the client secret is write-only', () => {
  const idpPlan = (plan: ReturnType<typeof buildPlan>) => plan.resources.find(resource => resource.kind === 'cloudflare-identity-provider')!

  test.each([
    ['absent', undefined],
    ['null', null],
    ['empty', ''],
    ['redacted', '**********'],
    ['a few asterisks', '***']
  ])('shown %s, it is unknown, not different: no change', (_, secret) => {
    const plan = buildPlan(settings, observed({ identityProvider: convergedIdp({ client_secret: secret }) }))
    expect(hasChanges(plan)).toBe(false)
    expect(idpPlan(plan).notes?.[0]).toMatch(/^client_secret is not written: Cloudflare never shows it/)
  })

  test('written for a new provider, another client id, a client created this run, or sync-secret; the plan says why', () => {
    const reasons = [
      buildPlan(settings, observed({ identityProvider: undefined })),
      buildPlan(settings, observed({ identityProvider: convergedIdp({ client_id: 'oldclient' }) })),
      buildPlan(settings, observed({ client: undefined })),
      buildPlan(settingsWith({ 'sync-secret': 'true' }), observed())
    ].map(plan => [
      idpPlan(plan).action,
      idpPlan(plan).changes.some(change => change.field === 'config.client_secret'),
      idpPlan(plan).notes?.[0]
    ])
    expect(reasons).toEqual([
      ['create', true, 'client_secret is written: the identity provider is new.'],
      ['update', true, "client_secret is written: the client id changes, and the new client's secret goes with it."],
      ['update', true, "client_secret is written: the client id changes, and the new client's secret goes with it."],
      ['update', true, 'client_secret is written: sync-secret is true (Cloudflare never shows the secret, so it cannot be compared).']
    ])
  })

  test('an update for another reason carries the secret, and says so', () => {
    const plan = buildPlan(settings, observed({ identityProvider: convergedIdp({ claims: ['sub'] }) }))
    expect(idpPlan(plan).changes.map(change => change.field)).toEqual(['config.claims'])
    expect(idpPlan(plan).notes?.[0]).toMatch(
      /^client_secret is not compared \(Cloudflare never shows it\): the client id is the same and the client has no new secret\. The update carries the app client's current secret, because a PUT replaces the whole provider\.$/
    )
  })
})

describe('absent means default', () => {
  test('a provider that leaves out pkce_enabled false, empty claims and the default email claim matches', () => {
    const terse = convergedIdp({ pkce_enabled: undefined, claims: undefined, email_claim_name: undefined })
    expect(hasChanges(buildPlan(settingsWith({ pkce: 'false', claims: '' }), observed({ identityProvider: terse })))).toBe(false)
    const nulls = convergedIdp({ pkce_enabled: null, claims: null, email_claim_name: null })
    expect(hasChanges(buildPlan(settingsWith({ pkce: 'false', claims: '' }), observed({ identityProvider: nulls })))).toBe(false)
  })

  test('absent is the default, not anything: an absent pkce_enabled differs from pkce: true', () => {
    const plan = buildPlan(settings, observed({ identityProvider: convergedIdp({ pkce_enabled: undefined }) }))
    expect(plan.resources[2].changes).toEqual([{ field: 'config.pkce_enabled', before: undefined, after: true }])
  })
})

describe('keep what the action does not manage', () => {
  const scim = {
    enabled: true,
    user_deprovision: true,
    seat_deprovision: false,
    group_member_deprovision: true,
    identity_update_behavior: 'reauth',
    secret: '**********',
    scim_base_url: 'https://acme.cloudflareaccess.com/scim/x'
  }

  test("an update carries the SCIM flags and unmanaged config keys, never the SCIM secret, its URL or Cloudflare's redirect_url", () => {
    const idp = {
      ...convergedIdp({ claims: ['sub'], prompt: 'login', redirect_url: 'https://acme.cloudflareaccess.com/cdn-cgi/access/callback' }),
      scim_config: scim
    }
    const plan = buildPlan(settings, observed({ identityProvider: idp }))
    expect(plan.steps.identityProvider.kept).toEqual({
      config: { prompt: 'login' },
      scimConfig: {
        enabled: true,
        user_deprovision: true,
        seat_deprovision: false,
        group_member_deprovision: true,
        identity_update_behavior: 'reauth'
      }
    })
    expect(plan.resources[2].notes).toContain(
      'The update keeps what the action does not manage: scim_config (enabled, user_deprovision, group_member_deprovision, identity_update_behavior; Cloudflare keeps its SCIM secret); config.prompt.'
    )
  })

  test('a read_only provider that would change is refused in the plan, naming it; one that matches is left alone', () => {
    const readOnly = { ...convergedIdp({ claims: ['sub'] }), read_only: true }
    expect(() => buildPlan(settings, observed({ identityProvider: readOnly }))).toThrow(
      /^Cloudflare identity provider 11111111-2222-3333-4444-555555555555 \("Amazon Cognito"\) is read-only \(read_only: true\): it is managed elsewhere, .*config\.claims/
    )
    expect(hasChanges(buildPlan(settings, observed({ identityProvider: { ...convergedIdp(), read_only: true } })))).toBe(false)
  })
})

describe('what cannot work is refused, what is missing is added', () => {
  test('an adopted machine-to-machine client is refused before any write', () => {
    const m2m = convergedClient({ AllowedOAuthFlows: ['client_credentials'], AllowedOAuthScopes: ['api/read'] })
    expect(() => buildPlan(settings, observed({ client: m2m }))).toThrow(
      /is a machine-to-machine client \(OAuth flow client_credentials\).*set app-client-id to another confidential client/
    )
  })

  test('ReadAttributes that lack email get it, in the plan, when email-claim-name is email', () => {
    const plan = buildPlan(settings, observed({ client: convergedClient({ ReadAttributes: ['name'] }) }))
    expect(plan.resources[1].changes).toEqual([{ field: 'ReadAttributes', before: ['name'], after: ['name', 'email'] }])
    expect(plan.resources[1].notes).toEqual([expect.stringMatching(/^ReadAttributes gains email/)])
    expect((plan.steps.client as { update: { ReadAttributes: string[] } }).update.ReadAttributes).toEqual(['name', 'email'])
    // Unset ReadAttributes mean every attribute; another email claim is the user's business.
    expect(hasChanges(buildPlan(settings, observed({ client: convergedClient({ ReadAttributes: undefined }) })))).toBe(false)
    expect(
      hasChanges(
        buildPlan(
          settingsWith({ 'email-claim-name': 'mail' }),
          observed({
            client: convergedClient({ ReadAttributes: ['name'] }),
            identityProvider: convergedIdp({ email_claim_name: 'mail' })
          })
        )
      )
    ).toBe(false)
  })
})

describe("other teams' Access callbacks", () => {
  const stale = 'https://oldteam.cloudflareaccess.com/cdn-cgi/access/callback'
  const mine = 'https://app.example.com/callback'
  const client = convergedClient({ CallbackURLs: [mine, CALLBACK, stale], DefaultRedirectURI: stale })

  test('are warned about and kept by default', () => {
    const plan = buildPlan(settings, observed({ client }))
    expect(hasChanges(plan)).toBe(false)
    expect(plan.warnings).toEqual([expect.stringContaining(`the Zero Trust team “oldteam” (${stale})`)])
    expect(plan.warnings[0]).toContain('whoever registers the name can receive authorization codes for this user pool')
    expect(plan.warnings[0]).toContain('set prune-callbacks: true')
    expect(JSON.parse(planJson(plan)).warnings).toEqual(plan.warnings)
  })

  test('are removed with prune-callbacks, in the plan, with the default redirect that pointed at one; every other URL stays', () => {
    const plan = buildPlan(settingsWith({ 'prune-callbacks': 'true' }), observed({ client }))
    expect(plan.warnings).toEqual([])
    expect(plan.resources[1].changes).toEqual([
      { field: 'CallbackURLs', before: [mine, CALLBACK, stale], after: [mine, CALLBACK] },
      { field: 'DefaultRedirectURI', before: stale }
    ])
    expect(plan.resources[1].notes).toEqual([`prune-callbacks: true removes the Access callbacks of other Zero Trust teams: ${stale}.`])
    const request = (plan.steps.client as unknown as { update: Record<string, unknown> }).update
    expect(request.CallbackURLs).toEqual([mine, CALLBACK])
    expect(request).not.toHaveProperty('DefaultRedirectURI')
  })
})
