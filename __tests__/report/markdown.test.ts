import { buildPlan, type Plan } from '../../src/plan.js'
import { escapeMarkdown, renderFailure, renderReport, type ReportContext } from '../../src/report/markdown.js'
import { ACCOUNT_ID, CALLBACK, convergedClient, convergedIdp, freshObserved, observed, settingsWith } from '../support/builders.js'
import { expectIntactTables } from '../support/markdown.js'

const SHA = 'abcdef0123456789abcdef0123456789abcdef01'
const context: ReportContext = {
  instance: { scope: { kind: 'accounts', id: ACCOUNT_ID }, idpName: 'Amazon Cognito' },
  userPoolId: 'eu-west-1_AbC123xyZ',
  mode: 'plan',
  sha: SHA,
  commitUrl: `https://github.com/acme/infra/commit/${SHA}`,
  runUrl: 'https://github.com/acme/infra/actions/runs/42',
  modeReason: 'mode: auto on a pull_request event'
}
const planOf = (o = observed(), inputs: Record<string, string> = {}): Plan => buildPlan(settingsWith(inputs), o)
const render = (o = observed(), inputs: Record<string, string> = {}, extra: Partial<ReportContext> = {}) =>
  renderReport(planOf(o, inputs), { ...context, ...extra })

test('fresh pool: the verdict counts creations, and each resource has its row and its details', () => {
  const text = render(freshObserved())
  expect(text).toContain('**Plan: 3 to create.**')
  expect(text).toMatch(/\| ➕ \| Cognito prefix domain .* \| create \| — \|/)
  expect(text).toMatch(/\| ➕ \| Cognito app client .* \| create \| — \|/)
  expect(text).toMatch(/\| ➕ \| Cloudflare identity provider .* \| create \| — \|/)
  expect(text).toContain('<details>\n<summary>➕ Cloudflare identity provider “Amazon Cognito”: create, 11 fields</summary>')
  expect(text).toContain('| config.client_secret | — | <i>(sensitive)</i> |')
  expect(text).toContain('| config.client_id | — | <i>(known after apply)</i> |')
  expectIntactTables(text)
})

test('converged: "No changes", no details', () => {
  const text = render()
  expect(text).toContain('**No changes. Cognito and Cloudflare Access match the configuration.**')
  expect(text).not.toContain('<details')
  expect(text.match(/\| no change \|/g)).toHaveLength(3)
})

test('mixed: changes first, then creations, as "2 to change, 1 to create"', () => {
  const state = observed({
    domain: { name: 'acme', kind: 'prefix', hostname: 'acme.auth.eu-west-1.amazoncognito.com', exists: false },
    client: convergedClient({ CallbackURLs: ['https://app.example.com/cb'] }),
    identityProvider: convergedIdp({ claims: ['sub'] })
  })
  expect(render(state)).toContain('**Plan: 2 to change, 1 to create.**')
})

test.each([
  [
    'stale URL',
    observed({ identityProvider: convergedIdp({ auth_url: 'https://old.example.com/oauth2/authorize' }) }),
    '| config.auth_url | <code>https://old.example.com/oauth2/authorize</code> | <code>https://acme.auth.eu-west-1.amazoncognito.com/oauth2/authorize</code> |'
  ],
  [
    'missing callback',
    observed({ client: convergedClient({ CallbackURLs: [] }) }),
    `| CallbackURLs | <i>empty</i> | <ins><code>${CALLBACK}</code></ins> |`
  ],
  [
    'different client id',
    observed({ identityProvider: convergedIdp({ client_id: 'another' }) }),
    '| config.client_id | <code>another</code> | <code>client0001</code> |'
  ],
  [
    'changed claims',
    observed({ identityProvider: convergedIdp({ claims: ['sub', 'custom:tenant'] }) }),
    '| config.claims | <code>sub</code>, <del><code>custom:tenant</code></del> | <code>sub</code>, <ins><code>cognito:username</code></ins>, <ins><code>name</code></ins>, <ins><code>cognito:groups</code></ins> |'
  ]
])('drift (%s): "1 to change", open details, the field before and after', (_name, state, row) => {
  const text = render(state)
  expect(text).toContain('**Plan: 1 to change.**')
  expect(text).toMatch(/<details open>\n<summary>✏️ .*: update, \d+ fields?<\/summary>/)
  expect(text).toContain(row)
  expectIntactTables(text)
})

test('a new client id also replaces the secret, shown only as (sensitive)', () => {
  const text = render(observed({ identityProvider: convergedIdp({ client_id: 'another' }) }))
  expect(text).toContain('| config.client_secret | <i>(sensitive)</i> | <i>(sensitive)</i> |')
})

