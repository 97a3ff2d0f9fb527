import { getOctokit } from '@actions/github'
import { GITHUB_ACTIONS_BOT, GitHubFake, MAX_COMMENT_LENGTH } from './github.js'

const WRITE = 'ghs_write'
const READ = 'ghs_read'
const repo = { owner: 'acme', repo: 'infra' }
const issue = { ...repo, issue_number: 7 }

let fake: GitHubFake

beforeEach(async () => {
  fake = await new GitHubFake().start()
  fake.addToken(WRITE, 'write')
  fake.addToken(READ, 'read')
  fake.addRepo('acme', 'infra')
})

afterEach(() => fake.stop())

function octokit(token = WRITE) {
  return getOctokit(token, { baseUrl: fake.url })
}

/** The HTTP status of a failed Octokit call, and its parsed body. */
interface Failure {
  status: number
  data: any
  headers: Record<string, unknown>
}

async function failure(promise: Promise<unknown>): Promise<Failure> {
  const error = await promise.then(
    () => {
      throw new Error('expected the call to fail')
    },
    (caught: { status: number; response?: { data: unknown; headers: Record<string, unknown> } }) => caught
  )
  return { status: error.status, data: error.response?.data, headers: error.response?.headers ?? {} }
}

function seed(count: number): void {
  for (let i = 0; i < count; i++) fake.addComment('acme', 'infra', 7, `comment ${i}`, i % 2 ? 'alice' : undefined)
}

describe('listing comments', () => {
  test('Octokit paginate follows the Link header across pages', async () => {
    seed(7)
    fake.addComment('acme', 'infra', 8, 'another issue')
    const comments = await octokit(READ).paginate(octokit(READ).rest.issues.listComments, { ...issue, per_page: 3 })
    expect(comments.map(comment => comment.body)).toEqual([0, 1, 2, 3, 4, 5, 6].map(i => `comment ${i}`))
    expect(fake.calls.map(call => [call.operation, call.path])).toEqual([
      ['listComments', '/repos/acme/infra/issues/7/comments?per_page=3'],
      ['listComments', '/repositories/1/issues/7/comments?per_page=3&page=2'],
      ['listComments', '/repositories/1/issues/7/comments?per_page=3&page=3']
    ])
    expect(comments[1].user).toMatchObject({ login: 'alice', type: 'User' })
    expect(comments[0].user).toMatchObject({ login: GITHUB_ACTIONS_BOT, type: 'Bot' })
  })

  test('the Link header is formatted as GitHub does', async () => {
    seed(7)
    const first = await octokit().rest.issues.listComments({ ...issue, per_page: 3 })
    const base = `${fake.url}/repositories/1/issues/7/comments`
    expect(first.headers.link).toBe(`<${base}?per_page=3&page=2>; rel="next", <${base}?per_page=3&page=3>; rel="last"`)
    expect(first.headers['content-type']).toBe('application/json; charset=utf-8')
    const middle = await octokit().rest.issues.listComments({ ...issue, per_page: 3, page: 2 })
    expect(middle.headers.link).toBe(
      `<${base}?per_page=3&page=1>; rel="prev", <${base}?per_page=3&page=3>; rel="next", ` +
        `<${base}?per_page=3&page=3>; rel="last", <${base}?per_page=3&page=1>; rel="first"`
    )
    const single = await octokit().rest.issues.listComments({ ...issue, per_page: 30 })
    expect(single.headers.link).toBeUndefined()
  })

  test('per_page defaults to 30 and is capped at 100', async () => {
    seed(120)
    expect((await octokit().rest.issues.listComments(issue)).data).toHaveLength(30)
    expect((await octokit().rest.issues.listComments({ ...issue, per_page: 500 })).data).toHaveLength(100)
  })

  test('a comment looks like api.github.com', async () => {
    seed(1)
    const [comment] = (await octokit().rest.issues.listComments(issue)).data
    expect(comment).toMatchObject({
      id: expect.any(Number),
      node_id: expect.stringMatching(/^IC_/),
      body: 'comment 0',
      html_url: `https://github.com/acme/infra/issues/7#issuecomment-${comment.id}`,
      created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
      updated_at: expect.stringMatching(/Z$/)
    })
  })
})

