// Issue 14: drift on a schedule, and fail-on-changes. A scheduled plan (mode: auto plans on
// `schedule`) keeps one issue per instance open while there is drift, found by its hidden marker
// and our identity across every page of the REST issues list (pull requests skipped), updated on
// each run and closed by the first run without drift; it never opens a second one, and without
// `issues: write` it warns, never fails. fail-on-changes makes a plan with changes go red.
import { TEST_OWNER, type RunResult } from '../support/run-action.js'
import { GITHUB_READ_TOKEN, REPO, World, expectSuccess } from '../support/world.js'

const TITLE = 'Drift: Cognito → Cloudflare Access “Amazon Cognito”'
const DRIFT_MARKER = /^<!-- cognito-cloudflare-access:drift:[0-9a-f]{16} -->\n/
const OLD_AUTH_URL = 'https://old-login.auth.eu-west-1.amazoncognito.com/oauth2/authorize'

let world: World
beforeEach(async () => {
  world = await World.start()
  // Converged by a manual apply, as after the first merge.
  expectSuccess(await world.run({ event: { name: 'workflow_dispatch', payload: { ref: 'refs/heads/main', inputs: {} } } }))
})
afterEach(async () => {
  await world.stop()
})

function scheduledPlan(inputs: Record<string, string> = {}, options: { githubToken?: string } = {}): Promise<RunResult> {
  return world.run({ inputs: world.inputs(inputs), event: { name: 'schedule', payload: { schedule: '17 6 * * *' } }, ...options })
}

/** Fixes the drift as the apply workflow would. */
async function fixDrift(): Promise<void> {
  expectSuccess(await world.run({ inputs: world.inputs({ 'reviewed-plan': 'off' }) }))
}

function issues() {
  return world.github.issues(TEST_OWNER, REPO)
}

function openIssues() {
  return issues().filter(issue => issue.state === 'open')
}

function serviceWrites() {
  return [...world.cognito.writeAttempts(), ...world.cloudflare.writeAttempts()]
}

