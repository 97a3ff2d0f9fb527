import { buildPlan, countActions, describePlan, hasChanges, planJson } from '../src/plan.js'
import { CALLBACK, convergedClient, convergedIdp, freshObserved, observed, settingsWith } from './support/fixtures.js'

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
    { field: 'config.token_url', before: 'https://old.example.com/oauth2/token', after: 'https://acme.auth.eu-west-1.amazoncognito.com/oauth2/token' }
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
    '  = no-change Cloudflare identity provider “Amazon Cognito” (11111111-2222-3333-4444-555555555555)'
  ])
  expect(describePlan(buildPlan(settings, observed()))[0]).toBe('Plan: no changes.')
})
