// A stateful local fake of the GitHub REST API, limited to what the action uses: issue comments (the
// sticky pull-request comment), issues (the drift issue: list with paging and the `creator` filter,
// create, update, close) and "list pull requests associated with a commit" (the reviewed-plan
// check). Issues and pull requests share one numbering, and the issues list holds both, as on GitHub. Answers are shaped like api.github.com's, Link headers included, so a
// real Octokit (getOctokit(token, { baseUrl: fake.url })) can page through them. Who a token is
// differs by its kind, as on GitHub: a user's token reads `GET /user`; an installation token
// (GITHUB_TOKEN, another GitHub App's) gets 403 there, and GraphQL's `viewer` names its bot.
import type { IncomingMessage, ServerResponse } from 'node:http'
import {
  HttpFake,
  credentialOf,
  intParam,
  isWriteMethod,
  pageOf,
  sendJson,
  type Call,
  type Fault,
  type Routed,
  type TokenPermission
} from './http-fake.js'

export type { TokenPermission } from './http-fake.js'

/** GitHub refuses longer comment bodies. */
export const MAX_COMMENT_LENGTH = 65536
export const GITHUB_ACTIONS_BOT = 'github-actions[bot]'

/** A comment as the fake stores it (live state for assertions). */
export interface StoredComment {
  id: number
  issueNumber: number
  body: string
  login: string
  created_at: string
  updated_at: string
}

export interface GitHubUser {
  login: string
  id: number
  node_id: string
  type: 'Bot' | 'User'
  site_admin: boolean
}

/** A comment as the API answers it. */
export interface GitHubComment {
  id: number
  node_id: string
  url: string
  html_url: string
  issue_url: string
  body: string
  user: GitHubUser
  author_association: string
  created_at: string
  updated_at: string
}

const JSON_UTF8 = { 'content-type': 'application/json; charset=utf-8' }
const DOCS = 'https://docs.github.com/rest'
/** `/repos/{owner}/{repo}` or `/repositories/{id}` (GitHub's form in Link headers), then the rest. */
const ROUTE = /^\/(?:repos\/([^/]+)\/([^/]+)|repositories\/(\d+))(\/.*)$/
/** GitHub refuses longer issue titles. */
export const MAX_TITLE_LENGTH = 256

/** A pull request as the fake stores it (live state for assertions). */
export interface StoredPullRequest {
  headSha: string
  headRef: string
  baseRef: string
  /** When it was merged; null while open (or closed unmerged). */
  mergedAt: string | null
  mergeCommitSha: string | null
  /** The commits GitHub associates with it (its own, and its merge commit once merged). */
  commits: string[]
}

/** An issue, or the issue side of a pull request (live state for assertions). */
export interface StoredIssue {
  number: number
  title: string
  body: string | null
  login: string
  state: 'open' | 'closed'
  state_reason: string | null
  created_at: string
  updated_at: string
  closed_at: string | null
  pullRequest?: StoredPullRequest
}

/**
 * What GitHub does with `creator=<login of a bot>` on the issues list is not documented: it may
 * match the bot's issues, answer none, or refuse the login as an unknown user.
 */
export type BotCreatorFilter = 'matches' | 'empty' | 'rejected'

interface RepoState {
  id: number
  owner: string
  name: string
  comments: StoredComment[]
  issues: StoredIssue[]
}

/** `installation`: GITHUB_TOKEN or a GitHub App's token; `user`: a personal access token. */
export type TokenKind = 'installation' | 'user'

interface Token {
  permission: TokenPermission
  login: string
  kind: TokenKind
}

/** A routed request, as the operations see it. */
interface ApiRequest {
  req: IncomingMessage
  url: URL
  body: unknown
  target: Target
  operation: string
  write: boolean
}

/** A parsed API path: comments of an issue, one comment, the issues, one issue, or a commit's pull requests. */
interface Target {
  repo?: RepoState
  resource: 'comments' | 'comment' | 'issues' | 'issue' | 'commitPulls'
  issueNumber?: number
  commentId?: number
  sha?: string
}

