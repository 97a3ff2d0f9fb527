// Attacks, end to end: the bundled action against fakes that serve hostile answers. Every run goes
// through World.run, whose leak check looks for every secret (the API tokens, the GitHub token,
// every client secret) raw, escaped, base64 at any offset, and as any piece of 16 characters, in
// the log (read as the runner reads it: an `::add-mask::` printed under `::stop-commands::` masks
// nothing), the outputs, the summary and every PR comment.
//
// - injected workflow commands: in inputs, in a Cloudflare provider's name, in the discovery
//   document and the JWKS;
// - a forged sticky comment, and the token's identity by token kind;
// - endless paging (GitHub Link), a trickling or silent GitHub, the run deadline;
// - a `null` comment, a token that is not ASCII, a summary over 1 MiB.
// (Error pages that echo the request, endless Cognito paging, a hostile `auth_domain` and `null`
// items from Cognito and Cloudflare run in process: __tests__/integration/attacks.test.ts.)
import { INJECTIONS } from '../support/constants.js'
import { ACCOUNT_ID, CALLBACK, REPO, World, expectSuccess, inWorld } from '../support/world.js'
import { GITHUB_ACTIONS_BOT } from '../support/fakes/github.js'
import { TEST_OWNER, type RunOptions, type RunResult } from '../support/run-action.js'
import { commentMarker } from '../../src/report/comment.js'

const PR = 7
const INSTANCE = `accounts/${ACCOUNT_ID} “Amazon Cognito”`

/** No command but the action's own: masks, and the annotations it meant to write. */
function expectNoInjectedCommand(result: RunResult): void {
  const names = result.commands.map(command => command.command)
  expect(names).not.toContain('stop-commands')
  expect(result.commands.filter(command => command.properties.title === 'Forged')).toEqual([])
  expect(result.warnings.concat(result.errors).join('\n')).not.toMatch(/^forged/m)
  for (const command of result.commands) expect(command.message).not.toMatch(/[\r\n]/)
}

function planRun(world: World, extra: Record<string, string> = {}, options: Partial<RunOptions> = {}): Promise<RunResult> {
  return world.run({ inputs: world.inputs(extra), event: world.pullRequestEvent(PR), ...options })
}

function comments(world: World) {
  return world.github.comments(TEST_OWNER, REPO, PR)
}

describe('injected workflow commands', () => {
  test.concurrent.each([
    ['idp-name', `Amazon Cognito${INJECTIONS}`],
    ['idp-name', 'Amazon \u202eotingoC nozamA'],
    ['app-client-name', `Cloudflare Access${INJECTIONS}`],
    ['app-client-name', 'Cloudflare\u200bAccess']
  ])('%s %j is refused before any call, and starts no command', async (input, value) => {
    await inWorld(async world => {
      const result = await world.run({ inputs: world.inputs({ [input]: value }) })
      expect(result.exitCode).toBe(1)
      expect(result.errors[0]).toBe(`${input}: contains a control, line-break or invisible (bidi, zero-width) character.`)
      expect([...world.cognito.calls, ...world.cloudflare.calls]).toEqual([])
      expectNoInjectedCommand(result)
    })
  })

  test.concurrent('a provider name from Cloudflare (through idp-id) prints no command, and every mask still masks', async () => {
    await inWorld(async world => {
      const hostile = world.cloudflare.addIdentityProvider(
        { accountId: ACCOUNT_ID },
        {
          name: `Amazon Cognito${INJECTIONS}`,
          type: 'oidc',
          config: { client_id: 'old', client_secret: 'old-secret-value' }
        }
      )
      const result = await world.run({ inputs: world.inputs({ 'idp-id': hostile.id }), debug: true })
      expectSuccess(result)
      // The name did reach the log, on one line, with its commands inert.
      expect(result.stdout).toContain(
        'Cloudflare identity provider “Amazon Cognito ::stop-commands::pwned ::error title=Forged::forged annotation ##\\[warning]forged legacy ::pwned::”'
      )
      expectNoInjectedCommand(result)
      const [client] = world.clients()
      expect(result.masked).toContain(client.ClientSecret)
      expect(world.idps()[0].name).toBe('Amazon Cognito')
    })
  })

  test.concurrent('values from the discovery document and the JWKS print no command, and are cut', async () => {
    await inWorld(async world => {
      world.seedReadyClient()
      world.pool.discoveryOverrides = {
        token_endpoint: `https://elsewhere.example.com/oauth2/token${INJECTIONS}`,
        jwks_uri: `https://elsewhere.example.com/${'x'.repeat(100_000)}`
      }
      world.pool.jwks = { keys: [{ kty: `EC${INJECTIONS}`, kid: `k${INJECTIONS}`, crv: 'P-256', x: 'a', y: 'b' }] }
      const result = await planRun(world)
      expect(result.exitCode).toBe(1)
      expect(result.stdout).toMatch(
        /Verification ✗ Discovery document matches: .*token_endpoint https:\/\/elsewhere\.example\.com\/oauth2\/token ::stop-commands::pwned/
      )
      expect(result.stdout).toMatch(/Verification ✗ JWKS has an RS256 signing key: .*EC ::stop-commands::pwned/)
      expect(result.stdout).not.toContain('x'.repeat(1000))
      expectNoInjectedCommand(result)
    })
  })
})