describe('drift on a schedule', () => {
  test('two scheduled runs with drift keep exactly one open issue, updated with the plan; nothing else is written', async () => {
    const writes = serviceWrites().length
    world.idps()[0].config.auth_url = OLD_AUTH_URL
    const first = await scheduledPlan()
    expectSuccess(first)
    expect(first.stdout).toContain('Mode: plan (mode: auto on a schedule event).')
    expect(first.warnings).toEqual(['Drift: the plan has changes; opened issue #1.'])
    expect(openIssues()).toHaveLength(1)
    const [issue] = openIssues()
    expect(issue.title).toBe(TITLE)
    expect(issue.body).toMatch(DRIFT_MARKER)
    expect(issue.body).toContain(
      'Cognito or Cloudflare Access no longer match the configuration: [a scheduled run](https://github.com/acme/infra/actions/runs/1234567890)'
    )
    expect(issue.body).toContain('**Plan: 1 to change.**')
    expect(issue.body).toContain(`<code>${OLD_AUTH_URL}</code>`)

    world.clients()[0].CallbackURLs = ['https://app.example.com/callback']
    const second = await scheduledPlan()
    expectSuccess(second)
    expect(second.warnings).toEqual([`Drift: the plan has changes; updated issue #${issue.number}.`])
    expect(issues()).toHaveLength(1)
    expect(openIssues()[0].number).toBe(issue.number)
    expect(openIssues()[0].body).toContain('**Plan: 2 to change.**')
    expect(openIssues()[0].body).toContain('https://app.example.com/callback')

    // The same drift again: the issue already shows it, so it is left as it is.
    const third = await scheduledPlan()
    expectSuccess(third)
    expect(third.warnings).toEqual([`Drift: the plan has changes; issue #${issue.number} already shows them.`])
    expect(issues()).toHaveLength(1)
    expect(serviceWrites()).toHaveLength(writes)
    expect(world.github.writeAttempts().map(call => call.operation)).toEqual(['createIssue', 'updateIssue'])
  })

  test('a scheduled run after the drift is fixed closes the issue with a comment; later runs leave it closed', async () => {
    world.idps()[0].config.auth_url = OLD_AUTH_URL
    expectSuccess(await scheduledPlan())
    const [issue] = openIssues()
    await fixDrift()

    const clean = await scheduledPlan()
    expectSuccess(clean)
    expect(clean.warnings).toEqual([])
    expect(clean.stdout).toContain(`No drift any more; closed issue #${issue.number}.`)
    expect(issues()).toEqual([expect.objectContaining({ number: issue.number, state: 'closed', state_reason: 'completed' })])
    const closing = world.github.comments(TEST_OWNER, REPO, issue.number)
    expect(closing.map(comment => comment.body)).toEqual([
      '[This scheduled run](https://github.com/acme/infra/actions/runs/1234567890) found no drift: Cognito and Cloudflare Access match the configuration again. Closing.'
    ])

    const quiet = await scheduledPlan()
    expectSuccess(quiet)
    expect(quiet.stdout).toContain('No drift, and no drift issue open.')
    expect(world.github.comments(TEST_OWNER, REPO, issue.number)).toHaveLength(1)

    // Drift again: a new issue (the closed one stays as history); still one open at a time.
    world.idps()[0].config.auth_url = OLD_AUTH_URL
    expectSuccess(await scheduledPlan())
    expectSuccess(await scheduledPlan())
    expect(openIssues()).toHaveLength(1)
    expect(openIssues()[0].number).not.toBe(issue.number)
  })

  test('found on page 3 of the open issues; pull requests, closed issues, and others’ issues with the marker are not it', async () => {
    world.github.maxPerPage = 100
    world.idps()[0].config.auth_url = OLD_AUTH_URL
    expectSuccess(await scheduledPlan())
    const [ours] = openIssues()
    const marker = ours.body!.split('\n')[0]
    // Newer than ours, so they come first in the list (newest first).
    for (let i = 0; i < 230; i++)
      world.github.addIssue(TEST_OWNER, REPO, {
        title: `issue ${i}`,
        body: i % 3 ? 'text' : null,
        login: i % 2 ? 'octocat' : 'renovate[bot]'
      })
    const forged = world.github.addIssue(TEST_OWNER, REPO, { title: TITLE, body: `${marker}\nforged by someone else`, login: 'mallory' })
    const closed = world.github.addIssue(TEST_OWNER, REPO, { title: TITLE, body: `${marker}\nan older drift`, state: 'closed' })
    const pr = world.github.addPullRequest(TEST_OWNER, REPO, { headSha: 'd'.repeat(40) })
    pr.body = `${marker}\na pull request that quotes the marker`
    pr.login = 'github-actions[bot]'

    const listed = world.github.calls.filter(call => call.operation === 'listIssues').length
    const result = await scheduledPlan({ claims: 'sub' })
    expectSuccess(result)
    expect(result.warnings).toEqual([`Drift: the plan has changes; updated issue #${ours.number}.`])
    expect(issues().find(issue => issue.number === ours.number)?.body).toContain('config.claims')
    expect(forged.body).toBe(`${marker}\nforged by someone else`)
    expect(closed).toMatchObject({ state: 'closed', body: `${marker}\nan older drift` })
    expect(openIssues().filter(issue => issue.title === TITLE)).toHaveLength(2)
    const pages = world.github.calls.filter(call => call.operation === 'listIssues').slice(listed)
    expect(pages.map(call => new URL(call.path, 'http://x').searchParams.get('page') ?? '1')).toEqual(['1', '2', '3'])
    expect(new URL(pages[0].path, 'http://x').searchParams.get('state')).toBe('open')
  })

  test('a personal access token filters by creator; a bot’s token does not, whatever GitHub does with a bot’s login', async () => {
    const pat = 'github_pat_Lq8Tz1Kw6Np4Rj9Hd2Mc7Sb5Yf0GaVx3'
    world.extraSecrets['personal access token'] = pat
    world.github.addToken(pat, 'write', 'deploy-user')
    world.idps()[0].config.auth_url = OLD_AUTH_URL
    expectSuccess(await scheduledPlan({}, { githubToken: pat }))
    expectSuccess(await scheduledPlan({}, { githubToken: pat }))
    expect(issues()).toEqual([expect.objectContaining({ login: 'deploy-user', state: 'open' })])
    const userLists = world.github.calls.filter(call => call.operation === 'listIssues')
    expect(userLists.map(call => new URL(call.path, 'http://x').searchParams.get('creator'))).toEqual(['deploy-user', 'deploy-user'])

    for (const behaviour of ['empty', 'rejected'] as const) {
      world.github.botCreatorFilter = behaviour
      expectSuccess(await scheduledPlan())
      expectSuccess(await scheduledPlan())
    }
    const botIssues = issues().filter(issue => issue.login === 'github-actions[bot]')
    expect(botIssues).toHaveLength(1)
    const botLists = world.github.calls.filter(call => call.operation === 'listIssues').slice(userLists.length)
    expect(botLists.every(call => !new URL(call.path, 'http://x').searchParams.has('creator'))).toBe(true)
  })

  test('without issues: write, a warning naming the permission, never a failure', async () => {
    world.idps()[0].config.auth_url = OLD_AUTH_URL
    const result = await scheduledPlan({}, { githubToken: GITHUB_READ_TOKEN })
    expectSuccess(result)
    expect(result.warnings).toEqual([
      expect.stringMatching(
        /^The drift issue could not be kept up to date \(GitHub answered HTTP 403: Resource not accessible by integration.*\); the plan is in the job summary\. Give the job `permissions: issues: write`\.$/
      )
    ])
    expect(issues()).toEqual([])
    expect(result.summary).toContain('**Plan: 1 to change.**')
  })

  test('GitHub failing does not fail the run', async () => {
    world.idps()[0].config.auth_url = OLD_AUTH_URL
    world.github.failNext('listIssues', 'http500', 10)
    const result = await scheduledPlan()
    expectSuccess(result)
    expect(result.warnings).toEqual([
      expect.stringMatching(/^The drift issue could not be kept up to date \(.*\); the plan is in the job summary\.$/)
    ])
  })

  test('drift-issue: false, a plan on a pull request, and a plan on a push touch no issue', async () => {
    world.idps()[0].config.auth_url = OLD_AUTH_URL
    const calls = world.github.calls.length
    expectSuccess(await scheduledPlan({ 'drift-issue': 'false' }))
    expectSuccess(await world.run({ inputs: world.inputs({ comment: 'false' }), event: world.pullRequestEvent(7) }))
    expectSuccess(await world.run({ inputs: world.inputs({ mode: 'plan' }) }))
    expect(world.github.calls.slice(calls)).toEqual([])
    expect(issues()).toEqual([])
  })

  test('two instances keep one issue each', async () => {
    world.idps()[0].config.auth_url = OLD_AUTH_URL
    expectSuccess(await scheduledPlan())
    expectSuccess(await scheduledPlan({ 'idp-name': 'Staff login' }))
    expectSuccess(await scheduledPlan())
    expect(
      openIssues()
        .map(issue => issue.title)
        .sort()
    ).toEqual([TITLE, 'Drift: Cognito → Cloudflare Access “Staff login”'])
  })
})