test('the instance is named in the heading and the scope line: account or zone', () => {
  expect(render()).toContain('### 📋 Cognito → Cloudflare Access plan: “Amazon Cognito”')
  expect(render()).toContain(
    `Cloudflare account <code>${ACCOUNT_ID}</code> · user pool <code>eu-west-1_AbC123xyZ</code> · callback <code>${CALLBACK}</code>`
  )
  const zone = render(observed(), {}, { instance: { scope: { kind: 'zones', id: 'f'.repeat(32) }, idpName: 'Staff' } })
  expect(zone).toContain('plan: “Staff”')
  expect(zone).toContain(`Cloudflare zone <code>${'f'.repeat(32)}</code>`)
})

test('the footer links the commit and the run', () => {
  expect(render()).toContain(
    `<sub>Planned for commit [<code>abcdef012345</code>](https://github.com/acme/infra/commit/${SHA}) by [this run](https://github.com/acme/infra/actions/runs/42) · mode: auto on a pull_request event</sub>`
  )
  expect(render(observed(), {}, { sha: 'not a sha)](javascript:x)', commitUrl: undefined })).toContain(
    'Planned for commit an unknown commit'
  )
})

test('hostile names and claims cannot close the table or add HTML', () => {
  // The input refuses line breaks and bidi characters, but a name read from Cloudflare may hold anything.
  const hostile = 'Evil | </td></table><img src=x onerror=alert(1)> `code` [link](http://x) @admin #1 \u202Egnp.exe\n| injected |'
  const text = render(
    observed({ identityProvider: convergedIdp({}, hostile) }),
    { claims: 'sub </details><script>alert(1)</script> **bold** _em_' },
    {
      instance: { scope: context.instance.scope, idpName: hostile }
    }
  )
  for (const bad of ['<img', '<script', '</table>', '</td>', '[link](', '@admin', ' #1 ', '\u202E', '**bold**', '_em_', '`code`']) {
    expect(text).not.toContain(bad)
  }
  expect(text).not.toMatch(/^\| injected/m)
  expect(text.match(/<details[ >]/g)?.length).toBe(text.match(/<\/details>/g)?.length)
  expectIntactTables(text)
})

test('escapeMarkdown leaves no special character alive, and keeps underscores inside words', () => {
  expect(escapeMarkdown('a|b<c>&`*_[x](y)@u #3 $m$ \\\n')).toBe(
    'a&#124;b&lt;c&gt;&amp;&#96;&#42;&#95;&#91;x&#93;(y)&#64;u &#35;3 &#36;m&#36; &#92; '
  )
  expect(escapeMarkdown('eu-west-1_AbC cognito_groups')).toBe('eu-west-1_AbC cognito_groups')
  expect(escapeMarkdown('_x_ \u202Eabc\u0007')).toBe('&#95;x&#95; \ufffdabc\ufffd')
})

test('compact: long lists show only what changes, with a count and a note', () => {
  const urls = Array.from({ length: 40 }, (_, i) => `https://app-${i}.example.com/callback`)
  const state = observed({ client: convergedClient({ CallbackURLs: urls }) })
  const full = render(state)
  const compact = render(state, {}, { compact: true })
  expect(full).toContain(urls[17])
  expect(compact).not.toContain(urls[17])
  expect(compact).toContain(`| CallbackURLs | <i>40 unchanged</i> | <ins><code>${CALLBACK}</code></ins>, <i>40 unchanged</i> |`)
  expect(compact).toContain('> [!NOTE]\n> Long lists show only their first changes')
  expect(compact).toContain('**Plan: 1 to change.**')
  // A long list in a creation: its first items, and how many more.
  const claims = Array.from({ length: 30 }, (_, i) => `claim-${i}`)
  const created = render(observed({ identityProvider: undefined }), { claims: claims.join(' ') }, { compact: true })
  expect(created).toContain(
    `| config.claims | — | ${claims
      .slice(0, 10)
      .map(claim => `<code>${claim}</code>`)
      .join(', ')}, <i>and 20 more</i> |`
  )
  // Short lists stay whole.
  expect(render(observed({ identityProvider: convergedIdp({ claims: ['sub'] }) }), {}, { compact: true })).toContain(
    '<code>sub</code>, <ins>'
  )
})

