// The reviewed-plan check (input `reviewed-plan`): an apply triggered by a push compares the plan
// it is about to apply with the one reviewed in the plan comment of the pull request the commit was
// merged from, before anything is written. Someone may have changed the identity provider in the
// dashboard, or the app client in the console, between the review and the merge: then the apply
// would do something nobody approved. `warn` applies with a warning and a side-by-side of what
// differs; `require` fails instead. A workflow_dispatch apply is the deliberate override, and is
// never checked. The comparison and its report are pure; the lookup on GitHub never throws.
import { context } from './github-context.js'
import { ActionError, describeError, describeMalformed, ServiceError } from './errors.js'
import { createGitHubClient, currentRepository, gitHubFailure, listPages, type GitHubClient } from './github.js'
import * as log from './log.js'
import { readPlanData, summarizePlan, type PlanSummary, type SummaryResource } from './fingerprint.js'
import { hasChanges, resourcesOf, type Plan } from './plan.js'
import { commentMarker, readOwnComment } from './report/comment.js'
import { escapeMarkdown, safeUrl } from './report/markdown.js'
import type { ReviewedPlan, Settings } from './settings.js'

// ---- comparing two plans (pure) -----------------------------------------------------------------

/** One row of the side-by-side: a field whose change differs between the reviewed plan and this one. */
export interface PlanDifference {
  resource: string
  field: string
  reviewed: string
  now: string
}

const NO_CHANGE = 'no change'
const ACTION_WORDS: Record<SummaryResource['action'], string> = { create: 'create', update: 'update', 'no-change': NO_CHANGE }

/** Resources by kind (the n-th of a kind, should a plan ever hold two). */
function byKind(resources: SummaryResource[]): Map<string, SummaryResource> {
  const seen = new Map<string, number>()
  const keyed = new Map<string, SummaryResource>()
  for (const resource of resources) {
    const n = seen.get(resource.kind) ?? 0
    seen.set(resource.kind, n + 1)
    keyed.set(`${resource.kind}#${n}`, resource)
  }
  return keyed
}

/** What differs between the reviewed plan and the current one, resource by resource, field by field. */
export function planDifferences(reviewed: PlanSummary, current: PlanSummary): PlanDifference[] {
  if (reviewed.fingerprint === current.fingerprint) return []
  const [before, now] = [byKind(reviewed.resources), byKind(current.resources)]
  const keys = [...new Set([...now.keys(), ...before.keys()])]
  const rows = keys.flatMap(key => resourceDifferences(before.get(key), now.get(key), reviewed.omitted !== undefined))
  if (rows.length > 0) return rows
  // Only what the reviewed comment left out for size differs: say so rather than show nothing.
  return [
    { resource: 'the plan', field: 'fingerprint', reviewed: reviewed.fingerprint.slice(0, 12), now: current.fingerprint.slice(0, 12) }
  ]
}

function resourceDifferences(
  reviewed: SummaryResource | undefined,
  now: SummaryResource | undefined,
  reviewedCut: boolean
): PlanDifference[] {
  const resource = (now ?? reviewed)!.title
  if (!reviewed || !now) {
    const describe = (side?: SummaryResource) => (side ? ACTION_WORDS[side.action] : 'not in the plan')
    return [{ resource, field: '(resource)', reviewed: describe(reviewed), now: describe(now) }]
  }
  const rows: PlanDifference[] = []
  if (reviewed.action !== now.action)
    rows.push({ resource, field: '(action)', reviewed: ACTION_WORDS[reviewed.action], now: ACTION_WORDS[now.action] })
  if (reviewed.id !== now.id) rows.push({ resource, field: '(id)', reviewed: reviewed.id ?? '—', now: now.id ?? '—' })
  if (reviewed.title !== now.title) rows.push({ resource, field: '(name)', reviewed: reviewed.title, now: now.title })
  const [before, after] = [reviewed, now].map(side => new Map(side.changes.map(change => [change.field, change])))
  for (const field of new Set([...after.keys(), ...before.keys()])) {
    const [was, is] = [before.get(field), after.get(field)]
    if (was?.digest === is?.digest) continue
    const absent = reviewedCut ? 'not in the comment (left out for size)' : NO_CHANGE
    const words = (change: typeof was, missing: string) => (change ? (change.text ?? 'changes (words left out for size)') : missing)
    rows.push({ resource, field, reviewed: words(was, absent), now: words(is, NO_CHANGE) })
  }
  return rows
}

/** The most rows the side-by-side shows (the log and the summary); the rest are counted. */
export const MAX_DIFFERENCE_ROWS = 50

