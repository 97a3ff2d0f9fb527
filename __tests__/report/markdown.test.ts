import { buildPlan } from '../../src/plan.js'
import { escapeMarkdown, renderReport, type ReportContext } from '../../src/report/markdown.js'
import { convergedClient, convergedIdp, freshObserved, observed, settingsWith } from '../support/fixtures.js'

const context: ReportContext = {
  instance: 'accounts/0123 “Amazon Cognito”',
  userPoolId: 'eu-west-1_AbC123xyZ',
  sha: 'abcdef0123456789abcdef0123456789abcdef01',
  runUrl: 'https://github.com/acme/infra/actions/runs/42',
  modeReason: 'mode: auto on a pull_request event'
}
const render = (o = observed(), inputs: Record<string, string> = {}) => renderReport(buildPlan(settingsWith(inputs), o), context)

test('fresh pool: the verdict counts creations, and each resource has its row', () => {
  const text = render(freshObserved())
  expect(text).toContain('**Plan: 3 to create.**')
  expect(text).toMatch(/\| ➕ \| Cognito prefix domain .* \| create \|/)
  expect(text).toMatch(/\| ➕ \| Cloudflare identity provider .* \| create \|/)
  expect(text).toContain('<details>')
  expect(text).toContain('(sensitive)')
  expect(text).toContain('Planned for commit <code>abcdef012345</code>')
})

test('converged: no changes', () => {
  const text = render()
  expect(text).toContain('**No changes. Cognito and Cloudflare Access match the configuration.**')
  expect(text).not.toContain('<details>')
})

test.each([
  ['stale URL', observed({ identityProvider: convergedIdp({ auth_url: 'https://old.example.com/oauth2/authorize' }) }), 'config.auth_url', 'old.example.com'],
  ['missing callback', observed({ client: convergedClient({ CallbackURLs: [] }) }), 'CallbackURLs', '<i>empty</i>'],
  ['different client id', observed({ identityProvider: convergedIdp({ client_id: 'another' }) }), 'config.client_id', 'another'],
  ['changed claims', observed({ identityProvider: convergedIdp({ claims: ['sub'] }) }), 'config.claims', 'cognito:groups']
])('drift (%s): "1 to change" with the field before and after', (_name, state, field, value) => {
  const text = render(state)
  expect(text).toContain('**Plan: 1 to change.**')
  expect(text).toContain(`| ${field} |`)
  expect(text).toContain(value)
})

test('hostile names and claims cannot close the table or add HTML', () => {
  const hostile = 'Evil | </td></table><img src=x onerror=alert(1)> `code` [link](http://x) @admin\n| injected |'
  const text = render(observed({ identityProvider: undefined }), { 'idp-name': hostile, claims: 'sub </details><script>alert(1)</script>' })
  expect(text).not.toContain('<img')
  expect(text).not.toContain('<script')
  expect(text).not.toContain('</table>')
  expect(text).not.toContain('[link](')
  expect(text).not.toContain('@admin')
  for (const line of text.split('\n').filter(row => row.startsWith('|'))) {
    // Every row of a table has the same number of cell separators as its header.
    expect(line.split('|').length).toBeGreaterThanOrEqual(4)
    expect(line).not.toContain('injected |')
  }
  expect(text.match(/<details>/g)?.length).toBe(text.match(/<\/details>/g)?.length)
})

test('escapeMarkdown leaves no special character alive', () => {
  expect(escapeMarkdown('a|b<c>&`*_[x](y)@u $m$ \\\n')).toBe('a&#124;b&lt;c&gt;&amp;&#96;&#42;_&#91;x&#93;(y)&#64;u &#36;m&#36; &#92; ')
})