describe('writing comments', () => {
  test('create then update, reflected in the live state', async () => {
    const created = await octokit().rest.issues.createComment({ ...issue, body: 'plan v1' })
    expect(created.status).toBe(201)
    expect(created.data.user?.login).toBe(GITHUB_ACTIONS_BOT)
    const updated = await octokit().rest.issues.updateComment({ ...repo, comment_id: created.data.id, body: 'plan v2' })
    expect(updated.status).toBe(200)
    expect(updated.data.body).toBe('plan v2')
    expect(fake.comments('acme', 'infra', 7).map(comment => comment.body)).toEqual(['plan v2'])
    expect(fake.writes().map(call => call.operation)).toEqual(['createComment', 'updateComment'])
  })

  test('a token can write as another login', async () => {
    fake.addToken('ghp_pat', 'write', 'octocat')
    const created = await octokit('ghp_pat').rest.issues.createComment({ ...issue, body: 'hi' })
    expect(created.data.user).toMatchObject({ login: 'octocat', type: 'User' })
  })

  test('a body of 65,536 characters passes, one more is 422', async () => {
    const longest = 'é'.repeat(MAX_COMMENT_LENGTH)
    const created = await octokit().rest.issues.createComment({ ...issue, body: longest })
    expect(created.status).toBe(201)
    const tooLong = await failure(octokit().rest.issues.createComment({ ...issue, body: `${longest}x` }))
    expect(tooLong.status).toBe(422)
    expect(tooLong.data).toMatchObject({
      message: 'Validation Failed',
      errors: [{ resource: 'IssueComment', code: 'custom', field: 'body', message: 'body is too long (maximum is 65536 characters)' }]
    })
    const update = await failure(octokit().rest.issues.updateComment({ ...repo, comment_id: created.data.id, body: `${longest}x` }))
    expect(update.status).toBe(422)
    expect(fake.comments('acme', 'infra', 7)).toHaveLength(1)
  })

  test('an unknown comment is 404', async () => {
    const missing = await failure(octokit().rest.issues.updateComment({ ...repo, comment_id: 42, body: 'x' }))
    expect(missing.status).toBe(404)
    expect(missing.data.message).toBe('Not Found')
  })
})

describe('access', () => {
  test('an unknown repository is 404', async () => {
    const missing = await failure(octokit().rest.issues.listComments({ owner: 'acme', repo: 'nope', issue_number: 1 }))
    expect(missing.status).toBe(404)
    expect(missing.data).toMatchObject({ message: 'Not Found' })
  })

  test('a bad token is 401 Bad credentials', async () => {
    const denied = await failure(octokit('ghs_unknown').rest.issues.listComments(issue))
    expect(denied.status).toBe(401)
    expect(denied.data).toMatchObject({ message: 'Bad credentials', documentation_url: expect.any(String) })
  })

  test('a read token lists but cannot write', async () => {
    seed(1)
    expect((await octokit(READ).rest.issues.listComments(issue)).data).toHaveLength(1)
    const denied = await failure(octokit(READ).rest.issues.createComment({ ...issue, body: 'x' }))
    expect(denied.status).toBe(403)
    expect(denied.data).toMatchObject({ message: 'Resource not accessible by integration', status: '403' })
    expect(fake.comments('acme', 'infra', 7)).toHaveLength(1)
  })

  test('Bearer works as well as token', async () => {
    const response = await fetch(`${fake.url}/repos/acme/infra/issues/7/comments`, {
      headers: { authorization: `Bearer ${READ}` }
    })
    expect(response.status).toBe(200)
  })
})

describe('faults', () => {
  test('http500', async () => {
    fake.failNext('createComment', 'http500')
    const error = await failure(octokit().rest.issues.createComment({ ...issue, body: 'x' }))
    expect(error.status).toBe(500)
    expect(error.data).toMatchObject({ message: 'Server Error' })
    expect(fake.comments('acme', 'infra', 7)).toEqual([])
  })

  test('throttle is a 403 with the rate limit exhausted', async () => {
    fake.failNext('listComments', 'throttle')
    const error = await failure(octokit().rest.issues.listComments(issue))
    expect(error.status).toBe(403)
    expect(error.headers['x-ratelimit-remaining']).toBe('0')
    expect(error.data.message).toMatch(/^API rate limit exceeded/)
    expect((await octokit().rest.issues.listComments(issue)).status).toBe(200)
  })
})