/** The side-by-side as log lines. */
export function differenceLines(differences: PlanDifference[], pr: number): string[] {
  const header = `What differs from the plan reviewed in #${pr}:`
  const shown = differences
    .slice(0, MAX_DIFFERENCE_ROWS)
    .flatMap(row => [`  ${row.resource}: ${row.field}`, `      reviewed in #${pr}: ${row.reviewed}`, `      now: ${row.now}`])
  return [header, ...shown, ...moreRows(differences).map(line => `  ${line}`)]
}

/** The side-by-side as a Markdown table, every cell escaped. */
export function differenceTable(differences: PlanDifference[], pr: number): string[] {
  return [
    `| Resource | Field | Reviewed in #${pr} | Now |`,
    '| --- | --- | --- | --- |',
    ...differences
      .slice(0, MAX_DIFFERENCE_ROWS)
      .map(row => `| ${[row.resource, row.field, row.reviewed, row.now].map(escapeMarkdown).join(' | ')} |`),
    ...moreRows(differences),
    ''
  ]
}

function moreRows(differences: PlanDifference[]): string[] {
  const more = differences.length - MAX_DIFFERENCE_ROWS
  return more > 0 ? [`… and ${more} more differences.`] : []
}

/** "config.auth_url of Cloudflare identity provider “X”, …", for one line. */
function differenceList(differences: PlanDifference[]): string {
  const named = differences.slice(0, 5).map(row => `${row.field} of ${row.resource}`)
  return named.join(', ') + (differences.length > 5 ? ` and ${differences.length - 5} more` : '')
}

// ---- the verdict (pure) ---------------------------------------------------------------------------

export interface ReviewedPullRequest {
  number: number
  /** Its page (or its plan comment's), for the summary's link. */
  url: string
  /** The pull request's last commit, when GitHub said. */
  headSha?: string
}

/** What the lookup on GitHub found. */
export type Lookup =
  | { kind: 'found'; pr: ReviewedPullRequest; summary: PlanSummary }
  | { kind: 'missing'; reason: string; pr?: ReviewedPullRequest }
  | { kind: 'unavailable'; reason: string }

export interface Verdict {
  status: 'match' | 'differs' | 'missing' | 'unavailable'
  /** `require` stops the apply: `message` is the failure. */
  fail: boolean
  level: 'info' | 'notice' | 'warning'
  /** One line, for the log (and the failure). */
  message: string
  /** The side-by-side, for the log. */
  details: string[]
  /** The summary's section. */
  markdown: string[]
}

const OVERRIDE = 'apply it deliberately with a workflow_dispatch run'

/**
 * The check's verdict. A plan with no changes writes nothing, so nothing unreviewed can be applied:
 * a missing or different reviewed plan is then only noted, even under `require`. A check that
 * cannot run (no token, no permission) fails `require` all the same: that is a setup problem,
 * better found on a quiet day than on the day of a change.
 */
