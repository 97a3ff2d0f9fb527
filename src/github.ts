// The GitHub API client (Octokit), bounded like the Cloudflare and Cognito ones: every request has
// a timeout for its headers and between body chunks, a deadline for the whole exchange (an answer
// that trickles in is cut off), a size cap, and the run's report deadline; a paged list stops on a
// page it has already seen, at a page cap, and on a next link to another host (which would get the
// token). And who the token is, so that only comments it wrote count as ours.
import type { getOctokit } from '@actions/github'
import { fetch as undiciFetch, type Dispatcher } from 'undici'
import { deadlineStop, reportSignal } from './deadline.js'
import { ActionError, describeError, ServiceError } from './errors.js'
import * as log from './log.js'
import { proxyAwareDispatcher } from './proxy.js'
import { redact, redactedExcerpt } from './secrets.js'

export type Octokit = ReturnType<typeof getOctokit>

/** The author of what GITHUB_TOKEN writes. */
export const GITHUB_ACTIONS_BOT = 'github-actions[bot]'
/** No answer we read is anywhere near this (100 comments of 65,536 characters at most). */
export const MAX_GITHUB_RESPONSE_BYTES = 32 * 1024 * 1024
/** 10,000 comments at 100 a page: a pull request with more is not one we can keep a comment on. */
export const MAX_PAGES = 100

export interface GitHubClient {
  octokit: Octokit
  /**
   * An installation token (`ghs_`: GITHUB_TOKEN, or a GitHub App's), by GitHub's documented token
   * prefixes. Such a token has no user: `GET /user` refuses it, and GraphQL's viewer names its bot.
   */
  installation: boolean
  /** The API's origin (GITHUB_API_URL): paging never follows a link elsewhere. */
  origin: string
  close: () => Promise<void>
}

/**
 * An Octokit whose every request is bounded by `timeoutMs`, headers and body together. Octokit and
 * its plugins are loaded here, on first use, not when the action starts: most runs never talk to
 * GitHub. (In the bundle, not a chunk of its own: ncc's license file would leave out a chunk's packages.)
 */
export async function createGitHubClient(
  token: string,
  timeoutMs: number,
  baseUrl = process.env.GITHUB_API_URL || 'https://api.github.com'
): Promise<GitHubClient> {
  const { getOctokit } = await import(/* webpackMode: "eager" */ '@actions/github')
  const dispatcher = proxyAwareDispatcher({
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
    connectTimeout: Math.min(timeoutMs, 10_000)
  })
  const octokit = getOctokit(token, { baseUrl, request: { fetch: boundedFetch(dispatcher, timeoutMs) }, log: log.libraryLog })
  return { octokit, installation: token.startsWith('ghs_'), origin: new URL(baseUrl).origin, close: () => dispatcher.close() }
}

type FetchArguments = Parameters<typeof fetch>

function boundedFetch(dispatcher: Dispatcher, timeoutMs: number): typeof fetch {
  return async (input: FetchArguments[0], init: FetchArguments[1] = {}) => {
    const url = new URL(typeof input === 'string' || input instanceof URL ? input : input.url)
    const what = `GitHub ${init.method ?? 'GET'} ${url.pathname}`
    const budget = AbortSignal.timeout(timeoutMs)
    const signal = AbortSignal.any([budget, reportSignal(), ...(init.signal ? [init.signal] : [])])
    try {
      const response = await undiciFetch(url, { ...(init as object), dispatcher, signal })
      const body = await readCapped(response.body, what)
      const empty = [101, 204, 205, 304].includes(response.status)
      return new Response(empty ? null : body, {
        status: response.status,
        statusText: response.statusText,
        headers: response.headers as unknown as Headers
      })
    } catch (error) {
      if (budget.aborted)
        throw new ServiceError('GitHub', `${what.replace(/^GitHub /, '')} got no complete answer within ${timeoutMs} ms.`, undefined, true)
      throw deadlineStop(what) ?? error
    }
  }
}

/** The whole body, read within the request's signal; refused past MAX_GITHUB_RESPONSE_BYTES. */
async function readCapped(body: AsyncIterable<Uint8Array> | null, what: string): Promise<Uint8Array> {
  const chunks: Uint8Array[] = []
  let size = 0
  for await (const chunk of body ?? []) {
    size += chunk.byteLength
    if (size > MAX_GITHUB_RESPONSE_BYTES) throw new ServiceError('GitHub', `${what} answered more than ${MAX_GITHUB_RESPONSE_BYTES} bytes.`)
    chunks.push(chunk)
  }
  return Buffer.concat(chunks)
}

/** `Link: <url>; rel="next"`. Linear: `[^<>]` stops each scan at the next bracket. */
function nextLink(link: unknown): string | undefined {
  return typeof link === 'string' ? /<([^<>]*)>;\s*rel="next"/.exec(link)?.[1] : undefined
}

