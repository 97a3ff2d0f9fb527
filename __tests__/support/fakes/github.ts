// A stateful local fake of the GitHub REST API, limited to issue comments: enough for the action's
// sticky pull-request comment. Answers are shaped like api.github.com's, Link headers included, so a
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
/** `/repos/{owner}/{repo}` or `/repositories/{id}` (GitHub's form in Link headers), then the comment routes. */
const ROUTE = /^\/(?:repos\/([^/]+)\/([^/]+)|repositories\/(\d+))\/issues\/(?:(\d+)\/comments|comments\/(\d+))\/?$/

interface RepoState {
  id: number
  owner: string
  name: string
  comments: StoredComment[]
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

/** A parsed API path: comments of an issue, or one comment. */
interface Target {
  repo?: RepoState
  issueNumber?: number
  commentId?: number
}

export class GitHubFake extends HttpFake {
  defaultPerPage = 30
  maxPerPage = 100

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
    this.repos.set(repoKey(owner, repo), { id: this.nextRepoId++, owner, name: repo, comments: [] })
  }

  addComment(owner: string, repo: string, issue: number, body: string, login = GITHUB_ACTIONS_BOT): StoredComment {
    const state = this.repos.get(repoKey(owner, repo))
    if (!state) throw new Error(`unknown repository ${owner}/${repo}: add it first`)
    return this.store(state, issue, body, login)
  }

  /** Live state of an issue's comments, oldest first. */
  comments(owner: string, repo: string, issueNumber: number): StoredComment[] {
    return this.repos.get(repoKey(owner, repo))?.comments.filter(comment => comment.issueNumber === issueNumber) ?? []
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
    const target = this.parseTarget(url.pathname)
    const operation = target && operationOf(target, method)
    if (!target || !operation) return { operation: 'noRoute', write, handle: () => notFound(res) }
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
      default:
        throw new Error(`GitHubFake: no handler for ${operation}`)
    }
  }

  private parseTarget(pathname: string): Target | undefined {
    const match = ROUTE.exec(pathname)
    if (!match) return undefined
    const [, owner, name, repoId, issueNumber, commentId] = match
    const repo =
      repoId === undefined
        ? this.repos.get(repoKey(owner, name))
        : [...this.repos.values()].find(candidate => candidate.id === Number(repoId))
    return {
      repo,
      issueNumber: issueNumber === undefined ? undefined : Number(issueNumber),
      commentId: commentId === undefined ? undefined : Number(commentId)
    }
  }

  // ---- operations ----------------------------------------------------------------------------

  private list(res: ServerResponse, url: URL, repo: RepoState, issueNumber: number): void {
    // GitHub is forgiving: a bad page means 1, a bad per_page the default, a big one the maximum.
    const page = positiveOr(intParam(url, 'page'), 1)
    const perPage = Math.min(positiveOr(intParam(url, 'per_page'), this.defaultPerPage), this.maxPerPage)
    const all = repo.comments.filter(comment => comment.issueNumber === issueNumber)
    const { items, totalPages } = pageOf(all, page, perPage)
    // Like GitHub, the links name the repository by id and keep the request's query.
    const base = new URL(`${this.url}/repositories/${repo.id}/issues/${issueNumber}/comments${url.search}`)
    const link = linkHeader(base, page, totalPages)
    sendJson(
      res,
      200,
      items.map(comment => this.view(repo, comment)),
      { ...JSON_UTF8, ...(link ? { link } : {}) }
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

function operationOf(target: Target, method: string): string | undefined {
  if (target.commentId !== undefined) return method === 'PATCH' ? 'updateComment' : undefined
  return { GET: 'listComments', POST: 'createComment' }[method]
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