test('after apply: past tense, the ids, and what was done', () => {
  const plan = planOf(freshObserved())
  const text = renderReport(plan, {
    ...context,
    mode: 'apply',
    modeReason: 'mode: auto on a push event',
    applied: { written: ['created Cognito app client “Cloudflare Access” (abc123)'], ids: { 'cognito-app-client': 'abc123' } }
  })
  expect(text).toContain('### 🚀 Cognito → Cloudflare Access applied: “Amazon Cognito”')
  expect(text).toContain('**Applied: 3 created.**')
  expect(text).toContain('| ➕ | Cognito app client “Cloudflare Access” | created | <code>abc123</code> |')
  expect(text).toContain('| | Resource | Result | Id |')
  expect(text).toContain('#### Done\n\n- created Cognito app client “Cloudflare Access” (abc123)')
  expect(text).toContain('Cognito app client “Cloudflare Access”: created, 10 fields</summary>')
  expect(text).toContain('<sub>Applied for commit')
})

test('a failed apply says what was done and what was not', () => {
  const plan = planOf(freshObserved())
  const text = renderReport(plan, {
    ...context,
    mode: 'apply',
    failure: {
      message: 'Cloudflare: HTTP 403 <Authentication error>',
      progress: {
        written: ['created Cognito prefix domain acme'],
        finished: ['cognito-domain'],
        ids: { 'cognito-domain': 'acme' },
        fixFirst: false
      }
    }
  })
  expect(text).toContain('### ❌ Cognito → Cloudflare Access apply failed')
  expect(text).toContain(
    '**❌ Apply failed.** Cloudflare: HTTP 403 &lt;Authentication error&gt;\n\nRe-running the workflow finishes the job'
  )
  expect(text).toContain('| | Resource | Result | Id |')
  expect(text).toMatch(/\| Cognito prefix domain .* \| created \|/)
  expect(text).toMatch(/\| Cloudflare identity provider .* \| not done \(create\) \|/)
  expect(text).toContain('#### Done before the failure\n\n- created Cognito prefix domain acme')
  expect(text).not.toContain('Plan: 3 to create')
  expect(text).toMatch(/\| Cognito prefix domain .* \| created \| <code>acme<\/code> \|/)
})

test('a failed apply that does not say what it did shows the plan as planned', () => {
  const text = renderReport(planOf(freshObserved()), { ...context, mode: 'apply', failure: { message: 'boom' } })
  expect(text).toContain('| | Resource | Planned | Id |')
  expect(text).toMatch(/\| Cloudflare identity provider .* \| create \|/)
})

test('failed verification checks in plan mode are called out under the verdict', () => {
  const plan = planOf()
  plan.checks = [
    { check: 'Discovery document matches', status: 'fail', detail: 'expected x; found y' },
    { check: 'JWKS has an RS256 signing key', status: 'pass', detail: 'ok' }
  ]
  const text = renderReport(plan, context)
  expect(text).toContain(
    '**No changes. Cognito and Cloudflare Access match the configuration.**\n\n❌ 1 verification check failed, so apply would stop'
  )
  expect(text).toContain('| ❌ | Discovery document matches | expected x; found y |')
})

test('a failure before any plan: the error, the instance, the commit', () => {
  const text = renderFailure({ ...context, failure: { message: 'user pool has 2 app clients named "x" | y' } })
  expect(text).toContain('### ❌ Cognito → Cloudflare Access plan failed: “Amazon Cognito”')
  expect(text).toContain('**❌ No plan could be made, and nothing was written.** user pool has 2 app clients named "x" &#124; y')
  expect(text).toContain(`Cloudflare account <code>${ACCOUNT_ID}</code>`)
  expect(text).toContain('Planned for commit [<code>abcdef012345</code>]')
})

test('warnings come first, as GitHub alerts, escaped; notes have a section of their own', () => {
  const stale = 'https://old_team.cloudflareaccess.com/cdn-cgi/access/callback'
  const client = convergedClient({ CallbackURLs: [CALLBACK, 'https://oldteam.cloudflareaccess.com/cdn-cgi/access/callback', stale] })
  const text = render(observed({ client }))
  const alert = text.indexOf(
    '> [!WARNING]\n> App client client0001 also allows the Cloudflare Access callback of the Zero Trust team “oldteam”'
  )
  expect(alert).toBeGreaterThan(text.indexOf('**No changes.'))
  expect(alert).toBeLessThan(text.indexOf('| | Resource |'))
  expect(text.match(/> \[!WARNING\]/g)).toHaveLength(1) // old_team is no DNS label, so no Access callback
  expect(text).toContain(
    '#### Notes\n\n- Cloudflare identity provider “Amazon Cognito”: client_secret is not written: Cloudflare never shows it'
  )
  expectIntactTables(text)
  expect(render()).not.toContain('[!WARNING]')
})