/** The paths under a repository, and the operation of each method there. */
const SUB_ROUTES: Array<{ pattern: RegExp; resource: Target['resource']; operations: Record<string, string> }> = [
  { pattern: /^\/issues\/(\d+)\/comments\/?$/, resource: 'comments', operations: { GET: 'listComments', POST: 'createComment' } },
  { pattern: /^\/issues\/comments\/(\d+)\/?$/, resource: 'comment', operations: { PATCH: 'updateComment' } },
  { pattern: /^\/issues\/?$/, resource: 'issues', operations: { GET: 'listIssues', POST: 'createIssue' } },
  { pattern: /^\/issues\/(\d+)\/?$/, resource: 'issue', operations: { GET: 'getIssue', PATCH: 'updateIssue' } },
  {
    pattern: /^\/commits\/([0-9a-f]{7,40})\/pulls\/?$/,
    resource: 'commitPulls',
    operations: { GET: 'listPullRequestsAssociatedWithCommit' }
  }
]

export class GitHubFake extends HttpFake {
  defaultPerPage = 30
  maxPerPage = 100
  /** What `creator=<bot login>` does to the issues list (see BotCreatorFilter). */
  botCreatorFilter: BotCreatorFilter = 'matches'

  private readonly tokens = new Map<string, Token>()
  private readonly repos = new Map<string, RepoState>()
  private readonly userIds = new Map<string, number>([[GITHUB_ACTIONS_BOT, 41898282]])
  private nextRepoId = 1
  private nextCommentId = 1_000_000_001

  // ---- seeding and inspection -------------------------------------------------------------

  /**
   * `login` is the author of the comments this token writes; `kind` defaults to an installation
   * token for a bot's login, a user's token otherwise.
   */
  addToken(token: string, permission: TokenPermission, login = GITHUB_ACTIONS_BOT, kind?: TokenKind): void {
    this.tokens.set(token, { permission, login, kind: kind ?? (login.endsWith('[bot]') ? 'installation' : 'user') })
  }

  addRepo(owner: string, repo: string): void {
    if (this.repos.has(repoKey(owner, repo))) return
    this.repos.set(repoKey(owner, repo), { id: this.nextRepoId++, owner, name: repo, comments: [], issues: [] })
  }

  addComment(owner: string, repo: string, issue: number, body: string, login = GITHUB_ACTIONS_BOT): StoredComment {
    return this.store(this.repoState(owner, repo), issue, body, login)
  }

  /** Live state of an issue's comments, oldest first. */
  comments(owner: string, repo: string, issueNumber: number): StoredComment[] {
    return this.repos.get(repoKey(owner, repo))?.comments.filter(comment => comment.issueNumber === issueNumber) ?? []
  }

  /** Every comment of the repository, on any issue or pull request. */
  allComments(owner: string, repo: string): StoredComment[] {
    return [...(this.repos.get(repoKey(owner, repo))?.comments ?? [])]
  }

  /** Live state of the repository's issues (not its pull requests), oldest first. */
  issues(owner: string, repo: string): StoredIssue[] {
    return this.repos.get(repoKey(owner, repo))?.issues.filter(issue => !issue.pullRequest) ?? []
  }

  addIssue(
    owner: string,
    repo: string,
    issue: { title: string; body?: string | null; login?: string; state?: 'open' | 'closed' }
  ): StoredIssue {
    return this.storeIssue(this.repoState(owner, repo), issue.title, issue.body ?? null, issue.login ?? GITHUB_ACTIONS_BOT, issue.state)
  }

