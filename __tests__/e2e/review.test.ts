// Issue 14: the reviewed plan. A push apply compares the plan it is about to apply with the one
// reviewed in the merged pull request's plan comment (found by its marker and our identity), before
// any write: a match says so, a difference warns (`warn`) or stops the apply (`require`) with a
// side-by-side, a workflow_dispatch apply is not checked, and nothing the lookup meets (no pull
// request, no comment, a forged or hostile comment, a token that cannot read) crashes the run.
import { TEST_OWNER, TEST_SHA, type RunResult } from '../support/run-action.js'
import { GITHUB_READ_TOKEN, REPO, World, expectSuccess, planOf } from '../support/world.js'

const PR = 7
const HEAD = 'c'.repeat(40)
const OLD_AUTH_URL = 'https://old-login.auth.eu-west-1.amazoncognito.com/oauth2/authorize'
const DATA = /^<!-- cognito-cloudflare-access:plan:[0-9a-f]{16} -->\n<!-- cognito-cloudflare-access:plan-data:([A-Za-z0-9+/]+={0,2}) -->\n/

let world: World
beforeEach(async () => {
  world = await World.start()
})
afterEach(async () => {
  await world.stop()
})

/** The plan of pull request #7, as its workflow makes it (mode: auto on pull_request). */
function planOnPullRequest(inputs: Record<string, string> = {}): Promise<RunResult> {
  return world.run({ inputs: world.inputs(inputs), event: world.pullRequestEvent(PR) })
}

/** Pull request #7 merged into main as TEST_SHA, the commit of every push run. */
function merge(number = PR): void {
  world.github.addPullRequest(TEST_OWNER, REPO, { number, headSha: HEAD, merged: { commitSha: TEST_SHA } })
}

/** The apply of the push of the merge (mode: auto on push). */
function pushApply(inputs: Record<string, string> = {}, options: { githubToken?: string } = {}): Promise<RunResult> {
  return world.run({ inputs: world.inputs(inputs), ...options })
}

function dispatchEvent() {
  return { name: 'workflow_dispatch', payload: { ref: 'refs/heads/main', inputs: {} } }
}

/** Converges the world without a review: a manual apply. */
async function converge(inputs: Record<string, string> = {}): Promise<void> {
  expectSuccess(await world.run({ inputs: world.inputs(inputs), event: dispatchEvent() }))
}

function planComment() {
  const comments = world.github.comments(TEST_OWNER, REPO, PR).filter(comment => DATA.test(comment.body))
  expect(comments).toHaveLength(1)
  return comments[0]
}

/** The summary the plan comment carries in its hidden data. */
function carriedSummary(): {
  fingerprint: string
  sha?: string
  resources: Array<{ kind: string; changes: Array<{ field: string; text?: string }> }>
} {
  const encoded = DATA.exec(planComment().body)![1]
  return JSON.parse(Buffer.from(encoded, 'base64').toString('utf8'))
}

function serviceWrites() {
  return [...world.cognito.writeAttempts(), ...world.cloudflare.writeAttempts()]
}

/** A dashboard edit of the identity provider, between the review and the merge. */
function editInDashboard(): void {
  world.idps()[0].config.auth_url = OLD_AUTH_URL
}

describe('a push apply after an unchanged reviewed plan', () => {
  test.each(['warn', 'require'])('reviewed-plan: %s says it applies the plan reviewed in #7, with a link, and applies', async mode => {
    const planned = await planOnPullRequest()
    expectSuccess(planned)
    const fingerprint = planOf(planned).fingerprint
    expect(fingerprint).toMatch(/^[0-9a-f]{64}$/)
    expect(carriedSummary()).toMatchObject({ fingerprint, sha: HEAD })
    merge()

    const applied = await pushApply({ 'reviewed-plan': mode })
    expectSuccess(applied)
    expect(applied.outputs.changed).toBe('true')
    expect(planOf(applied).fingerprint).toBe(fingerprint)
    expect(world.clients()).toHaveLength(1)
    expect(world.idps()).toHaveLength(1)
    const link = `https://github.com/${TEST_OWNER}/${REPO}/pull/${PR}#issuecomment-${planComment().id}`
    expect(applied.summary).toContain(
      `✅ This apply applies the plan reviewed in [#7](${link}) (plan <code>${fingerprint.slice(0, 12)}</code>).`
    )
    expect(applied.stdout).toContain(`This apply applies the plan reviewed in #7 (plan ${fingerprint.slice(0, 12)}).`)
    expect(applied.warnings).toEqual([])
    expect(world.github.calls.filter(call => call.operation === 'listPullRequestsAssociatedWithCommit').map(call => call.path)).toEqual([
      `/repos/${TEST_OWNER}/${REPO}/commits/${TEST_SHA}/pulls?per_page=100`
    ])
  })

  test('a plan of the converged state matches too: "No changes", reviewed in #7', async () => {
    await converge()
    expectSuccess(await planOnPullRequest())
    merge()
    const applied = await pushApply({ 'reviewed-plan': 'require' })
    expectSuccess(applied)
    expect(applied.outputs.changed).toBe('false')
    expect(applied.summary).toContain('✅ This apply applies the plan reviewed in [#7]')
  })
})

