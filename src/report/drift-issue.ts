// Drift on a schedule (input `drift-issue`): a scheduled plan keeps one GitHub issue per action
// instance open while Cognito or Cloudflare Access no longer match the configuration, updated with
// the plan on each run, and closes it (with a comment) when a scheduled plan finds no drift. The
// issue is found by a hidden marker and its author (the token's own identity), never by its title,
// across every page of the repository's open issues from the REST list: search's index lags (a
// second issue could be opened), and the list also holds pull requests, which are skipped. Like
// the plan comment, the issue is a courtesy: without `issues: write` the run warns, never fails.
import { context } from '../github-context.js'
import { describeMalformed, ServiceError } from '../errors.js'
import {
  createGitHubClient,
  currentRepository,
  gitHubFailure,
  listPages,
  whoIsToken,
  writtenBy,
  type GitHubClient,
  type TokenIdentity
} from '../github.js'
import * as log from '../log.js'
import { hasChanges, type Plan } from '../plan.js'
import { redact } from '../secrets.js'
import type { Settings } from '../settings.js'
import { commentBody, commentMarker, isOurComment } from './comment.js'
import { safeUrl } from './markdown.js'

/** GitHub refuses longer titles. */
const MAX_TITLE_CHARS = 256

interface Issue {
  number: number
  title?: string
  body?: string | null
  user?: { login?: unknown; type?: unknown } | null
  pull_request?: unknown
}

type Repository = { owner: string; repo: string }

/** The issue's title: says what drifted, for people; never what finds it. */
export function driftTitle(idpName: string): string {
  const title = redact(`Drift: Cognito → Cloudflare Access “${idpName}”`)
  return [...title].length > MAX_TITLE_CHARS ? `${[...title].slice(0, MAX_TITLE_CHARS - 2).join('')}…”` : title
}

/** An item of the issues list; anything else is an error naming GitHub. */
function checkedIssue(item: unknown, page: number): Issue {
  const issue = item as Issue | null
  if (
    typeof issue !== 'object' ||
    issue === null ||
    !Number.isSafeInteger(issue.number) ||
    issue.number <= 0 ||
    (issue.body !== undefined && issue.body !== null && typeof issue.body !== 'string')
  ) {
    throw new ServiceError(
      'GitHub',
      `page ${page} of the repository's open issues holds an item that is not an issue (${describeMalformed(item)}).`
    )
  }
  return issue
}

/**
 * This instance's open drift issue: its body starts with the marker, and the token's identity wrote
 * it. A user's token filters by creator (GitHub surely takes a user's login there); an app's bot is
 * looked for in every open issue, since how `creator` takes a bot's login is not documented.
 */
async function findDriftIssue(
  client: GitHubClient,
  where: Repository,
  marker: string,
  identity: TokenIdentity
): Promise<Issue | undefined> {
  const parameters = { ...where, state: 'open', ...(identity.user ? { creator: identity.login } : {}) }
  let page = 0
  for await (const items of listPages(client, 'GET /repos/{owner}/{repo}/issues', parameters, "the repository's open issues")) {
    page++
    const found = items
      .map(item => checkedIssue(item, page))
      .find(issue => issue.pull_request === undefined && isOurComment(issue.body, marker) && writtenBy(issue, identity.login))
    if (found) return found
  }
  return undefined
}

/** What the issue says of the run that found the drift: a link to it, when there is one. */
interface FindingRun {
  runUrl?: string
}

/** The issue's body: who found the drift, then the plan (the most detailed version that fits). */
function issueBody(marker: string, run: FindingRun, versions: string[]): string {
  const by = run.runUrl ? `[a scheduled run](${safeUrl(run.runUrl)})` : 'a scheduled run'
  const intro =
    `Cognito or Cloudflare Access no longer match the configuration: ${by} planned the changes below. ` +
    'Apply them (push to the branch the apply workflow runs on, or run it by hand), or change the configuration to match what is there now. ' +
    'The first scheduled plan that finds no drift closes this issue.\n\n'
  return commentBody(
    marker,
    versions.map(version => intro + version)
  )
}

/** On a scheduled plan: opens, updates or closes this instance's drift issue. Never throws. */
export async function keepDriftIssue(
  settings: Settings,
  instance: string,
  run: FindingRun,
  plan: Plan,
  versions: () => string[]
): Promise<void> {
  if (context.eventName !== 'schedule' || !settings.driftIssue) return
  const where = currentRepository()
  if (!settings.githubToken || !where) {
    log.warning(
      `No ${settings.githubToken ? 'GITHUB_REPOSITORY' : 'github-token'}, so no drift issue is kept; the plan is in the job summary.`
    )
    return
  }
  const client = await createGitHubClient(settings.githubToken, settings.timing.requestTimeoutMs)
  try {
    const marker = commentMarker(instance, 'drift')
    const issue = await findDriftIssue(client, where, marker, await whoIsToken(client))
    if (hasChanges(plan)) await openOrUpdate(client, where, issue, driftTitle(settings.idpName), issueBody(marker, run, versions()))
    else if (issue) await close(client, where, issue, run)
    else log.info('No drift, and no drift issue open.')
  } catch (error) {
    const failure = gitHubFailure(error)
    const fix = failure.status === 403 || failure.status === 404 ? ' Give the job `permissions: issues: write`.' : ''
    log.warning(`The drift issue could not be kept up to date (${failure.reason}); the plan is in the job summary.${fix}`)
  } finally {
    await client.close()
  }
}

async function openOrUpdate(client: GitHubClient, where: Repository, issue: Issue | undefined, title: string, body: string): Promise<void> {
  if (!issue) {
    const created = await client.octokit.rest.issues.create({ ...where, title, body })
    log.warning(`Drift: the plan has changes; opened issue #${created.data.number}.`)
  } else if (issue.body !== body || issue.title !== title) {
    await client.octokit.rest.issues.update({ ...where, issue_number: issue.number, title, body })
    log.warning(`Drift: the plan has changes; updated issue #${issue.number}.`)
  } else {
    log.warning(`Drift: the plan has changes; issue #${issue.number} already shows them.`)
  }
}

/** Says why in a comment, then closes: a close that fails after the comment is done again by the next run. */
async function close(client: GitHubClient, where: Repository, issue: Issue, run: FindingRun): Promise<void> {
  const by = run.runUrl ? `[This scheduled run](${safeUrl(run.runUrl)})` : 'A scheduled run'
  const body = `${by} found no drift: Cognito and Cloudflare Access match the configuration again. Closing.`
  await client.octokit.rest.issues.createComment({ ...where, issue_number: issue.number, body })
  await client.octokit.rest.issues.update({ ...where, issue_number: issue.number, state: 'closed', state_reason: 'completed' })
  log.info(`No drift any more; closed issue #${issue.number}.`)
}