/**
 * The pages of a GitHub list, one at a time (the caller may stop early). `route` is the first
 * page's request, e.g. `GET /repos/{owner}/{repo}/issues/{issue_number}/comments`; then the Link
 * header's next pages, each checked: on the API's origin, never seen before, and at most MAX_PAGES.
 */
export async function* listPages(
  client: GitHubClient,
  route: string,
  parameters: Record<string, unknown>,
  what: string
): AsyncGenerator<unknown[]> {
  const seen = new Set<string>()
  let response = await client.octokit.request(route, { ...parameters, per_page: 100 })
  for (let page = 1; ; page++) {
    if (!Array.isArray(response.data)) throw new ServiceError('GitHub', `page ${page} of ${what} is not a list.`)
    yield response.data
    const next = nextLink(response.headers.link)
    if (!next) return
    if (!sameOrigin(next, client.origin)) {
      throw new ServiceError('GitHub', `page ${page} of ${what} links its next page to another host; paging was stopped.`)
    }
    if (seen.has(next))
      throw new ServiceError('GitHub', `page ${page} of ${what} links to a page it already gave: the paging loops, so it was stopped.`)
    if (page >= MAX_PAGES) throw new ServiceError('GitHub', `${what} still had more pages after ${MAX_PAGES}, so paging was stopped.`)
    seen.add(next)
    response = await client.octokit.request({ method: 'GET', url: next })
  }
}

function sameOrigin(url: string, origin: string): boolean {
  try {
    return new URL(url).origin === origin
  } catch {
    return false
  }
}

/** Who a token is: the login its comments and issues are by, and whether it is a user's token. */
export interface TokenIdentity {
  login: string
  /** A user's token (GET /user answers it): GitHub's `creator` filter surely takes this login. */
  user: boolean
}

/**
 * The login of the token's own identity: who the comments it writes are by. A user's token
 * (a personal access token) can read `GET /user`; an installation token (GITHUB_TOKEN, or another
 * GitHub App's) cannot, and GraphQL's `viewer` names its app's bot. When neither answers, the
 * token is taken for GITHUB_TOKEN, whose comments only this repository's workflows can write.
 */
export async function tokenIdentity(client: GitHubClient): Promise<string> {
  return (await whoIsToken(client)).login
}

export async function whoIsToken(client: GitHubClient): Promise<TokenIdentity> {
  // An installation token is known to have no user: asking would cost a round trip for a refusal.
  if (!client.installation) {
    try {
      const { data } = await client.octokit.request('GET /user')
      if (typeof data?.login === 'string') return { login: data.login, user: true }
    } catch (error) {
      const status = (error as { status?: unknown }).status
      if (status !== 401 && status !== 403 && status !== 404) throw error
    }
  }
  try {
    const answer = await client.octokit.graphql<{ viewer?: { login?: unknown } }>('query { viewer { login } }')
    if (typeof answer?.viewer?.login === 'string') return { login: answer.viewer.login, user: false }
  } catch (error) {
    if (ownFailure(error)) throw error
    log.debug(`GitHub: the token's identity is not readable through GraphQL either (${(error as Error).name}); taking it for GITHUB_TOKEN.`)
  }
  return { login: GITHUB_ACTIONS_BOT, user: false }
}

/**
 * The action's own error inside what Octokit threw (it wraps a failed fetch in an HTTP 500 error):
 * a timeout, the run's deadline, or a refused answer. Undefined for GitHub's own answers.
 */
export function ownFailure(error: unknown): ActionError | undefined {
  for (const candidate of [error, (error as { cause?: unknown } | undefined)?.cause]) {
    if (candidate instanceof ActionError) return candidate
  }
  return undefined
}

/** Whether a comment (or issue) was written by `identity`; GraphQL names a bot without its `[bot]`. */
export function writtenBy(item: { user?: { login?: unknown; type?: unknown } | null }, identity: string): boolean {
  const login = item.user?.login
  if (typeof login !== 'string') return false
  return login === identity || (item.user?.type === 'Bot' && login === `${identity}[bot]`)
}

/** GitHub's message in a warning: enough to tell what went wrong. */
const MAX_REASON_CHARS = 300

/** Why a GitHub call failed, redacted, and GitHub's HTTP status when it answered one (403: a permission). */
export function gitHubFailure(error: unknown): { reason: string; status?: number } {
  const own = ownFailure(error)
  const status = (error as { status?: unknown }).status
  if (own || typeof status !== 'number') return { reason: redact(describeError(own ?? error)) }
  return { reason: redactedExcerpt(`GitHub answered HTTP ${status}: ${(error as Error).message}`, MAX_REASON_CHARS), status }
}

/** The workflow's repository (GITHUB_REPOSITORY), or undefined outside a workflow. */
export function currentRepository(): { owner: string; repo: string } | undefined {
  const match = /^([\w.-]+)\/([\w.-]+)$/.exec(process.env.GITHUB_REPOSITORY ?? '')
  return match ? { owner: match[1], repo: match[2] } : undefined
}