  /**
   * A pull request from `headSha` into `baseRef`; `merged` makes it merged, by `commitSha`. Its
   * commits (GitHub associates them, and the merge commit, with it) default to the head commit.
   */
  addPullRequest(
    owner: string,
    repo: string,
    options: {
      number?: number
      headSha: string
      baseRef?: string
      headRef?: string
      commits?: string[]
      merged?: { commitSha: string; at?: string }
      login?: string
    }
  ): StoredIssue {
    const state = this.repoState(owner, repo)
    const pullRequest: StoredPullRequest = {
      headSha: options.headSha,
      headRef: options.headRef ?? 'feature',
      baseRef: options.baseRef ?? 'main',
      mergedAt: options.merged ? (options.merged.at ?? timestamp()) : null,
      mergeCommitSha: options.merged?.commitSha ?? null,
      commits: [...new Set([...(options.commits ?? [options.headSha]), ...(options.merged ? [options.merged.commitSha] : [])])]
    }
    const issue = this.storeIssue(
      state,
      `Pull request ${options.number ?? ''}`.trim(),
      null,
      options.login ?? 'octocat',
      options.merged ? 'closed' : 'open',
      options.number
    )
    issue.pullRequest = pullRequest
    return issue
  }

  private repoState(owner: string, repo: string): RepoState {
    const state = this.repos.get(repoKey(owner, repo))
    if (!state) throw new Error(`unknown repository ${owner}/${repo}: add it first`)
    return state
  }

  // ---- HTTP ----------------------------------------------------------------------------------

  protected route(req: IncomingMessage, res: ServerResponse, url: URL, body: unknown): Routed {
    const method = (req.method ?? 'GET').toUpperCase()
    if (method === 'GET' && url.pathname === '/user') {
      return {
        operation: 'getAuthenticatedUser',
        write: false,
        handle: () => this.withToken(req, res, token => this.authenticatedUser(res, token))
      }
    }
    if (method === 'POST' && url.pathname === '/graphql') {
      return { operation: 'graphql', write: false, handle: () => this.withToken(req, res, token => this.graphql(res, token, body)) }
    }
    const write = isWriteMethod(method)
    const parsed = this.parseTarget(url.pathname, method)
    if (!parsed) return { operation: 'noRoute', write, handle: () => notFound(res) }
    const { target, operation } = parsed
    return { operation, write, handle: () => this.serve(res, { req, url, body, target, operation, write }) }
  }

  protected answerFault(res: ServerResponse, fault: Fault, _call: Call): boolean {
    switch (fault) {
      case 'http500':
        sendJson(res, 500, { message: 'Server Error' }, JSON_UTF8)
        return true
      case 'throttle':
        sendError(res, 403, 'API rate limit exceeded for installation.', rateLimitExhausted())
        return true
      default:
        return false
    }
  }

  /** Answers 401 for a missing or unknown token; else hands the token on. */
  private withToken(req: IncomingMessage, res: ServerResponse, serve: (token: Token) => void): void {
    const header = req.headers.authorization
    const token = this.tokens.get(credentialOf(header, ['token', 'Bearer']) ?? '')
    if (!token) return sendError(res, 401, header ? 'Bad credentials' : 'Requires authentication')
    serve(token)
  }

  /** `GET /user`: a user's token reads itself; an installation token is refused, as on GitHub. */
  private authenticatedUser(res: ServerResponse, token: Token): void {
    if (token.kind === 'installation') return sendError(res, 403, 'Resource not accessible by integration')
    sendJson(res, 200, this.user(token.login), JSON_UTF8)
  }

  /** GraphQL, only `{ viewer { login } }`: it answers for both kinds of token. */
  private graphql(res: ServerResponse, token: Token, body: unknown): void {
    const query = (body as { query?: unknown } | undefined)?.query
    if (typeof query !== 'string' || !/^\s*(query\s*)?\{\s*viewer\s*\{\s*login\s*\}\s*\}\s*$/.test(query)) {
      return sendJson(res, 200, { errors: [{ message: 'GitHubFake answers only { viewer { login } }' }] }, JSON_UTF8)
    }
    sendJson(res, 200, { data: { viewer: { login: token.login } } }, JSON_UTF8)
  }

  private serve(res: ServerResponse, request: ApiRequest): void {
    this.withToken(request.req, res, token => this.operate(res, request, token))
  }

