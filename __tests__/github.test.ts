// The bounded GitHub client against the GitHub fake: the token's identity by token kind, paging
// that stops on a repeated or foreign next link and at a page cap, and requests cut off at their
// deadline when GitHub trickles or stays silent.
import { jest } from '@jest/globals'
import { createGitHubClient, listPages, MAX_PAGES, ownFailure, tokenIdentity, writtenBy, type GitHubClient } from '../src/github.js'
import { GITHUB_ACTIONS_BOT, GitHubFake } from './support/fakes/github.js'

let fake: GitHubFake
const clients: GitHubClient[] = []
const ROUTE = 'GET /repos/{owner}/{repo}/issues/{issue_number}/comments'
const ISSUE = { owner: 'acme', repo: 'infra', issue_number: 7 }

beforeEach(async () => {
  jest.spyOn(process.stdout, 'write').mockImplementation(() => true) // debug lines
  fake = await new GitHubFake().start()
  fake.addRepo('acme', 'infra')
  fake.addToken('ghs_actions', 'write')
})
afterEach(async () => {
  await Promise.all(clients.splice(0).map(client => client.close()))
  await fake.stop()
  jest.restoreAllMocks()
})

async function client(token = 'ghs_actions', timeoutMs = 1000): Promise<GitHubClient> {
  const made = await createGitHubClient(token, timeoutMs, fake.url)
  clients.push(made)
  return made
}

async function allPages(from: GitHubClient): Promise<unknown[][]> {
  const pages: unknown[][] = []
  for await (const page of listPages(from, ROUTE, ISSUE, 'the comments')) pages.push(page)
  return pages
}

describe('tokenIdentity', () => {
  test('GITHUB_TOKEN (an installation token, ghs_): GraphQL names github-actions[bot]; GET /user, which refuses it, is not asked', async () => {
    expect(await tokenIdentity(await client())).toBe(GITHUB_ACTIONS_BOT)
    expect(fake.calls.map(call => `${call.operation} ${call.status}`)).toEqual(['graphql 200'])
  })

  test('a token of unknown kind that GET /user refuses: GraphQL names it', async () => {
    fake.addToken('ghx_unknownkind', 'write', 'some-bot[bot]', 'installation')
    expect(await tokenIdentity(await client('ghx_unknownkind'))).toBe('some-bot[bot]')
    expect(fake.calls.map(call => `${call.operation} ${call.status}`)).toEqual(['getAuthenticatedUser 403', 'graphql 200'])
  })

  test('a personal access token: its login, from GET /user alone', async () => {
    fake.addToken('github_pat_x', 'write', 'deploy-user')
    expect(await tokenIdentity(await client('github_pat_x'))).toBe('deploy-user')
    expect(fake.calls.map(call => call.operation)).toEqual(['getAuthenticatedUser'])
  })

  test('when GraphQL fails too, the token is taken for GITHUB_TOKEN', async () => {
    fake.failNext('graphql', 'http500')
    expect(await tokenIdentity(await client())).toBe(GITHUB_ACTIONS_BOT)
  })

  test('a GET /user that fails otherwise (5xx) is an error, not a guess', async () => {
    fake.addToken('github_pat_x', 'write', 'deploy-user')
    fake.failNext('getAuthenticatedUser', 'http500')
    await expect(tokenIdentity(await client('github_pat_x'))).rejects.toMatchObject({ status: 500 })
  })
})

test('writtenBy: the exact login, or a bot named without its [bot] suffix', () => {
  expect(writtenBy({ user: { login: 'github-actions[bot]', type: 'Bot' } }, 'github-actions[bot]')).toBe(true)
  expect(writtenBy({ user: { login: 'acme-deployer[bot]', type: 'Bot' } }, 'acme-deployer')).toBe(true)
  expect(writtenBy({ user: { login: 'acme-deployer[bot]', type: 'User' } }, 'acme-deployer')).toBe(false)
  expect(writtenBy({ user: { login: 'mallory', type: 'User' } }, 'github-actions[bot]')).toBe(false)
  expect(writtenBy({ user: null }, 'github-actions[bot]')).toBe(false)
})

describe('listPages', () => {
  test('follows every next link of a real listing', async () => {
    for (let i = 0; i < 250; i++) fake.addComment('acme', 'infra', 7, `comment ${i}`)
    const pages = await allPages(await client())
    expect(pages.map(page => page.length)).toEqual([100, 100, 50])
  })

  function answerWithNext(next: (page: number) => string): void {
    let page = 0
    fake.answerNext(
      'listComments',
      () => ({ status: 200, headers: { 'content-type': 'application/json', link: `<${next(++page)}>; rel="next"` }, body: '[]' }),
      1000
    )
  }

  test('stops on a next link it has already followed', async () => {
    answerWithNext(() => `${fake.url}/repos/acme/infra/issues/7/comments?page=2`)
    await expect(allPages(await client())).rejects.toThrow(
      'GitHub: page 2 of the comments links to a page it already gave: the paging loops, so it was stopped.'
    )
    expect(fake.calls).toHaveLength(2)
  })

  test(`stops after ${MAX_PAGES} pages`, async () => {
    answerWithNext(page => `${fake.url}/repos/acme/infra/issues/7/comments?page=${page + 1}`)
    await expect(allPages(await client())).rejects.toThrow(
      `GitHub: the comments still had more pages after ${MAX_PAGES}, so paging was stopped.`
    )
    expect(fake.calls).toHaveLength(MAX_PAGES)
  })

  test('never follows a next link to another host (it would get the token)', async () => {
    answerWithNext(() => 'https://collector.example.com/steal?page=2')
    await expect(allPages(await client())).rejects.toThrow(
      'GitHub: page 1 of the comments links its next page to another host; paging was stopped.'
    )
  })

  test('a page that is not a list is an error naming GitHub', async () => {
    fake.answerNext('listComments', { status: 200, headers: { 'content-type': 'application/json' }, body: '{"message":"odd"}' })
    await expect(allPages(await client())).rejects.toThrow('GitHub: page 1 of the comments is not a list.')
  })
})

describe('every request is bounded', () => {
  test.each([
    ['trickles its body', 'trickle'],
    ['stays silent', 'timeout']
  ] as const)('GitHub that %s is cut off at the request deadline, with a clear error', async (_what, fault) => {
    fake.trickleIntervalMs = 50
    fake.failNext('listComments', fault)
    const started = Date.now()
    const error = await allPages(await client('ghs_actions', 500)).catch((caught: unknown) => caught)
    expect(Date.now() - started).toBeLessThan(3000)
    expect(ownFailure(error)?.message).toBe('GitHub: GET /repos/acme/infra/issues/7/comments got no complete answer within 500 ms.')
  })
})