describe('fail-on-changes', () => {
  test('a plan exits non-zero only when it has changes', async () => {
    const clean = await world.run({ inputs: world.inputs({ mode: 'plan', 'fail-on-changes': 'true' }) })
    expectSuccess(clean)
    expect(clean.outputs.changed).toBe('false')

    world.idps()[0].config.auth_url = OLD_AUTH_URL
    const writes = serviceWrites().length
    const drifted = await world.run({ inputs: world.inputs({ mode: 'plan', 'fail-on-changes': 'true' }) })
    expect(drifted.exitCode).toBe(1)
    expect(drifted.errors).toEqual([
      'fail-on-changes: the plan has changes (see the report): apply them, or change the configuration to match.'
    ])
    expect(drifted.outputs.changed).toBe('true')
    expect(drifted.summary).toContain('**Plan: 1 to change.**')
    expect(serviceWrites()).toHaveLength(writes)

    const lenient = await world.run({ inputs: world.inputs({ mode: 'plan' }) })
    expectSuccess(lenient)
    expect(lenient.outputs.changed).toBe('true')
  })

  test('on a schedule, the run goes red and the drift issue is still kept', async () => {
    world.idps()[0].config.auth_url = OLD_AUTH_URL
    const result = await scheduledPlan({ 'fail-on-changes': 'true' })
    expect(result.exitCode).toBe(1)
    expect(result.errors).toEqual([expect.stringMatching(/^fail-on-changes: the plan has changes/)])
    expect(openIssues()).toHaveLength(1)
  })

  test('an apply is not failed by it', async () => {
    world.idps()[0].config.auth_url = OLD_AUTH_URL
    const result = await world.run({ inputs: world.inputs({ 'fail-on-changes': 'true', 'reviewed-plan': 'off' }) })
    expectSuccess(result)
    expect(result.outputs.changed).toBe('true')
  })
})