export function judgeReview(mode: Exclude<ReviewedPlan, 'off'>, lookup: Lookup, current: PlanSummary, writes: boolean): Verdict {
  const require = mode === 'require'
  if (lookup.kind === 'unavailable') {
    if (require) {
      const message = `reviewed-plan: require, but the reviewed plan could not be read (${lookup.reason}), so nothing was written. Fix the token's permissions (pull-requests: read) and re-run, or ${OVERRIDE}.`
      return verdict('unavailable', true, 'warning', message, [], stopped('the reviewed plan could not be read.'))
    }
    const message = `The reviewed plan could not be read (${lookup.reason}); applying without comparing (reviewed-plan: warn). Give the job \`permissions: pull-requests: read\`.`
    return verdict('unavailable', false, 'warning', message, [], alert('WARNING', escapeMarkdown(message)))
  }
  if (lookup.kind === 'missing') {
    if (require && writes) {
      const message = `reviewed-plan: require, but there is no reviewed plan to compare with: ${lookup.reason}. Nothing was written. Run the plan on a pull request and merge it, or ${OVERRIDE}.`
      return verdict('missing', true, 'notice', message, [], stopped('there is no reviewed plan to compare with.'))
    }
    const message = `No reviewed plan to compare with: ${lookup.reason}. ${writes ? 'Applying anyway (reviewed-plan: warn).' : 'The plan has no changes, so nothing unreviewed is applied.'}`
    return verdict('missing', false, 'notice', message, [], alert('NOTE', escapeMarkdown(message)))
  }
  const { pr, summary } = lookup
  const link = `[#${pr.number}](${safeUrl(pr.url)})`
  /** Escaped, with the first `#<number>` a link to the reviewed plan. */
  const linked = (text: string) => escapeMarkdown(text).replace(escapeMarkdown(`#${pr.number}`), link)
  const fingerprint = current.fingerprint.slice(0, 12)
  if (summary.fingerprint === current.fingerprint) {
    const message = `This apply applies the plan reviewed in #${pr.number} (plan ${fingerprint}).`
    return verdict('match', false, 'info', message, [], [`✅ ${linked(message).replace(fingerprint, `<code>${fingerprint}</code>`)}`, ''])
  }
  const differences = planDifferences(summary, current)
  const table = differenceTable(differences, pr.number)
  const details = differenceLines(differences, pr.number)
  const stale =
    pr.headSha && summary.sha && pr.headSha !== summary.sha
      ? ` The reviewed plan was made for commit ${summary.sha.slice(0, 12)}, not the pull request's last commit ${pr.headSha.slice(0, 12)}.`
      : ''
  const what = `differs from the one reviewed in #${pr.number} (${differenceList(differences)}).${stale}`
  if (require && writes) {
    const message = `reviewed-plan: require, and this plan ${what} Nothing was written. Re-run the plan of pull request #${pr.number} (its workflow run) to review the plan as it is now, then re-run this apply; or ${OVERRIDE}.`
    return verdict('differs', true, 'warning', message, details, [
      ...stopped(`this plan differs from the one reviewed in ${link}.`),
      ...table
    ])
  }
  const message = `This plan ${what} ${writes ? 'Applying it anyway (reviewed-plan: warn).' : 'It has no changes, so nothing unreviewed is applied.'}`
  return verdict('differs', false, writes ? 'warning' : 'notice', message, details, [
    ...alert(writes ? 'WARNING' : 'NOTE', linked(message)),
    ...table
  ])
}

/** A GitHub alert of one paragraph (already Markdown), and a blank line. */
function alert(kind: 'NOTE' | 'WARNING' | 'CAUTION', markdown: string): string[] {
  return [`> [!${kind}]`, `> ${markdown}`, '']
}

/** A failure's message is the report's verdict already: its section only says what stopped the apply. */
function stopped(why: string): string[] {
  return alert('CAUTION', `Stopped before any write: ${why}`)
}

function verdict(
  status: Verdict['status'],
  fail: boolean,
  level: Verdict['level'],
  message: string,
  details: string[],
  section: string[]
): Verdict {
  return { status, fail, level, message, details, markdown: ['#### Reviewed plan', '', ...section] }
}

// ---- the lookup on GitHub -------------------------------------------------------------------------

/** What the check needs to know of the run. */
export interface ReviewContext {
  eventName: string
  /** GITHUB_REF: `refs/heads/<branch>` on a push to a branch. */
  ref: string
  /** The pushed commit (GITHUB_SHA). */
  sha: string
  serverUrl: string
  repository?: { owner: string; repo: string }
}

export function reviewContext(): ReviewContext {
  return {
    eventName: context.eventName,
    ref: context.ref ?? '',
    sha: context.sha ?? '',
    serverUrl: context.serverUrl,
    repository: currentRepository()
  }
}

interface PullRequestItem {
  number: number
  merged_at?: string | null
  merge_commit_sha?: string | null
  base: { ref: string }
  head?: { sha?: unknown } | null
}

/** A pull request as "list pull requests associated with a commit" answers it; anything else is GitHub's error. */
function checkedPullRequest(item: unknown): PullRequestItem {
  const pr = item as PullRequestItem | null
  const valid =
    typeof pr === 'object' &&
    pr !== null &&
    Number.isSafeInteger(pr.number) &&
    pr.number > 0 &&
    typeof pr.base?.ref === 'string' &&
    (pr.merged_at === undefined || pr.merged_at === null || typeof pr.merged_at === 'string')
  if (!valid) {
    throw new ServiceError(
      'GitHub',
      `the pull requests of the commit include an item that is not a pull request (${describeMalformed(item)}).`
    )
  }
  return pr
}

/** The pull request the commit was merged from into `branch`: the one it is the merge commit of, else the latest merged. */
async function mergedPullRequest(
  client: GitHubClient,
  where: { owner: string; repo: string },
  sha: string,
  branch: string
): Promise<PullRequestItem | undefined> {
  const route = 'GET /repos/{owner}/{repo}/commits/{commit_sha}/pulls'
  const merged: PullRequestItem[] = []
  for await (const items of listPages(client, route, { ...where, commit_sha: sha }, `the pull requests of commit ${sha.slice(0, 12)}`)) {
    merged.push(...items.map(checkedPullRequest).filter(pr => typeof pr.merged_at === 'string' && pr.base.ref === branch))
  }
  const latestFirst = merged.sort((a, b) => Date.parse(b.merged_at!) - Date.parse(a.merged_at!))
  return latestFirst.find(pr => pr.merge_commit_sha === sha) ?? latestFirst[0]
}

