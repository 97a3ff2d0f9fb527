// Report: the job summary (both modes) and, in plan mode on a pull request, the sticky comment.
// A run that fails reports too, so a pull request's comment never keeps showing an older plan
// as if it were this commit's.
import * as core from '@actions/core'
import { ApplyError } from '../apply.js'
import { describeError, VerificationError } from '../errors.js'
import * as log from '../log.js'
import { context } from '../github-context.js'
import { currentRepository } from '../github.js'
import type { Outcome } from '../reconcile.js'
import { redact } from '../secrets.js'
import type { Settings } from '../settings.js'
import { planDataLine } from '../fingerprint.js'
import { resourcesOf } from '../plan.js'
import { fitComment, lookUpComment, upsertComment, type CommentTarget, type LookedUp } from './comment.js'
import { keepDriftIssue } from './drift-issue.js'
import { renderFailure, renderReport, type ReportContext } from './markdown.js'

export interface PullRequest {
  number: number
  owner: string
  repo: string
  /** A fork's pull request runs with a read-only token and no secrets. */
  fromFork: boolean
}

export interface RunContext {
  sha: string
  commitUrl?: string
  runUrl?: string
  pullRequest?: PullRequest
  /** The plan comment's lookup, when started early (see withEarlyCommentLookup). */
  commentLookup?: Promise<LookedUp>
}

interface PullRequestPayload {
  number?: number
  head?: { sha?: string; repo?: { full_name?: string } | null }
  base?: { repo?: { full_name?: string } }
}

export function runContext(): RunContext {
  const pr = context.payload.pull_request as PullRequestPayload | undefined
  // Without GITHUB_REPOSITORY (a local run) there are no links, and no pull request to comment on.
  const repository = currentRepository()
  const repoUrl = repository ? `${context.serverUrl}/${repository.owner}/${repository.repo}` : undefined
  const runUrl = context.runId && repoUrl ? `${repoUrl}/actions/runs/${context.runId}` : undefined
  // On a pull request, GITHUB_SHA is a merge commit nobody pushed; the plan is of the head commit.
  const sha = pr?.head?.sha ?? context.sha ?? ''
  const commitUrl = sha && repoUrl ? `${repoUrl}/commit/${sha}` : undefined
  if (!pr?.number || !repository) return { sha, commitUrl, runUrl }
  return {
    sha,
    commitUrl,
    runUrl,
    pullRequest: {
      number: pr.number,
      ...repository,
      fromFork: !pr.head?.repo || pr.head.repo.full_name !== pr.base?.repo?.full_name
    }
  }
}

/** Which action instance this is, so a matrix of environments keeps one comment each. */
export function instanceName(settings: Settings): string {
  const { kind, id } = settings.cloudflare.scope
  return `${kind}/${id} “${settings.idpName}”`
}

function reportContext(settings: Settings, run: RunContext): ReportContext {
  return {
    instance: { scope: settings.cloudflare.scope, idpName: settings.idpName },
    userPoolId: settings.userPoolId,
    mode: settings.mode,
    sha: run.sha,
    commitUrl: run.commitUrl,
    runUrl: run.runUrl,
    modeReason: settings.modeReason
  }
}

/**
 * After a plan (and in apply mode, after apply, whether it worked or not). `sections`: what other
 * checks add to the report (the reviewed-plan check).
 */
export async function publish(settings: Settings, outcome: Outcome, run: RunContext, sections: string[] = []): Promise<void> {
  const { applied, error, plan, checks } = outcome
  const context: ReportContext = {
    ...reportContext(settings, run),
    applied: applied && { written: applied.written, ids: applied.ids },
    failure: error === undefined ? undefined : failureOf(error),
    checks,
    sections
  }
  const full = redact(renderReport(plan, context))
  await writeSummary(fitSummary(full, () => redact(renderReport(plan, { ...context, compact: true, compactFor: 'summary' }))))
  if (settings.mode === 'plan') {
    const versions = () => [full, renderReport(plan, { ...context, compact: true })]
    // The comment carries the plan's fingerprint and summary, for the reviewed-plan check of the apply after the merge.
    await commentOnPullRequest(settings, run, versions, planDataLine(resourcesOf(plan), run.sha))
    await keepDriftIssue(settings, instanceName(settings), run, plan, versions)
  }
}