describe('a dashboard edit between the plan and the merge', () => {
  /** Converged; the pull request changes the claims; then someone edits auth_url in the dashboard. */
  async function reviewedThenEdited(): Promise<string> {
    await converge()
    const planned = await planOnPullRequest({ claims: 'sub email_verified' })
    expectSuccess(planned)
    expect(
      planOf(planned)
        .resources.find(resource => resource.kind === 'cloudflare-identity-provider')
        ?.changes.map(change => change.field)
    ).toEqual(['config.claims'])
    editInDashboard()
    merge()
    return planOf(planned).fingerprint
  }

  test('require: fails before any write, shows the difference side by side, and says how to go on', async () => {
    const reviewed = await reviewedThenEdited()
    const writes = serviceWrites().length
    const result = await pushApply({ claims: 'sub email_verified', 'reviewed-plan': 'require' })
    expect(result.exitCode).toBe(1)
    expect(serviceWrites()).toHaveLength(writes)
    expect(world.idps()[0].config.auth_url).toBe(OLD_AUTH_URL)
    expect(result.outputs.changed).toBe('false')
    expect(planOf(result).fingerprint).not.toBe(reviewed)

    const [error] = result.errors
    expect(error).toMatch(
      /^reviewed-plan: require, and this plan differs from the one reviewed in #7 \(config\.auth_url of Cloudflare identity provider “Amazon Cognito”\)\. Nothing was written\./
    )
    expect(error).toContain('Re-run the plan of pull request #7 (its workflow run)')
    expect(error).toContain('workflow_dispatch')
    // The side-by-side, in the log ...
    expect(result.stdout).toContain('  Cloudflare identity provider “Amazon Cognito”: config.auth_url\n')
    expect(result.stdout).toContain('      reviewed in #7: no change\n')
    expect(result.stdout).toContain(
      `      now: "${OLD_AUTH_URL}" → "https://acme-login.auth.eu-west-1.amazoncognito.com/oauth2/authorize"\n`
    )
    // ... and in the summary, where the report says the apply failed and nothing was done.
    expect(result.summary).toContain('### ❌ Cognito → Cloudflare Access apply failed')
    expect(result.summary).toContain('> [!CAUTION]')
    expect(result.summary).toContain('| Resource | Field | Reviewed in #7 | Now |')
    expect(result.summary).toContain(
      `| Cloudflare identity provider “Amazon Cognito” | config.auth_url | no change | "${OLD_AUTH_URL}" → "https://acme-login.auth.eu-west-1.amazoncognito.com/oauth2/authorize" |`
    )
    // The unchanged claims change is the same on both sides, so it is not a difference.
    expect(result.summary).not.toMatch(/\| config\.claims \| adds/)
  })

  test('warn: applies with a warning and the same side-by-side', async () => {
    await reviewedThenEdited()
    const result = await pushApply({ claims: 'sub email_verified' })
    expectSuccess(result)
    expect(world.idps()[0].config.auth_url).toBe('https://acme-login.auth.eu-west-1.amazoncognito.com/oauth2/authorize')
    expect(world.idps()[0].config.claims).toEqual(['sub', 'email_verified'])
    expect(result.warnings).toEqual([
      'This plan differs from the one reviewed in #7 (config.auth_url of Cloudflare identity provider “Amazon Cognito”). Applying it anyway (reviewed-plan: warn).'
    ])
    expect(result.stdout).toContain('      reviewed in #7: no change\n')
    expect(result.summary).toContain('### 🚀 Cognito → Cloudflare Access applied')
    expect(result.summary).toContain('> [!WARNING]')
    expect(result.summary).toContain('| Resource | Field | Reviewed in #7 | Now |')
  })

  test('a workflow_dispatch apply is not checked: it applies, and GitHub is not asked', async () => {
    await reviewedThenEdited()
    const calls = world.github.calls.length
    const result = await world.run({
      inputs: world.inputs({ claims: 'sub email_verified', 'reviewed-plan': 'require' }),
      event: dispatchEvent()
    })
    expectSuccess(result)
    expect(world.idps()[0].config.auth_url).not.toBe(OLD_AUTH_URL)
    expect(world.github.calls.slice(calls)).toEqual([])
    expect(result.stdout).toContain('reviewed-plan: not checked, because a workflow_dispatch run is the deliberate override.')
    expect(result.summary).toContain('Not compared with a reviewed plan: a manual run (workflow_dispatch) is the deliberate override.')
  })

  test('re-running the pull request’s plan after the edit makes the apply match again', async () => {
    await reviewedThenEdited()
    expectSuccess(await planOnPullRequest({ claims: 'sub email_verified' }))
    const result = await pushApply({ claims: 'sub email_verified', 'reviewed-plan': 'require' })
    expectSuccess(result)
    expect(result.summary).toContain('✅ This apply applies the plan reviewed in [#7]')
  })

  test('reviewed-plan: off neither looks nor reports', async () => {
    await reviewedThenEdited()
    const calls = world.github.calls.length
    const result = await pushApply({ claims: 'sub email_verified', 'reviewed-plan': 'off' })
    expectSuccess(result)
    expect(world.github.calls.slice(calls)).toEqual([])
    expect(result.summary).not.toContain('Reviewed plan')
  })
})