const HEX_SHA = /^[0-9a-f]{40}$/

/** Finds the reviewed plan of this push. Never throws: a failure is `unavailable`, with the reason. */
export async function lookUpReviewedPlan(settings: Settings, run: ReviewContext, instance: string): Promise<Lookup> {
  if (!settings.githubToken) return { kind: 'unavailable', reason: 'there is no github-token' }
  const where = run.repository
  if (!where) return { kind: 'unavailable', reason: 'GITHUB_REPOSITORY does not name the repository' }
  const branch = /^refs\/heads\/(.+)$/.exec(run.ref)?.[1]
  if (!branch) return { kind: 'missing', reason: `the push is of ${run.ref || 'no ref'}, not of a branch a pull request is merged into` }
  if (!HEX_SHA.test(run.sha)) return { kind: 'missing', reason: 'the pushed commit is unknown (GITHUB_SHA)' }
  const client = await createGitHubClient(settings.githubToken, settings.timing.requestTimeoutMs)
  try {
    const found = await mergedPullRequest(client, where, run.sha, branch)
    if (!found) return { kind: 'missing', reason: `commit ${run.sha.slice(0, 12)} was not merged into ${branch} from a pull request` }
    const headSha = typeof found.head?.sha === 'string' && HEX_SHA.test(found.head.sha) ? found.head.sha : undefined
    const pr: ReviewedPullRequest = {
      number: found.number,
      url: `${run.serverUrl}/${where.owner}/${where.repo}/pull/${found.number}`,
      headSha
    }
    const comment = await readOwnComment(client, { ...where, issueNumber: found.number, instance })
    if (!comment) {
      const reason = `pull request #${pr.number} has no plan comment of this instance (“${settings.idpName}”) by this token's identity`
      return { kind: 'missing', reason, pr }
    }
    const read = readPlanData(comment.body, commentMarker(instance))
    if ('problem' in read) {
      return { kind: 'missing', reason: `the plan comment of pull request #${pr.number} carries no readable plan: ${read.problem}`, pr }
    }
    return { kind: 'found', pr: { ...pr, url: `${pr.url}#issuecomment-${comment.id}` }, summary: read.summary }
  } catch (error) {
    return { kind: 'unavailable', reason: gitHubFailure(error).reason }
  } finally {
    await client.close()
  }
}

// ---- the gate between plan and apply ----------------------------------------------------------

const MANUAL_RUN = 'Not compared with a reviewed plan: a manual run (workflow_dispatch) is the deliberate override.'

/**
 * The check as reconcile runs it, between the plan and the apply: `beforeApply` logs the verdict
 * and throws when `require` stops the apply; `sections` is what the job summary shows of it.
 */
export function reviewGate(
  settings: Settings,
  run: ReviewContext,
  instance: string
): { beforeApply: (plan: Plan) => Promise<void>; sections: () => string[] } {
  let markdown: string[] = []
  const checked = settings.reviewedPlan !== 'off' && settings.mode === 'apply' && run.eventName === 'push'
  // The lookup needs nothing the run finds out: it goes out with the run's first reads, so the
  // check costs no round trip of its own. It never throws.
  const lookup = checked
    ? lookUpReviewedPlan(settings, run, instance).catch((error: unknown): Lookup => ({ kind: 'unavailable', reason: describeError(error) }))
    : undefined
  const beforeApply = async (plan: Plan): Promise<void> => {
    if (settings.reviewedPlan === 'off' || settings.mode !== 'apply') return
    if (!lookup) {
      const manual = run.eventName === 'workflow_dispatch'
      log.info(
        `reviewed-plan: not checked, because ${manual ? 'a workflow_dispatch run is the deliberate override' : 'only an apply triggered by a push is'}.`
      )
      if (manual) markdown = ['#### Reviewed plan', '', MANUAL_RUN, '']
      return
    }
    const current = summarizePlan(resourcesOf(plan))
    const result = judgeReview(settings.reviewedPlan, await lookup, current, hasChanges(plan))
    markdown = result.markdown
    if (result.fail) {
      for (const line of result.details) log.info(line)
      throw new ActionError(result.message)
    }
    log[result.level](result.message)
    for (const line of result.details) log.info(line)
  }
  return { beforeApply, sections: () => markdown }
}