describe('who a token is, by its kind', () => {
  test('an installation token (GITHUB_TOKEN) cannot read GET /user; GraphQL viewer names its bot', async () => {
    const refused = await failure(octokit().request('GET /user'))
    expect(refused).toMatchObject({ status: 403, data: { message: 'Resource not accessible by integration' } })
    expect(await octokit().graphql('query { viewer { login } }')).toEqual({ viewer: { login: GITHUB_ACTIONS_BOT } })
  })

  test('a user’s token reads GET /user, and GraphQL agrees', async () => {
    fake.addToken('github_pat_user', 'write', 'deploy-user')
    const { data } = await octokit('github_pat_user').request('GET /user')
    expect(data).toMatchObject({ login: 'deploy-user', type: 'User' })
    expect(await octokit('github_pat_user').graphql('{ viewer { login } }')).toEqual({ viewer: { login: 'deploy-user' } })
  })

  test('another app’s installation token is its bot; an unknown token is refused', async () => {
    fake.addToken('ghs_app', 'write', 'acme-deployer[bot]')
    expect((await failure(octokit('ghs_app').request('GET /user'))).status).toBe(403)
    expect(await octokit('ghs_app').graphql('{ viewer { login } }')).toEqual({ viewer: { login: 'acme-deployer[bot]' } })
    expect((await failure(octokit('ghs_unknown').request('GET /user'))).status).toBe(401)
  })

  test('comments carry their author: the token’s login', async () => {
    fake.addToken('github_pat_user', 'write', 'deploy-user')
    const { data } = await octokit('github_pat_user').rest.issues.createComment({ ...issue, body: 'hello' })
    expect(data.user).toMatchObject({ login: 'deploy-user', type: 'User' })
    expect(fake.comments('acme', 'infra', 7)[0].login).toBe('deploy-user')
  })
})

describe('hostile answers', () => {
  test('answerNext serves a made-up answer (seeing the request) instead of the operation, then the real one', async () => {
    fake.answerNext('listComments', call => ({
      status: 200,
      headers: { 'content-type': 'application/json', link: '<x>; rel="next"' },
      body: JSON.stringify([String(call.headers.authorization)])
    }))
    const made = await octokit(READ).request('GET /repos/{owner}/{repo}/issues/{issue_number}/comments', issue)
    expect(made.data).toEqual([`token ${READ}`])
    expect(made.headers.link).toBe('<x>; rel="next"')
    expect((await octokit(READ).rest.issues.listComments(issue)).data).toEqual([])
  })

  test('trickle: 200 at once, then a byte at a time, never ending', async () => {
    fake.trickleIntervalMs = 20
    fake.failNext('listComments', 'trickle')
    const response = await fetch(`${fake.url}/repos/acme/infra/issues/7/comments`, { headers: { authorization: `token ${READ}` } })
    expect(response.status).toBe(200)
    const reader = response.body!.getReader()
    let received = 0
    while (received < 5) received += (await reader.read()).value?.byteLength ?? 0
    await reader.cancel()
    expect(received).toBeGreaterThanOrEqual(5)
  })
})

