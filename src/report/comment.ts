// The sticky pull-request comment: one per action instance (Cloudflare scope + identity provider
// name), found by a hidden marker across every page of comments, updated in place, created only
// when missing. The comment is a courtesy: it never fails the run (a fork's pull request gets a
// read-only token), and what it sends is redacted by us, since the runner's masking does not
// cover API calls.
import { createHash } from 'node:crypto'
import type { getOctokit } from '@actions/github'
import { describeError } from '../errors.js'
import { redact } from '../secrets.js'

/** GitHub rejects comments over 65,536 characters; keep below it with room to spare. */
export const COMMENT_LIMIT = 65_000

export interface CommentTarget {
  token: string
  owner: string
  repo: string
  issueNumber: number
  /** Identifies this action instance among others commenting on the same pull request. */
  instance: string
}

export type CommentResult =
  | { outcome: 'created' | 'updated' | 'unchanged'; id: number }
  | { outcome: 'skipped'; reason: string; status?: number }

/** The hidden marker; a hash, so that no user text ends up inside the HTML comment. */
export function commentMarker(instance: string): string {
  const digest = createHash('sha256').update(instance).digest('hex').slice(0, 16)
  return `<!-- cognito-cloudflare-access:plan:${digest} -->`
}

/**
 * Whether a comment is this instance's. Our bodies start with the marker; a comment that only
 * quotes it somewhere (someone else's) is not ours to overwrite.
 */
export function isOurComment(body: string | undefined | null, marker: string): boolean {
  return (body ?? '').trimStart().startsWith(marker)
}

export const CUT_NOTE =
  '\n\n> [!WARNING]\n> This plan is longer than a GitHub comment can be, so it was cut here. ' +
  'The whole plan is in the job summary and in the `plan` output.\n'

/** Cuts a body over the limit at a line boundary, closes open <details>, and says so. */
export function fitComment(body: string, limit = COMMENT_LIMIT): string {
  if (body.length <= limit) return body
  let cut = body.slice(0, limit - CUT_NOTE.length - 100)
  cut = cut.slice(0, Math.max(cut.lastIndexOf('\n'), 0))
  const open = (cut.match(/<details[ >]/g) ?? []).length - (cut.match(/<\/details>/g) ?? []).length
  return `${cut}\n${'\n</details>'.repeat(Math.max(open, 0))}${CUT_NOTE}`
}

/**
 * The comment body: the marker, then the first of `versions` (most detailed first) that fits,
 * else the last one cut. Redacted before it is measured and cut, so a cut cannot split a secret
 * into pieces that redaction would no longer recognise.
 */
export function commentBody(marker: string, versions: string[], limit = COMMENT_LIMIT): string {
  const bodies = versions.map(version => `${marker}\n${redact(version)}`)
  return bodies.find(body => body.length <= limit) ?? fitComment(bodies[bodies.length - 1] ?? marker, limit)
}

type Octokit = ReturnType<typeof getOctokit>
type Where = { owner: string; repo: string }

/** Our comment, looking through every page, and stopping at the page that has it. */
async function findComment(octokit: Octokit, where: Where, issueNumber: number, marker: string) {
  const pages = octokit.paginate.iterator(octokit.rest.issues.listComments, { ...where, issue_number: issueNumber, per_page: 100 })
  for await (const { data } of pages) {
    const found = data.find(comment => isOurComment(comment.body, marker))
    if (found) return found
  }
  return undefined
}

/** This instance's comment as it is now, and the client to change it with. */
export interface LookedUp {
  octokit: Octokit
  existing?: Awaited<ReturnType<typeof findComment>>
}

/**
 * Looks for this instance's comment. Started when the run starts (the lookup needs nothing the run
 * finds out), so that the comment costs no round trip but its write; upsertComment takes the answer.
 */
export function lookUpComment(target: CommentTarget): Promise<LookedUp> {
  const lookup = (async () => {
    // Octokit and its plugins are for the comment only: evaluated here, not at start. In the
    // bundle, not a chunk of its own: ncc's license file would leave out a chunk's packages.
    const { getOctokit } = await import(/* webpackMode: "eager" */ '@actions/github')
    const octokit = getOctokit(target.token)
    const where = { owner: target.owner, repo: target.repo }
    return { octokit, existing: await findComment(octokit, where, target.issueNumber, commentMarker(target.instance)) }
  })()
  // Its failure is upsertComment's to report, however long the run takes to get there.
  lookup.catch(() => undefined)
  return lookup
}

/** Creates or updates this instance's comment; `versions` as for commentBody. Never throws. */
export async function upsertComment(target: CommentTarget, versions: string[], lookedUp = lookUpComment(target)): Promise<CommentResult> {
  const body = commentBody(commentMarker(target.instance), versions)
  const where = { owner: target.owner, repo: target.repo }
  try {
    const { octokit, existing } = await lookedUp
    if (existing?.body === body) return { outcome: 'unchanged', id: existing.id }
    if (existing) {
      await octokit.rest.issues.updateComment({ ...where, comment_id: existing.id, body })
      return { outcome: 'updated', id: existing.id }
    }
    const created = await octokit.rest.issues.createComment({ ...where, issue_number: target.issueNumber, body })
    return { outcome: 'created', id: created.data.id }
  } catch (error) {
    const status = (error as { status?: unknown }).status
    if (typeof status !== 'number') return { outcome: 'skipped', reason: redact(describeError(error)) }
    return { outcome: 'skipped', reason: redact(`GitHub answered HTTP ${status}: ${(error as Error).message}`), status }
  }
}
