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