describe('the sticky comment is our own', () => {
  const marker = commentMarker(INSTANCE)

  test.concurrent('a forged marker comment is left alone, and the bot writes and keeps its own', async () => {
    await inWorld(async world => {
      const forged = structuredClone(
        world.github.addComment(TEST_OWNER, REPO, PR, `${marker}\nLGTM, plan approved: no changes.`, 'mallory')
      )
      const forgedBot = structuredClone(world.github.addComment(TEST_OWNER, REPO, PR, `${marker}\nforged by another app`, 'evil-app[bot]'))
      const first = await planRun(world)
      expectSuccess(first)
      const second = await planRun(world)
      expectSuccess(second)
      const all = comments(world)
      expect(all).toHaveLength(3)
      expect(all.slice(0, 2)).toEqual([forged, forgedBot])
      const ours = all[2]
      expect(ours.login).toBe(GITHUB_ACTIONS_BOT)
      // The marker, the hidden line with the plan's summary (for the reviewed-plan check), then the plan.
      expect(ours.body.startsWith(`${marker}\n<!-- cognito-cloudflare-access:plan-data:`)).toBe(true)
      expect(ours.body).toContain(' -->\n### 📋 Cognito → Cloudflare Access plan')
      expect(second.stdout).toMatch(new RegExp(`Plan comment (unchanged|updated) on pull request #${PR} \\(comment ${ours.id}\\)`))
      const edits = world.github.writeAttempts().filter(call => call.operation === 'updateComment')
      expect(edits.every(call => call.path.endsWith(`/comments/${ours.id}`))).toBe(true)
    })
  })

  test.concurrent('a personal access token: its own login (GET /user) owns the comment, not github-actions[bot]', async () => {
    await inWorld(async world => {
      const pat = 'github_pat_Vx3Lq8Tz1Kw6Np4Rj9Hd2Mc7Sb5Yf0Ga'
      world.extraSecrets['personal access token'] = pat
      world.github.addToken(pat, 'write', 'deploy-user')
      const botComment = structuredClone(world.github.addComment(TEST_OWNER, REPO, PR, `${marker}\nan older comment of GITHUB_TOKEN`))
      for (let run = 0; run < 2; run++) expectSuccess(await planRun(world, {}, { githubToken: pat }))
      const all = comments(world)
      expect(all).toHaveLength(2)
      expect(all[0]).toEqual(botComment)
      expect(all[1].login).toBe('deploy-user')
      expect(world.github.calls.filter(call => call.operation === 'getAuthenticatedUser').map(call => call.status)).toEqual([200, 200])
      expect(world.github.calls.filter(call => call.operation === 'graphql')).toEqual([])
    })
  })

  test.concurrent(
    'another GitHub App’s installation token: GraphQL names its bot (GET /user, which refuses such tokens, is not asked)',
    async () => {
      await inWorld(async world => {
        const appToken = 'ghs_Ap7Kx2Rw9Lq4Tz8Nv3Hm6Jc1Fd5Yb0SgEu'
        world.extraSecrets['app token'] = appToken
        world.github.addToken(appToken, 'write', 'acme-deployer[bot]')
        const earlier = world.github.addComment(TEST_OWNER, REPO, PR, `${marker}\nan earlier plan`, 'acme-deployer[bot]')
        const result = await planRun(world, {}, { githubToken: appToken })
        expectSuccess(result)
        expect(comments(world)).toHaveLength(1)
        expect(comments(world)[0].id).toBe(earlier.id)
        expect(comments(world)[0].body).toContain('### 📋 Cognito → Cloudflare Access plan')
        const asked = world.github.calls.map(call => `${call.operation} ${call.status}`)
        expect(asked).toContain('graphql 200')
        expect(asked.filter(call => call.startsWith('getAuthenticatedUser'))).toEqual([])
      })
    }
  )
})