  private operate(res: ServerResponse, { url, body, target, operation, write }: ApiRequest, token: Token): void {
    const repo = target.repo
    if (!repo) return notFound(res)
    if (write && token.permission !== 'write') return sendError(res, 403, 'Resource not accessible by integration')
    switch (operation) {
      case 'listComments':
        return this.list(res, url, repo, target.issueNumber!)
      case 'createComment':
        return this.create(res, repo, target.issueNumber!, body, token.login)
      case 'updateComment':
        return this.update(res, repo, target.commentId!, body)
      case 'listIssues':
        return this.listIssues(res, url, repo)
      case 'createIssue':
        return this.createIssue(res, repo, body, token.login)
      case 'getIssue':
      case 'updateIssue':
        return this.issueOperation(res, repo, target.issueNumber!, operation === 'updateIssue' ? body : undefined)
      case 'listPullRequestsAssociatedWithCommit':
        return this.commitPulls(res, url, repo, target.sha!)
      default:
        throw new Error(`GitHubFake: no handler for ${operation}`)
    }
  }

  private parseTarget(pathname: string, method: string): { target: Target; operation: string } | undefined {
    const match = ROUTE.exec(pathname)
    if (!match) return undefined
    const [, owner, name, repoId, rest] = match
    const repo =
      repoId === undefined
        ? this.repos.get(repoKey(owner, name))
        : [...this.repos.values()].find(candidate => candidate.id === Number(repoId))
    for (const route of SUB_ROUTES) {
      const sub = route.pattern.exec(rest)
      const operation = sub && route.operations[method]
      if (!sub || !operation) continue
      const id = sub[1]
      const target: Target = { repo, resource: route.resource }
      if (route.resource === 'comment') target.commentId = Number(id)
      else if (route.resource === 'commitPulls') target.sha = id
      else if (id !== undefined) target.issueNumber = Number(id)
      return { target, operation }
    }
    return undefined
  }

  // ---- operations ----------------------------------------------------------------------------

  private list(res: ServerResponse, url: URL, repo: RepoState, issueNumber: number): void {
    const all = repo.comments.filter(comment => comment.issueNumber === issueNumber)
    this.sendPage(
      res,
      url,
      repo,
      `issues/${issueNumber}/comments`,
      all.map(comment => this.view(repo, comment))
    )
  }

  /** One page of `all`, with GitHub's Link header. */
  private sendPage(res: ServerResponse, url: URL, repo: RepoState, path: string, all: unknown[]): void {
    // GitHub is forgiving: a bad page means 1, a bad per_page the default, a big one the maximum.
    const page = positiveOr(intParam(url, 'page'), 1)
    const perPage = Math.min(positiveOr(intParam(url, 'per_page'), this.defaultPerPage), this.maxPerPage)
    const { items, totalPages } = pageOf(all, page, perPage)
    // Like GitHub, the links name the repository by id and keep the request's query.
    const base = new URL(`${this.url}/repositories/${repo.id}/${path}${url.search}`)
    const link = linkHeader(base, page, totalPages)
    sendJson(res, 200, items, { ...JSON_UTF8, ...(link ? { link } : {}) })
  }

  /**
   * `GET /repos/{owner}/{repo}/issues`: issues and pull requests, newest first, by `state` (default
   * open) and `creator`. An unknown creator is 422, as GitHub answers for a login it does not know.
   */
  private listIssues(res: ServerResponse, url: URL, repo: RepoState): void {
    const state = url.searchParams.get('state') ?? 'open'
    const creator = url.searchParams.get('creator')
    if (creator !== null && creator.endsWith('[bot]') && this.botCreatorFilter !== 'matches') {
      if (this.botCreatorFilter === 'rejected')
        return sendError(res, 422, 'Validation Failed', {}, { errors: [{ resource: 'Issue', field: 'creator', code: 'invalid' }] })
      return this.sendPage(res, url, repo, 'issues', [])
    }
    const all = repo.issues
      .filter(issue => state === 'all' || issue.state === state)
      .filter(issue => creator === null || issue.login.toLowerCase() === creator.toLowerCase())
      .sort((a, b) => b.number - a.number)
    this.sendPage(
      res,
      url,
      repo,
      'issues',
      all.map(issue => this.issueView(repo, issue))
    )
  }