describe('no reviewed plan to compare with', () => {
  test('a push that came from no pull request: warn notes it and applies; require fails before any write', async () => {
    const required = await pushApply({ 'reviewed-plan': 'require' })
    expect(required.exitCode).toBe(1)
    expect(required.errors[0]).toMatch(
      /^reviewed-plan: require, but there is no reviewed plan to compare with: commit 3f786850e387 was not merged into main from a pull request\. Nothing was written\./
    )
    expect(serviceWrites()).toEqual([])

    const warned = await pushApply()
    expectSuccess(warned)
    expect(warned.notices).toContain(
      'No reviewed plan to compare with: commit 3f786850e387 was not merged into main from a pull request. Applying anyway (reviewed-plan: warn).'
    )
    expect(warned.warnings).toEqual([])
    expect(warned.summary).toContain('> [!NOTE]')
    expect(world.idps()).toHaveLength(1)
  })

  test('a pull request merged into another branch, or still open, is not the reviewed one', async () => {
    world.github.addPullRequest(TEST_OWNER, REPO, { number: 8, headSha: HEAD, baseRef: 'release', merged: { commitSha: TEST_SHA } })
    world.github.addPullRequest(TEST_OWNER, REPO, { number: 9, headSha: TEST_SHA })
    const result = await pushApply({ 'reviewed-plan': 'require' })
    expect(result.exitCode).toBe(1)
    expect(result.errors[0]).toContain('was not merged into main from a pull request')
  })

  test('a merged pull request without a plan comment: require fails, naming it', async () => {
    merge()
    world.github.addComment(TEST_OWNER, REPO, PR, 'LGTM', 'octocat')
    const result = await pushApply({ 'reviewed-plan': 'require' })
    expect(result.exitCode).toBe(1)
    expect(result.errors[0]).toContain("pull request #7 has no plan comment of this instance (“Amazon Cognito”) by this token's identity")
    expect(serviceWrites()).toEqual([])
  })

  test('another instance’s plan comment does not count', async () => {
    expectSuccess(await planOnPullRequest({ 'idp-name': 'Staff login' }))
    merge()
    const result = await pushApply({ 'reviewed-plan': 'require' })
    expect(result.exitCode).toBe(1)
    expect(result.errors[0]).toContain('has no plan comment of this instance')
  })

  test('a plan with no changes is not stopped by require: nothing unreviewed can be written', async () => {
    await converge()
    const result = await pushApply({ 'reviewed-plan': 'require' })
    expectSuccess(result)
    expect(result.outputs.changed).toBe('false')
    expect(result.notices).toContain(
      'No reviewed plan to compare with: commit 3f786850e387 was not merged into main from a pull request. The plan has no changes, so nothing unreviewed is applied.'
    )
  })
})

