import { accessCallbackTeam, otherTeamCallbacks, otherTeamWarning } from '../../src/cognito/callbacks.js'

test('an Access callback is exactly https://<team>.cloudflareaccess.com/cdn-cgi/access/callback', () => {
  expect(accessCallbackTeam('https://acme.cloudflareaccess.com/cdn-cgi/access/callback')).toBe('acme')
  expect(accessCallbackTeam('https://ACME-Staging.cloudflareaccess.com/cdn-cgi/access/callback')).toBe('acme-staging')
  for (const notOne of [
    'http://acme.cloudflareaccess.com/cdn-cgi/access/callback',
    'https://acme.cloudflareaccess.com/cdn-cgi/access/callback?x=1',
    'https://acme.cloudflareaccess.com:8443/cdn-cgi/access/callback',
    'https://acme.cloudflareaccess.com/cdn-cgi/access/other',
    'https://a.b.cloudflareaccess.com/cdn-cgi/access/callback',
    'https://acme.cloudflareaccess.com.evil.example/cdn-cgi/access/callback',
    'https://app.example.com/callback',
    'myapp://callback',
    'not a url'
  ]) {
    expect(accessCallbackTeam(notOne)).toBeUndefined()
  }
})

test("only other teams' callbacks are picked, in the client's order; every other URL is left alone", () => {
  const urls = [
    'https://app.example.com/callback',
    'https://old.cloudflareaccess.com/cdn-cgi/access/callback',
    'https://acme.cloudflareaccess.com/cdn-cgi/access/callback',
    'https://staging.cloudflareaccess.com/cdn-cgi/access/callback'
  ]
  expect(otherTeamCallbacks(urls, 'ACME')).toEqual([
    { url: urls[1], team: 'old' },
    { url: urls[3], team: 'staging' }
  ])
  expect(otherTeamCallbacks(undefined, 'acme')).toEqual([])
})

test('the warning says why it matters and what to do', () => {
  const warning = otherTeamWarning('client1', { url: 'https://old.cloudflareaccess.com/cdn-cgi/access/callback', team: 'old' })
  expect(warning).toMatch(/^App client client1 also allows the Cloudflare Access callback of the Zero Trust team “old”/)
  expect(warning).toContain('Team names are released on rename')
  expect(warning).toContain('two organizations (production and staging, say) may share one client')
  expect(warning).toContain('set prune-callbacks: true to remove it')
})