describe('issues', () => {
  test('list holds issues and pull requests, newest first, open by default, paged by Link', async () => {
    for (let i = 0; i < 5; i++) fake.addIssue('acme', 'infra', { title: `issue ${i}`, body: `body ${i}` })
    fake.addIssue('acme', 'infra', { title: 'old', state: 'closed' })
    fake.addPullRequest('acme', 'infra', { headSha: 'a'.repeat(40) })
    const all = await octokit(READ).paginate(octokit(READ).rest.issues.listForRepo, { ...repo, per_page: 2 })
    expect(all.map(item => [item.number, item.pull_request === undefined])).toEqual([
      [7, false],
      [5, true],
      [4, true],
      [3, true],
      [2, true],
      [1, true]
    ])
    expect(fake.calls.map(call => call.path)).toEqual([
      '/repos/acme/infra/issues?per_page=2',
      '/repositories/1/issues?per_page=2&page=2',
      '/repositories/1/issues?per_page=2&page=3'
    ])
    const closed = await octokit(READ).rest.issues.listForRepo({ ...repo, state: 'closed' })
    expect(closed.data.map(item => item.title)).toEqual(['old'])
    expect((await octokit(READ).rest.issues.listForRepo({ ...repo, state: 'all' })).data).toHaveLength(7)
  })

  test('creator filters by login; what it does with a bot’s login is a switch', async () => {
    fake.addIssue('acme', 'infra', { title: 'by the bot' })
    fake.addIssue('acme', 'infra', { title: 'by octocat', login: 'octocat' })
    const titles = async (creator: string) =>
      (await octokit(READ).rest.issues.listForRepo({ ...repo, creator })).data.map(item => item.title)
    expect(await titles('octocat')).toEqual(['by octocat'])
    expect(await titles(GITHUB_ACTIONS_BOT)).toEqual(['by the bot'])
    fake.botCreatorFilter = 'empty'
    expect(await titles(GITHUB_ACTIONS_BOT)).toEqual([])
    expect(await titles('octocat')).toEqual(['by octocat'])
    fake.botCreatorFilter = 'rejected'
    expect((await failure(octokit(READ).rest.issues.listForRepo({ ...repo, creator: GITHUB_ACTIONS_BOT }))).status).toBe(422)
  })

  test('create, update and close, by the token’s login; a read token cannot', async () => {
    const created = await octokit().rest.issues.create({ ...repo, title: 'Drift', body: 'v1' })
    expect(created.status).toBe(201)
    expect(created.data).toMatchObject({ number: 1, state: 'open', title: 'Drift', body: 'v1', user: { login: GITHUB_ACTIONS_BOT } })
    await octokit().rest.issues.update({ ...repo, issue_number: 1, body: 'v2' })
    const closed = await octokit().rest.issues.update({ ...repo, issue_number: 1, state: 'closed', state_reason: 'completed' })
    expect(closed.data).toMatchObject({ state: 'closed', state_reason: 'completed', closed_at: expect.stringMatching(/Z$/) })
    expect(fake.issues('acme', 'infra')).toEqual([expect.objectContaining({ number: 1, body: 'v2', state: 'closed' })])
    expect((await failure(octokit(READ).rest.issues.create({ ...repo, title: 'x' }))).status).toBe(403)
    expect((await failure(octokit(READ).rest.issues.update({ ...repo, issue_number: 1, state: 'open' }))).status).toBe(403)
    expect((await failure(octokit().rest.issues.update({ ...repo, issue_number: 99, body: 'x' }))).status).toBe(404)
  })

  test('numbers follow those of pull requests and commented issues; bad fields are 422', async () => {
    seed(1)
    expect((await octokit().rest.issues.create({ ...repo, title: 'next' })).data.number).toBe(8)
    for (const fields of [{ title: '' }, { title: 'x'.repeat(257) }, { title: 'x', body: 'é'.repeat(MAX_COMMENT_LENGTH + 1) }]) {
      expect(await failure(octokit().rest.issues.create({ ...repo, ...fields }))).toMatchObject({
        status: 422,
        data: { message: 'Validation Failed' }
      })
    }
    expect((await failure(octokit().rest.issues.update({ ...repo, issue_number: 8, state: 'gone' as 'open' }))).status).toBe(422)
  })
})

describe('pull requests associated with a commit', () => {
  const pulls = async (sha: string) =>
    (await octokit(READ).request('GET /repos/{owner}/{repo}/commits/{commit_sha}/pulls', { ...repo, commit_sha: sha })).data as Array<{
      number: number
      merged_at: string | null
      merge_commit_sha: string | null
      base: { ref: string }
      head: { sha: string }
    }>

  test('the merged pull request of its merge commit, or of one of its commits; open ones while none is merged', async () => {
    const head = 'a'.repeat(40)
    const merge = 'b'.repeat(40)
    fake.addPullRequest('acme', 'infra', { number: 3, headSha: head, commits: ['c'.repeat(40), head] })
    expect((await pulls(head)).map(pr => [pr.number, pr.merged_at])).toEqual([[3, null]])
    fake.addPullRequest('acme', 'infra', { number: 4, headSha: head, merged: { commitSha: merge, at: '2026-01-02T03:04:05Z' } })
    expect(await pulls(head)).toEqual([
      expect.objectContaining({
        number: 4,
        merged_at: '2026-01-02T03:04:05Z',
        merge_commit_sha: merge,
        base: expect.objectContaining({ ref: 'main' }),
        head: expect.objectContaining({ sha: head })
      })
    ])
    expect((await pulls(merge)).map(pr => pr.number)).toEqual([4])
    expect((await pulls('c'.repeat(40))).map(pr => pr.number)).toEqual([3])
    expect(await pulls('d'.repeat(40))).toEqual([])
    expect(fake.calls.at(-1)?.operation).toBe('listPullRequestsAssociatedWithCommit')
  })

  test('needs a known token', async () => {
    const denied = await failure(
      octokit('ghs_unknown').request('GET /repos/{owner}/{repo}/commits/{commit_sha}/pulls', { ...repo, commit_sha: 'a'.repeat(40) })
    )
    expect(denied.status).toBe(401)
  })
})