describe('a comment that is not ours, or not sound', () => {
  test('a copy of the plan comment posted by someone else is not the reviewed plan', async () => {
    expectSuccess(await planOnPullRequest())
    // Stands for mallory's comment with the very body of ours (and the real one gone).
    planComment().login = 'mallory'
    merge()
    const result = await pushApply({ 'reviewed-plan': 'require' })
    expect(result.exitCode).toBe(1)
    expect(result.errors[0]).toContain('has no plan comment of this instance')
    expect(serviceWrites()).toEqual([])
  })

  const HOSTILE: Array<[string, (marker: string, data: string) => string, RegExp]> = [
    ['no data line (a failed plan)', marker => `${marker}\n### ❌ plan failed`, /carries no plan data/],
    ['data that is not base64', marker => `${marker}\n<!-- cognito-cloudflare-access:plan-data:%%%not*base64 -->`, /not base64/],
    [
      'base64 that is not JSON',
      marker => `${marker}\n<!-- cognito-cloudflare-access:plan-data:${Buffer.from('{oops').toString('base64')} -->`,
      /not JSON/
    ],
    [
      'JSON of another shape',
      marker =>
        `${marker}\n<!-- cognito-cloudflare-access:plan-data:${Buffer.from(JSON.stringify({ version: 1, fingerprint: 'x', resources: [] })).toString('base64')} -->`,
      /malformed \(summary\.fingerprint\)/
    ],
    [
      'data beyond the size cap',
      marker => `${marker}\n<!-- cognito-cloudflare-access:plan-data:${'A'.repeat(40_000)} -->`,
      /longer than 16000 characters/
    ],
    [
      'a change with a huge text',
      (marker, data) => {
        const summary = JSON.parse(Buffer.from(data, 'base64').toString('utf8'))
        summary.resources[0].changes = [{ field: 'x', digest: '0'.repeat(16), text: 'y'.repeat(5000) }]
        return `${marker}\n<!-- cognito-cloudflare-access:plan-data:${Buffer.from(JSON.stringify(summary)).toString('base64')} -->`
      },
      /malformed \(resources\[0\]\.changes\[0\]\.text\)/
    ]
  ]

  test.each(HOSTILE)('our comment with %s is no reviewed plan: require fails with the reason, no crash', async (_what, forge, reason) => {
    expectSuccess(await planOnPullRequest())
    const comment = planComment()
    const [marker] = comment.body.split('\n')
    // Our own comment, edited (by anyone who can edit comments in the repository).
    comment.body = forge(marker, DATA.exec(comment.body)![1])
    merge()
    const result = await pushApply({ 'reviewed-plan': 'require' })
    expect(result.exitCode).toBe(1)
    expect(result.errors).toHaveLength(1)
    expect(result.errors[0]).toContain('the plan comment of pull request #7 carries no readable plan: ')
    expect(result.errors[0]).toMatch(reason)
    expect(serviceWrites()).toEqual([])
  })

  test('a forged side-by-side cannot inject Markdown into the summary', async () => {
    await converge()
    expectSuccess(await planOnPullRequest({ claims: 'sub email_verified' }))
    const comment = planComment()
    const [marker] = comment.body.split('\n')
    const summary = JSON.parse(Buffer.from(DATA.exec(comment.body)![1], 'base64').toString('utf8'))
    summary.resources[0].title = '| </table><img src=x onerror=alert(1)> @org/admins'
    summary.resources[0].changes = [{ field: '</td>**x**', digest: 'f'.repeat(16), text: '[click](https://evil.example)' }]
    summary.fingerprint = 'e'.repeat(64)
    comment.body = `${marker}\n<!-- cognito-cloudflare-access:plan-data:${Buffer.from(JSON.stringify(summary)).toString('base64')} -->\nforged`
    merge()
    const result = await pushApply({ claims: 'sub email_verified' })
    expectSuccess(result)
    for (const bad of ['<img', '</table>', '</td>', '](https://evil', '@org', '**x**']) expect(result.summary).not.toContain(bad)
    expect(result.warnings).toHaveLength(1)
  })
})

