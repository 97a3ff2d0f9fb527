// Observe sends every read as soon as what it needs is known. The stubs answer in waves, as a
// network would: every call made while a wave is out is answered together, and what the answers
// lead to goes out in the next wave. No clock: the test counts waves, not milliseconds.
import type { CognitoApi } from '../src/cognito/api.js'
import type { CloudflareApi } from '../src/cloudflare/api.js'
import type { HttpClient, HttpRequest } from '../src/http.js'
import { observe } from '../src/observe.js'
import { convergedClient, convergedIdp, POOL_ID, settingsWith } from './support/builders.js'

class Waves {
  wave = 1
  readonly calls: Array<[number, string]> = []
  private pending: Array<() => void> = []
  private scheduled = false

  /** A remote call: answered with the rest of its wave. */
  call<T>(name: string, answer: () => T): Promise<T> {
    this.calls.push([this.wave, name])
    return new Promise<T>((resolve, reject) => {
      this.pending.push(() => {
        try {
          resolve(answer())
        } catch (error) {
          reject(error)
        }
      })
      if (!this.scheduled) {
        this.scheduled = true
        setImmediate(() => this.answerWave())
      }
    })
  }

  /** A call whose answer nobody waits for here (a prefetch). */
  record(name: string): void {
    this.calls.push([this.wave, name])
  }

  wavesOf(name: RegExp): number[] {
    return this.calls.filter(([, call]) => name.test(call)).map(([wave]) => wave)
  }

  private answerWave(): void {
    this.scheduled = false
    const batch = this.pending.splice(0)
    this.wave++
    for (const answer of batch) answer()
  }
}

function services(waves: Waves, pool: Record<string, unknown> = {}) {
  const cognito = {
    describeUserPool: () => waves.call('DescribeUserPool', () => ({ Id: POOL_ID, Domain: 'acme', ...pool })),
    findClientIdsByName: () => waves.call('ListUserPoolClients', () => ['client0001']),
    describeClient: () => waves.call('DescribeUserPoolClient', () => convergedClient()),
    describeDomain: () =>
      waves.call('DescribeUserPoolDomain', () => ({ UserPoolId: POOL_ID, Domain: 'acme', Status: 'ACTIVE', ManagedLoginVersion: 1 })),
    hasBranding: () => waves.call('DescribeManagedLoginBrandingByClient', () => true)
  } as unknown as CognitoApi
  const cloudflare = {
    scopeLabel: 'accounts/x',
    getOrganization: () => waves.call('getOrganization', () => ({ auth_domain: 'acme.cloudflareaccess.com' })),
    listIdentityProviders: () => waves.call('listIdentityProviders', () => [convergedIdp()]),
    getIdentityProvider: () => waves.call('getIdentityProvider', () => convergedIdp())
  } as unknown as CloudflareApi
  const http = {
    prefetch: (request: HttpRequest) => waves.record(`prefetch ${request.url}`),
    request: (request: HttpRequest) =>
      waves.call(`GET ${request.url.replace(/\?.*/, '')}`, () => ({ status: 302, headers: { location: '/login' }, text: '' }))
  } as unknown as HttpClient
  return { cognito, cloudflare, http }
}

const ISSUER = `https://cognito-idp.eu-west-1.amazonaws.com/${POOL_ID}`

test('found by name: two waves, the documents in the first, the probe beside the describe in the second', async () => {
  const waves = new Waves()
  const observed = await observe(settingsWith(), services(waves))
  expect(observed.client?.ClientId).toBe('client0001')
  expect(await observed.hostedUiProbe).toMatchObject({ status: 'pass' })
  expect(waves.calls).toEqual(
    expect.arrayContaining([
      [1, `prefetch ${ISSUER}/.well-known/openid-configuration`],
      [1, `prefetch ${ISSUER}/.well-known/jwks.json`],
      [1, 'DescribeUserPool'],
      [1, 'ListUserPoolClients'],
      [1, 'getOrganization'],
      [1, 'listIdentityProviders'],
      [2, 'DescribeUserPoolClient'],
      [2, 'DescribeUserPoolDomain'],
      [2, 'GET https://acme.auth.eu-west-1.amazoncognito.com/oauth2/authorize']
    ])
  )
  expect(Math.max(...waves.calls.map(([wave]) => wave))).toBe(2)
  expect(waves.calls).toHaveLength(9)
})

test('with app-client-id and idp-id: the client and provider in the first wave, still two waves', async () => {
  const waves = new Waves()
  await observe(settingsWith({ 'app-client-id': 'client0001', 'idp-id': convergedIdp().id, 'team-name': 'acme' }), services(waves))
  expect(waves.wavesOf(/^(DescribeUserPool|DescribeUserPoolClient|getIdentityProvider|prefetch .*)$/)).toEqual([1, 1, 1, 1, 1])
  expect(waves.wavesOf(/^(DescribeUserPoolDomain|GET .*)$/)).toEqual([2, 2])
  expect(waves.wavesOf(/ListUserPoolClients|listIdentityProviders|getOrganization/)).toEqual([])
})

test('an UPDATED issuer lives on another host: its documents are fetched once the pool says so', async () => {
  const waves = new Waves()
  const observed = await observe(settingsWith(), services(waves, { IssuerConfiguration: { Type: 'UPDATED' } }))
  const updated = `https://issuer-cognito-idp.eu-west-1.amazonaws.com/${POOL_ID}`
  expect(observed.issuer).toBe(updated)
  expect(waves.wavesOf(/^prefetch https:\/\/cognito-idp\./)).toEqual([1, 1])
  expect(waves.calls).toEqual(
    expect.arrayContaining([
      [2, `prefetch ${updated}/.well-known/openid-configuration`],
      [2, `prefetch ${updated}/.well-known/jwks.json`]
    ])
  )
})

test('verify: false fetches no document and sends no probe', async () => {
  const waves = new Waves()
  const observed = await observe(settingsWith({ verify: 'false' }), services(waves))
  expect(observed.hostedUiProbe).toBeUndefined()
  expect(waves.wavesOf(/prefetch|GET/)).toEqual([])
})

test('no client yet, or a domain still to create: nothing to probe', async () => {
  const noClient = new Waves()
  const stubbed = services(noClient)
  ;(stubbed.cognito as unknown as { findClientIdsByName: () => Promise<string[]> }).findClientIdsByName = () =>
    noClient.call('ListUserPoolClients', () => [])
  expect(await (await observe(settingsWith(), stubbed)).hostedUiProbe).toBeUndefined()

  const noDomain = new Waves()
  const bare = services(noDomain, { Domain: undefined })
  ;(bare.cognito as unknown as { describeDomain: () => Promise<undefined> }).describeDomain = () =>
    noDomain.call('DescribeUserPoolDomain', () => undefined)
  expect(await (await observe(settingsWith({ 'cognito-domain': 'globex' }), bare)).hostedUiProbe).toBeUndefined()
  expect(noDomain.wavesOf(/GET/)).toEqual([])
})