  private createIssue(res: ServerResponse, repo: RepoState, body: unknown, login: string): void {
    const fields = this.issueFields(res, body, true)
    if (!fields) return
    sendJson(res, 201, this.issueView(repo, this.storeIssue(repo, fields.title!, fields.body ?? null, login)), JSON_UTF8)
  }

  /** `GET` (no body) or `PATCH` (a body) of one issue or pull request. */
  private issueOperation(res: ServerResponse, repo: RepoState, number: number, body: unknown): void {
    const issue = repo.issues.find(candidate => candidate.number === number)
    if (!issue) return notFound(res)
    if (body !== undefined) {
      const fields = this.issueFields(res, body, false)
      if (!fields) return
      if (fields.title !== undefined) issue.title = fields.title
      if (fields.body !== undefined) issue.body = fields.body
      if (fields.state !== undefined && fields.state !== issue.state) {
        issue.state = fields.state
        issue.closed_at = fields.state === 'closed' ? timestamp() : null
        issue.state_reason = fields.state === 'closed' ? (fields.state_reason ?? 'completed') : 'reopened'
      }
      issue.updated_at = timestamp()
    }
    sendJson(res, 200, this.issueView(repo, issue), JSON_UTF8)
  }

  /** The fields of an issue's create or update, checked as GitHub does; undefined after its 422. */
  private issueFields(
    res: ServerResponse,
    body: unknown,
    creating: boolean
  ): { title?: string; body?: string | null; state?: 'open' | 'closed'; state_reason?: string } | undefined {
    const fields = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>
    const invalid = (field: string, message: string) => {
      sendError(res, 422, 'Validation Failed', {}, { errors: [{ resource: 'Issue', code: 'custom', field, message }] })
      return undefined
    }
    const { title, body: text, state, state_reason: reason } = fields
    if (creating && (typeof title !== 'string' || title.trim() === '')) return invalid('title', "title wasn't supplied")
    if (title !== undefined && (typeof title !== 'string' || [...title].length > MAX_TITLE_LENGTH))
      return invalid('title', `title is too long (maximum is ${MAX_TITLE_LENGTH} characters)`)
    if (text !== undefined && text !== null && (typeof text !== 'string' || [...text].length > MAX_COMMENT_LENGTH)) {
      return invalid('body', `body is too long (maximum is ${MAX_COMMENT_LENGTH} characters)`)
    }
    if (state !== undefined && state !== 'open' && state !== 'closed') return invalid('state', 'state is not included in the list')
    if (reason !== undefined && reason !== null && !['completed', 'not_planned', 'reopened'].includes(reason as string))
      return invalid('state_reason', 'state_reason is not included in the list')
    return fields as { title?: string; body?: string | null; state?: 'open' | 'closed'; state_reason?: string }
  }

  /**
   * `GET /repos/{owner}/{repo}/commits/{sha}/pulls`. GitHub: a commit that is on the default branch
   * lists only the merged pull requests that brought it; otherwise open ones too.
   */
  private commitPulls(res: ServerResponse, url: URL, repo: RepoState, sha: string): void {
    const associated = repo.issues.filter(issue => issue.pullRequest?.commits.some(commit => commit.startsWith(sha)))
    const merged = associated.filter(issue => issue.pullRequest!.mergedAt !== null)
    const shown = merged.length > 0 ? merged : associated
    this.sendPage(
      res,
      url,
      repo,
      `commits/${sha}/pulls`,
      shown.map(issue => this.pullRequestView(repo, issue))
    )
  }

  private create(res: ServerResponse, repo: RepoState, issueNumber: number, body: unknown, login: string): void {
    const text = this.commentBody(res, body)
    if (text === undefined) return
    sendJson(res, 201, this.view(repo, this.store(repo, issueNumber, text, login)), JSON_UTF8)
  }

