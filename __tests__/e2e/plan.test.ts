// Issue: plan mode, the pull-request dry run, end to end against the local fakes: no write to
// Cognito or Cloudflare, the outputs, the report in the job summary, and one sticky comment per
// action instance on the pull request.
import { findLeaks } from '../support/leak-check.js'
import { TEST_OWNER, type RunResult } from '../support/run-action.js'
import { MAX_COMMENT_LENGTH } from '../support/fakes/github.js'
import { ACCOUNT_ID, CALLBACK, GITHUB_READ_TOKEN, REPO, TOKEN, World, ZONE_ID, expectSuccess, planOf } from '../support/world.js'
import { expectIntactTables } from '../support/markdown.js'

const PR = 7
const MARKER = /^<!-- cognito-cloudflare-access:plan:[0-9a-f]{16} -->\n/

let world: World
beforeEach(async () => {
  world = await World.start()
})
afterEach(async () => {
  await world.stop()
})

/** Runs the action on a pull_request event, as `mode: auto` sees it. */
function planRun(
  inputs: Record<string, string> = {},
  options: { fork?: boolean; githubToken?: string; pr?: number } = {}
): Promise<RunResult> {
  return world.run({
    inputs: world.inputs(inputs),
    event: world.pullRequestEvent(options.pr ?? PR, options.fork ?? false),
    ...(options.githubToken ? { githubToken: options.githubToken } : {})
  })
}

/** Converges the world with an apply run (a push to main), as a merged pull request would. */
async function applied(): Promise<void> {
  expectSuccess(await world.run())
}

function prComments(number = PR) {
  return world.github.comments(TEST_OWNER, REPO, number)
}

/** The action's own comments on the pull request (they start with its marker). */
function planComments(number = PR) {
  return prComments(number).filter(comment => MARKER.test(comment.body))
}

function expectNoServiceWrites(): void {
  expect(world.cognito.writeAttempts()).toEqual([])
  expect(world.cloudflare.writeAttempts()).toEqual([])
}

