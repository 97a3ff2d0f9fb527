// Report: the job summary (both modes) and, in plan mode on a pull request, the sticky comment.
import * as core from '@actions/core'
import { context } from '@actions/github'
import type { Outcome } from '../reconcile.js'
import { redact } from '../secrets.js'
import type { Settings } from '../settings.js'
import { upsertComment } from './comment.js'
import { renderReport } from './markdown.js'

export interface PullRequest {
  number: number
  owner: string
  repo: string
  /** A fork's pull request runs with a read-only token and no secrets. */
  fromFork: boolean
}

export interface RunContext {
  sha: string
  runUrl?: string
  pullRequest?: PullRequest
}

interface PullRequestPayload {
  number?: number
  head?: { sha?: string; repo?: { full_name?: string } | null }
  base?: { repo?: { full_name?: string } }
}

export function runContext(): RunContext {
  const pr = context.payload.pull_request as PullRequestPayload | undefined
  // context.repo throws without GITHUB_REPOSITORY (a local run); then there is no run link either.
  const [owner = '', repo = ''] = (process.env.GITHUB_REPOSITORY ?? '').split('/')
  const runUrl = context.runId && repo ? `${context.serverUrl}/${owner}/${repo}/actions/runs/${context.runId}` : undefined
  if (!pr?.number || !repo) return { sha: context.sha ?? '', runUrl }
  return {
    sha: pr.head?.sha ?? context.sha ?? '',
    runUrl,
    pullRequest: {
      number: pr.number,
      owner,
      repo,
      fromFork: !pr.head?.repo || pr.head.repo.full_name !== pr.base?.repo?.full_name
    }
  }
}

/** Which action instance this is, so a matrix of environments keeps one comment each. */
export function instanceName(settings: Settings): string {
  const { kind, id } = settings.cloudflare.scope
  return `${kind}/${id} “${settings.idpName}”`
}

export async function publish(settings: Settings, outcome: Outcome, run: RunContext): Promise<void> {
  const markdown = redact(
    renderReport(outcome.plan, {
      instance: instanceName(settings),
      userPoolId: settings.userPoolId,
      sha: run.sha,
      runUrl: run.runUrl,
      modeReason: settings.modeReason,
      written: outcome.applied?.written ?? (settings.mode === 'apply' ? [] : undefined),
      ids: outcome.applied?.ids,
      error: outcome.error === undefined ? undefined : redact(String((outcome.error as Error).message ?? outcome.error))
    })
  )
  await core.summary.addRaw(markdown).write()
  if (settings.mode === 'plan') await commentOnPullRequest(settings, run, markdown)
}

async function commentOnPullRequest(settings: Settings, run: RunContext, markdown: string): Promise<void> {
  const pr = run.pullRequest
  if (!settings.comment || !pr) return
  if (!settings.githubToken) {
    core.warning('No github-token, so the plan is not commented on the pull request; it is in the job summary.')
    return
  }
  const result = await upsertComment(
    { token: settings.githubToken, owner: pr.owner, repo: pr.repo, issueNumber: pr.number, instance: instanceName(settings) },
    markdown
  )
  if (result.outcome === 'skipped') {
    const why = pr.fromFork ? 'This pull request comes from a fork, whose token is read-only. ' : ''
    core.warning(`${why}The plan comment could not be written (${result.reason}); the plan is in the job summary.`)
  } else {
    core.info(`Plan comment ${result.outcome} on pull request #${pr.number} (comment ${result.id}).`)
  }
}