  private update(res: ServerResponse, repo: RepoState, commentId: number, body: unknown): void {
    const comment = repo.comments.find(candidate => candidate.id === commentId)
    if (!comment) return notFound(res)
    const text = this.commentBody(res, body)
    if (text === undefined) return
    comment.body = text
    comment.updated_at = timestamp()
    sendJson(res, 200, this.view(repo, comment), JSON_UTF8)
  }

  /** The `body` field of a request, or undefined after answering GitHub's 422. */
  private commentBody(res: ServerResponse, body: unknown): string | undefined {
    const text = (body as { body?: unknown } | undefined)?.body
    if (typeof text !== 'string') {
      sendError(res, 422, 'Invalid request.\n\n"body" wasn\'t supplied.')
      return undefined
    }
    // GitHub counts characters, not UTF-16 units or bytes.
    if ([...text].length > MAX_COMMENT_LENGTH) {
      const message = `body is too long (maximum is ${MAX_COMMENT_LENGTH} characters)`
      const error = { resource: 'IssueComment', code: 'custom', field: 'body', message }
      sendError(res, 422, 'Validation Failed', {}, { errors: [error] })
      return undefined
    }
    return text
  }

  // ---- the stored objects -----------------------------------------------------------------------

  private storeIssue(
    repo: RepoState,
    title: string,
    body: string | null,
    login: string,
    state: 'open' | 'closed' = 'open',
    number?: number
  ): StoredIssue {
    const taken = [...repo.issues.map(issue => issue.number), ...repo.comments.map(comment => comment.issueNumber)]
    if (number !== undefined && repo.issues.some(issue => issue.number === number)) throw new Error(`#${number} exists already`)
    const now = timestamp()
    const issue: StoredIssue = {
      number: number ?? Math.max(0, ...taken) + 1,
      title,
      body,
      login,
      state,
      state_reason: state === 'closed' ? 'completed' : null,
      created_at: now,
      updated_at: now,
      closed_at: state === 'closed' ? now : null
    }
    repo.issues.push(issue)
    return issue
  }

  private issueView(repo: RepoState, issue: StoredIssue): Record<string, unknown> {
    const repoPath = `repos/${repo.owner}/${repo.name}`
    const kind = issue.pullRequest ? 'pull' : 'issues'
    return {
      id: 500_000_000 + issue.number,
      node_id: nodeId(issue.pullRequest ? 'PR_kwDO' : 'I_kwDO', issue.number),
      url: `${this.url}/${repoPath}/issues/${issue.number}`,
      html_url: `https://github.com/${repo.owner}/${repo.name}/${kind}/${issue.number}`,
      number: issue.number,
      state: issue.state,
      state_reason: issue.state_reason,
      title: issue.title,
      body: issue.body,
      user: this.user(issue.login),
      labels: [],
      comments: repo.comments.filter(comment => comment.issueNumber === issue.number).length,
      created_at: issue.created_at,
      updated_at: issue.updated_at,
      closed_at: issue.closed_at,
      author_association: issue.login.endsWith('[bot]') ? 'NONE' : 'MEMBER',
      ...(issue.pullRequest
        ? {
            pull_request: {
              url: `${this.url}/${repoPath}/pulls/${issue.number}`,
              html_url: `https://github.com/${repo.owner}/${repo.name}/pull/${issue.number}`,
              merged_at: issue.pullRequest.mergedAt
            }
          }
        : {})
    }
  }