describe('a token that cannot read', () => {
  test('no github-token: warn applies with a warning; require fails with the reason', async () => {
    expectSuccess(await planOnPullRequest())
    merge()
    const warned = await pushApply({ 'github-token': '' })
    expectSuccess(warned)
    expect(warned.warnings).toEqual([
      'The reviewed plan could not be read (there is no github-token); applying without comparing (reviewed-plan: warn). Give the job `permissions: pull-requests: read`.'
    ])
    const required = await world.run({ inputs: world.inputs({ 'github-token': '', 'reviewed-plan': 'require', claims: 'sub' }) })
    expect(required.exitCode).toBe(1)
    expect(required.errors[0]).toMatch(
      /^reviewed-plan: require, but the reviewed plan could not be read \(there is no github-token\), so nothing was written\./
    )
  })

  test('a token GitHub refuses (HTTP 403): require fails with GitHub’s answer, before any write', async () => {
    expectSuccess(await planOnPullRequest())
    merge()
    world.github.answerNext('listPullRequestsAssociatedWithCommit', {
      status: 403,
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify({ message: 'Resource not accessible by integration', status: '403' })
    })
    const result = await pushApply({ 'reviewed-plan': 'require' })
    expect(result.exitCode).toBe(1)
    expect(result.errors[0]).toMatch(
      /^reviewed-plan: require, but the reviewed plan could not be read \(GitHub answered HTTP 403: Resource not accessible by integration.*\), so nothing was written\. Fix the token's permissions \(pull-requests: read\)/
    )
    expect(serviceWrites()).toEqual([])
  })

  test('an unknown token (HTTP 401) with warn: a warning, and the apply goes on', async () => {
    const unknown = 'ghs_Zt5Mw1Qk8Xr3Lp7Jd2Vn6Hb9Cf4Ys0PeUa'
    world.extraSecrets['unknown token'] = unknown
    const result = await pushApply({}, { githubToken: unknown })
    expectSuccess(result)
    expect(result.warnings).toEqual([
      expect.stringMatching(
        /^The reviewed plan could not be read \(GitHub answered HTTP 401: Bad credentials.*\); applying without comparing/
      )
    ])
    expect(world.idps()).toHaveLength(1)
  })

  test('a read-only token is enough to check', async () => {
    expectSuccess(await planOnPullRequest())
    merge()
    const result = await pushApply({ 'reviewed-plan': 'require' }, { githubToken: GITHUB_READ_TOKEN })
    expectSuccess(result)
    expect(result.summary).toContain('✅ This apply applies the plan reviewed in [#7]')
  })
})

describe('the fingerprint never holds a secret', () => {
  test('a new client secret between the plan and the apply leaves the fingerprint alone; the data carries only “changes (sensitive)”', async () => {
    await converge()
    const planned = await planOnPullRequest({ 'sync-secret': 'true' })
    expectSuccess(planned)
    const client = world.clients()[0]
    const summary = carriedSummary()
    const secretChange = summary.resources.flatMap(resource => resource.changes).find(change => change.field === 'config.client_secret')
    expect(secretChange?.text).toBe('changes (sensitive)')
    expect(JSON.stringify(summary)).not.toContain(client.ClientSecret!.slice(0, 8))

    // Someone rotates the client's secret in the console: the value Cloudflare will get differs.
    client.ClientSecret = 'rotated0secret0Kq8Tz1Kw6Np4Rj9Hd2Mc7Sb5Yf0GaXw3'
    merge()
    const applied = await pushApply({ 'sync-secret': 'true', 'reviewed-plan': 'require' })
    expectSuccess(applied)
    expect(planOf(applied).fingerprint).toBe(planOf(planned).fingerprint)
    expect(applied.summary).toContain('✅ This apply applies the plan reviewed in [#7]')
  })

  test('a secret pasted into an input is redacted before it reaches the data, and the plans still match', async () => {
    const idpName = `Login ${world.secrets()['cloudflare token']}`
    expectSuccess(await planOnPullRequest({ 'idp-name': idpName }))
    const summary = carriedSummary()
    expect(JSON.stringify(summary)).toContain('Login ***')
    merge()
    const applied = await pushApply({ 'idp-name': idpName, 'reviewed-plan': 'require' })
    expectSuccess(applied)
    expect(applied.summary).toContain('This apply applies the plan reviewed in')
  })
})