/** An apply that says what it did gets its cause as the message: the report's table shows the rest. */
export function failureOf(error: unknown): ReportContext['failure'] {
  if (!(error instanceof ApplyError)) return { message: redact(describeError(error)) }
  const { written, finished, ids } = error.progress
  return {
    message: redact(describeError(error.cause)),
    progress: { written, finished, ids, fixFirst: error.cause instanceof VerificationError }
  }
}

/** After a failure that left no plan: say so where the plan would have been. */
export async function publishFailure(settings: Settings, error: unknown, run: RunContext): Promise<void> {
  const markdown = redact(renderFailure({ ...reportContext(settings, run), failure: { message: redact(describeError(error)) } }))
  await writeSummary(fitSummary(markdown))
  if (settings.mode === 'plan') await commentOnPullRequest(settings, run, () => [markdown])
}

/** GitHub drops a step summary over 1 MiB; keep below it with room to spare. */
export const SUMMARY_LIMIT_BYTES = 1024 * 1024 - 4096

export const SUMMARY_CUT_NOTE =
  '\n\n> [!WARNING]\n> This report is longer than a job summary can be (1 MiB), so it was cut here. ' +
  'The whole plan is in the `plan` output.\n'

/**
 * The report as the summary can hold it: the full one, else the compact one (as the comment
 * falls back to), else the compact one cut at a line. Both are redacted before they are measured.
 */
export function fitSummary(full: string, compact?: () => string, limitBytes = SUMMARY_LIMIT_BYTES): string {
  if (Buffer.byteLength(full) <= limitBytes) return full
  const shorter = compact?.() ?? full
  let cut = shorter
  // Characters take 1 to 4 bytes: shrink the character limit until the bytes fit.
  for (let limit = limitBytes; Buffer.byteLength(cut) > limitBytes && limit > 0;) {
    cut = fitComment(shorter, limit, SUMMARY_CUT_NOTE)
    limit = Math.floor((limit * limitBytes) / Math.max(Buffer.byteLength(cut), 1)) - 1
  }
  return cut
}

/** The summary is where the report always goes; failing to write it is worth a warning, not a failed run. */
async function writeSummary(markdown: string): Promise<void> {
  try {
    await core.summary.addRaw(markdown).write()
  } catch (error) {
    log.warning(`The job summary could not be written (${describeError(error)}).`)
  }
}

/** The comment this run keeps up to date, when it has what that takes (a pull request, a token). */
function commentTarget(settings: Settings, run: RunContext): CommentTarget | undefined {
  const pr = run.pullRequest
  if (!settings.comment || !pr || !settings.githubToken) return undefined
  return {
    token: settings.githubToken,
    owner: pr.owner,
    repo: pr.repo,
    issueNumber: pr.number,
    instance: instanceName(settings),
    timeoutMs: settings.timing.requestTimeoutMs
  }
}

/**
 * In plan mode on a pull request, the plan comment's lookup goes out with the run's first reads:
 * it needs nothing they find, so the comment costs no round trip but its write.
 */
export function withEarlyCommentLookup(settings: Settings, run: RunContext): RunContext {
  const target = settings.mode === 'plan' ? commentTarget(settings, run) : undefined
  return target ? { ...run, commentLookup: lookUpComment(target) } : run
}

/** `versions` is called only when a comment is due: most detailed first, see commentBody; `hidden` as for upsertComment. */
async function commentOnPullRequest(settings: Settings, run: RunContext, versions: () => string[], hidden?: string): Promise<void> {
  const pr = run.pullRequest
  if (!settings.comment) return
  if (!pr) {
    log.info('Not a pull request, so no plan comment; the plan is in the job summary.')
    return
  }
  if (!settings.githubToken) {
    log.warning('No github-token, so the plan is not commented on the pull request; it is in the job summary.')
    return
  }
  const result = await upsertComment(commentTarget(settings, run)!, versions(), hidden, run.commentLookup)
  if (result.outcome === 'skipped') {
    log.warning(skippedCommentWarning(pr, result.reason, result.status))
  } else {
    log.info(`Plan comment ${result.outcome} on pull request #${pr.number} (comment ${result.id}).`)
  }
}

function skippedCommentWarning(pr: PullRequest, reason: string, status?: number): string {
  const denied = status === 403 || status === 404
  const why =
    pr.fromFork && denied
      ? 'This pull request comes from a fork, whose token is read-only, so the plan comment could not be written'
      : 'The plan comment could not be written'
  const fix = !pr.fromFork && denied ? ' Give the job `permissions: pull-requests: write`.' : ''
  return `${why} (${reason}); the plan is in the job summary.${fix}`
}