  private pullRequestView(repo: RepoState, issue: StoredIssue): Record<string, unknown> {
    const pr = issue.pullRequest!
    const repoInfo = { id: repo.id, name: repo.name, full_name: `${repo.owner}/${repo.name}` }
    return {
      id: 700_000_000 + issue.number,
      number: issue.number,
      state: issue.state,
      title: issue.title,
      user: this.user(issue.login),
      html_url: `https://github.com/${repo.owner}/${repo.name}/pull/${issue.number}`,
      created_at: issue.created_at,
      updated_at: issue.updated_at,
      closed_at: issue.closed_at,
      merged_at: pr.mergedAt,
      merge_commit_sha: pr.mergeCommitSha,
      head: { ref: pr.headRef, sha: pr.headSha, repo: repoInfo },
      base: { ref: pr.baseRef, sha: '0'.repeat(40), repo: repoInfo }
    }
  }

  private store(repo: RepoState, issueNumber: number, body: string, login: string): StoredComment {
    const now = timestamp()
    const comment = { id: this.nextCommentId++, issueNumber, body, login, created_at: now, updated_at: now }
    repo.comments.push(comment)
    return comment
  }

  private view(repo: RepoState, comment: StoredComment): GitHubComment {
    const repoPath = `repos/${repo.owner}/${repo.name}`
    const number = comment.issueNumber
    return {
      id: comment.id,
      node_id: nodeId('IC_kwDO', comment.id),
      url: `${this.url}/${repoPath}/issues/comments/${comment.id}`,
      html_url: `https://github.com/${repo.owner}/${repo.name}/issues/${number}#issuecomment-${comment.id}`,
      issue_url: `${this.url}/${repoPath}/issues/${number}`,
      body: comment.body,
      user: this.user(comment.login),
      author_association: comment.login.endsWith('[bot]') ? 'NONE' : 'MEMBER',
      created_at: comment.created_at,
      updated_at: comment.updated_at
    }
  }

  private user(login: string): GitHubUser {
    if (!this.userIds.has(login)) this.userIds.set(login, 1000 + this.userIds.size)
    const id = this.userIds.get(login)!
    const type = login.endsWith('[bot]') ? 'Bot' : 'User'
    return { login, id, node_id: nodeId('U_kgDO', id), type, site_admin: false }
  }
}

// ---- helpers ----------------------------------------------------------------------------------

/** GitHub treats owner and repository names case-insensitively. */
function repoKey(owner: string, repo: string): string {
  return `${owner}/${repo}`.toLowerCase()
}

/** GitHub's Link header: prev, next, last, first, each the request's URL with another page. */
function linkHeader(base: URL, page: number, totalPages: number): string | undefined {
  const rels: Array<[string, number]> = []
  if (page > 1) rels.push(['prev', page - 1])
  if (page < totalPages) rels.push(['next', page + 1], ['last', totalPages])
  if (page > 1) rels.push(['first', 1])
  if (rels.length === 0) return undefined
  return rels
    .map(([rel, target]) => {
      const url = new URL(base)
      url.searchParams.set('page', String(target))
      return `<${url.href}>; rel="${rel}"`
    })
    .join(', ')
}

function positiveOr(value: number | undefined, fallback: number): number {
  return value !== undefined && value >= 1 ? value : fallback
}

/** GitHub's timestamps have no milliseconds. */
function timestamp(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z')
}

function nodeId(prefix: string, id: number): string {
  return prefix + Buffer.from(String(id)).toString('base64url')
}

function rateLimitExhausted(): Record<string, string> {
  return {
    'x-ratelimit-limit': '5000',
    'x-ratelimit-remaining': '0',
    'x-ratelimit-used': '5000',
    'x-ratelimit-resource': 'core',
    // Reset in a second, so a client that waits for it keeps tests fast.
    'x-ratelimit-reset': String(Math.ceil(Date.now() / 1000) + 1)
  }
}

/** GitHub's error body: message, documentation_url and the status as a string. */
function sendError(
  res: ServerResponse,
  status: number,
  message: string,
  headers: Record<string, string> = {},
  extra: Record<string, unknown> = {}
): void {
  const body = { message, ...extra, documentation_url: DOCS, status: String(status) }
  sendJson(res, status, body, { ...JSON_UTF8, ...headers })
}

function notFound(res: ServerResponse): void {
  sendError(res, 404, 'Not Found')
}
