// The sticky pull-request comment: one per action instance (Cloudflare scope + identity provider
// name), found by a hidden marker across every page of comments, updated in place, created only
// when missing. The comment is a courtesy: it never fails the run (a fork's pull request gets a
// read-only token), and what it sends is redacted by us, since the runner's masking does not
// cover API calls.
import { createHash } from 'node:crypto'
import { getOctokit } from '@actions/github'
import { describeError } from '../errors.js'
import { redact } from '../secrets.js'

/** GitHub rejects comments over 65,536 characters; keep well below it. */
export const COMMENT_LIMIT = 65_000

export interface CommentTarget {
  token: string
  owner: string
  repo: string
  issueNumber: number
  /** Identifies this action instance among others commenting on the same pull request. */
  instance: string
}

export type CommentResult = { outcome: 'created' | 'updated'; id: number } | { outcome: 'skipped'; reason: string }

/** The hidden marker; a hash, so that no user text ends up inside the HTML comment. */
export function commentMarker(instance: string): string {
  const digest = createHash('sha256').update(instance).digest('hex').slice(0, 16)
  return `<!-- cognito-cloudflare-access:plan:${digest} -->`
}

/** Cuts a body over the limit at a line boundary, closes open <details>, and says so. */
export function fitComment(body: string, limit = COMMENT_LIMIT): string {
  if (body.length <= limit) return body
  const note =
    '\n\n> [!WARNING]\n> This plan is longer than a GitHub comment can be, so it was cut here. ' +
    'The whole plan is in the job summary and in the `plan` output.\n'
  let cut = body.slice(0, limit - note.length - 100)
  cut = cut.slice(0, Math.max(cut.lastIndexOf('\n'), 0))
  const open = (cut.match(/<details>/g) ?? []).length - (cut.match(/<\/details>/g) ?? []).length
  return `${cut}\n${'\n</details>'.repeat(Math.max(open, 0))}${note}`
}

export async function upsertComment(target: CommentTarget, markdown: string): Promise<CommentResult> {
  const marker = commentMarker(target.instance)
  const body = redact(fitComment(`${marker}\n${markdown}`))
  const octokit = getOctokit(target.token)
  const where = { owner: target.owner, repo: target.repo }
  try {
    const comments = await octokit.paginate(octokit.rest.issues.listComments, {
      ...where,
      issue_number: target.issueNumber,
      per_page: 100
    })
    const existing = comments.find(comment => comment.body?.includes(marker))
    if (existing) {
      await octokit.rest.issues.updateComment({ ...where, comment_id: existing.id, body })
      return { outcome: 'updated', id: existing.id }
    }
    const created = await octokit.rest.issues.createComment({ ...where, issue_number: target.issueNumber, body })
    return { outcome: 'created', id: created.data.id }
  } catch (error) {
    return { outcome: 'skipped', reason: redact(describeError(error)) }
  }
}