describe('a pull request on a fresh pool', () => {
  test('writes nothing to Cognito or Cloudflare, and reports the plan in outputs, summary and one comment', async () => {
    const result = await planRun()
    expectSuccess(result)
    expectNoServiceWrites()

    expect(result.stdout).toContain('Mode: plan (mode: auto on a pull_request event).')
    expect(result.outputs).toMatchObject({ changed: 'true', 'client-id': '', 'identity-provider-id': '', 'callback-url': CALLBACK })
    const plan = planOf(result)
    expect(plan.changed).toBe(true)
    expect(plan.resources.map(resource => [resource.kind, resource.action])).toEqual([
      ['cognito-domain', 'no-change'],
      ['cognito-app-client', 'create'],
      ['cloudflare-identity-provider', 'create']
    ])
    expect(plan.resources[0].id).toBe('acme-login')

    expect(result.summary).toContain('### 📋 Cognito → Cloudflare Access plan: “Amazon Cognito”')
    expect(result.summary).toContain('**Plan: 2 to create.**')
    expect(result.summary).toContain(`Planned for commit [<code>${'c'.repeat(12)}</code>]`)

    const comments = prComments()
    expect(comments).toHaveLength(1)
    expect(comments[0].body).toMatch(MARKER)
    expect(comments[0].body.replace(MARKER, '')).toBe(result.summary)
    expect(result.stdout).toMatch(/Plan comment created on pull request #7 \(comment \d+\)\./)
    expect(world.allComments()).toHaveLength(1)
  })

  test('mode: plan on a push is read-only too, with a summary and no comment', async () => {
    const result = await world.run({ inputs: world.inputs({ mode: 'plan' }) })
    expectSuccess(result)
    expectNoServiceWrites()
    expect(result.outputs.changed).toBe('true')
    expect(result.summary).toContain('**Plan: 2 to create.**')
    expect(result.stdout).toContain('Not a pull request, so no plan comment')
    expect(world.github.calls).toEqual([])
  })

  test('comment: false keeps the summary and leaves the pull request alone', async () => {
    const result = await planRun({ comment: 'false' })
    expectSuccess(result)
    expect(result.summary).toContain('**Plan: 2 to create.**')
    expect(world.github.calls).toEqual([])
  })
})

describe('the sticky comment', () => {
  test('a second run updates the comment in place; an unchanged plan leaves it as it is', async () => {
    expectSuccess(await planRun())
    const [first] = prComments()

    const changed = await planRun({ claims: 'sub email_verified' })
    expectSuccess(changed)
    expect(prComments()).toHaveLength(1)
    expect(prComments()[0].id).toBe(first.id)
    expect(prComments()[0].body).toContain('<code>email_verified</code>')
    expect(changed.stdout).toContain(`Plan comment updated on pull request #7 (comment ${first.id}).`)

    const same = await planRun({ claims: 'sub email_verified' })
    expectSuccess(same)
    expect(same.stdout).toContain(`Plan comment unchanged on pull request #7 (comment ${first.id}).`)
    expect(prComments()).toHaveLength(1)
    expect(world.github.writeAttempts().map(call => call.operation)).toEqual(['createComment', 'updateComment'])
  })

  test('is found on page 3 of many comments, and neither a quote of its marker nor other bots’ comments are taken for it', async () => {
    // GitHub may answer fewer comments per page than asked for; 60 puts the 151st on page 3.
    world.github.maxPerPage = 60
    for (let i = 0; i < 150; i++) world.github.addComment(TEST_OWNER, REPO, PR, `comment ${i}`, i % 2 ? 'octocat' : 'renovate[bot]')
    expectSuccess(await planRun())
    const [ours] = planComments()
    expect(prComments().findIndex(comment => comment.id === ours.id)).toBe(150)
    for (let i = 0; i < 150; i++) world.github.addComment(TEST_OWNER, REPO, PR, `later comment ${i}`, 'hubot')
    const marker = ours.body.split('\n')[0]
    const quote = world.github.addComment(TEST_OWNER, REPO, PR, `> ${marker}\nWhat is this hidden marker?`, 'octocat')

    const listCallsBefore = world.github.calls.filter(call => call.operation === 'listComments').length
    expectSuccess(await planRun({ claims: 'sub email_verified' }))
    expect(planComments()).toHaveLength(1)
    expect(planComments()[0].id).toBe(ours.id)
    expect(planComments()[0].body).toContain('email_verified')
    expect(prComments().find(comment => comment.id === quote.id)?.body).toBe(`> ${marker}\nWhat is this hidden marker?`)
    expect(prComments()).toHaveLength(302)
    // It pages until it finds the comment, and no further.
    const pages = world.github.calls.filter(call => call.operation === 'listComments').slice(listCallsBefore)
    expect(pages.map(call => new URL(call.path, 'http://x').searchParams.get('page') ?? '1')).toEqual(['1', '2', '3'])
  })

  test('two instances on one pull request keep one comment each: another idp-name, and a zone beside an account', async () => {
    expectSuccess(await planRun())
    expectSuccess(await planRun({ 'idp-name': 'Staff login' }))
    const zoneInputs = { 'user-pool-id': world.pool.Id, 'cloudflare-zone-id': ZONE_ID, 'cloudflare-api-token': TOKEN }
    const zone = await world.run({ inputs: zoneInputs, event: world.pullRequestEvent(PR) })
    expectSuccess(zone)
    expect(planComments()).toHaveLength(3)
    expect(new Set(planComments().map(comment => comment.body.split('\n')[0])).size).toBe(3)
    expect(zone.summary).toContain(`Cloudflare zone <code>${ZONE_ID}</code>`)

    // Each instance updates its own comment again.
    expectSuccess(await planRun({ 'idp-name': 'Staff login', claims: 'sub' }))
    expectSuccess(await world.run({ inputs: zoneInputs, event: world.pullRequestEvent(PR) }))
    expect(planComments()).toHaveLength(3)
    const staff = planComments().find(comment => comment.body.includes('“Staff login”'))
    expect(staff?.body).toContain('config.claims')
    expectNoServiceWrites()
  })

  test('another pull request gets its own comment', async () => {
    expectSuccess(await planRun())
    expectSuccess(await planRun({}, { pr: 8 }))
    expect(planComments(7)).toHaveLength(1)
    expect(planComments(8)).toHaveLength(1)
  })
})

describe('when the comment cannot be written', () => {
  function expectNoReadTokenLeak(result: RunResult): void {
    const texts = {
      stdout: result.stdout,
      stderr: result.stderr,
      summary: result.summary,
      ...Object.fromEntries(Object.entries(result.outputs).map(([name, value]) => [`output ${name}`, value])),
      ...Object.fromEntries(world.allComments().map(comment => [`comment ${comment.id}`, comment.body]))
    }
    expect(findLeaks(texts, { 'github read token': GITHUB_READ_TOKEN }, { log: true })).toEqual([])
  }

  test('a fork’s pull request (read-only token) succeeds with a warning and the summary', async () => {
    const result = await planRun({}, { fork: true, githubToken: GITHUB_READ_TOKEN })
    expectSuccess(result)
    expectNoServiceWrites()
    expect(result.warnings).toHaveLength(1)
    expect(result.warnings[0]).toMatch(
      /^This pull request comes from a fork, whose token is read-only, so the plan comment could not be written \(GitHub answered HTTP 403: .*\); the plan is in the job summary\.$/
    )
    expect(result.summary).toContain('**Plan: 2 to create.**')
    expect(world.allComments()).toEqual([])
    expectNoReadTokenLeak(result)
  })

  test('a read-only token on the repository’s own pull request: a warning that names the permission', async () => {
    expectSuccess(await planRun())
    const result = await planRun({ claims: 'sub email_verified' }, { githubToken: GITHUB_READ_TOKEN })
    expectSuccess(result)
    expect(result.warnings).toEqual([
      expect.stringMatching(
        /^The plan comment could not be written \(GitHub answered HTTP 403: .*\); the plan is in the job summary\. Give the job `permissions: pull-requests: write`\.$/
      )
    ])
    expect(result.summary).toContain('email_verified')
    expect(planComments()).toHaveLength(1)
    expect(planComments()[0].body).not.toContain('email_verified')
    expectNoReadTokenLeak(result)
  })

  test('GitHub failing does not fail the run', async () => {
    world.github.failNext('listComments', 'http500', 10)
    const result = await planRun()
    expectSuccess(result)
    expect(result.warnings).toEqual([
      expect.stringMatching(/^The plan comment could not be written \(.*\); the plan is in the job summary\.$/)
    ])
    expect(result.summary).toContain('**Plan: 2 to create.**')
  })

  test('a fork’s pull request without secrets succeeds with a warning and a summary note, and calls nothing', async () => {
    const result = await world.run({
      inputs: { 'user-pool-id': world.pool.Id, 'cloudflare-account-id': ACCOUNT_ID },
      event: world.pullRequestEvent(PR, true),
      githubToken: GITHUB_READ_TOKEN
    })
    expectSuccess(result)
    expect(result.errors).toEqual([])
    expect(result.warnings).toEqual([expect.stringContaining('comes from a fork, which gets no secrets')])
    expect(result.summary).toContain('comes from a fork, which gets no secrets')
    expect(world.cognito.calls).toEqual([])
    expect(world.cloudflare.calls).toEqual([])
    expectNoReadTokenLeak(result)
  })

  test('Dependabot’s pull request gets no secrets either: a warning, not a failure', async () => {
    const result = await world.run({
      inputs: { 'user-pool-id': world.pool.Id, 'cloudflare-account-id': ACCOUNT_ID },
      event: world.pullRequestEvent(PR),
      env: { GITHUB_ACTOR: 'dependabot[bot]' }
    })
    expectSuccess(result)
    expect(result.warnings).toEqual([expect.stringContaining('was opened by Dependabot, which gets no secrets')])
    expect(world.cloudflare.calls).toEqual([])
  })

  test('a pull request of this repository without the token is a plain input error', async () => {
    const result = await world.run({
      inputs: { 'user-pool-id': world.pool.Id, 'cloudflare-account-id': ACCOUNT_ID },
      event: world.pullRequestEvent(PR)
    })
    expect(result.exitCode).toBe(1)
    expect(result.errors.join('\n')).toContain('cloudflare-api-token: is required')
  })
})

describe('verdicts on the summary and the comment', () => {
  test('an already converged setup: "No changes", changed=false, ids of what exists', async () => {
    await applied()
    const writes = world.writeAttempts().length
    const result = await planRun()
    expectSuccess(result)
    expect(world.writeAttempts()).toHaveLength(writes + 1) // the comment, nothing else
    expect(result.outputs.changed).toBe('false')
    expect(result.outputs['client-id']).toBe(world.clients()[0].ClientId)
    expect(result.outputs['identity-provider-id']).toBe(world.idps()[0].id)
    expect(planOf(result).changed).toBe(false)
    for (const text of [result.summary, planComments()[0].body]) {
      expect(text).toContain('**No changes. Cognito and Cloudflare Access match the configuration.**')
      expect(text).not.toContain('<details')
    }
  })

  const DRIFTS: Array<[string, (w: World) => Record<string, string> | void, RegExp]> = [
    [
      'stale URL',
      w => {
        w.idps()[0].config.auth_url = 'https://old-login.auth.eu-west-1.amazoncognito.com/oauth2/authorize'
      },
      /\| config\.auth_url \| <code>https:\/\/old-login\.auth\.eu-west-1\.amazoncognito\.com\/oauth2\/authorize<\/code> \| <code>https:\/\/acme-login\.auth\.eu-west-1\.amazoncognito\.com\/oauth2\/authorize<\/code> \|/
    ],
    [
      'missing callback',
      w => {
        w.clients()[0].CallbackURLs = ['https://app.example.com/callback']
      },
      new RegExp(
        `\\| CallbackURLs \\| <code>https://app\\.example\\.com/callback</code> \\| <code>https://app\\.example\\.com/callback</code>, <ins><code>${CALLBACK.replace(/\./g, '\\.')}</code></ins> \\|`
      )
    ],
    [
      'different client id',
      w => {
        w.idps()[0].config.client_id = 'someotherclientid0000000001'
      },
      /\| config\.client_id \| <code>someotherclientid0000000001<\/code> \| <code>[a-z0-9]{26}<\/code> \|\n\| config\.client_secret \| <i>\(sensitive\)<\/i> \| <i>\(sensitive\)<\/i> \|/
    ],
    [
      'changed claims',
      () => ({ claims: 'sub, cognito:username, email_verified' }),
      /\| config\.claims \| <code>sub<\/code>, <code>cognito:username<\/code>, <del><code>name<\/code><\/del>, <del><code>cognito:groups<\/code><\/del> \| <code>sub<\/code>, <code>cognito:username<\/code>, <ins><code>email_verified<\/code><\/ins> \|/
    ]
  ]

  test.each(DRIFTS)('drift (%s): "1 to change", the field before → after, and no write', async (_name, drift, row) => {
    await applied()
    const inputs = drift(world) ?? {}
    const writes = world.writeAttempts().length
    const result = await planRun(inputs)
    expectSuccess(result)
    expect(world.writeAttempts()).toHaveLength(writes + 1)
    expect(result.outputs.changed).toBe('true')
    for (const text of [result.summary, planComments()[0].body]) {
      expect(text).toContain('**Plan: 1 to change.**')
      expect(text).toMatch(/<details open>\n<summary>✏️ /)
      expect(text).toMatch(row)
      expectIntactTables(text)
    }
  })

  test('drift on both sides and a missing domain: "2 to change, 1 to create"', async () => {
    const bare = await World.start({ pool: { id: 'eu-west-1_NoDomain1', domain: undefined } })
    try {
      bare.cognito.addClient(bare.pool.Id, {
        ClientName: 'Cloudflare Access',
        GenerateSecret: true,
        AllowedOAuthFlowsUserPoolClient: true,
        AllowedOAuthFlows: ['code'],
        AllowedOAuthScopes: ['openid']
      })
      bare.cloudflare.addIdentityProvider(
        { accountId: ACCOUNT_ID },
        { name: 'Amazon Cognito', type: 'oidc', config: { client_id: 'x', client_secret: 'old-secret-value' } }
      )
      const result = await bare.run({ inputs: bare.inputs({ 'cognito-domain': 'globex-login' }), event: bare.pullRequestEvent(PR) })
      expectSuccess(result)
      expect(bare.cognito.writeAttempts()).toEqual([])
      expect(bare.cloudflare.writeAttempts()).toEqual([])
      expect(result.summary).toContain('**Plan: 2 to change, 1 to create.**')
    } finally {
      await bare.stop()
    }
  })
})

describe('hostile text', () => {
  test('a hostile idp-name or claim cannot close a table or add HTML, in the summary or the comment', async () => {
    const name = 'Evil | </td></table><img src=x onerror=alert(1)> [click](https://evil.example) @org/admins ## heading'
    const claim = '|</details><script>alert(1)</script>**x**'
    // The input refuses a line break; a provider's name read from Cloudflare may hold anything.
    const existing = world.cloudflare.addIdentityProvider(
      { accountId: ACCOUNT_ID },
      { name: `${name}\n| injected | row |`, type: 'oidc', config: {} }
    )
    const result = await planRun({ 'idp-name': name, 'idp-id': existing.id, claims: `sub ${claim}` })
    expectSuccess(result)
    const [comment] = planComments()
    for (const text of [result.summary, comment.body]) {
      for (const bad of ['<img', '<script', '</table>', '</td>', '](https://evil', '@org', '## heading', '**x**'])
        expect(text).not.toContain(bad)
      expect(text).not.toMatch(/^\| injected/m)
      expect(text.match(/<details[ >]/g)?.length).toBe(text.match(/<\/details>/g)?.length)
      expectIntactTables(text)
    }
    expect(comment.body).toContain('Evil &#124; &lt;/td&gt;&lt;/table&gt;&lt;img src=x onerror=alert(1)&gt;')
  })

  test('a secret pasted into another input is redacted from the comment, the summary and the outputs', async () => {
    const client = world.cognito.addClient(world.pool.Id, {
      ClientName: 'Cloudflare Access',
      GenerateSecret: true,
      CallbackURLs: [CALLBACK],
      AllowedOAuthFlows: ['code'],
      AllowedOAuthScopes: ['openid', 'email', 'profile'],
      AllowedOAuthFlowsUserPoolClient: true,
      SupportedIdentityProviders: ['COGNITO']
    })
    // World.run fails the test if either secret shows anywhere, comments included.
    const result = await planRun({ 'idp-name': `Login ${TOKEN}`, claims: `sub ${client.ClientSecret}` })
    expectSuccess(result)
    const [comment] = planComments()
    expect(comment.body).toContain('plan: “Login ***”')
    expect(comment.body).toContain('<code>***</code>')
    expect(result.summary).toContain('plan: “Login ***”')
  })
})

describe('a long plan', () => {
  /** A realistic big tenant: a client already serving ~90 apps, and a pool with many SAML providers. */
  function bigTenant(target: World) {
    const callbacks = Array.from(
      { length: 90 },
      (_, i) =>
        `https://tenant-${String(i).padStart(3, '0')}.apps.example-enterprise-platform.com/authentication/oidc/amazon-cognito/callback/` +
        `${'0123456789abcdef'.repeat(16)}/${i}`
    )
    const providers = Array.from({ length: 60 }, (_, i) => `SAML-Customer-${String(i).padStart(4, '0')}`)
    target.cognito.addClient(target.pool.Id, {
      ClientName: 'Cloudflare Access',
      GenerateSecret: true,
      CallbackURLs: callbacks,
      AllowedOAuthFlows: ['code'],
      AllowedOAuthScopes: ['openid', 'email', 'profile'],
      AllowedOAuthFlowsUserPoolClient: true,
      SupportedIdentityProviders: ['COGNITO', ...providers.slice(0, 50)]
    })
    return { callbacks, providers }
  }

  test('over 65,536 characters: the comment hides unchanged list items with a note, the summary keeps them all', async () => {
    const { callbacks, providers } = bigTenant(world)
    const result = await planRun({ 'identity-providers': ['COGNITO', ...providers].join('\n') })
    expectSuccess(result)
    expect(result.summary.length).toBeGreaterThan(MAX_COMMENT_LENGTH)
    for (const url of callbacks) expect(result.summary).toContain(url)

    const [comment] = planComments()
    expect([...comment.body].length).toBeLessThan(MAX_COMMENT_LENGTH)
    expect(comment.body).toContain('> [!NOTE]\n> Long lists show only their first changes, so that this comment fits.')
    expect(comment.body).toContain('**Plan: 1 to change, 1 to create.**')
    expect(comment.body).toContain(`<i>90 unchanged</i> | <ins><code>${CALLBACK}</code></ins>, <i>90 unchanged</i>`)
    expect(comment.body).toContain('<ins><code>SAML-Customer-0059</code></ins>')
    expect(comment.body).not.toContain(callbacks[0])
    expect(comment.body).toMatch(/<sub>Planned for commit .*<\/sub>\n$/)
  })

  test('a huge list in a creation: the comment shows its first items and counts the rest', async () => {
    const claims = Array.from(
      { length: 300 },
      (_, i) => `https://claims.example.com/tenant/${String(i).padStart(3, '0')}/${'attribute-'.repeat(20)}`
    )
    const result = await planRun({ claims: claims.join('\n') })
    expectSuccess(result)
    expect(result.summary.length).toBeGreaterThan(MAX_COMMENT_LENGTH)
    expect(result.summary).toContain(claims[299])
    const [comment] = planComments()
    expect([...comment.body].length).toBeLessThan(MAX_COMMENT_LENGTH)
    expect(comment.body).toContain('**Plan: 2 to create.**')
    expect(comment.body).toContain(`<code>${claims[9]}</code>, <i>and 290 more</i> |`)
    expect(comment.body).toContain('> [!NOTE]\n> Long lists show only their first changes')
    expect(comment.body).toMatch(/<sub>Planned for commit .*<\/sub>\n$/)
  })
})

describe('a plan that fails', () => {
  test('replaces the pull request’s earlier plan comment with the failure, and fails the run', async () => {
    expectSuccess(await planRun())
    world.cognito.addClient(world.pool.Id, { ClientName: 'Cloudflare Access', GenerateSecret: true })
    world.cognito.addClient(world.pool.Id, { ClientName: 'Cloudflare Access', GenerateSecret: true })
    const result = await planRun()
    expect(result.exitCode).toBe(1)
    expect(result.errors.join('\n')).toMatch(/2 app clients named "Cloudflare Access"/)
    expectNoServiceWrites()
    for (const text of [result.summary, planComments()[0].body]) {
      expect(text).toContain('### ❌ Cognito → Cloudflare Access plan failed: “Amazon Cognito”')
      expect(text).toMatch(/\*\*❌ No plan could be made, and nothing was written\.\*\* .*2 app clients named "Cloudflare Access"/)
      expect(text).not.toContain('Plan: 2 to create')
    }
    expect(planComments()).toHaveLength(1)
  })

  test('a failed verification check fails the run, and the report says apply would stop', async () => {
    world.pool.discoveryOverrides = { token_endpoint: 'https://elsewhere.example.com/oauth2/token' }
    const result = await planRun()
    expect(result.exitCode).toBe(1)
    expectNoServiceWrites()
    for (const text of [result.summary, planComments()[0].body]) {
      expect(text).toContain('**Plan: 2 to create.**\n\n❌ 1 verification check failed, so apply would stop before writing to Cloudflare')
      expect(text).toMatch(/\| ❌ \| Discovery document matches \|/)
    }
  })
})