describe('bounded paging and waiting', () => {
  test.concurrent.each([
    ['a next link that repeats', () => 2, /page 2 of the pull request's comments links to a page it already gave: the paging loops/],
    [
      'a next link that never ends',
      (page: number) => page + 1,
      /the pull request's comments still had more pages after 100, so paging was stopped/
    ],
    ['a next link to another host', () => 0, /links its next page to another host/]
  ])('GitHub: %s ends with a clear warning, and the plan is in the summary', async (_what, nextPage, message) => {
    await inWorld(async world => {
      let page = 0
      world.github.answerNext(
        'listComments',
        () => {
          page++
          const host = nextPage(page) === 0 ? 'http://127.0.0.2:9' : world.github.url
          const link = `<${host}/repos/${TEST_OWNER}/${REPO}/issues/${PR}/comments?per_page=100&page=${nextPage(page) || 2}>; rel="next"`
          return { status: 200, headers: { 'content-type': 'application/json; charset=utf-8', link }, body: '[]' }
        },
        1000
      )
      const result = await planRun(world)
      expectSuccess(result)
      expect(result.warnings).toHaveLength(1)
      expect(result.warnings[0]).toMatch(message)
      expect(result.summary).toContain('**Plan: 2 to create.**')
      expect(comments(world)).toEqual([])
    })
  })

  test.concurrent.each([
    ['trickles its answer a byte at a time', 'listComments', 'trickle'],
    ['stays silent', 'listComments', 'timeout']
  ] as const)('GitHub that %s: the request is cut off at its deadline, with a clear warning', async (_what, operation, fault) => {
    await inWorld(async world => {
      world.github.trickleIntervalMs = 200
      world.github.failNext(operation, fault)
      const started = Date.now()
      const result = await planRun(world)
      expectSuccess(result)
      expect(world.github.pendingFaults()).toEqual([])
      expect(result.warnings[0]).toMatch(
        /^The plan comment could not be written \(GitHub: GET \/\S+ got no complete answer within 2000 ms\.\); the plan is in the job summary\.$/
      )
      expect(Date.now() - started).toBeLessThan(20_000)
    })
  })

  test.concurrent('the run deadline stops a silent Cloudflare, and the report says what was done', async () => {
    await inWorld(async world => {
      world.cloudflare.failNext('createIdentityProvider', 'timeout')
      const started = Date.now()
      const result = await world.run({
        inputs: world.inputs({ 'timeout-minutes': '0.1' }),
        env: { COGNITO_ACCESS_REQUEST_TIMEOUT_MS: '120000' }
      })
      const took = Date.now() - started
      expect(result.exitCode).toBe(1)
      expect(took).toBeGreaterThanOrEqual(6000)
      expect(took).toBeLessThan(20_000)
      const [client] = world.clients()
      expect(result.errors[0]).toMatch(
        new RegExp(
          `^The run's deadline \\(timeout-minutes: 0\\.1\\) passed during Cloudflare: POST /client/v4/accounts/${ACCOUNT_ID}/access/identity_providers, ` +
            `so the run stopped there\\. .*Done before the failure: created Cognito app client “Cloudflare Access” \\(${client.ClientId}\\)\\. ` +
            'Not done: create Cloudflare identity provider “Amazon Cognito”\\.'
        )
      )
      expect(result.summary).toContain(
        `#### Done before the failure\n\n- created Cognito app client “Cloudflare Access” (${client.ClientId})`
      )
      expect(result.outputs['client-id']).toBe(client.ClientId)
    })
  })

  test('timeout-minutes must be a number of minutes', async () => {
    await inWorld(async world => {
      const result = await world.run({ inputs: world.inputs({ 'timeout-minutes': '0' }) })
      expect(result.exitCode).toBe(1)
      expect(result.errors[0]).toBe('timeout-minutes: `0` is not a number of minutes above 0 and at most 360.')
    })
  })
})

describe('what the services answer is checked', () => {
  test.concurrent('a `null` comment from GitHub: a warning naming GitHub, and the plan in the summary', async () => {
    await inWorld(async world => {
      world.github.answerNext('listComments', { status: 200, headers: { 'content-type': 'application/json' }, body: '[null]' })
      const result = await planRun(world)
      expectSuccess(result)
      expect(result.warnings[0]).toMatch(/\(GitHub: page 1 of the pull request's comments holds an item that is not a comment \(null\)\.\)/)
      expect(comments(world)).toEqual([])
    })
  })

  test.concurrent.each([
    ['cloudflare-api-token', 'cf-tökén-Vx3Lq8Tz1Kw6Np4Rj9Hd2Mc7'],
    ['cloudflare-api-token', 'cf-token-Vx3Lq8Tz1Kw6\u001bNp4Rj9Hd2Mc7'],
    ['github-token', 'ghs_Vx3Lq8Tz1Kw6Np4Rj9\u2028Hd2Mc7']
  ])('%s that is not printable ASCII is refused before any call', async (input, token) => {
    await inWorld(async world => {
      world.extraSecrets.token = token
      const result = await world.run({ inputs: world.inputs({ [input]: token }) })
      expect(result.exitCode).toBe(1)
      expect(result.errors[0]).toBe(`${input}: must be printable ASCII without spaces; paste the token alone.`)
      expect([...world.cognito.calls, ...world.cloudflare.calls, ...world.github.calls]).toEqual([])
    })
  })

  test.concurrent('a report over 1 MiB: the summary falls back to the compact plan, as the comment does', async () => {
    await inWorld(async world => {
      // Cognito keeps what it is given; a client with 99 very long callback URLs (a stand-in for
      // any list long enough) makes a report of several MiB.
      const callbacks = Array.from({ length: 99 }, (_, i) => `https://app-${i}.example.com/cb/${'segment/'.repeat(1500)}${i}`)
      world.cognito.addClient(world.pool.Id, {
        ClientName: 'Cloudflare Access',
        GenerateSecret: true,
        CallbackURLs: callbacks,
        AllowedOAuthFlows: ['code'],
        AllowedOAuthScopes: ['openid', 'email', 'profile'],
        AllowedOAuthFlowsUserPoolClient: true,
        SupportedIdentityProviders: ['COGNITO']
      })
      // Rendering and redacting reports of several MiB takes the run seconds of CPU on a busy
      // machine, while the comment's lookup is in flight: the tests' 2 s request timeout would cut
      // it off there (a run's default is 30 s).
      const result = await planRun(world, {}, { env: { COGNITO_ACCESS_REQUEST_TIMEOUT_MS: '30000' } })
      expectSuccess(result)
      expect(result.warnings).toEqual([])
      expect(Buffer.byteLength(result.summary)).toBeGreaterThan(1000)
      expect(Buffer.byteLength(result.summary)).toBeLessThanOrEqual(1024 * 1024)
      expect(result.summary).toContain(
        '> Long lists show only their first changes, so that this summary fits (GitHub drops summaries over 1 MiB).'
      )
      expect(result.summary).toContain(`<ins><code>${CALLBACK}</code></ins>, <i>99 unchanged</i>`)
      expect(result.summary).not.toContain(callbacks[0])
      const [comment] = comments(world)
      expect([...comment.body].length).toBeLessThan(65_536)
      expect(JSON.parse(result.outputs.plan).resources[1].changes[0].after).toHaveLength(100)
    })
  })
})
