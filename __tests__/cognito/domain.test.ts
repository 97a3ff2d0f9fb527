import { chooseDomain, issuerUrl, waitForActiveDomain } from '../../src/cognito/domain.js'

const region = 'eu-west-1'

test('the custom domain wins, then the prefix domain', () => {
  expect(chooseDomain({ Id: 'p', Domain: 'acme', CustomDomain: 'login.acme.com' }, undefined, region)).toEqual({
    name: 'login.acme.com',
    kind: 'custom',
    hostname: 'login.acme.com',
    exists: true
  })
  expect(chooseDomain({ Id: 'p', Domain: 'acme' }, undefined, region)).toEqual({
    name: 'acme',
    kind: 'prefix',
    hostname: 'acme.auth.eu-west-1.amazoncognito.com',
    exists: true
  })
})

test('a wanted prefix is created when the pool has none', () => {
  expect(chooseDomain({ Id: 'p' }, 'acme-login', region)).toMatchObject({ name: 'acme-login', exists: false })
  expect(chooseDomain({ Id: 'p', CustomDomain: 'login.acme.com' }, 'acme-login', region)).toMatchObject({ kind: 'prefix', exists: false })
})

test('impossible domain wishes are errors naming cognito-domain', () => {
  expect(() => chooseDomain({ Id: 'p' }, undefined, region)).toThrow(/cognito-domain: .* has no domain/)
  expect(() => chooseDomain({ Id: 'p', Domain: 'other' }, 'acme', region)).toThrow(/already has the prefix domain `other`/)
  expect(() => chooseDomain({ Id: 'p' }, 'login.acme.com', region)).toThrow(/not a custom domain/)
})

test('the issuer follows IssuerConfiguration, or the endpoint override', () => {
  expect(issuerUrl({ Id: 'eu-west-1_X' }, region)).toBe('https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_X')
  expect(issuerUrl({ Id: 'eu-west-1_X', IssuerConfiguration: { Type: 'UPDATED' } }, region)).toBe(
    'https://issuer-cognito-idp.eu-west-1.amazonaws.com/eu-west-1_X'
  )
  expect(issuerUrl({ Id: 'eu-west-1_X' }, region, 'http://127.0.0.1:1234')).toBe('http://127.0.0.1:1234/eu-west-1_X')
})

test('waiting for a domain polls until ACTIVE, and gives up within its bound', async () => {
  const statuses = ['CREATING', 'CREATING', 'ACTIVE']
  const log: string[] = []
  await waitForActiveDomain('x.example', {
    describeStatus: async () => statuses.shift(),
    pollMs: 1,
    maxWaitMs: 1000,
    log: m => log.push(m)
  })
  expect(log).toHaveLength(2)
  await expect(
    waitForActiveDomain('x.example', { describeStatus: async () => 'CREATING', pollMs: 5, maxWaitMs: 20, log: () => {} })
  ).rejects.toThrow(/not ACTIVE.*re-run/)
})
